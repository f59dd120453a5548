//! The start page after sign-in: where you are, what you can reach, and which
//! parts of the product you can use here (or why not, in plain words).

use crate::api::requests::get_my_access;
use crate::domain::auth::Me;
use crate::ui::requests::{request_action, FeatureList};
use crate::ui::widgets::{loading, KindBadge};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let reload = RwSignal::new(0u64);
    let features = Resource::new(move || reload.get(), |_| get_my_access(String::new()));
    let action = request_action(reload);
    let greeting = if me.display_name.is_empty() {
        me.email.clone()
    } else {
        me.display_name.clone()
    };
    let g = &me.grantor;
    let mut links: Vec<(&str, &str)> = Vec::new();
    if me.can_manage_users {
        links.push(("/settings/users", "Manage users"));
        links.push(("/settings/role-templates", "Role templates"));
        links.push(("/settings/groups", "Groups"));
    }
    if g.sees_tenant_settings() {
        links.push(("/settings/tenant", "Tenant settings"));
    }
    if g.manages_integrations() {
        links.push(("/settings/api-keys", "API keys"));
        links.push(("/settings/webhooks", "Webhooks"));
    }
    if g.is_admin {
        links.push(("/settings/feature-flags", "Feature flags"));
        links.push(("/settings/access-reviews", "Access reviews"));
    }
    if me.can_manage_users {
        links.push(("/settings/access-requests", "Access requests"));
        links.push(("/settings/diagnostics", "Access diagnostics"));
        links.push(("/settings/audit-log", "Audit log"));
    }
    links.push(("/account", "My account"));
    links.push(("/access", "My access"));
    view! {
        <Title text="Home" />
        <h1>"Welcome, " {greeting}</h1>
        {me.review_due.then(|| view! {
            <p class="note note-warn" role="status" data-testid="review-due">
                <strong>"Access review due. "</strong>
                "It's time to confirm who is active, remove stale access and revalidate elevated roles. "
                <a href="/settings/access-reviews">"Start the review"</a>
            </p>
        })}
        <section class="card">
            <h2>"You are in " {me.tenant_name.clone()} " " <KindBadge kind=me.tenant_kind /></h2>
            <p>
                "You are signed in as " <strong>{me.email.clone()}</strong> " with the "
                <strong>{me.role.label()}</strong> " role. The tenant indicator at the top right always shows which tenant you are working in."
            </p>
            <ul class="link-list">
                {links.into_iter().map(|(href, label)| view! { <li><a href=href>{label}</a></li> }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="features-title">
            <h2 id="features-title">"What you can use here"</h2>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    features.await.map(|access| view! { <FeatureList access action /> })
                })}
            </Transition>
        </section>
    }
}
