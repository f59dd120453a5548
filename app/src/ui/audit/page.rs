//! Settings → Audit log: the tenant's events, newest first, filterable by member.

use crate::api::audit::list_audit_events;
use crate::domain::audit::AuditRow;
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::loading;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let member = RwSignal::new(String::new());
    let before = RwSignal::new(None::<i64>);
    let events = Resource::new(
        move || (member.get(), before.get()),
        |(m, b)| list_audit_events(m, b),
    );
    let earlier = RwSignal::new(Vec::<AuditRow>::new());
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <p class="lead">"Every change to people, roles and templates in this tenant, and every sign-in, newest first."</p>
        <form class="filters" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="audit-member">"Filter by member"</label>
                <input id="audit-member" type="search" placeholder="email" maxlength="254"
                    prop:value=move || member.get()
                    on:input=move |ev| { earlier.set(Vec::new()); before.set(None); member.set(event_target_value(&ev)); } />
            </div>
        </form>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match events.await {
                    Err(error) => view! { <AccessExplanation error needs="permission:users.manage" /> }.into_any(),
                    Ok(page) => {
                        let mut rows = earlier.get_untracked();
                        rows.extend(page.rows.clone());
                        let last_id = rows.last().map(|r| r.id);
                        if rows.is_empty() {
                            return view! { <section class="empty-state"><h2>"No events"</h2><p>"Nothing matches this filter yet."</p></section> }.into_any();
                        }
                        let all = rows.clone();
                        view! {
                            <table class="table audit-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Time"</th>
                                        <th scope="col">"Who"</th>
                                        <th scope="col">"What"</th>
                                        <th scope="col">"Target"</th>
                                        <th scope="col">"Details"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td class="nowrap">{r.time}</td>
                                            <td>{r.actor}</td>
                                            <td>{r.action}</td>
                                            <td>{r.target}</td>
                                            <td class="detail"><code>{r.detail}</code></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {page.has_more.then(|| view! {
                                <button type="button" class="btn" on:click=move |_| { earlier.set(all.clone()); before.set(last_id); }>"Load older events"</button>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
