//! The second step of signing in (/sign-in/two-factor) and the set-up a tenant can
//! require of its admins before their sign-in completes (/sign-in/set-up-two-factor).

use super::totp::{RecoveryCodes, TotpSetupView};
use crate::api::auth::{begin_required_two_factor, ConfirmRequiredTwoFactor, VerifySignInCode};
use crate::domain::AppError;
use crate::ui::widgets::ErrorPage;
use crate::ui::widgets::{
    error_of, hard_navigate, invalid_attr, loading, navigating_action, AuthCard, FieldMessage,
    FormAlert,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Where to send someone whose half-way sign-in has expired.
fn expired_view() -> impl IntoView {
    view! {
        <p role="alert" class="form-alert visible">"This sign-in has expired. Sign in again with your password."</p>
        <p><a class="btn btn-primary" href="/sign-in">"Sign in again"</a></p>
    }
}

#[component]
pub fn TwoFactorSignInPage() -> impl IntoView {
    let (action, error) = navigating_action::<VerifySignInCode>();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let expired = move || matches!(error.get(), Some(AppError::Unauthenticated));
    view! {
        <Title text="Two-factor sign-in" />
        <AuthCard labelled_by="tf-title">
            <h1 id="tf-title">"Enter your code"</h1>
            <Show when=move || !expired() fallback=expired_view>
                <p class="muted">"Open your authenticator app and enter the 6-digit code for Gatehouse. Lost your phone? Enter one of your recovery codes instead."</p>
                <ActionForm action=action attr:class="form" attr:novalidate="true">
                    <input type="hidden" name="next" value=next />
                    <div class="field">
                        <label for="code">"Code"</label>
                        <input id="code" name="code" autocomplete="one-time-code" inputmode="text" maxlength="20" autofocus aria-describedby="code-error" aria-invalid=invalid_attr(error, "code") />
                        <FieldMessage error field="code" />
                    </div>
                    <FormAlert error />
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Checking…" } else { "Verify" }}
                    </button>
                    <p class="form-footer"><a href="/sign-in">"Use a different account"</a></p>
                </ActionForm>
            </Show>
        </AuthCard>
    }
}

#[component]
pub fn RequiredSetupPage() -> impl IntoView {
    let setup = Resource::new_blocking(|| (), |_| begin_required_two_factor());
    let action = ServerAction::<ConfirmRequiredTwoFactor>::new();
    let query = use_query_map();
    let next = move || crate::domain::safe_redirect_target(query.read().get("next").as_deref());
    let error: Signal<Option<AppError>> = error_of(move || action.value().get());
    let done = Callback::new(move |()| hard_navigate(&next()));
    // Only a change from "no codes" to "codes" redraws the page, not each error.
    let codes = Memo::new(move |_| action.value().get().and_then(|r| r.ok()));
    view! {
        <Title text="Set up two-factor" />
        <AuthCard labelled_by="setup-title" wide=true>
            <h1 id="setup-title">"Set up two-factor sign-in"</h1>
            {move || match codes.get() {
                Some(codes) => view! { <RecoveryCodes codes on_done=done /> }.into_any(),
                None => view! {
                    <Suspense fallback=loading>
                        {move || Suspend::new(async move {
                            match setup.await {
                                Err(AppError::Unauthenticated) => expired_view().into_any(),
                                Err(error) => view! { <ErrorPage error /> }.into_any(),
                                Ok(required) => view! {
                                    <p>{format!("{} requires two-factor sign-in for its admins. Set it up now to finish signing in.", required.tenant_name)}</p>
                                    <TotpSetupView setup=required.setup />
                                    <ActionForm action=action attr:class="form" attr:novalidate="true">
                                        <div class="field">
                                            <label for="code">"Code from the app"</label>
                                            <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" aria-describedby="code-error" aria-invalid=invalid_attr(error, "code") />
                                            <FieldMessage error field="code" />
                                        </div>
                                        <FormAlert error />
                                        <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                                            {move || if action.pending().get() { "Turning on…" } else { "Turn on and continue" }}
                                        </button>
                                    </ActionForm>
                                }
                                .into_any(),
                            }
                        })}
                    </Suspense>
                }
                .into_any(),
            }}
        </AuthCard>
    }
}
