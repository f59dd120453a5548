//! The browser UI: shell, router, and one folder per feature (the page and its
//! dialogs); `widgets` holds the generic pieces.

pub mod access;
mod account;
mod api_keys;
mod audit;
mod auth;
mod diagnostics;
mod groups;
mod home;
mod hydration;
mod layout;
mod members;
mod not_found;
mod requests;
mod reviews;
mod templates;
mod tenant;
mod webhooks;
pub mod widgets;

use account::AccountPage;
use api_keys::{ApiKeysPage, CheckDecisionsPage};
use audit::AuditLogPage;
use auth::{
    ForgotPasswordPage, RequiredSetupPage, ResetPasswordPage, SignInPage, TwoFactorSignInPage,
};
use diagnostics::{DiagnosticsPage, WhoCanPage};
use groups::GroupsPage;
use home::HomePage;
use layout::SignedInLayout;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};
use members::{AcceptInvitePage, ActivityPage, ImportPage, UsersPage};
use not_found::NotFound;
use requests::{AccessRequestsPage, MyAccessPage};
use reviews::{AccessReviewPage, AccessReviewsPage};
use templates::{RoleTemplatesPage, RolesOverviewPage};
use tenant::{FeatureFlagsPage, TenantSettingsPage};
use webhooks::{WebhookDeliveriesPage, WebhooksPage};

/// The HTML document around the app (server-rendered once per page load).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let hydration = hydration::hydrate_after_first_paint(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options id="leptos" />
                {hydration}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    widgets::mark_hydrated();
    view! {
        <Title formatter=|text: String| if text.is_empty() { "Gatehouse".to_string() } else { format!("{text} · Gatehouse") } />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/sign-in") view=SignInPage />
                <Route path=path!("/sign-in/two-factor") view=TwoFactorSignInPage />
                <Route path=path!("/sign-in/set-up-two-factor") view=RequiredSetupPage ssr=SsrMode::Async />
                // These render only once their data is ready, so they work before
                // hydration (and without JavaScript) and can answer with a redirect.
                <Route path=path!("/invite/:token") view=AcceptInvitePage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                <Route path=path!("/reset/:token") view=ResetPasswordPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("account") view=AccountPage />
                    <Route path=path!("access") view=MyAccessPage />
                    <Route path=path!("settings/access-requests") view=AccessRequestsPage />
                    <Route path=path!("settings/users") view=UsersPage />
                    <Route path=path!("settings/users/activity") view=ActivityPage />
                    <Route path=path!("settings/users/import") view=ImportPage />
                    <Route path=path!("settings/role-templates") view=RoleTemplatesPage />
                    <Route path=path!("settings/roles") view=RolesOverviewPage />
                    <Route path=path!("settings/groups") view=GroupsPage />
                    <Route path=path!("settings/api-keys") view=ApiKeysPage />
                    <Route path=path!("settings/api-keys/decisions") view=CheckDecisionsPage />
                    <Route path=path!("settings/webhooks") view=WebhooksPage />
                    <Route path=path!("settings/webhooks/deliveries") view=WebhookDeliveriesPage />
                    <Route path=path!("settings/tenant") view=TenantSettingsPage />
                    <Route path=path!("settings/feature-flags") view=FeatureFlagsPage />
                    <Route path=path!("settings/access-reviews") view=AccessReviewsPage />
                    <Route path=path!("settings/access-reviews/review") view=AccessReviewPage />
                    <Route path=path!("settings/audit-log") view=AuditLogPage />
                    <Route path=path!("settings/diagnostics") view=DiagnosticsPage />
                    <Route path=path!("settings/who-can") view=WhoCanPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
