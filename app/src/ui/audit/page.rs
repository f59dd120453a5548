//! Settings → Audit log: the tenant's events, newest first, filtered by kind, days
//! and who. The filters are a GET form, so a filtered view is a link and works
//! before hydration; a member's name opens their activity timeline.

use crate::api::audit::list_audit_events;
use crate::domain::audit::{AuditKind, AuditQuery};
use crate::domain::AppError;
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::When;
use crate::ui::widgets::{filtered_href, invalid_attr, loading, FieldMessage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The link to a page of the log with these filters, older than `before`.
fn page_href(q: &AuditQuery, before: Option<i64>) -> String {
    href_at("/settings/audit-log", q, before)
}

/// The CSV export of the events these filters show.
fn export_href(q: &AuditQuery) -> String {
    href_at("/settings/audit-log/export.csv", q, None)
}

fn href_at(path: &str, q: &AuditQuery, before: Option<i64>) -> String {
    filtered_href(
        path,
        &[
            ("kind", &q.kind),
            ("from", &q.from),
            ("to", &q.to),
            ("who", &q.who),
        ],
        before,
    )
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        let get = |k: &str| p.get(k).unwrap_or_default();
        AuditQuery {
            kind: get("kind"),
            from: get("from"),
            to: get("to"),
            who: get("who"),
        }
    });
    let before = Memo::new(move |_| {
        params
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    });
    let events = Resource::new(
        move || (query.get(), before.get()),
        |(q, b)| list_audit_events(q, b),
    );
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <p class="lead">"Every change to people, roles and templates in this tenant, and every sign-in, newest first."</p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                let result = events.await;
                let q = query.get_untracked();
                let error = match &result {
                    Err(e @ AppError::Validation(_)) => Some(e.clone()),
                    _ => None,
                };
                let form = view! { <AuditFilters q=q.clone() error /> };
                match result {
                    Err(AppError::Validation(_)) => form.into_any(),
                    Err(error) => view! { <AccessExplanation error needs="permission:users.manage" /> }.into_any(),
                    Ok(page) if page.rows.is_empty() => view! {
                        {form}
                        <section class="empty-state"><h2>"No events"</h2><p>"Nothing matches these filters yet."</p></section>
                    }.into_any(),
                    Ok(page) => {
                        let older = page.has_more.then(|| page_href(&q, page.rows.last().map(|r| r.id)));
                        view! {
                            {form}
                            <table class="table audit-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Time"</th>
                                        <th scope="col">"Who"</th>
                                        <th scope="col">"What"</th>
                                        <th scope="col">"About"</th>
                                        <th scope="col">"Details"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td data-label="Time" class="nowrap"><When at=r.time /></td>
                                            <td data-label="Who">{r.actor}</td>
                                            <td data-label="What">{r.action}</td>
                                            <td data-label="About">{match r.member_id {
                                                Some(id) => view! {
                                                    <a href=format!("/settings/users/activity?member={id}") title="Open their activity">{r.target}</a>
                                                }.into_any(),
                                                None => view! { <span>{r.target}</span> }.into_any(),
                                            }}</td>
                                            <td data-label="Details" class="detail">{r.detail}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {before.get_untracked().is_some().then(|| view! { <a class="btn" href=page_href(&q, None)>"Newest events"</a> " " })}
                            {older.map(|href| view! { <a class="btn" href=href>"Older events"</a> " " })}
                            <a class="btn" download="" href=export_href(&q)>"Export CSV"</a>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditFilters(q: AuditQuery, error: Option<AppError>) -> impl IntoView {
    let error = Signal::derive(move || error.clone());
    view! {
        <Form method="GET" action="/settings/audit-log" attr:class="filters audit-filters">
            <div class="field">
                <label for="audit-kind">"Kind"</label>
                <select id="audit-kind" name="kind" aria-describedby="audit-kind-error">
                    <option value="" selected=q.kind.is_empty()>"Everything"</option>
                    {AuditKind::ALL.into_iter().map(|k| view! {
                        <option value=k.key() selected=q.kind == k.key()>{k.label()}</option>
                    }).collect_view()}
                </select>
                <FieldMessage error field="kind" prefix="audit-" />
            </div>
            <div class="field">
                <label for="audit-from">"From (UTC)"</label>
                <input id="audit-from" type="date" name="from" value=q.from.clone()
                    aria-describedby="audit-from-error" aria-invalid=invalid_attr(error, "from") />
                <FieldMessage error field="from" prefix="audit-" />
            </div>
            <div class="field">
                <label for="audit-to">"To (UTC)"</label>
                <input id="audit-to" type="date" name="to" value=q.to.clone()
                    aria-describedby="audit-to-error" aria-invalid=invalid_attr(error, "to") />
                <FieldMessage error field="to" prefix="audit-" />
            </div>
            <div class="field">
                <label for="audit-member">"Who (actor or member)"</label>
                <input id="audit-member" type="search" name="who" placeholder="email" maxlength="254" value=q.who.clone()
                    aria-describedby="audit-who-error" aria-invalid=invalid_attr(error, "who") />
                <FieldMessage error field="who" prefix="audit-" />
            </div>
            <div class="field field-submit">
                <button type="submit" class="btn">"Filter"</button>
            </div>
        </Form>
    }
}
