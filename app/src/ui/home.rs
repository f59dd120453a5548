//! The start page after sign-in: where you are, what you can reach, and which
//! parts of the product you can use here (or why not, in plain words).

use crate::api::requests::get_my_access;
use crate::api::tenant::{join_offers, JoinTenant};
use crate::domain::auth::Me;
use crate::domain::tenant::JoinOffer;
use crate::ui::requests::{request_action, FeatureList};
use crate::ui::widgets::{error_of, loading, FormAlert, KindBadge};
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
        <JoinOffers />
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

/// Tenants this account may join by itself (verified-domain auto-join), each with a
/// "Join" button (a plain form: works before hydration; joining switches to it).
#[component]
fn JoinOffers() -> impl IntoView {
    let offers = Resource::new(|| (), |_| join_offers());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                offers.await.ok().filter(|o| !o.is_empty()).map(|offers| view! {
                    <section class="card" aria-labelledby="join-title" data-testid="join-offers">
                        <h2 id="join-title">"Tenants you can join"</h2>
                        <ul class="join-offers">{offers.into_iter().map(|o| view! { <JoinOfferItem o /> }).collect_view()}</ul>
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
fn JoinOfferItem(o: JoinOffer) -> impl IntoView {
    let join = ServerAction::<JoinTenant>::new();
    let error = error_of(move || join.value().get());
    // Joined: the session now works in the new tenant; a full load shows it.
    Effect::new(move |_| {
        if let Some(Ok(())) = join.value().get() {
            crate::ui::widgets::hard_navigate("/");
        }
    });
    let what = match &o.template {
        Some(t) => format!(
            "Your {} email lets you join as User with the role template {t}.",
            o.domain
        ),
        None => format!("Your {} email lets you join as User.", o.domain),
    };
    let label = format!("Join {}", o.tenant_name);
    view! {
        <li>
            <p><strong>{o.tenant_name.clone()}</strong>" "<KindBadge kind=o.kind />" "{what}</p>
            <ActionForm action=join attr:class="form inline-form">
                <input type="hidden" name="tenant_id" value=o.tenant_id />
                <FormAlert error />
                <button type="submit" class="btn btn-primary" disabled=move || join.pending().get()>
                    {move || if join.pending().get() { "Joining…".to_string() } else { label.clone() }}
                </button>
            </ActionForm>
        </li>
    }
}
