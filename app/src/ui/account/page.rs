//! My account (/account): name, password, two-factor, sessions and workspaces.
//! The actions live at page level so their answers (the recovery codes above all)
//! survive the reload of the account data that follows each change.

use crate::api::account::{
    get_account, BeginTwoFactor, ChangePassword, ConfirmTwoFactor, DisableTwoFactor,
    EndOtherSessions, EndSession, RegenerateRecoveryCodes, SetColorScheme, UpdateProfile,
};
use crate::domain::account::AccountOverview;
use crate::domain::account::ColorScheme;
use crate::domain::auth::TotpSetup;
use crate::domain::AppError;
use crate::ui::auth::totp::{RecoveryCodes, TotpSetupView};
use crate::ui::layout::Appearance;
use crate::ui::widgets::ErrorPage;
use crate::ui::widgets::When;
use crate::ui::widgets::{
    error_of, invalid_attr, loading, toast_on_success, FieldMessage, FormAlert, KindBadge,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    profile: ServerAction<UpdateProfile>,
    password: ServerAction<ChangePassword>,
    begin: ServerAction<BeginTwoFactor>,
    confirm: ServerAction<ConfirmTwoFactor>,
    disable: ServerAction<DisableTwoFactor>,
    regenerate: ServerAction<RegenerateRecoveryCodes>,
    end_one: ServerAction<EndSession>,
    end_others: ServerAction<EndOtherSessions>,
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let reload = RwSignal::new(0u64);
    let account = Resource::new(move || reload.get(), |_| get_account());
    let refresh = move || reload.update(|n| *n += 1);
    let actions = Actions {
        profile: ServerAction::new(),
        password: ServerAction::new(),
        begin: ServerAction::new(),
        confirm: ServerAction::new(),
        disable: ServerAction::new(),
        regenerate: ServerAction::new(),
        end_one: ServerAction::new(),
        end_others: ServerAction::new(),
    };
    toast_on_success(
        move || actions.profile.value().get(),
        |_| "Your name was saved.".into(),
        refresh,
    );
    toast_on_success(
        move || actions.password.value().get(),
        |_| "Password changed. Your other sessions were signed out.".into(),
        refresh,
    );
    toast_on_success(
        move || actions.confirm.value().get(),
        |_| "Two-factor is on. Save your recovery codes now.".into(),
        refresh,
    );
    toast_on_success(
        move || actions.disable.value().get(),
        |_| "Two-factor is off.".into(),
        move || {
            actions.begin.value().set(None);
            actions.confirm.value().set(None);
            refresh();
        },
    );
    toast_on_success(
        move || actions.regenerate.value().get(),
        |_| "New recovery codes made. The old ones no longer work.".into(),
        refresh,
    );
    toast_on_success(
        move || actions.end_one.value().get(),
        |_| "That session was signed out.".into(),
        refresh,
    );
    toast_on_success(
        move || actions.end_others.value().get(),
        |n| match n {
            0 => "There were no other sessions.".into(),
            1 => "1 other session was signed out.".into(),
            n => format!("{n} other sessions were signed out."),
        },
        refresh,
    );
    provide_context(actions);
    view! {
        <Title text="My account" />
        <div class="page-header">
            <h1>"My account"</h1>
        </div>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match account.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(a) => view! {
                        <ProfileCard account=a.clone() />
                        <AppearanceCard />
                        <PasswordCard min_chars=a.password_min_chars />
                        <TwoFactorCard account=a.clone() />
                        <SessionsCard account=a.clone() />
                        <WorkspacesCard account=a />
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

fn actions() -> Actions {
    expect_context::<Actions>()
}

#[component]
fn ProfileCard(account: AccountOverview) -> impl IntoView {
    let action = actions().profile;
    let error = error_of(move || action.value().get());
    view! {
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            <ActionForm action=action attr:class="form form-inline" attr:novalidate="true">
                <div class="field">
                    <label for="account-email">"Email"</label>
                    <input id="account-email" type="email" value=account.email readonly aria-describedby="account-email-hint" />
                    <p class="hint" id="account-email-hint">"To change the email you sign in with, ask an admin of your workspace."</p>
                </div>
                <div class="field">
                    <label for="display_name">"Display name"</label>
                    <input id="display_name" name="display_name" maxlength="100" autocomplete="name" value=account.display_name aria-describedby="display_name-error" aria-invalid=invalid_attr(error, "display_name") />
                    <FieldMessage error field="display_name" />
                </div>
                <FormAlert error />
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save name" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// System, Light or Dark, kept with the account. Works as a plain form before
/// hydration (the page comes back in the new scheme).
#[component]
fn AppearanceCard() -> impl IntoView {
    let action = ServerAction::<SetColorScheme>::new();
    let error = error_of(move || action.value().get());
    let appearance = use_context::<Appearance>();
    let current = appearance.map_or(ColorScheme::System, |a| a.0.get_untracked());
    toast_on_success(
        move || action.value().get(),
        |_| "Appearance saved.".into(),
        move || {
            if let (Some(Appearance(scheme)), Some(Ok(chosen))) =
                (appearance, action.value().get_untracked())
            {
                scheme.set(chosen);
            }
        },
    );
    view! {
        <section class="card" aria-labelledby="appearance-title">
            <h2 id="appearance-title">"Appearance"</h2>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <fieldset class="scheme-choice" aria-describedby="color_scheme-error">
                    <legend>"Colour scheme"</legend>
                    {ColorScheme::ALL.into_iter().map(|s| {
                        let id = format!("scheme-{}", s.as_str());
                        let label_for = id.clone();
                        view! {
                            <label class="check" for=label_for>
                                <input type="radio" id=id name="color_scheme" value=s.as_str() checked=s == current />
                                <span>{s.label()}</span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <p class="hint">"System follows your device's light or dark setting."</p>
                <FieldMessage error field="color_scheme" />
                <FormAlert error />
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save appearance" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordCard(min_chars: usize) -> impl IntoView {
    let action = actions().password;
    let error = error_of(move || action.value().get());
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <div class="field">
                    <label for="current">"Current password"</label>
                    <input id="current" name="current" type="password" autocomplete="current-password" aria-describedby="current-error" aria-invalid=invalid_attr(error, "current") />
                    <FieldMessage error field="current" />
                </div>
                <div class="field">
                    <label for="new-password">"New password"</label>
                    <input id="new-password" name="password" type="password" autocomplete="new-password" aria-describedby="new-password-hint password-error" aria-invalid=invalid_attr(error, "password") />
                    <p class="hint" id="new-password-hint">{format!("At least {min_chars} characters. A few unrelated words make a strong password; common passwords and ones containing your email or workspace name are refused.")}</p>
                    <FieldMessage error field="password" />
                </div>
                <div class="field">
                    <label for="confirm">"Confirm new password"</label>
                    <input id="confirm" name="confirm" type="password" autocomplete="new-password" aria-describedby="confirm-error" aria-invalid=invalid_attr(error, "confirm") />
                    <FieldMessage error field="confirm" />
                </div>
                <FormAlert error />
                <p class="hint">"Changing your password signs out your other sessions."</p>
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Changing…" } else { "Change password" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TwoFactorCard(account: AccountOverview) -> impl IntoView {
    let a = actions();
    let codes = move || {
        a.confirm
            .value()
            .get()
            .and_then(|r| r.ok())
            .or_else(|| a.regenerate.value().get().and_then(|r| r.ok()))
    };
    let dismiss = Callback::new(move |()| {
        a.confirm.value().set(None);
        a.regenerate.value().set(None);
        a.begin.value().set(None);
    });
    let state = if account.two_factor {
        view! { <span class="status status-active">"On"</span> }.into_any()
    } else {
        view! { <span class="status status-suspended">"Off"</span> }.into_any()
    };
    let (on, left) = (account.two_factor, account.recovery_codes_left);
    view! {
        <section class="card" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Two-factor sign-in " {state}</h2>
            {move || match codes() {
                Some(codes) => view! { <RecoveryCodes codes on_done=dismiss /> }.into_any(),
                None if on => view! { <TwoFactorOn left /> }.into_any(),
                None => view! { <TwoFactorOff /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn TwoFactorOff() -> impl IntoView {
    let a = actions();
    let begin_error = error_of(move || a.begin.value().get());
    let confirm_error = error_of(move || a.confirm.value().get());
    let setup = move || a.begin.value().get().and_then(|r| r.ok());
    view! {
        {move || match setup() {
            None => view! {
                <p>"Sign-in asks for a code from an authenticator app on your phone (such as Google Authenticator, Microsoft Authenticator, 1Password or Authy) after your password. Someone who learns your password still can't get in."</p>
                <ActionForm action=a.begin>
                    <FormAlert error=begin_error />
                    <button type="submit" class="btn btn-primary" disabled=move || a.begin.pending().get()>
                        {move || if a.begin.pending().get() { "Preparing…" } else { "Set up two-factor" }}
                    </button>
                </ActionForm>
            }
            .into_any(),
            Some(setup) => view! { <ConfirmSetup setup error=confirm_error /> }.into_any(),
        }}
    }
}

#[component]
fn ConfirmSetup(setup: TotpSetup, error: Signal<Option<AppError>>) -> impl IntoView {
    let a = actions();
    view! {
        <TotpSetupView setup />
        <ActionForm action=a.confirm attr:class="form" attr:novalidate="true">
            <div class="field">
                <label for="tf-code">"Code from the app"</label>
                <input id="tf-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" aria-describedby="tf-code-error" aria-invalid=invalid_attr(error, "code") />
                <FieldMessage error field="code" prefix="tf-" />
            </div>
            <div class="field">
                <label for="tf-password">"Your password"</label>
                <input id="tf-password" name="password" type="password" autocomplete="current-password" aria-describedby="tf-password-error" aria-invalid=invalid_attr(error, "password") />
                <FieldMessage error field="password" prefix="tf-" />
            </div>
            <FormAlert error />
            <div class="button-row">
                <button type="submit" class="btn btn-primary" disabled=move || a.confirm.pending().get()>
                    {move || if a.confirm.pending().get() { "Turning on…" } else { "Turn on two-factor" }}
                </button>
                <button type="button" class="btn" on:click=move |_| a.begin.value().set(None)>"Cancel"</button>
            </div>
        </ActionForm>
    }
}

#[component]
fn TwoFactorOn(left: u64) -> impl IntoView {
    let a = actions();
    let disable_error = error_of(move || a.disable.value().get());
    let regen_error = error_of(move || a.regenerate.value().get());
    let left_text = match left {
        0 => "You have no recovery codes left. Make new ones below.".to_string(),
        1 => "1 unused recovery code left.".to_string(),
        n => format!("{n} unused recovery codes left."),
    };
    view! {
        <p>"Signing in asks for a code from your authenticator app after your password."</p>
        <p class=if left < 3 { "note note-warn" } else { "muted" }>{left_text}</p>
        <div class="two-columns">
            <ActionForm action=a.regenerate attr:class="form" attr:novalidate="true">
                <h3>"New recovery codes"</h3>
                <div class="field">
                    <label for="rc-password">"Your password"</label>
                    <input id="rc-password" name="password" type="password" autocomplete="current-password" aria-describedby="rc-password-error" aria-invalid=invalid_attr(regen_error, "password") />
                    <FieldMessage error=regen_error field="password" prefix="rc-" />
                </div>
                <FormAlert error=regen_error />
                <button type="submit" class="btn" disabled=move || a.regenerate.pending().get()>
                    {move || if a.regenerate.pending().get() { "Making codes…" } else { "Make new recovery codes" }}
                </button>
            </ActionForm>
            <ActionForm action=a.disable attr:class="form" attr:novalidate="true">
                <h3>"Turn off two-factor"</h3>
                <div class="field">
                    <label for="proof">"Password or a code from the app"</label>
                    <input id="proof" name="proof" type="password" autocomplete="off" aria-describedby="proof-error" aria-invalid=invalid_attr(disable_error, "proof") />
                    <FieldMessage error=disable_error field="proof" />
                </div>
                <FormAlert error=disable_error />
                <button type="submit" class="btn btn-danger-outline" disabled=move || a.disable.pending().get()>
                    {move || if a.disable.pending().get() { "Turning off…" } else { "Turn off two-factor" }}
                </button>
            </ActionForm>
        </div>
    }
}

#[component]
fn SessionsCard(account: AccountOverview) -> impl IntoView {
    let a = actions();
    let others = account.sessions.iter().filter(|s| !s.current).count();
    let error = Signal::derive(move || {
        a.end_one
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| a.end_others.value().get().and_then(|r| r.err()))
    });
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <div class="card-header">
                <h2 id="sessions-title">"Where you're signed in"</h2>
                <ActionForm action=a.end_others>
                    <button type="submit" class="btn btn-small btn-danger-outline" disabled=move || others == 0 || a.end_others.pending().get()>
                        {move || if a.end_others.pending().get() { "Signing out…" } else { "Sign out all other sessions" }}
                    </button>
                </ActionForm>
            </div>
            <FormAlert error />
            <table class="table" aria-labelledby="sessions-title">
                <thead>
                    <tr>
                        <th scope="col">"Device"</th>
                        <th scope="col">"IP address"</th>
                        <th scope="col">"Signed in"</th>
                        <th scope="col">"Last active"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {account
                        .sessions
                        .into_iter()
                        .map(|s| {
                            let label = format!("Sign out {} ({})", s.device, s.ip);
                            view! {
                                <tr data-testid="session-row" class:current=s.current>
                                    <td data-label="Device" title=s.user_agent.clone()>{s.device.clone()}</td>
                                    <td data-label="IP address">{s.ip.clone()}</td>
                                    <td data-label="Signed in" class="nowrap"><When at=s.created /></td>
                                    <td data-label="Last active" class="nowrap"><When at=s.last_seen /></td>
                                    <td data-label="" class="row-actions">
                                        {if s.current {
                                            view! { <span class="status status-active">"This session"</span> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=a.end_one>
                                                    <input type="hidden" name="id" value=s.id.to_string() />
                                                    <button type="submit" class="btn btn-small" aria-label=label disabled=move || a.end_one.pending().get()>"Sign out"</button>
                                                </ActionForm>
                                            }
                                            .into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn WorkspacesCard(account: AccountOverview) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="workspaces-title">
            <h2 id="workspaces-title">"Your workspaces"</h2>
            <table class="table" aria-labelledby="workspaces-title">
                <thead>
                    <tr>
                        <th scope="col">"Workspace"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {account
                        .memberships
                        .into_iter()
                        .map(|m| {
                            let status_class = format!("status status-{}", m.status.as_str());
                            view! {
                                <tr data-testid="workspace-row">
                                    <td data-label="Workspace">
                                        {m.tenant_name.clone()} " " <KindBadge kind=m.tenant_kind />
                                        {m.current.then(|| view! { <span class="muted">" · you are here"</span> })}
                                    </td>
                                    <td data-label="Role">{m.role.label()}</td>
                                    <td data-label="Status"><span class=status_class>{m.status.label()}</span></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
