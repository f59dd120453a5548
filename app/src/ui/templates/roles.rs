//! Settings → Roles overview (read-only): each role template and the Admin role
//! with how many hold it, how many of them lack two-factor, and the holders on
//! click (a `<details>`: it works before hydration); the least template for each
//! feature and permission; "Export CSV".

use crate::api::templates::roles_overview;
use crate::domain::roles::LeastTemplate;
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::{encode_component, loading};
use leptos::prelude::*;
use leptos_meta::Title;

fn labels(perms: &[crate::domain::access::Permission]) -> String {
    if perms.is_empty() {
        "nothing else".to_string()
    } else {
        perms
            .iter()
            .map(|p| p.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[component]
fn LeastTable(rows: Vec<LeastTemplate>, heading: &'static str, id: &'static str) -> impl IntoView {
    view! {
        <table class="table" data-testid=id>
            <thead>
                <tr>
                    <th scope="col">{heading}</th>
                    <th scope="col">"Least template"</th>
                    <th scope="col">"That template also gives"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|l| view! {
                    <tr>
                        <td>
                            {l.what.clone()}
                            {(!l.also_needs.is_empty()).then(|| view! { <span class="cell-note">{format!("Also needs {}", l.also_needs.join("; "))}</span> })}
                        </td>
                        <td data-label="Least template">{l.template.clone().unwrap_or_else(|| "No template grants it".to_string())}</td>
                        <td data-label="That template also gives">{if l.template.is_some() { labels(&l.also) } else { "—".to_string() }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn RolesOverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| roles_overview());
    view! {
        <Title text="Roles overview" />
        <h1>"Roles overview"</h1>
        <p class="lead">"Who holds each role, and the controls that go with it. Review it monthly: elevated roles should be few, and every holder should have two-factor on."</p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => view! { <AccessExplanation error needs="permission:users.manage" /> }.into_any(),
                    Ok(o) => {
                        let csv = format!("data:text/csv;charset=utf-8,{}", encode_component(&o.csv()));
                        view! {
                            <div class="page-actions">
                                <a class="btn" href=csv download="roles.csv">"Export CSV"</a>
                            </div>
                            <table class="table" data-testid="role-holders">
                                <thead>
                                    <tr>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Grants"</th>
                                        <th scope="col">"Holders"</th>
                                        <th scope="col">"Without two-factor"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {o.roles.into_iter().map(|r| {
                                        let lacking = r.without_two_factor();
                                        let lacking_class = if lacking > 0 { "warn-text" } else { "" };
                                        let count = r.holders.len();
                                        let grants = if r.admin_role { "Every permission, and user management".to_string() } else { labels(&r.grants) };
                                        view! {
                                            <tr>
                                                <th scope="row">{r.role.clone()}</th>
                                                <td data-label="Grants" class="grants">{grants}</td>
                                                <td data-label="Holders">
                                                    {if count == 0 {
                                                        view! { <span>"Nobody"</span> }.into_any()
                                                    } else {
                                                        view! {
                                                            <details>
                                                                <summary>{if count == 1 { "1 member".to_string() } else { format!("{count} members") }}</summary>
                                                                <ul class="holder-list">
                                                                    {r.holders.into_iter().map(|h| view! {
                                                                        <li>
                                                                            <a href=format!("/settings/users/activity?member={}", h.member_id)>{h.name.clone()}</a>
                                                                            {(h.name != h.email).then(|| format!(" ({})", h.email))}
                                                                            {format!(" — {}", h.how)}
                                                                            {(!h.two_factor).then(|| view! { <span class="status status-locked">"No two-factor"</span> })}
                                                                        </li>
                                                                    }).collect_view()}
                                                                </ul>
                                                            </details>
                                                        }.into_any()
                                                    }}
                                                </td>
                                                <td data-label="Without two-factor" class=lacking_class>{lacking}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>"The least template for each feature"</h2>
                            <p class="note">"So a person asks for the right access the first time: the template that grants it with the fewest other permissions."</p>
                            <LeastTable rows=o.features heading="Feature" id="least-features" />
                            <h2>"The least template for each permission"</h2>
                            <LeastTable rows=o.permissions heading="Permission" id="least-permissions" />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
