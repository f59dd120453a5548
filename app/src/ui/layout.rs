//! The signed-in frame: top bar (tenant indicator, account menu) and settings navigation.

use super::widgets::{
    close_on_escape, close_parent_menu, encode_component, hard_navigate, loading, KindBadge,
    ServerClock, ToastRegion, Toasts,
};
use crate::api::auth::{current_user, SignOut, SwitchTenant};
use crate::domain::account::ColorScheme;
use crate::domain::auth::Me;
use crate::domain::AppError;
use crate::ui::widgets::ErrorPage;
use leptos::context::Provider;
use leptos::prelude::*;
use leptos_meta::Html;
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

/// The account's colour scheme, shared by the frame (`<html data-theme>`) and the
/// choice on My account.
#[derive(Clone, Copy)]
pub struct Appearance(pub RwSignal<ColorScheme>);

#[component]
fn SignedInFrame(me: Me) -> impl IntoView {
    Toasts::provide();
    ServerClock::provide(me.now);
    let scheme = RwSignal::new(me.color_scheme);
    provide_context(Appearance(scheme));
    let links = nav_links(&me);
    let here = use_location();
    // The settings menu on a phone says where you are.
    let here_label = move || {
        let path = here.pathname.get();
        links_for_label(&path)
    };
    view! {
        <Provider value=me.clone()>
            <Html {..} data-theme=move || scheme.get().theme_attribute() />
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
                    <details class="nav-menu" on:keydown=close_on_escape>
                        <summary>"Menu"<span class="nav-here">{here_label}</span></summary>
                        <div class="nav-links">{links.clone().render(true)}</div>
                    </details>
                    <div class="nav-links nav-wide">{links.render(false)}</div>
                </nav>
                <main id="main" tabindex="-1">
                    <Outlet />
                </main>
                <ToastRegion />
            </div>
        </Provider>
    }
}

/// What the settings navigation offers this person.
#[derive(Clone)]
struct NavLinks {
    settings: bool,
    people: bool,
    tenant: bool,
    integrations: bool,
    admin: bool,
    open_requests: u64,
}

fn nav_links(me: &Me) -> NavLinks {
    NavLinks {
        settings: me.can_manage_users || me.grantor.sees_tenant_settings(),
        people: me.can_manage_users,
        tenant: me.grantor.sees_tenant_settings(),
        integrations: me.grantor.manages_integrations(),
        admin: me.grantor.is_admin,
        open_requests: me.open_requests,
    }
}

/// Every page of the navigation, in order: (path, words).
const PAGES: [(&str, &str); 15] = [
    ("/", "Home"),
    ("/settings/users", "Users"),
    ("/settings/role-templates", "Role templates"),
    ("/settings/roles", "Roles overview"),
    ("/settings/groups", "Groups"),
    ("/settings/tenant", "Tenant"),
    ("/settings/api-keys", "API keys"),
    ("/settings/webhooks", "Webhooks"),
    ("/settings/feature-flags", "Feature flags"),
    ("/settings/access-reviews", "Access reviews"),
    ("/settings/access-requests", "Access requests"),
    ("/settings/diagnostics", "Access diagnostics"),
    ("/settings/audit-log", "Audit log"),
    ("/account", "My account"),
    ("/access", "My access"),
];

/// The navigation's name for the page at `path` (the section it belongs to).
fn links_for_label(path: &str) -> &'static str {
    PAGES
        .iter()
        .filter(|(p, _)| *p == path || (*p != "/" && path.starts_with(&format!("{p}/"))))
        .map(|(_, words)| *words)
        .next()
        .unwrap_or("")
}

impl NavLinks {
    /// The links; `in_menu` ones close the phone menu when followed.
    fn render(self, in_menu: bool) -> impl IntoView {
        let close = move |ev: leptos::ev::MouseEvent| {
            if in_menu {
                close_parent_menu(ev);
            }
        };
        let link = move |path: &'static str, words: &'static str| {
            view! { <A href=path exact=path == "/" on:click=close>{words}</A> }
        };
        let open_requests = self.open_requests;
        view! {
            {link("/", "Home")}
            {self.settings.then(|| view! { <p class="sidenav-title">"Settings"</p> })}
            {self.people.then(|| view! {
                {link("/settings/users", "Users")}
                {link("/settings/role-templates", "Role templates")}
                {link("/settings/roles", "Roles overview")}
                {link("/settings/groups", "Groups")}
            })}
            {self.tenant.then(|| link("/settings/tenant", "Tenant"))}
            {self.integrations.then(|| view! {
                {link("/settings/api-keys", "API keys")}
                {link("/settings/webhooks", "Webhooks")}
            })}
            {self.admin.then(|| view! {
                {link("/settings/feature-flags", "Feature flags")}
                {link("/settings/access-reviews", "Access reviews")}
            })}
            {self.people.then(|| view! {
                <A href="/settings/access-requests" on:click=close>
                    "Access requests"
                    {(open_requests > 0).then(|| view! {
                        <span class="count-badge" aria-label=format!("{open_requests} open")>{open_requests}</span>
                    })}
                </A>
                {link("/settings/diagnostics", "Access diagnostics")}
                {link("/settings/audit-log", "Audit log")}
            })}
        }
    }
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
                <span class="avatar" aria-hidden="true">{initial(&me)}</span>
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

/// The first letter of the person's name, or of their email, for the avatar.
fn initial(me: &Me) -> String {
    let source = if me.display_name.trim().is_empty() {
        &me.email
    } else {
        &me.display_name
    };
    source
        .trim()
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default()
}
