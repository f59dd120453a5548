//! The Invite dialog.

use super::{role_options, template_options, viewer};
use crate::api::members::InviteMember;
use crate::domain::access::grantor::ONLY_WHAT_YOU_HOLD;
use crate::domain::members::InviteInput;
use crate::domain::templates::TemplateView;
use crate::domain::{AppError, Role};
use crate::ui::widgets::{error_of, use_toasts, Dialog, DialogFooter, FieldMessage, FormAlert};
use leptos::prelude::*;

#[component]
pub fn InviteDialog(
    open: RwSignal<bool>,
    templates: Resource<Result<Vec<TemplateView>, AppError>>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let viewer = viewer();
    let limits_note = viewer.admin_role_limit().map(|admin_only| {
        format!("{admin_only} {ONLY_WHAT_YOU_HOLD} Templates that give more can't be chosen.")
    });
    let template_viewer = viewer.clone();
    let action = ServerAction::<InviteMember>::new();
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::User);
    let template = RwSignal::new(None::<i64>);
    let crm = RwSignal::new(false);
    let beta = RwSignal::new(false);
    let error = error_of(move || action.value().get());
    Effect::new(move |_| {
        if open.get() {
            action.value().set(None);
            email.set(String::new());
            role.set(Role::User);
            template.set(None);
            crm.set(false);
            beta.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            toasts.success(format!(
                "Invitation sent to {}.",
                email.get_untracked().trim()
            ));
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(InviteMember {
            input: InviteInput {
                email: email.get(),
                role: role.get(),
                template_id: template.get(),
                crm_access: crm.get(),
                beta_access: beta.get(),
            },
        });
    };
    view! {
        <Dialog open title="Invite user" id="invite-dialog">
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="invite-email">"Email"</label>
                    <input id="invite-email" type="email" maxlength="254" autocomplete="off" bind:value=email
                        aria-describedby="invite-email-error"
                        aria-invalid=move || error.get().and_then(|e| e.field_message("email")).is_some().to_string() />
                    <FieldMessage error field="email" prefix="invite-" />
                </div>
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" aria-describedby="invite-limits"
                        on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::User))>
                        {role_options(role.into(), &viewer)}
                    </select>
                    {limits_note.map(|note| view! { <p class="note" id="invite-limits">{note}</p> })}
                </div>
                <div class="field">
                    <label for="invite-template">"Role template"</label>
                    <select id="invite-template" on:change=move |ev| template.set(event_target_value(&ev).parse().ok())>
                        <Transition fallback=|| ()>
                            {move || {
                                let viewer = template_viewer.clone();
                                Suspend::new(async move {
                                    template_options(templates.await.unwrap_or_default(), template.into(), &viewer)
                                })
                            }}
                        </Transition>
                    </select>
                    <FieldMessage error field="role_template" prefix="invite-" />
                </div>
                <Show when=move || role.get() != Role::Admin fallback=|| view! {
                    <p class="note">"Admins always have CRM access."</p>
                }>
                    <label class="check" for="invite-crm">
                        <input id="invite-crm" type="checkbox" prop:checked=move || crm.get()
                            on:change=move |ev| crm.set(event_target_checked(&ev)) />
                        <span>"CRM access"</span>
                    </label>
                </Show>
                <label class="check" for="invite-beta">
                    <input id="invite-beta" type="checkbox" prop:checked=move || beta.get()
                        on:change=move |ev| beta.set(event_target_checked(&ev)) />
                    <span>"Beta access"</span>
                </label>
                <FormAlert error />
                <DialogFooter open pending=action.pending() label="Send invite" busy_label="Sending…" />
            </form>
        </Dialog>
    }
}
