//! The start page after sign-in.

use crate::domain::auth::Me;
use crate::ui::widgets::KindBadge;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let greeting = if me.display_name.is_empty() {
        me.email.clone()
    } else {
        me.display_name.clone()
    };
    view! {
        <Title text="Home" />
        <h1>"Welcome, " {greeting}</h1>
        <section class="card">
            <h2>"You are in " {me.tenant_name.clone()} " " <KindBadge kind=me.tenant_kind /></h2>
            <p>
                "You are signed in as " <strong>{me.email.clone()}</strong> " with the "
                <strong>{me.role.label()}</strong> " role. The tenant indicator at the top right always shows which tenant you are working in."
            </p>
            <ul class="link-list">
                <li><a href="/settings/users">"Manage users"</a></li>
                <li><a href="/settings/role-templates">"Role templates"</a></li>
                <li><a href="/settings/tenant">"Tenant settings"</a></li>
            </ul>
        </section>
    }
}
