//! The Delete user confirmation.

use crate::api::members::DeleteMember;
use crate::domain::members::MemberRow;
use crate::ui::widgets::{error_of, open_dialog_for, use_toasts, Dialog, DialogFooter, FormAlert};
use leptos::prelude::*;

#[component]
pub fn DeleteDialog(deleting: RwSignal<Option<MemberRow>>, reload: RwSignal<u64>) -> impl IntoView {
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let action = ServerAction::<DeleteMember>::new();
    let error = error_of(move || action.value().get());
    open_dialog_for(deleting, open, move |_| {
        action.value().set(None);
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success("The user was removed and their seat is free.");
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    let email = move || deleting.get().map(|m| m.email).unwrap_or_default();
    view! {
        <Dialog open title="Delete user" id="delete-dialog">
            <p>
                <strong>{email}</strong>
                " will lose access to this tenant immediately and won't be able to sign back in. "
                "Deleting is permanent: you can't restore them, only invite them again. "
                "Records they created and the audit log stay."
            </p>
            <FormAlert error />
            <DialogFooter open pending=action.pending() label="Delete user" busy_label="Deleting…" danger=true
                on_confirm=Callback::new(move |_| {
                    if let Some(m) = deleting.get_untracked() {
                        action.dispatch(DeleteMember { member_id: m.id });
                    }
                }) />
        </Dialog>
    }
}
