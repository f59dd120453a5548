//! "Remove from all my tenants": the preview (each tenant where the viewer is an
//! admin and the person a member, and what they lose there), then the removal.

use crate::api::members::{offboard_preview, OffboardMember};
use crate::domain::members::{MemberRow, OffboardOutcome, OffboardPreview};
use crate::domain::AppError;
use crate::ui::widgets::{error_of, open_dialog_for, use_toasts, Dialog, DialogFooter, FormAlert};
use leptos::prelude::*;

#[component]
pub fn OffboardDialog(
    offboarding: RwSignal<Option<MemberRow>>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let action = ServerAction::<OffboardMember>::new();
    let error = error_of(move || action.value().get());
    let preview = Resource::new(
        move || offboarding.get().map(|m| m.id),
        |id| async move {
            match id {
                Some(id) => offboard_preview(id).await.map(Some),
                None => Ok::<Option<OffboardPreview>, AppError>(None),
            }
        },
    );
    open_dialog_for(offboarding, open, move |_| {
        action.value().set(None);
    });
    Effect::new(move |_| {
        if let Some(Ok(outcomes)) = action.value().get() {
            toasts.success(OffboardOutcome::summary(&outcomes));
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <Dialog open title="Remove from all my tenants" id="offboard-dialog">
            {move || open.get().then(|| view! {
            <Transition fallback=|| view! { <p class="loading" role="status">"Finding their tenants…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Err(e) => view! { <p role="alert" class="form-alert visible">{e.to_string()}</p> }.into_any(),
                        Ok(None) => ().into_any(),
                        Ok(Some(p)) => view! {
                            <p>
                                <strong>{p.email.clone()}</strong>
                                {format!(" will be removed from {} where you are an admin. Their sessions there end and their seats are freed; the audit log of each keeps the record.",
                                    if p.tenants.len() == 1 { "the 1 tenant".to_string() } else { format!("the {} tenants", p.tenants.len()) })}
                            </p>
                            <ul class="offboard-list" data-testid="offboard-preview">
                                {p.tenants.into_iter().map(|t| view! {
                                    <li><strong>{t.tenant}</strong>{format!(" ({}): loses {}", t.status.label(), t.loses.join("; "))}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
            })}
            <FormAlert error />
            <DialogFooter open pending=action.pending() label="Remove from all" busy_label="Removing…" danger=true
                on_confirm=Callback::new(move |_| {
                    if let Some(m) = offboarding.get_untracked() {
                        action.dispatch(OffboardMember { member_id: m.id });
                    }
                }) />
        </Dialog>
    }
}
