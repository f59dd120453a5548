//! Settings pages: Users, Role templates, Tenant.

use super::ErrorPage;
use crate::api::tenant::{get_tenant_overview, list_members, list_role_templates};
use crate::ui::widgets::KindBadge;
use leptos::prelude::*;
use leptos_meta::Title;

fn loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let members = Resource::new(|| (), |_| list_members());
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match members.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(rows) => view! {
                        <table class="table">
                            <caption class="visually-hidden">"People in this tenant"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Last login"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|m| view! {
                                        <tr>
                                            <td>{m.email}</td>
                                            <td>{m.role.label()}</td>
                                            <td><span class=format!("status status-{}", m.status.as_str())>{m.status.label()}</span></td>
                                            <td>{m.last_login.unwrap_or_else(|| "Never".to_string())}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn RoleTemplatesPage() -> impl IntoView {
    let templates = Resource::new(|| (), |_| list_role_templates());
    view! {
        <Title text="Role templates" />
        <h1>"Role templates"</h1>
        <p class="lead">"Reusable permission sets you can assign to people, so that everyone with the same job has the same access."</p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match templates.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <section class="empty-state">
                            <h2>"No role templates yet"</h2>
                            <p>"Templates such as “Support agent” or “Sales manager” keep the access of people with the same job in sync."</p>
                        </section>
                    }
                    .into_any(),
                    Ok(list) => view! {
                        <table class="table">
                            <thead>
                                <tr><th scope="col">"Name"</th><th scope="col">"People using it"</th></tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|t| view! { <tr><td>{t.name}</td><td>{t.members}</td></tr> }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn TenantSettingsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_tenant_overview());
    view! {
        <Title text="Tenant" />
        <h1>"Tenant"</h1>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(t) => view! {
                        <section class="card">
                            <dl class="facts">
                                <dt>"Name"</dt>
                                <dd>{t.name.clone()}</dd>
                                <dt>"Kind"</dt>
                                <dd><KindBadge kind=t.kind /></dd>
                                <dt>"Plan"</dt>
                                <dd>{t.plan.label()}</dd>
                                <dt>"Seats"</dt>
                                <dd>{format!("{} of {} seats used", t.seats_used, t.seat_limit)}</dd>
                            </dl>
                        </section>
                        <section class="card">
                            <h2>"Plan features"</h2>
                            <ul class="feature-list">
                                {t.plan_features
                                    .into_iter()
                                    .map(|(name, included)| view! {
                                        <li class:included=included>
                                            {name}
                                            <span class="muted">{if included { " — included" } else { " — not in this plan" }}</span>
                                        </li>
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
