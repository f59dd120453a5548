//! Forgot password (/forgot-password) and the reset page (/reset/<token>). Both work
//! before hydration: their forms post to server functions.

use crate::api::auth::{
    get_password_reset, CompletePasswordReset, RequestPasswordReset, RESET_REQUESTED,
};
use crate::domain::AppError;
use crate::ui::widgets::{
    error_of, navigating_action, AuthCard, FieldMessage, FormAlert, TokenPage,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error: Signal<Option<AppError>> = error_of(move || action.value().get());
    let query = use_query_map();
    let sent =
        move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("sent").is_some();
    let answer = move || sent().then_some(RESET_REQUESTED);
    view! {
        <Title text="Forgot password" />
        <AuthCard>
            <h1>"Forgot password"</h1>
            <p class="muted">"Enter the email you sign in with. We'll send a link to choose a new password."</p>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" maxlength="254" aria-describedby="email-error" />
                    <FieldMessage error field="email" />
                </div>
                <p role="status" class="form-status">{answer}</p>
                <FormAlert error />
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Sending…" } else { "Send reset link" }}
                </button>
                <p class="form-footer"><a href="/sign-in">"Back to sign in"</a></p>
            </ActionForm>
        </AuthCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    // The token is in the address: never leak it through the Referer header.
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(
            axum::http::header::REFERRER_POLICY,
            axum::http::HeaderValue::from_static("no-referrer"),
        );
    }
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = Resource::new_blocking(token, get_password_reset);
    let (action, error) = navigating_action::<CompletePasswordReset>();
    view! {
        <Title text="Choose a new password" />
        <TokenPage details refused="This link can't be used" back_href="/forgot-password" back_label="Ask for a new link"
            content=move |email: String| view! {
                    <h1>"Choose a new password"</h1>
                    <p class="muted">"For " <strong>{email}</strong></p>
                    <ActionForm action=action attr:class="form" attr:novalidate="true">
                        <input type="hidden" name="token" value=token() />
                        <div class="field">
                            <label for="password">"New password"</label>
                            <input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-error password-hint" />
                            <p class="hint" id="password-hint">"At least 8 characters. A few words you'll remember work well."</p>
                            <FieldMessage error field="password" />
                        </div>
                        <div class="field">
                            <label for="confirm">"Confirm new password"</label>
                            <input id="confirm" name="confirm" type="password" autocomplete="new-password" aria-describedby="confirm-error" />
                            <FieldMessage error field="confirm" />
                        </div>
                        <FormAlert error />
                        <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                            {move || if action.pending().get() { "Saving…" } else { "Set password" }}
                        </button>
                    </ActionForm>
            } />
    }
}
