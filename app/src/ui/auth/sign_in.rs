//! The sign-in page. Works before hydration: the form posts to the server function
//! and the server answers with a redirect (success) or back to this page with the
//! error encoded in the URL, which the action picks up.

use crate::api::auth::SignIn;
use crate::ui::widgets::{invalid_attr, navigating_action, AuthCard, FieldMessage, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let (action, error) = navigating_action::<SignIn>();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let invalid = move |field: &'static str| invalid_attr(error, field);
    view! {
        <Title text="Sign in" />
        <AuthCard labelled_by="sign-in-title">
            <h1 id="sign-in-title">"Sign in"</h1>
            {move || query.read().get("reset").map(|_| view! {
                <p role="status" class="form-status">"Your password was changed and every session was signed out. Sign in with the new password."</p>
            })}
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="email">"Email"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        maxlength="254"
                        aria-describedby="email-error"
                        aria-invalid=invalid("email")
                    />
                    <FieldMessage error field="email" />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        aria-describedby="password-error"
                        aria-invalid=invalid("password")
                    />
                    <FieldMessage error field="password" />
                </div>
                <FormAlert error />
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p class="form-footer">
                    <a href="/forgot-password">"Forgot password?"</a>
                </p>
            </ActionForm>
        </AuthCard>
    }
}
