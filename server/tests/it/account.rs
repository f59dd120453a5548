//! My account, two-factor and sessions, through the HTTP router (server functions,
//! middleware and services together), on a fresh database per test and engine.

use crate::common::{each_engine, password_step, session_cookie, TestApp, PASSWORD};
use app::backend::entities::{accounts, audit_events, mail_outbox, recovery_codes};
use app::backend::kernel::totp;
use app::domain::account::{AccountOverview, ColorScheme};
use app::domain::auth::{RequiredSetup, TotpSetup};
use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::sync::Arc;

fn code_for(secret: &str, now_ms: i64) -> String {
    let seed = totp::base32_decode(secret).unwrap();
    format!(
        "{:06}",
        totp::code_at(&seed, totp::step_at(now_ms), totp::DIGITS)
    )
}

fn field_error(body: &str, field: &str) -> String {
    let error: app::domain::AppError = serde_json::from_str(body).expect(body);
    error
        .field_message(field)
        .unwrap_or_else(|| panic!("no {field} error in {body}"))
}

async fn account(app: &TestApp, cookie: &str) -> AccountOverview {
    let (status, body, _) = app.call("get_account", &[], Some(cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn mail_subjects(app: &TestApp, to: &str) -> Vec<String> {
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(to))
        .all(app.state.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

async fn account_tenant(app: &TestApp) -> i64 {
    app::backend::entities::tenants::Entity::find()
        .one(app.state.db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Turns two-factor on for a signed-in account; answers the secret and the codes.
async fn enrol(app: &TestApp, cookie: &str) -> (String, Vec<String>) {
    let (status, body, _) = app.call("begin_two_factor", &[], Some(cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let setup: TotpSetup = serde_json::from_str(&body).unwrap();
    assert!(setup.qr_size >= 21 && setup.qr_path.starts_with('M'));
    let secret = setup.secret.replace(' ', "");
    let code = code_for(&secret, app.clock_now());
    let (status, body, _) = app
        .call(
            "confirm_two_factor",
            &[("code", &code), ("password", PASSWORD)],
            Some(cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<String> = serde_json::from_str(&body).unwrap();
    (secret, codes)
}

async fn code_step(
    app: &TestApp,
    cookie: &str,
    code: &str,
) -> (StatusCode, String, Option<String>) {
    let (status, body, cookies) = app
        .call("verify_sign_in_code", &[("code", code)], Some(cookie))
        .await;
    (status, body, session_cookie(&cookies))
}

#[tokio::test]
async fn two_factor_enrolment_sign_in_replay_and_recovery_codes() {
    each_engine(|app| async move {
        let engine = app.engine;
        let cookie = app.acme_signed_in().await;

        // The code is checked, and the password too (recent authentication).
        let (_, body, _) = app.call("begin_two_factor", &[], Some(&cookie)).await;
        let setup: TotpSetup = serde_json::from_str(&body).unwrap();
        let secret = setup.secret.replace(' ', "");
        let good = code_for(&secret, app.clock_now());
        let (status, body, _) = app
            .call(
                "confirm_two_factor",
                &[("code", &good), ("password", "wrong password")],
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            field_error(&body, "password"),
            "That isn't your current password."
        );
        let (_, body, _) = app
            .call(
                "confirm_two_factor",
                &[("code", "000000"), ("password", PASSWORD)],
                Some(&cookie),
            )
            .await;
        assert!(
            field_error(&body, "code").contains("didn't match"),
            "{body}"
        );
        assert!(!account(&app, &cookie).await.two_factor);

        let (secret, codes) = enrol(&app, &cookie).await;
        assert_eq!(codes.len(), 10);
        let me = account(&app, &cookie).await;
        assert!(me.two_factor);
        assert_eq!(me.recovery_codes_left, 10);
        assert!(mail_subjects(&app, "ada@example.com")
            .await
            .contains(&"Two-factor was turned on for your Gatehouse account".to_string()));
        // Nothing in the database reveals the seed or a recovery code.
        let row = accounts::Entity::find()
            .one(app.state.db.conn())
            .await
            .unwrap()
            .unwrap();
        let stored = row.totp_secret.unwrap();
        assert!(!stored.contains(&secret) && stored.starts_with("v1:"));
        for rc in recovery_codes::Entity::find()
            .all(app.state.db.conn())
            .await
            .unwrap()
        {
            assert!(codes
                .iter()
                .all(|c| !rc.code_hash.contains(&c.replace('-', ""))));
        }

        // Sign-in now asks for a code; the half-way session reaches nothing else.
        let (pending, path) = password_step(&app, "ada@example.com", PASSWORD).await;
        assert_eq!(path, "/sign-in/two-factor");
        let (status, _, _) = app.call("get_account", &[], Some(&pending)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // The code used to confirm the set-up is spent: same time step, refused.
        let replay = code_for(&secret, app.clock_now());
        let (status, body, _) = code_step(&app, &pending, &replay).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(field_error(&body, "code").contains("didn't work"));
        app.clock.advance_secs(30);
        let fresh = code_for(&secret, app.clock_now());
        let (status, body, full) = code_step(&app, &pending, &fresh).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let full = full.unwrap();
        assert_ne!(
            full, pending,
            "the session id rotates when sign-in completes"
        );
        account(&app, &full).await;
        let (status, _, _) = app.call("get_account", &[], Some(&pending)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "the half-way cookie is dead"
        );

        // The same code again, in a new sign-in: refused (a step is accepted once).
        let (pending, _) = password_step(&app, "ada@example.com", PASSWORD).await;
        let (status, _, _) = code_step(&app, &pending, &fresh).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // A recovery code works once, in any case or spacing.
        let (status, body, _) = code_step(&app, &pending, &codes[3].to_uppercase()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (pending, _) = password_step(&app, "ada@example.com", PASSWORD).await;
        let (status, _, _) = code_step(&app, &pending, &codes[3]).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{engine}: a recovery code is single use"
        );
        assert_eq!(account(&app, &full).await.recovery_codes_left, 9);

        // A half-way sign-in expires after ten minutes.
        app.clock.advance_secs(11 * 60);
        let (status, _, _) = code_step(&app, &pending, &code_for(&secret, app.clock_now())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let audit = audit_events::Entity::find()
            .filter(audit_events::Column::Action.eq("sign_in.succeeded"))
            .all(app.state.db.conn())
            .await
            .unwrap();
        assert!(audit.iter().any(|e| e
            .after
            .as_deref()
            .unwrap_or_default()
            .contains("recovery code")));
    })
    .await;
}

#[tokio::test]
async fn wrong_codes_lock_the_account_and_reset_does_not_bypass_two_factor() {
    each_engine(|app| async move {
        let engine = app.engine;
        let cookie = app.acme_signed_in().await;
        let (secret, _) = enrol(&app, &cookie).await;
        app.clock.advance_secs(30);

        let (pending, _) = password_step(&app, "ada@example.com", PASSWORD).await;
        for _ in 0..app.state.settings.lockout_threshold {
            let (status, _, _) = code_step(&app, &pending, "123 456").await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
        let (_, body, _) = code_step(&app, &pending, &code_for(&secret, app.clock_now())).await;
        assert!(
            field_error(&body, "code").contains("Too many wrong codes"),
            "{engine}: {body}"
        );

        // A password reset clears the lock but still leads to the code step.
        let (status, _, _) = app
            .call(
                "request_password_reset",
                &[("email", "ada@example.com")],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let token = app.mailed_token("ada@example.com", "reset").await;
        let (status, body, cookies) = app
            .call(
                "complete_password_reset",
                &[
                    ("token", &token),
                    ("password", "an entirely new phrase"),
                    ("confirm", "an entirely new phrase"),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(session_cookie(&cookies).is_none(), "a reset never signs in");
        let (_, path) = password_step(&app, "ada@example.com", "an entirely new phrase").await;
        assert_eq!(path, "/sign-in/two-factor", "{engine}");
    })
    .await;
}

#[tokio::test]
async fn turning_two_factor_off_needs_a_password_or_code_and_sends_a_notice() {
    each_engine(|app| async move {
        let engine = app.engine;
        let cookie = app.acme_signed_in().await;
        let (secret, _) = enrol(&app, &cookie).await;
        let (status, body, _) = app
            .call(
                "disable_two_factor",
                &[("proof", "not my password")],
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(field_error(&body, "proof").contains("isn't your password"));
        // The code of the step used at enrolment is spent; the next one works.
        app.clock.advance_secs(30);
        let (status, body, _) = app
            .call(
                "disable_two_factor",
                &[("proof", &code_for(&secret, app.clock_now()))],
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        assert!(!account(&app, &cookie).await.two_factor);
        assert!(mail_subjects(&app, "ada@example.com")
            .await
            .contains(&"Two-factor was turned off for your Gatehouse account".to_string()));
        // Both changes are in the tenant's audit log, in words.
        let tenant = account_tenant(&app).await;
        let log = app::backend::audit::list(app.state.db.conn(), tenant, "", None)
            .await
            .unwrap();
        let actions: Vec<&str> = log.rows.iter().map(|r| r.action.as_str()).collect();
        assert!(actions.contains(&"Turned on two-factor"), "{actions:?}");
        assert!(actions.contains(&"Turned off two-factor"), "{actions:?}");
        assert!(recovery_codes::Entity::find()
            .all(app.state.db.conn())
            .await
            .unwrap()
            .is_empty());
        let (_, path) = password_step(&app, "ada@example.com", PASSWORD).await;
        assert_eq!(path, "/");

        // Turn it on again and off with the password.
        let (_, _) = enrol(&app, &cookie).await;
        let (status, _, _) = app
            .call("disable_two_factor", &[("proof", PASSWORD)], Some(&cookie))
            .await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_tenant_can_require_two_factor_of_its_admins() {
    each_engine(|app| async move {
        let engine = app.engine;
        let cookie = app.acme_signed_in().await;
        let set = |on: bool, cookie: String| {
            let app = &app;
            async move {
                let form: &[(&str, &str)] = if on { &[("on", "true")] } else { &[] };
                app.call("set_require_admin_two_factor", form, Some(&cookie))
                    .await
            }
        };
        let overview = |cookie: String| {
            let app = &app;
            async move {
                let (_, body, _) = app.call("get_tenant_overview", &[], Some(&cookie)).await;
                serde_json::from_str::<app::domain::tenant::TenantOverview>(&body).unwrap()
            }
        };
        // Ada has no two-factor herself: she is asked to set it up first.
        let (status, body, _) = set(true, cookie.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{engine}: {body}");
        assert!(body.contains("your own account first"), "{body}");
        assert!(!overview(cookie.clone()).await.require_admin_two_factor);

        // Carol, a second admin without two-factor, is signed in when it is turned on.
        let (_, carol_cookie) = {
            let admin = crate::common::actor(&app, "ada@example.com", PASSWORD)
                .await
                .0;
            let mut input = crate::common::invite_input("carol@example.com");
            input.role = app::domain::Role::Admin;
            app::backend::members::invite(&app.state, &admin, &crate::common::meta(None), input)
                .await
                .unwrap();
            let token = app.mailed_token("carol@example.com", "invite").await;
            app::backend::members::accept_invite(
                &app.state,
                &token,
                "Carol",
                "a long and quiet passphrase",
                &crate::common::meta(None),
            )
            .await
            .unwrap();
            (
                (),
                app.sign_in("carol@example.com", "a long and quiet passphrase")
                    .await,
            )
        };
        account(&app, &carol_cookie).await;
        // Ada sets two-factor up, then requires it.
        let (secret, _) = enrol(&app, &cookie).await;
        let (status, body, _) = set(true, cookie.clone()).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        assert!(overview(cookie.clone()).await.require_admin_two_factor);
        // An unchecked box sends no value at all: that turns it off; then on again.
        let (status, _, _) = set(false, cookie.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!overview(cookie.clone()).await.require_admin_two_factor);
        let (status, _, _) = set(true, cookie.clone()).await;
        assert_eq!(status, StatusCode::OK);
        // Ada's session continues; Carol's next request is refused, and her next
        // sign-in asks for the set-up first.
        account(&app, &cookie).await;
        let (status, _, _) = app.call("get_account", &[], Some(&carol_cookie)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{engine}");
        let (pending, path) =
            password_step(&app, "carol@example.com", "a long and quiet passphrase").await;
        assert_eq!(path, "/sign-in/set-up-two-factor", "{engine}");
        let (status, _, _) = app.call("get_account", &[], Some(&pending)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body, _) = app
            .call("begin_required_two_factor", &[], Some(&pending))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let required: RequiredSetup = serde_json::from_str(&body).unwrap();
        assert_eq!(required.tenant_name, "Acme");
        let code = code_for(&required.setup.secret.replace(' ', ""), app.clock_now());
        let (status, body, cookies) = app
            .call(
                "confirm_required_two_factor",
                &[("code", &code)],
                Some(&pending),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let codes: Vec<String> = serde_json::from_str(&body).unwrap();
        assert_eq!(codes.len(), 10);
        let full = session_cookie(&cookies).unwrap();
        assert!(account(&app, &full).await.two_factor);
        // While it is required, an admin can't turn it off.
        let (status, body, _) = app
            .call(
                "disable_two_factor",
                &[("proof", &code_for(&secret, app.clock_now() + 30_000))],
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{engine}: {body}");
        assert!(body.contains("requires two-factor"), "{body}");
        // A half-way session from an ordinary sign-in can't use the set-up endpoints.
        let (status, _, _) = app.call("begin_required_two_factor", &[], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

/// A user promoted to admin in a tenant that requires two-factor, without it, is
/// signed out there at once and sets it up at the next sign-in; demoted, the same
/// (a role change ends the member's sessions in the tenant).
#[tokio::test]
async fn a_role_change_ends_the_members_sessions_and_a_new_admin_enrols_first() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        crate::common::require_admin_two_factor(&app, "Acme").await;
        let bob = app.sign_in("bob@example.com", "bob's passphrase!").await;
        account(&app, &bob).await;
        let promote = app::domain::members::MemberUpdate {
            id: acme.user_id,
            email: "bob@example.com".into(),
            role: app::domain::Role::Admin,
            status: app::domain::MembershipStatus::Active,
            template_id: None,
            crm_access: true,
            beta_access: false,
            permissions: vec![],
            until: String::new(),
        };
        app::backend::members::update(&app.state, &acme.admin, &crate::common::meta(None), promote)
            .await
            .unwrap();
        let (status, _, _) = app.call("get_account", &[], Some(&bob)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{engine}: promoted, signed out"
        );
        let (_, path) = password_step(&app, "bob@example.com", "bob's passphrase!").await;
        assert_eq!(path, "/sign-in/set-up-two-factor", "{engine}");
    })
    .await;
}

#[tokio::test]
async fn the_colour_scheme_is_kept_with_the_account_and_told_with_the_server_clock() {
    each_engine(|app| async move {
        let engine = app.engine;
        let cookie = app.acme_signed_in().await;
        let me = |cookie: String| {
            let app = &app;
            async move {
                let (status, body, _) = app.call("current_user", &[], Some(&cookie)).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                serde_json::from_str::<app::domain::auth::Me>(&body).unwrap()
            }
        };
        let first = me(cookie.clone()).await;
        assert_eq!(first.color_scheme, ColorScheme::System, "{engine}");
        // Relative times count from the server's clock, sent with the page.
        assert!(
            (first.now.millis() - app.state.now_ms()).abs() < 60_000,
            "{engine}"
        );

        let (status, body, _) = app
            .call(
                "set_color_scheme",
                &[("color_scheme", "purple")],
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}");
        assert_eq!(
            field_error(&body, "color_scheme"),
            "Choose System, Light or Dark."
        );
        assert_eq!(me(cookie.clone()).await.color_scheme, ColorScheme::System);

        let (status, body, _) = app
            .call(
                "set_color_scheme",
                &[("color_scheme", "dark")],
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        // Kept with the account: a new session on another device sees it too.
        let elsewhere = app.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(
            me(elsewhere).await.color_scheme,
            ColorScheme::Dark,
            "{engine}"
        );

        let (status, _, _) = app
            .call("set_color_scheme", &[("color_scheme", "dark")], None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{engine}");
    })
    .await;
}

#[tokio::test]
async fn my_account_profile_and_password_change() {
    each_engine(|app| async move {
        let engine = app.engine;
        let cookie = app.acme_signed_in().await;
        let other = app.sign_in("ada@example.com", PASSWORD).await;

        let me = account(&app, &cookie).await;
        assert_eq!(me.email, "ada@example.com");
        assert_eq!(me.memberships.len(), 1);
        assert_eq!(me.memberships[0].tenant_name, "Acme");
        assert!(me.memberships[0].current);

        let (status, body, _) = app
            .call("update_profile", &[("display_name", "  ")], Some(&cookie))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(field_error(&body, "display_name"), "Enter your name.");
        let (status, _, _) = app
            .call(
                "update_profile",
                &[("display_name", "Ada Lovelace")],
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(account(&app, &cookie).await.display_name, "Ada Lovelace");

        let change = |current: &'static str, new: &'static str, confirm: &'static str| {
            let app = &app;
            let cookie = cookie.clone();
            async move {
                app.call(
                    "change_password",
                    &[
                        ("current", current),
                        ("password", new),
                        ("confirm", confirm),
                    ],
                    Some(&cookie),
                )
                .await
            }
        };
        let (_, body, _) = change("wrong", "a fresh new phrase", "a fresh new phrase").await;
        assert_eq!(
            field_error(&body, "current"),
            "That isn't your current password."
        );
        let (_, body, _) = change(PASSWORD, "password123", "password123").await;
        assert!(
            field_error(&body, "password").contains("most commonly used"),
            "{body}"
        );
        let (_, body, _) = change(PASSWORD, "acme is my life", "acme is my life").await;
        assert!(
            field_error(&body, "password").contains("workspace name"),
            "{body}"
        );
        let (_, body, _) = change(PASSWORD, "a fresh new phrase", "a fresh new phrasE").await;
        assert_eq!(
            field_error(&body, "confirm"),
            "The two passwords don't match."
        );
        let (status, body, _) = change(PASSWORD, "a fresh new phrase", "a fresh new phrase").await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");

        // This session continues; the other one ended; a notice was mailed.
        account(&app, &cookie).await;
        let (status, _, _) = app.call("get_account", &[], Some(&other)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(mail_subjects(&app, "ada@example.com")
            .await
            .contains(&"Your Gatehouse password was changed".to_string()));
        let (status, _, _) = app
            .call(
                "sign_in",
                &[("email", "ada@example.com"), ("password", PASSWORD)],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
        app.sign_in("ada@example.com", "a fresh new phrase").await;
    })
    .await;
}

#[tokio::test]
async fn a_longer_password_is_required_without_two_factor_when_configured() {
    let mut app = TestApp::new("sqlite").await;
    let mut settings = (*app.state.settings).clone();
    settings.password_policy.min_chars_without_two_factor = 15;
    app.state.settings = Arc::new(settings);
    let cookie = app.acme_signed_in().await;
    let (_, body, _) = app
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("password", "violet tundra"),
                ("confirm", "violet tundra"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        field_error(&body, "password"),
        "Use at least 15 characters for your password."
    );
    assert_eq!(account(&app, &cookie).await.password_min_chars, 15);
    enrol(&app, &cookie).await;
    assert_eq!(account(&app, &cookie).await.password_min_chars, 8);
    let (status, body, _) = app
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("password", "violet tundra"),
                ("confirm", "violet tundra"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn sessions_are_listed_and_can_be_signed_out_one_by_one_or_all_others() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Globex", "bob@example.com").await;
        let here = app.sign_in("ada@example.com", PASSWORD).await;
        let laptop = app.sign_in("ada@example.com", PASSWORD).await;
        let phone = app.sign_in("ada@example.com", PASSWORD).await;
        let bob = app.sign_in("bob@example.com", PASSWORD).await;

        let me = account(&app, &here).await;
        assert_eq!(me.sessions.len(), 3, "{engine}");
        assert_eq!(me.sessions.iter().filter(|s| s.current).count(), 1);
        let other_id = me.sessions.iter().find(|s| !s.current).unwrap().id;
        let current_id = me.sessions.iter().find(|s| s.current).unwrap().id;

        // Someone else's session id answers like a missing one, and stays alive.
        let bobs = account(&app, &bob).await.sessions[0].id;
        let (status, _, _) = app
            .call("end_session", &[("id", &bobs.to_string())], Some(&here))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        account(&app, &bob).await;
        let (status, _, _) = app
            .call(
                "end_session",
                &[("id", &current_id.to_string())],
                Some(&here),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);

        let (status, _, _) = app
            .call("end_session", &[("id", &other_id.to_string())], Some(&here))
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut live = 0;
        for c in [&laptop, &phone] {
            if app.call("get_account", &[], Some(c)).await.0 == StatusCode::OK {
                live += 1;
            }
        }
        assert_eq!(live, 1, "exactly the chosen session ended");

        let (status, body, _) = app.call("end_other_sessions", &[], Some(&here)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "1");
        for c in [&laptop, &phone] {
            assert_eq!(
                app.call("get_account", &[], Some(c)).await.0,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(account(&app, &here).await.sessions.len(), 1);
        account(&app, &bob).await;
    })
    .await;
}

#[tokio::test]
async fn accepting_an_invitation_does_not_skip_two_factor() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Globex", "sam@example.com").await;
        let ada = app.sign_in("ada@example.com", PASSWORD).await;
        let (secret, _) = enrol(&app, &ada).await;
        let sam = app.sign_in("sam@example.com", PASSWORD).await;
        let input = serde_json::json!({"input": {
            "email": "ada@example.com", "role": "user", "template_id": null, "crm_access": false
        }});
        let (status, body, _) = app
            .call_json("invite_member", &input.to_string(), &sam)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = app.mailed_token("ada@example.com", "invite").await;

        // The password accepts the invitation, but the session waits for a code.
        let (status, body, cookies) = app
            .call(
                "accept_invite",
                &[("token", &token), ("password", PASSWORD)],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let path: String = serde_json::from_str(&body).unwrap();
        assert_eq!(path, "/sign-in/two-factor", "{engine}");
        let pending = session_cookie(&cookies).unwrap();
        let (status, _, _) = app.call("get_account", &[], Some(&pending)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        app.clock.advance_secs(30);
        let (status, body, full) =
            code_step(&app, &pending, &code_for(&secret, app.clock_now())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let me = account(&app, &full.unwrap()).await;
        let here = me.memberships.iter().find(|m| m.current).unwrap();
        assert_eq!(here.tenant_name, "Globex");
    })
    .await;
}

#[tokio::test]
async fn turning_two_factor_off_counts_wrong_proofs_and_is_limited_per_session() {
    each_engine(|app| async move {
        let engine = app.engine;
        let cookie = app.acme_signed_in().await;
        enrol(&app, &cookie).await;
        for _ in 0..app::backend::auth::two_factor::PROOFS_PER_SESSION_PER_MINUTE {
            let (status, body, _) = app
                .call("disable_two_factor", &[("proof", "000000")], Some(&cookie))
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}: {body}");
        }
        let ada = accounts::Entity::find()
            .filter(accounts::Column::Email.eq("ada@example.com"))
            .one(app.state.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            ada.failed_sign_ins,
            app::backend::auth::two_factor::PROOFS_PER_SESSION_PER_MINUTE,
            "{engine}: every wrong code counts towards the lock"
        );
        let (status, _, _) = app
            .call("disable_two_factor", &[("proof", "000000")], Some(&cookie))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{engine}");
        assert!(account(&app, &cookie).await.two_factor, "{engine}");
    })
    .await;
}

/// Showing the required set-up (what the GET of /sign-in/set-up-two-factor renders)
/// writes nothing: a second tab or a cross-site link shows the same key and leaves
/// the seed being scanned alone.
#[tokio::test]
async fn showing_the_required_set_up_changes_nothing() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.acme_signed_in().await;
        crate::common::require_admin_two_factor(&app, "Acme").await;
        let (pending, _) = password_step(&app, "ada@example.com", PASSWORD).await;
        let ada = || async {
            accounts::Entity::find()
                .filter(accounts::Column::Email.eq("ada@example.com"))
                .one(app.state.db.conn())
                .await
                .unwrap()
                .unwrap()
        };
        let before = ada().await;
        assert!(
            before.totp_secret.is_some(),
            "{engine}: made at the password step"
        );
        let mut secrets = Vec::new();
        for _ in 0..2 {
            let (status, body, _) = app
                .call("begin_required_two_factor", &[], Some(&pending))
                .await;
            assert_eq!(status, StatusCode::OK, "{engine}: {body}");
            let required: RequiredSetup = serde_json::from_str(&body).unwrap();
            secrets.push(required.setup.secret);
        }
        assert_eq!(secrets[0], secrets[1], "{engine}");
        assert_eq!(ada().await, before, "{engine}: nothing written");
    })
    .await;
}

/// SECURITY.md 3: no composition rules and no forced periodic change. A password of
/// lowercase words alone is accepted, and three years on it still signs straight in.
#[tokio::test]
async fn a_password_never_expires_and_needs_no_mix_of_characters() {
    let app = TestApp::new("sqlite").await;
    app.tenant_with_admin("Acme", "ada@example.com").await;
    for plain in [
        "only lowercase words here",
        "ÄÖÜ straße mit leerzeichen",
        "🙂🙂🙂🙂🙂🙂🙂🙂 emoji rows",
    ] {
        assert!(
            app::backend::kernel::passwords::check_new(
                &app.state.settings.password_policy,
                plain,
                false,
                &[],
                "password",
            )
            .is_ok(),
            "{plain}"
        );
    }
    app.clock.advance_secs(3 * 365 * 24 * 3600);
    let (_, path) = password_step(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(
        path, "/",
        "no change-your-password step, however old the password"
    );
}
