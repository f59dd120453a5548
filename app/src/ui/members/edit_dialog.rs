//! The Edit user dialog: email, role, status, template, CRM access and direct
//! permissions, with what else grants each permission as the server decides it,
//! and "Until" for access that ends by itself.

use super::{role_options, template_options, viewer};
use crate::api::members::{GetMemberAccess, UpdateMember};
use crate::domain::access::grantor::ONLY_WHAT_YOU_HOLD;
use crate::domain::access::{indirect_sources, AccessInputs, Permission, TemplateGrant};
use crate::domain::members::{MemberRow, MemberUpdate};
use crate::domain::templates::TemplateView;
use crate::domain::{AppError, MembershipStatus, Role};
use crate::ui::access::PermissionPicker;
use crate::ui::widgets::{
    error_of, invalid_attr, open_dialog_for, use_toasts, Dialog, DialogFooter, FieldMessage,
    FormAlert,
};
use leptos::prelude::*;
use std::collections::BTreeSet;

fn template_grant(templates: &[TemplateView], id: Option<i64>) -> Option<TemplateGrant> {
    id.and_then(|id| templates.iter().find(|t| t.id == id))
        .map(|t| TemplateGrant {
            name: t.name.clone(),
            permissions: t.permissions.iter().copied().collect(),
        })
}

#[component]
pub fn EditDialog(
    editing: RwSignal<Option<MemberRow>>,
    templates: Resource<Result<Vec<TemplateView>, AppError>>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let viewer = viewer();
    let open = RwSignal::new(false);
    let action = ServerAction::<UpdateMember>::new();
    // The member's groups come from the server when the dialog opens; role, direct
    // grants and template are what the dialog shows now. The domain's one evaluation
    // says what grants what.
    let stored_access = ServerAction::<GetMemberAccess>::new();
    let error = error_of(move || action.value().get());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::User);
    let status = RwSignal::new(MembershipStatus::Active);
    let template = RwSignal::new(None::<i64>);
    let crm = RwSignal::new(false);
    let beta = RwSignal::new(false);
    let permissions = RwSignal::new(BTreeSet::<Permission>::new());
    let all_templates = RwSignal::new(Vec::<TemplateView>::new());
    let temporary = RwSignal::new(None::<String>);
    let until = RwSignal::new(String::new());
    open_dialog_for(editing, open, move |m| {
        temporary.set(m.temporary_words());
        until.set(String::new());
        action.value().set(None);
        stored_access.value().set(None);
        stored_access.dispatch(GetMemberAccess { member_id: m.id });
        email.set(m.email.clone());
        role.set(m.role);
        status.set(m.status);
        template.set(m.template_id);
        crm.set(m.crm_access);
        beta.set(m.beta_access);
        permissions.set(m.direct_permissions.iter().copied().collect());
    });
    Effect::new(move |_| {
        if let Some(Ok(list)) = templates.get() {
            all_templates.set(list);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success(format!("Saved changes to {}.", email.get_untracked()));
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    let granted_elsewhere = Signal::derive(move || {
        let groups = stored_access
            .value()
            .get()
            .and_then(Result::ok)
            .map(|a: AccessInputs| a.groups)
            .unwrap_or_default();
        let inputs = AccessInputs {
            role: role.get(),
            direct: permissions.get(),
            template: all_templates.with(|t| template_grant(t, template.get())),
            groups,
        };
        indirect_sources(&inputs)
    });
    let is_admin = Signal::derive(move || role.get() == Role::Admin);
    // Their own row: access can't be changed (the server refuses it too).
    let own_viewer = viewer.clone();
    let own = Signal::derive(move || editing.get().and_then(|m| own_viewer.own_access(m.id)));
    let locked = Signal::derive(move || own.get().is_some());
    let picker_locked = Signal::derive(move || is_admin.get() || locked.get());
    let limits_note = viewer
        .admin_role_limit()
        .map(|admin_only| format!("{admin_only} {ONLY_WHAT_YOU_HOLD}"));
    let role_viewer = viewer.clone();
    let template_viewer = viewer.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(m) = editing.get_untracked() else {
            return;
        };
        action.dispatch(UpdateMember {
            input: MemberUpdate {
                id: m.id,
                email: email.get(),
                role: role.get(),
                status: status.get(),
                template_id: template.get(),
                crm_access: crm.get(),
                permissions: permissions.get().into_iter().collect(),
                beta_access: beta.get(),
                until: until.get(),
            },
        });
    };
    let invited = move || status.get() == MembershipStatus::Invited;
    view! {
        <Dialog open title="Edit user" id="edit-dialog">
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="edit-email">"Email"</label>
                    <input id="edit-email" type="email" maxlength="254" bind:value=email aria-describedby="edit-email-error" />
                    <FieldMessage error field="email" prefix="edit-" />
                </div>
                {move || own.get().map(|why| view! { <p class="note note-warn" id="edit-own">{why}</p> })}
                {move || (own.get().is_none()).then(|| limits_note.clone()).flatten().map(|note| view! { <p class="note" id="edit-limits">{note}</p> })}
                <div class="field-row">
                    <div class="field">
                        <label for="edit-role">"Role"</label>
                        <select id="edit-role" disabled=move || locked.get()
                            on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::User))>
                            {move || { editing.track(); role_options(role.into(), &role_viewer) }}
                        </select>
                    </div>
                    <div class="field">
                        <label for="edit-status">"Status"</label>
                        <select id="edit-status" disabled=move || invited() || locked.get()
                            on:change=move |ev| status.set(MembershipStatus::parse(&event_target_value(&ev)).unwrap_or(MembershipStatus::Active))>
                            {move || if invited() {
                                view! { <option value="invited" selected=true>"Invited (hasn't accepted yet)"</option> }.into_any()
                            } else {
                                view! {
                                    <option value="active" selected=move || status.get() == MembershipStatus::Active>"Active"</option>
                                    <option value="suspended" selected=move || status.get() == MembershipStatus::Suspended>"Suspended"</option>
                                }.into_any()
                            }}
                        </select>
                        <FieldMessage error field="status" prefix="edit-" />
                    </div>
                </div>
                <div class="field">
                    <label for="edit-template">"Role template"</label>
                    <select id="edit-template" disabled=move || locked.get()
                        on:change=move |ev| template.set(event_target_value(&ev).parse().ok())>
                        {move || { editing.track(); template_options(all_templates.get(), template.into(), &template_viewer) }}
                    </select>
                    <FieldMessage error field="role_template" prefix="edit-" />
                </div>
                {move || temporary.get().map(|words| view! { <p class="note" data-testid="edit-temporary">{words}</p> })}
                <p class="note" data-testid="edit-groups">
                    {move || {
                        let names: Vec<String> = stored_access
                            .value()
                            .get()
                            .and_then(Result::ok)
                            .map(|a| a.groups.into_iter().map(|g| g.name).collect())
                            .unwrap_or_default();
                        if names.is_empty() {
                            "Not in any group.".to_string()
                        } else {
                            format!("Groups: {} (change them in Settings → Groups)", names.join(", "))
                        }
                    }}
                </p>
                <label class="check" for="edit-crm">
                    <input id="edit-crm" type="checkbox" disabled=move || is_admin.get() || locked.get()
                        prop:checked=move || is_admin.get() || crm.get()
                        on:change=move |ev| crm.set(event_target_checked(&ev)) />
                    <span>"CRM access"</span>
                    {move || is_admin.get().then(|| view! { <span class="note">" — admins always have CRM access"</span> })}
                </label>
                <label class="check" for="edit-beta">
                    <input id="edit-beta" type="checkbox" disabled=move || locked.get()
                        prop:checked=move || beta.get()
                        on:change=move |ev| beta.set(event_target_checked(&ev)) />
                    <span>"Beta access"</span>
                    <span class="note">" — beta features turned on for this tenant reach them too"</span>
                </label>
                <div class="field">
                    <p class="field-label">"Permissions"</p>
                    {move || is_admin.get().then(|| view! { <p class="note">"Admins have every permission."</p> })}
                    <PermissionPicker selected=permissions granted_elsewhere disabled=picker_locked grantor=viewer.clone() all_granted=is_admin id_prefix="edit-perm" />
                </div>
                <div class="field">
                    <label for="edit-until">"Until (optional, UTC)"</label>
                    <input id="edit-until" type="datetime-local" bind:value=until disabled=move || locked.get()
                        aria-describedby="edit-until-hint edit-until-error"
                        aria-invalid=invalid_attr(error, "until") />
                    <p class="hint" id="edit-until-hint">"For access this change adds (the Admin role, a template, a permission, CRM or beta access): it ends by itself at this time. Leave it empty to give it for good."</p>
                    <FieldMessage error field="until" prefix="edit-" />
                </div>
                <FormAlert error />
                <DialogFooter open pending=action.pending() label="Save" busy_label="Saving…" />
            </form>
        </Dialog>
    }
}
