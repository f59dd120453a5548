//! The signed-in frame: top bar (tenant indicator, account menu) and settings navigation.

use super::widgets::{encode_component, hard_navigate, loading, KindBadge, ToastRegion, Toasts};
use crate::api::auth::{current_user, SignOut, SwitchTenant};
use crate::domain::auth::Me;
use crate::domain::AppError;
use crate::ui::widgets::ErrorPage;
use leptos::context::Provider;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

#[component]
pub fn SignedInLayout() -> impl IntoView {
    let me = Resource::new_blocking(|| (), |_| current_user());
    let location = use_location();
    // A plain `Suspend`, not one in a `move ||` closure: on the server, Suspense walks
    // its children more than once before rendering (`dry_resolve`), and each walk of a
    // closure would build the page again, creating its resources again. Whether it did
    // depended on how fast the database answered (PostgreSQL, not SQLite): the page
    // then carried resources the browser never creates, and hydration failed. The
    // account never changes under this frame (switching tenant reloads the page).
    view! {
        <Suspense fallback=loading>
            {Suspend::new(async move {
                match me.await {
                    Ok(me) => view! { <SignedInFrame me /> }.into_any(),
                    Err(AppError::Unauthenticated) => {
                        let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                        let here = if here.is_empty() { "/".to_string() } else { here };
                        view! { <Redirect path=format!("/sign-in?next={}", encode_component(&here)) /> }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedInFrame(me: Me) -> impl IntoView {
    Toasts::provide();
    view! {
        <Provider value=me.clone()>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="topbar">
                <a class="brand" href="/">"Gatehouse"</a>
                <div class="topbar-right">
                    <TenantIndicator me=me.clone() />
                    <AccountMenu me=me.clone() />
                </div>
            </header>
            <div class="frame">
                <nav class="sidenav" aria-label="Settings">
                    <A href="/" exact=true>"Home"</A>
                    {(me.can_manage_users || me.grantor.sees_tenant_settings()).then(|| view! { <p class="sidenav-title">"Settings"</p> })}
                    {me.can_manage_users.then(|| view! {
                        <A href="/settings/users">"Users"</A>
                        <A href="/settings/role-templates">"Role templates"</A>
                        <A href="/settings/roles">"Roles overview"</A>
                        <A href="/settings/groups">"Groups"</A>
                    })}
                    {me.grantor.sees_tenant_settings().then(|| view! { <A href="/settings/tenant">"Tenant"</A> })}
                    {me.grantor.manages_integrations().then(|| view! { <A href="/settings/api-keys">"API keys"</A> })}
                    {me.grantor.manages_integrations().then(|| view! { <A href="/settings/webhooks">"Webhooks"</A> })}
                    {me.grantor.is_admin.then(|| view! {
                        <A href="/settings/feature-flags">"Feature flags"</A>
                        <A href="/settings/access-reviews">"Access reviews"</A>
                    })}
                    {me.can_manage_users.then(|| view! {
                        <A href="/settings/access-requests">
                            "Access requests"
                            {(me.open_requests > 0).then(|| view! {
                                <span class="count-badge" aria-label=format!("{} open", me.open_requests)>{me.open_requests}</span>
                            })}
                        </A>
                        <A href="/settings/diagnostics">"Access diagnostics"</A>
                        <A href="/settings/audit-log">"Audit log"</A>
                    })}
                </nav>
                <main id="main" tabindex="-1">
                    <Outlet />
                </main>
                <ToastRegion />
            </div>
        </Provider>
    }
}

/// Closes an open `<details>` menu when Escape is pressed inside it.
// An event handler takes its event by value (and uses it only in the browser build).
#[allow(clippy::needless_pass_by_value)]
fn close_on_escape(ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if ev.key() == "Escape" {
            if let Some(details) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = details.remove_attribute("open");
                if let Ok(Some(summary)) = details.query_selector("summary") {
                    if let Ok(summary) = summary.dyn_into::<web_sys::HtmlElement>() {
                        let _ = summary.focus();
                    }
                }
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Closes the `<details>` menu around a clicked link, so it isn't left open on the
/// page the link leads to.
#[allow(clippy::needless_pass_by_value)]
fn close_parent_menu(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(details) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|link| link.closest("details").ok().flatten())
        {
            let _ = details.remove_attribute("open");
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Which tenant you are in, always visible; lets an account in several tenants switch.
#[component]
fn TenantIndicator(me: Me) -> impl IntoView {
    let switch = ServerAction::<SwitchTenant>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = switch.value().get() {
            hard_navigate("/");
        }
    });
    let others: Vec<_> = me
        .tenants
        .iter()
        .filter(|t| t.id != me.tenant_id)
        .cloned()
        .collect();
    let label = format!(
        "Current tenant: {} ({})",
        me.tenant_name,
        me.tenant_kind.label()
    );
    let current = view! {
        <span class="tenant-name">{me.tenant_name.clone()}</span>
        <KindBadge kind=me.tenant_kind />
    };
    if others.is_empty() {
        return view! {
            <div class="tenant-indicator" data-testid="tenant-indicator" aria-label=label>
                {current}
            </div>
        }
        .into_any();
    }
    view! {
        <details class="tenant-indicator menu" data-testid="tenant-indicator" on:keydown=close_on_escape>
            <summary role="button" aria-label=label>
                {current}
                <span class="caret" aria-hidden="true">"▾"</span>
            </summary>
            <div class="menu-panel">
                <p class="menu-heading">"Switch tenant"</p>
                {others
                    .into_iter()
                    .map(|t| {
                        view! {
                            <ActionForm action=switch>
                                <input type="hidden" name="tenant_id" value=t.id.to_string() />
                                <button type="submit" class="menu-item">
                                    <span>{t.name.clone()}</span>
                                    <KindBadge kind=t.kind />
                                </button>
                            </ActionForm>
                        }
                    })
                    .collect_view()}
                {move || switch.value().get().and_then(|r| r.err()).map(|e| view! { <p role="alert" class="form-alert visible">{e.to_string()}</p> })}
            </div>
        </details>
    }
    .into_any()
}

#[component]
fn AccountMenu(me: Me) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(result) = sign_out.value().get() {
            // Signed out, or the session was already gone: either way, back to sign-in.
            let _ = result;
            hard_navigate("/sign-in");
        }
    });
    view! {
        <details class="account-menu menu" on:keydown=close_on_escape>
            <summary role="button" aria-label=format!("Account menu for {}", me.email)>
                <span class="account-email">{me.email.clone()}</span>
                <span class="caret" aria-hidden="true">"▾"</span>
            </summary>
            <div class="menu-panel">
                <p class="menu-heading">
                    {if me.display_name.is_empty() { me.email.clone() } else { me.display_name.clone() }}
                    <span class="muted">" · " {me.role.label()}</span>
                </p>
                <a class="menu-item" href="/account" on:click=close_parent_menu>"My account"</a>
                <a class="menu-item" href="/access" on:click=close_parent_menu>"My access"</a>
                <ActionForm action=sign_out>
                    <button type="submit" class="menu-item" disabled=move || sign_out.pending().get()>
                        {move || if sign_out.pending().get() { "Signing out…" } else { "Sign out" }}
                    </button>
                </ActionForm>
            </div>
        </details>
    }
}
