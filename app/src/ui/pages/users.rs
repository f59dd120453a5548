//! Settings → Users: the table, filters, paging, seat indicator and the Invite,
//! Edit, Resend and Delete actions.

use super::ErrorPage;
use crate::api::members::{
    list_members, DeleteMember, InviteMember, ResendInvite, UnlockMember, UpdateMember,
};
use crate::api::templates::list_role_templates;
use crate::domain::access::Permission;
use crate::domain::members::{InviteInput, MemberQuery, MemberRow, MemberUpdate};
use crate::domain::templates::TemplateView;
use crate::domain::{AppError, MembershipStatus, Role};
use crate::ui::widgets::{
    error_of, loading, open_dialog_for, use_toasts, Dialog, DialogFooter, FieldMessage, FormAlert,
    PermissionPicker,
};
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::BTreeSet;

fn template_grants(templates: &[TemplateView], id: Option<i64>) -> BTreeSet<Permission> {
    id.and_then(|id| templates.iter().find(|t| t.id == id))
        .map(|t| t.permissions.iter().copied().collect())
        .unwrap_or_default()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let page = RwSignal::new(0u64);
    let reload = RwSignal::new(0u64);
    let query = move || MemberQuery {
        search: search.get(),
        status: MembershipStatus::parse(&status.get()),
        role: Role::parse(&role.get()),
        page: page.get(),
    };
    let members = Resource::new(move || (query(), reload.get()), |(q, _)| list_members(q));
    let templates = Resource::new(move || reload.get(), |_| list_role_templates());
    let toasts = use_toasts();

    let invite_open = RwSignal::new(false);
    let editing = RwSignal::new(None::<MemberRow>);
    let deleting = RwSignal::new(None::<MemberRow>);
    let resend = ServerAction::<ResendInvite>::new();
    let unlock = ServerAction::<UnlockMember>::new();
    Effect::new(move |_| match unlock.value().get() {
        Some(Ok(())) => {
            toasts.success("Unlocked. They can sign in again now.");
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => toasts.error(e.to_string()),
        None => {}
    });
    Effect::new(move |_| match resend.value().get() {
        Some(Ok(())) => {
            toasts.success("A new invitation was sent. The previous link no longer works.");
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => toasts.error(e.to_string()),
        None => {}
    });

    view! {
        <Title text="Users" />
        <div class="page-header">
            <h1>"Users"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    members.await.ok().map(|p| {
                        let full = p.seats_used >= p.seat_limit;
                        view! {
                            <div class="page-actions">
                                <p class="seats" class:seats-full=full data-testid="seat-indicator">
                                    {format!("{} of {} seats used", p.seats_used, p.seat_limit)}
                                </p>
                                <button
                                    type="button"
                                    class="btn btn-primary"
                                    disabled=full
                                    aria-describedby=full.then_some("seats-full-note")
                                    on:click=move |_| invite_open.set(true)
                                >
                                    "Invite user"
                                </button>
                            </div>
                            {full.then(|| view! {
                                <p class="note note-warn" id="seats-full-note">
                                    "All seats are in use. Remove people who no longer need access, or upgrade your plan to invite more."
                                </p>
                            })}
                        }
                    })
                })}
            </Transition>
        </div>

        <form class="filters" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="user-search">"Search by email"</label>
                <input id="user-search" type="search" placeholder="name@example.com" maxlength="254"
                    prop:value=move || search.get()
                    on:input=move |ev| { search.set(event_target_value(&ev)); page.set(0); } />
            </div>
            <div class="field">
                <label for="status-filter">"Status"</label>
                <select id="status-filter" on:change=move |ev| { status.set(event_target_value(&ev)); page.set(0); }>
                    <option value="">"All statuses"</option>
                    {MembershipStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="role-filter">"Role"</label>
                <select id="role-filter" on:change=move |ev| { role.set(event_target_value(&ev)); page.set(0); }>
                    <option value="">"All roles"</option>
                    {Role::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                </select>
            </div>
        </form>

        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match members.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(p) if p.rows.is_empty() => view! {
                        <section class="empty-state">
                            <h2>"No users match"</h2>
                            <p>"Try another search or filter, or invite someone new."</p>
                        </section>
                    }.into_any(),
                    Ok(p) => {
                        let first = p.page * p.page_size + 1;
                        let last = first + p.rows.len() as u64 - 1;
                        let has_next = last < p.total;
                        let has_prev = p.page > 0;
                        view! {
                            <table class="table">
                                <caption class="visually-hidden">"People in this tenant"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Email"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Role template"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"CRM access"</th>
                                        <th scope="col">"Last login"</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {p.rows.into_iter().map(|m| member_row(m, editing, deleting, resend, unlock)).collect_view()}
                                </tbody>
                            </table>
                            <nav class="pager" aria-label="Pages">
                                <span>{format!("Showing {first}–{last} of {}", p.total)}</span>
                                <button type="button" class="btn" disabled=!has_prev on:click=move |_| page.update(|n| *n = n.saturating_sub(1))>"Previous"</button>
                                <button type="button" class="btn" disabled=!has_next on:click=move |_| page.update(|n| *n += 1)>"Next"</button>
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>

        <InviteDialog open=invite_open templates reload />
        <EditDialog editing templates reload />
        <DeleteDialog deleting reload />
    }
}

fn member_row(
    m: MemberRow,
    editing: RwSignal<Option<MemberRow>>,
    deleting: RwSignal<Option<MemberRow>>,
    resend: ServerAction<ResendInvite>,
    unlock: ServerAction<UnlockMember>,
) -> impl IntoView {
    let locked = m.locked;
    let status_text = if m.status == MembershipStatus::Invited && m.invite_expired {
        "Invited (link expired)".to_string()
    } else {
        m.status.label().to_string()
    };
    let invited = m.status == MembershipStatus::Invited;
    let id = m.id;
    let email = m.email.clone();
    let edit_row = m.clone();
    let delete_row = m.clone();
    view! {
        <tr>
            <td>{m.email.clone()}</td>
            <td>{m.role.label()}</td>
            <td>{m.template_name.clone().unwrap_or_else(|| "—".to_string())}</td>
            <td>
                <span class=format!("status status-{}", m.status.as_str())>{status_text}</span>
                {locked.then(|| view! { <span class="status status-locked" title="Locked after repeated wrong passwords">"Locked"</span> })}
            </td>
            <td>{if m.crm_access { "Yes" } else { "No" }}</td>
            <td>{m.last_login.clone().unwrap_or_else(|| "Never".to_string())}</td>
            <td>
                <div class="row-actions">
                <button type="button" class="btn btn-small" on:click=move |_| editing.set(Some(edit_row.clone()))>
                    "Edit"<span class="visually-hidden">{format!(" {email}")}</span>
                </button>
                {locked.then(|| view! {
                    <button type="button" class="btn btn-small" disabled=move || unlock.pending().get()
                        on:click=move |_| { unlock.dispatch(UnlockMember { member_id: id }); }>
                        "Unlock"
                    </button>
                })}
                {invited.then(|| view! {
                    <button type="button" class="btn btn-small" disabled=move || resend.pending().get()
                        on:click=move |_| { resend.dispatch(ResendInvite { member_id: id }); }>
                        "Resend invite"
                    </button>
                })}
                <button type="button" class="btn btn-small btn-danger-outline" on:click=move |_| deleting.set(Some(delete_row.clone()))>
                    "Delete user"
                </button>
            </div>
            </td>
        </tr>
    }
}

fn template_options(templates: Vec<TemplateView>, selected: Signal<Option<i64>>) -> impl IntoView {
    view! {
        <option value="" selected=move || selected.get().is_none()>"No template"</option>
        {templates
            .into_iter()
            .map(|t| view! { <option value=t.id.to_string() selected=move || selected.get() == Some(t.id)>{t.name}</option> })
            .collect_view()}
    }
}

#[component]
fn InviteDialog(
    open: RwSignal<bool>,
    templates: Resource<Result<Vec<TemplateView>, AppError>>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let action = ServerAction::<InviteMember>::new();
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::User);
    let template = RwSignal::new(None::<i64>);
    let crm = RwSignal::new(false);
    let error = error_of(move || action.value().get());
    Effect::new(move |_| {
        if open.get() {
            action.value().set(None);
            email.set(String::new());
            role.set(Role::User);
            template.set(None);
            crm.set(false);
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
                    <select id="invite-role" on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::User))>
                        {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=move || role.get() == *r>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="invite-template">"Role template"</label>
                    <select id="invite-template" on:change=move |ev| template.set(event_target_value(&ev).parse().ok())>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                template_options(templates.await.unwrap_or_default(), template.into())
                            })}
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
                <FormAlert error />
                <DialogFooter open pending=action.pending() label="Send invite" busy_label="Sending…" />
            </form>
        </Dialog>
    }
}

#[component]
fn EditDialog(
    editing: RwSignal<Option<MemberRow>>,
    templates: Resource<Result<Vec<TemplateView>, AppError>>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let action = ServerAction::<UpdateMember>::new();
    let error = error_of(move || action.value().get());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::User);
    let status = RwSignal::new(MembershipStatus::Active);
    let template = RwSignal::new(None::<i64>);
    let crm = RwSignal::new(false);
    let permissions = RwSignal::new(BTreeSet::<Permission>::new());
    let all_templates = RwSignal::new(Vec::<TemplateView>::new());
    open_dialog_for(editing, open, move |m| {
        action.value().set(None);
        email.set(m.email.clone());
        role.set(m.role);
        status.set(m.status);
        template.set(m.template_id);
        crm.set(m.crm_access);
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
    let inherited =
        Signal::derive(move || all_templates.with(|t| template_grants(t, template.get())));
    let is_admin = Signal::derive(move || role.get() == Role::Admin);
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
                <div class="field-row">
                    <div class="field">
                        <label for="edit-role">"Role"</label>
                        <select id="edit-role" on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::User))>
                            {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=move || role.get() == *r>{r.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="edit-status">"Status"</label>
                        <select id="edit-status" disabled=invited
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
                    <select id="edit-template" on:change=move |ev| template.set(event_target_value(&ev).parse().ok())>
                        {move || template_options(all_templates.get(), template.into())}
                    </select>
                    <FieldMessage error field="role_template" prefix="edit-" />
                </div>
                <label class="check" for="edit-crm">
                    <input id="edit-crm" type="checkbox" disabled=move || is_admin.get()
                        prop:checked=move || is_admin.get() || crm.get()
                        on:change=move |ev| crm.set(event_target_checked(&ev)) />
                    <span>"CRM access"</span>
                    {move || is_admin.get().then(|| view! { <span class="note">" — admins always have CRM access"</span> })}
                </label>
                <div class="field">
                    <p class="field-label">"Permissions"</p>
                    {move || is_admin.get().then(|| view! { <p class="note">"Admins have every permission."</p> })}
                    <PermissionPicker selected=permissions inherited disabled=is_admin id_prefix="edit-perm" />
                </div>
                <FormAlert error />
                <DialogFooter open pending=action.pending() label="Save" busy_label="Saving…" />
            </form>
        </Dialog>
    }
}

#[component]
fn DeleteDialog(deleting: RwSignal<Option<MemberRow>>, reload: RwSignal<u64>) -> impl IntoView {
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
