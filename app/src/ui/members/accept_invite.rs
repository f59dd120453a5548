//! The accept-invite page (/invite/<token>). Works before hydration: the form posts
//! to the server function, which signs the person in and redirects.

use crate::api::members::{get_invite, AcceptInvite};
use crate::domain::members::InviteDetails;
use crate::ui::widgets::{navigating_action, FieldMessage, FormAlert, KindBadge, TokenPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = Resource::new_blocking(token, get_invite);
    let (action, error) = navigating_action::<AcceptInvite>();
    view! {
        <Title text="Accept invitation" />
        <TokenPage details refused="This invitation can't be used" back_href="/sign-in" back_label="Go to sign in"
            content=move |d: InviteDetails| view! {
                    <h1>"Join " {d.tenant_name.clone()}</h1>
                    <p class="muted">"Invited as " <strong>{d.email.clone()}</strong> " " <KindBadge kind=d.tenant_kind /></p>
                    <ActionForm action=action attr:class="form" attr:novalidate="true">
                        <input type="hidden" name="token" value=token() />
                        {if d.existing_account {
                            view! {
                                <p>"You already have a Gatehouse account. Enter its password to accept."</p>
                                <div class="field">
                                    <label for="password">"Password"</label>
                                    <input id="password" name="password" type="password" autocomplete="current-password" aria-describedby="password-error" />
                                    <FieldMessage error field="password" />
                                </div>
                            }.into_any()
                        } else {
                            view! {
                                <div class="field">
                                    <label for="display_name">"Your name"</label>
                                    <input id="display_name" name="display_name" type="text" maxlength="100" autocomplete="name" aria-describedby="display_name-error" />
                                    <FieldMessage error field="display_name" />
                                </div>
                                <div class="field">
                                    <label for="password">"Choose a password"</label>
                                    <input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-error password-hint" />
                                    <p class="hint" id="password-hint">"At least 8 characters. A few words you'll remember work well."</p>
                                    <FieldMessage error field="password" />
                                </div>
                            }.into_any()
                        }}
                        <FormAlert error />
                        <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                            {move || if action.pending().get() { "Joining…" } else { "Accept invitation" }}
                        </button>
                    </ActionForm>
            } />
    }
}
