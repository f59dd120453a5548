//! Settings → Users: the table, filters, paging, seat indicator and the row actions.

use super::delete_dialog::DeleteDialog;
use super::edit_dialog::EditDialog;
use super::invite_dialog::InviteDialog;
use super::offboard_dialog::OffboardDialog;
use crate::api::members::{list_members, CancelInvite, ResendInvite, UnlockMember};
use crate::api::templates::list_role_templates;
use crate::domain::access::Grantor;
use crate::domain::members::{MemberQuery, MemberRow};
use crate::domain::{AppError, MembershipStatus, Role};
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::{loading, use_toasts, RowMenu, When, WhenOr};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    // Where the table stands: the page number and the row a Next or Previous link
    // continues from (keyset paging: no page deep in the list counts the rows before).
    let page = RwSignal::new(Cursor::default());
    let reload = RwSignal::new(0u64);
    let query = move || {
        let at = page.get();
        MemberQuery {
            search: search.get(),
            status: MembershipStatus::parse(&status.get()),
            role: Role::parse(&role.get()),
            page: at.page,
            after: at.after,
            before: at.before,
        }
    };
    let members = Resource::new(move || (query(), reload.get()), |(q, _)| list_members(q));
    let templates = Resource::new(move || reload.get(), |_| list_role_templates());
    let toasts = use_toasts();
    let viewer = super::viewer();

    let invite_open = RwSignal::new(false);
    let editing = RwSignal::new(None::<MemberRow>);
    let deleting = RwSignal::new(None::<MemberRow>);
    let offboarding = RwSignal::new(None::<MemberRow>);
    // "Remove from all my tenants" is for admins of more than one tenant.
    let several_tenants = use_context::<crate::domain::auth::Me>()
        .is_some_and(|me| me.grantor.is_admin && me.tenants.len() > 1);
    let resend = ServerAction::<ResendInvite>::new();
    let unlock = ServerAction::<UnlockMember>::new();
    let cancel = ServerAction::<CancelInvite>::new();
    let row_outcome = |value: Signal<Option<Result<(), AppError>>>, done: &'static str| {
        Effect::new(move |_| match value.get() {
            Some(Ok(())) => {
                toasts.success(done);
                reload.update(|n| *n += 1);
            }
            Some(Err(e)) => toasts.error(e.to_string()),
            None => {}
        });
    };
    row_outcome(
        cancel.value().into(),
        "Invitation cancelled. Its link no longer works and the seat is free.",
    );
    row_outcome(
        unlock.value().into(),
        "Unlocked. They can sign in again now.",
    );
    row_outcome(
        resend.value().into(),
        "A new invitation was sent. The previous link no longer works.",
    );

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
                                <a class="btn" href="/settings/users/import">"Import CSV"</a>
                                <a class="btn" download="" href=move || export_href(&search.get(), &status.get(), &role.get())>"Export CSV"</a>
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

        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                members.await.ok().map(|p| {
                    let counts = p.counts;
                    let tab = move |value: &'static str, label: &'static str, n: u64| {
                        let selected = move || status.get() == value;
                        view! {
                            <button type="button" role="tab" class="tab"
                                aria-selected=move || selected().to_string()
                                on:click=move |_| { status.set(value.to_string()); page.set(Cursor::default()); }>
                                {label}<span class="tab-count">{n}</span>
                            </button>
                        }
                    };
                    view! {
                        <div class="tabs" role="tablist" aria-label="Members by status">
                            {tab("", "All", counts.total())}
                            {tab("active", "Active", counts.active)}
                            {tab("suspended", "Suspended", counts.suspended)}
                            {tab("invited", "Pending invites", counts.invited)}
                        </div>
                    }
                })
            })}
        </Transition>

        <form class="filters" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="user-search">"Search by email"</label>
                <input id="user-search" type="search" placeholder="name@example.com" maxlength="254"
                    aria-describedby="user-search-hint"
                    prop:value=move || search.get()
                    on:input=move |ev| { search.set(event_target_value(&ev)); page.set(Cursor::default()); } />
                <p class="hint" id="user-search-hint">"Three characters or more find any part of the address; one or two, its start."</p>
            </div>
            <div class="field">
                <label for="role-filter">"Role"</label>
                <select id="role-filter" on:change=move |ev| { role.set(event_target_value(&ev)); page.set(Cursor::default()); }>
                    <option value="">"All roles"</option>
                    {Role::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                </select>
            </div>
        </form>

        <Transition fallback=loading>
            {move || { let viewer = viewer.clone(); Suspend::new(async move {
                match members.await {
                    Err(error) => view! { <AccessExplanation error needs="permission:users.manage" /> }.into_any(),
                    Ok(p) if p.rows.is_empty() && p.page > 0 => view! {
                        <section class="empty-state">
                            <h2>{format!("There is no page {}", thousands(p.page + 1))}</h2>
                            <p>"The list is shorter than that."</p>
                            <button type="button" class="btn" on:click=move |_| page.set(Cursor::default())>"Go to the first page"</button>
                        </section>
                    }.into_any(),
                    Ok(p) if p.rows.is_empty() => view! {
                        <section class="empty-state">
                            <h2>"No users match"</h2>
                            <p>"Try another search or filter, or invite someone new."</p>
                        </section>
                    }.into_any(),
                    Ok(p) => {
                        let first = p.page * p.page_size + 1;
                        let last = first + p.rows.len() as u64 - 1;
                        let has_next = p.has_next;
                        let has_prev = p.page > 0;
                        let next = Cursor { page: p.page + 1, after: p.rows.last().map(|m| m.id), before: None };
                        let prev = Cursor {
                            page: p.page.saturating_sub(1),
                            after: None,
                            before: (p.page > 1).then(|| p.rows.first().map(|m| m.id)).flatten(),
                        };
                        let of = if p.total_capped { format!("{}+", thousands(p.total)) } else { thousands(p.total) };
                        view! {
                            <table class="table">
                                <caption class="visually-hidden">"People in this tenant"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Person"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Role template"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"CRM access"</th>
                                        <th scope="col">"Last login"</th>
                                        <th scope="col" class="actions-cell"><span class="visually-hidden">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {p.rows.into_iter().map(|m| member_row(&m, &viewer, editing, deleting, RowActions { resend, unlock, cancel, offboarding, several_tenants })).collect_view()}
                                </tbody>
                            </table>
                            <nav class="pager" aria-label="Pages">
                                <span>{format!("Showing {}–{} of {of}", thousands(first), thousands(last))}</span>
                                <button type="button" class="btn" disabled=!has_prev on:click=move |_| page.set(prev)>"Previous"</button>
                                <button type="button" class="btn" disabled=!has_next on:click=move |_| page.set(next)>"Next"</button>
                                <label class="pager-jump">"Page"
                                    <input type="number" min="1" inputmode="numeric" class="pager-number"
                                        prop:value=(p.page + 1).to_string()
                                        on:change=move |ev| {
                                            if let Ok(n) = event_target_value(&ev).trim().parse::<u64>() {
                                                page.set(Cursor { page: n.saturating_sub(1), after: None, before: None });
                                            }
                                        } />
                                </label>
                            </nav>
                        }.into_any()
                    }
                }
            })}}
        </Transition>

        <InviteDialog open=invite_open templates reload />
        <EditDialog editing templates reload />
        <DeleteDialog deleting reload />
        <OffboardDialog offboarding reload />
    }
}

/// The export of what the table's filters show.
fn export_href(search: &str, status: &str, role: &str) -> String {
    crate::ui::widgets::filtered_href(
        "/settings/users/export.csv",
        &[("search", search), ("status", status), ("role", role)],
        None,
    )
}

/// A page of the Users table and the row it continues from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Cursor {
    page: u64,
    after: Option<i64>,
    before: Option<i64>,
}

/// 12345 → "12,345".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The row buttons' server actions.
#[derive(Clone, Copy)]
struct RowActions {
    resend: ServerAction<ResendInvite>,
    unlock: ServerAction<UnlockMember>,
    cancel: ServerAction<CancelInvite>,
    offboarding: RwSignal<Option<MemberRow>>,
    several_tenants: bool,
}

fn member_row(
    m: &MemberRow,
    viewer: &Grantor,
    editing: RwSignal<Option<MemberRow>>,
    deleting: RwSignal<Option<MemberRow>>,
    actions: RowActions,
) -> impl IntoView {
    let RowActions {
        resend,
        unlock,
        cancel,
        offboarding,
        several_tenants,
    } = actions;
    let offboard_row = m.clone();
    let locked = m.locked;
    let disabled = m.disabled;
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
    // What the viewer may not do here, and why, in the server's own words.
    let limit = viewer.limit_on(m.role);
    let delete_limit = viewer.delete_limit(m.id, m.role);
    let why = limit.or(delete_limit);
    let note_id = format!("row-note-{id}");
    let described = why.map(|_| note_id.clone());
    let delete_note = note_id.clone();
    let diagnose_href = format!(
        "/settings/diagnostics?email={}&target=sign_in",
        crate::ui::widgets::encode_component(&m.email)
    );
    let name = (!invited && !m.display_name.trim().is_empty()).then(|| m.display_name.clone());
    view! {
        <tr>
            <td data-label="Person">
                {name.map(|name| view! { <span class="member-name">{name}</span> })}
                <span class="member-email">{m.email.clone()}</span>
            </td>
            <td data-label="Role">
                {m.role.label()}
                {m.role_until.map(|at| view! { <span class="cell-note">"ends " <When at /></span> })}
                {m.beta_until.map(|at| view! { <span class="cell-note">"Beta access ends " <When at /></span> })}
            </td>
            <td data-label="Role template">
                {m.template_name.clone().unwrap_or_else(|| "—".to_string())}
                {m.template_until.map(|at| view! { <span class="cell-note">"ends " <When at /></span> })}
                {m.temporary_permissions.iter().map(|t| view! {
                    <span class="cell-note">{format!("Also {}, ends ", t.what)}<When at=t.until /></span>
                }).collect_view()}
            </td>
            <td data-label="Status">
                <span class=format!("status status-{}", m.status.as_str())>{status_text}</span>
                {locked.then(|| view! { <span class="status status-locked" title="Locked after repeated wrong passwords">"Locked"</span> })}
                {disabled.then(|| view! {
                    <span class="status status-locked">"Disabled"</span>
                    <span class="cell-note">"Disabled by the operator of this Gatehouse: no sign-in anywhere. Only the operator can lift it."</span>
                })}
                {m.invite_expires.map(|at| view! { <span class="cell-note">"Link expires " <When at /></span> })}
                {m.invite_delivery.clone().map(|d| view! {
                    <span class="cell-note" data-testid="invite-delivery">
                        {format!("Invitation email: {}", d.words)}
                        {d.at.map(|at| view! { " " <When at /> })}
                    </span>
                })}
            </td>
            <td data-label="CRM access">
                {if m.crm_access { "Yes" } else { "No" }}
                {m.crm_until.map(|at| view! { <span class="cell-note">"ends " <When at /></span> })}
            </td>
            <td data-label="Last login"><WhenOr at=m.last_login otherwise="Never" /></td>
            <td class="actions-cell" data-label="">
                <RowMenu subject=email.clone() note=why.map(|why| (note_id.clone(), why.to_string()))>
                    <button type="button" role="menuitem" class="menu-item" disabled=limit.is_some()
                        aria-describedby=described.clone()
                        on:click=move |_| editing.set(Some(edit_row.clone()))>
                        "Edit"
                    </button>
                    {locked.then(|| view! {
                        <button type="button" role="menuitem" class="menu-item" disabled=move || unlock.pending().get()
                            on:click=move |_| { unlock.dispatch(UnlockMember { member_id: id }); }>
                            "Unlock"
                        </button>
                    })}
                    {invited.then(|| view! {
                        <button type="button" role="menuitem" class="menu-item" disabled=move || limit.is_some() || resend.pending().get()
                            aria-describedby=described.clone()
                            on:click=move |_| { resend.dispatch(ResendInvite { member_id: id }); }>
                            "Resend invite"
                        </button>
                        <button type="button" role="menuitem" class="menu-item" disabled=move || limit.is_some() || cancel.pending().get()
                            aria-describedby=described.clone()
                            on:click=move |_| { cancel.dispatch(CancelInvite { member_id: id }); }>
                            "Cancel invite"
                        </button>
                    })}
                    <a role="menuitem" class="menu-item" href=diagnose_href>"Run diagnostics"</a>
                    <a role="menuitem" class="menu-item" href=format!("/settings/users/activity?member={id}")>"Activity"</a>
                    <button type="button" role="menuitem" class="menu-item menu-item-danger" disabled=delete_limit.is_some()
                        aria-describedby=delete_limit.map(|_| delete_note.clone())
                        on:click=move |_| deleting.set(Some(delete_row.clone()))>
                        "Delete user"
                    </button>
                    {(several_tenants && delete_limit.is_none()).then(|| view! {
                        <button type="button" role="menuitem" class="menu-item menu-item-danger"
                            on:click=move |_| offboarding.set(Some(offboard_row.clone()))>
                            "Remove from all my tenants"
                        </button>
                    })}
                </RowMenu>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
