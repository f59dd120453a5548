//! Settings → Tenant.

use super::ErrorPage;
use crate::api::tenant::get_tenant_overview;
use crate::ui::widgets::{loading, KindBadge};
use leptos::prelude::*;
use leptos_meta::Title;

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
