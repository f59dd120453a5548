//! Settings → Access diagnostics: the run on real data (both engines), the fixes
//! applied through the server function only when the fresh diagnosis offers them,
//! the privilege rules and tenant walls they keep, and the escalation bundle.

use crate::common::{
    self, each_engine, invite_input, meta, new_template, TestApp, MEMBER_PASSWORD, PASSWORD,
};
use app::backend::diagnostics::run;
use app::backend::{groups, members, templates};
use app::domain::access::diagnose::CheckResult;
use app::domain::access::{Action, Category, Permission};
use app::domain::diagnostics::DiagnosticsReport;
use app::domain::{AppError, MembershipStatus};
use axum::http::StatusCode;

const BOB: &str = "bob@example.com";
const ANALYTICS: Permission = Permission::new(Category::Analytics, Action::View);

async fn fix_over_http(
    app: &TestApp,
    cookie: &str,
    email: &str,
    target: &str,
    fix: &str,
) -> (StatusCode, String) {
    let (status, body, _) = app
        .call(
            "apply_diagnostic_fix",
            &[("email", email), ("target", target), ("fix", fix)],
            Some(cookie),
        )
        .await;
    (status, body)
}

async fn diagnose_as(app: &TestApp, cookie: &str, email: &str, target: &str) -> DiagnosticsReport {
    let (status, body, _) = app
        .call(
            "run_diagnostics",
            &[("email", email), ("target", target), ("seen", "")],
            Some(cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_suspended_member_is_found_fixed_in_one_click_and_passes() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        members::adjust(s, admin, &m, acme.user_id, |u| {
            u.status = MembershipStatus::Suspended
        })
        .await
        .unwrap();
        let ada = app.sign_in("ada@example.com", PASSWORD).await;
        let report = diagnose_as(&app, &ada, BOB, "sign_in").await;
        let d = &report.diagnosis;
        assert!(!d.allowed, "{engine}");
        assert_eq!(d.checks[1].result, CheckResult::Fail);
        assert!(d.verdict.contains("suspended"), "{}", d.verdict);
        assert_eq!(d.checks[1].fixes[0].key(), "reactivate");

        // A fix the diagnosis doesn't offer is refused, and nothing is written.
        let (status, body) = fix_over_http(&app, &ada, BOB, "sign_in", "turn_on_beta").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, body) = fix_over_http(&app, &ada, BOB, "sign_in", "reactivate").await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        let again = diagnose_as(&app, &ada, BOB, "sign_in").await;
        assert!(again.diagnosis.allowed, "{engine}: {:?}", again.diagnosis);
        // Both runs and the fix are in the audit log, and the change itself too.
        let log = app::backend::audit::list(s.db.conn(), admin.tenant.id, "", None)
            .await
            .unwrap();
        let count = |a: &str| log.rows.iter().filter(|r| r.action == a).count();
        assert_eq!(count("Ran access diagnostics"), 2, "{engine}");
        assert_eq!(count("Applied a fix from diagnostics"), 1);
        assert!(count("Reactivated") >= 1);
    })
    .await;
}

#[tokio::test]
async fn bad_input_gets_a_sentence_next_to_the_field() {
    each_engine(|app| async move {
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let e = run(
            s,
            admin,
            &m,
            "not an email",
            "feature:nope",
            &"x".repeat(2001),
        )
        .await
        .unwrap_err();
        for field in ["email", "target", "seen"] {
            assert!(e.field_message(field).is_some(), "{field}: {e:?}");
        }
        // An unknown email is a diagnosis, not an error.
        let d = run(s, admin, &m, "nobody@example.com", "sign_in", "")
            .await
            .unwrap()
            .diagnosis;
        assert!(
            d.verdict
                .contains("isn't a member of Acme and has no invitation"),
            "{}",
            d.verdict
        );
        // Someone without user management can't run it.
        let bob = app::backend::kernel::actor::current_actor(s, &meta(Some(acme.user_token)))
            .await
            .unwrap();
        assert!(matches!(
            run(s, &bob, &m, BOB, "sign_in", "").await,
            Err(AppError::Forbidden(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn other_tenants_stay_hidden_but_the_sandbox_is_named() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        // Gina's Globex invites Carol; Ada (not an admin there) learns nothing of it.
        app.tenant_with_admin("Globex", "gina@example.com").await;
        let gina = common::actor(&app, "gina@example.com", PASSWORD).await.0;
        members::invite(s, &gina, &m, invite_input("carol@example.com"))
            .await
            .unwrap();
        let d = run(s, admin, &m, "carol@example.com", "sign_in", "")
            .await
            .unwrap();
        assert!(
            !d.bundle_json.contains("Globex"),
            "{engine}: {}",
            d.bundle_json
        );
        assert!(!d.diagnosis.verdict.contains("Globex"));
        // Told exactly like an address with no account at all: not even that an
        // account exists elsewhere.
        let nobody = run(s, admin, &m, "nobody@example.com", "sign_in", "")
            .await
            .unwrap();
        assert_eq!(
            d.diagnosis.verdict,
            nobody.diagnosis.verdict.replace("nobody@", "carol@"),
            "{engine}"
        );
        assert_eq!(d.diagnosis.checks, {
            let mut c = nobody.diagnosis.checks.clone();
            for check in &mut c {
                for e in &mut check.evidence {
                    *e = e.replace("nobody@", "carol@");
                }
            }
            c
        });
        // A fix can't reach Globex's member: nothing is offered, nothing applies.
        let ada = app.sign_in("ada@example.com", PASSWORD).await;
        let (status, _) =
            fix_over_http(&app, &ada, "carol@example.com", "sign_in", "resend_invite").await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) =
            fix_over_http(&app, &ada, "carol@example.com", "sign_in", "reactivate").await;
        assert_eq!(status, StatusCode::CONFLICT);

        // Ada's sandbox: Sam is a member only there; the verdict names it.
        app::backend::tenant::sandbox::create_sandbox(s, admin, &m)
            .await
            .unwrap();
        let ada_sandbox = common::actor(&app, "ada@example.com", PASSWORD).await.0;
        let ada_sandbox = {
            let token = app::backend::auth::session::switch_tenant(
                s,
                &ada_sandbox,
                app::backend::kernel::directory::find_tenant_by_name(s.db.conn(), "Acme Sandbox")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
                &m,
            )
            .await
            .unwrap();
            app::backend::kernel::actor::current_actor(s, &meta(Some(token)))
                .await
                .unwrap()
        };
        members::invite(s, &ada_sandbox, &m, invite_input("sam@example.com"))
            .await
            .unwrap();
        let d = run(s, admin, &m, "sam@example.com", "sign_in", "")
            .await
            .unwrap()
            .diagnosis;
        assert!(
            d.verdict.contains("Acme Sandbox"),
            "{engine}: {}",
            d.verdict
        );
        assert!(d.verdict.contains("sandbox"), "{}", d.verdict);
    })
    .await;
}

#[tokio::test]
async fn permission_fixes_suggest_the_least_template_and_keep_the_privilege_rules() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let analysts = templates::save(s, admin, &m, new_template("Analysts", vec![ANALYTICS]))
            .await
            .unwrap();
        let everything: Vec<Permission> = Permission::all().collect();
        let every = templates::save(s, admin, &m, new_template("Everything", everything))
            .await
            .unwrap();
        let target = "permission:analytics.view";
        let report = run(s, admin, &m, BOB, target, "").await.unwrap();
        let check = &report.diagnosis.checks[4];
        assert_eq!(check.result, CheckResult::Fail, "{engine}");
        let keys: Vec<String> = check.fixes.iter().map(|f| f.key()).collect();
        assert_eq!(
            keys,
            [
                format!("assign_template:{analysts}"),
                format!("assign_template:{every}"),
                "grant:analytics.view".to_string()
            ],
            "{engine}"
        );

        // Carol manages people but doesn't hold "see analytics dashboards": she may
        // run diagnostics, and the grant is refused under the privilege rules.
        let (carol_id, _) = app.join(admin, "carol@example.com", "Carol").await;
        app.make_people_manager(admin, carol_id).await;
        let carol = app.sign_in("carol@example.com", MEMBER_PASSWORD).await;
        let (status, body) = fix_over_http(&app, &carol, BOB, target, "grant:analytics.view").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {body}");
        // The admin's one click grants exactly that, through a group shown as such.
        let insights = groups::create(s, admin, &m, "Insights").await.unwrap();
        groups::set_template(s, admin, &m, insights, analysts, true)
            .await
            .unwrap();
        let ada = app.sign_in("ada@example.com", PASSWORD).await;
        let (status, body) =
            fix_over_http(&app, &ada, BOB, target, &format!("add_to_group:{insights}")).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        let after = diagnose_as(&app, &ada, BOB, target).await.diagnosis;
        assert!(after.allowed);
        assert_eq!(
            after.checks[4].evidence,
            ["Granted by the group “Insights” (through its role template “Analysts”)."]
        );
    })
    .await;
}

#[tokio::test]
async fn the_escalation_bundle_holds_the_checks_and_no_secret() {
    each_engine(|app| async move {
        let acme = app.acme_admin().await;
        let (s, m) = (&app.state, meta(None));
        members::invite(s, &acme, &m, invite_input("dan@example.com"))
            .await
            .unwrap();
        let token = app.mailed_token("dan@example.com", "invite").await;
        let report = run(
            s,
            &acme,
            &m,
            "dan@example.com",
            "sign_in",
            "Access denied (403)",
        )
        .await
        .unwrap();
        let json: serde_json::Value = serde_json::from_str(&report.bundle_json).unwrap();
        assert_eq!(json["tenant"]["name"], "Acme");
        assert_eq!(json["message_seen"], "Access denied (403)");
        assert_eq!(json["tried"], "Sign in");
        assert_eq!(json["person"]["status"], "Invited");
        assert!(json["checks"].as_array().unwrap().len() >= 4);
        assert!(json["reference"].as_str().is_some_and(|r| !r.is_empty()));
        for text in [&report.bundle_json, &report.bundle_text] {
            assert!(!text.contains(&token), "the invite token leaked");
            assert!(!text.contains("argon2"), "a hash leaked");
        }
        assert!(report
            .bundle_text
            .contains("Message they saw: Access denied (403)"));
        // The mail check reads the outbox: the invitation was sent.
        assert!(
            report.diagnosis.checks[2]
                .evidence
                .iter()
                .any(|e| e.contains("The last invitation email was sent")),
            "{:?}",
            report.diagnosis.checks[2].evidence
        );
    })
    .await;
}

#[tokio::test]
async fn who_can_lists_every_way_and_only_this_tenant() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let analysts = templates::save(s, admin, &m, new_template("Analysts", vec![ANALYTICS]))
            .await
            .unwrap();
        members::adjust(s, admin, &m, acme.user_id, |u| {
            u.permissions.push(ANALYTICS)
        })
        .await
        .unwrap();
        let mut carol = invite_input("carol@example.com");
        carol.template_id = Some(analysts);
        members::invite(s, admin, &m, carol).await.unwrap();
        let insights = groups::create(s, admin, &m, "Insights").await.unwrap();
        groups::set_template(s, admin, &m, insights, analysts, true)
            .await
            .unwrap();
        app.join(admin, "dan@example.com", "Dan").await;
        groups::add_member(s, admin, &m, insights, "dan@example.com")
            .await
            .unwrap();
        // Globex's admin never shows up in Acme's answer.
        app.tenant_with_admin("Globex", "gina@example.com").await;

        let page =
            app::backend::diagnostics::who_can(s, admin, "permission:analytics.view", 0, None)
                .await
                .unwrap();
        let how: Vec<(String, String)> = page
            .rows
            .iter()
            .map(|r| (r.email.clone(), r.how.join("; ")))
            .collect();
        assert_eq!(
            how,
            [
                ("ada@example.com".to_string(), "the Admin role".to_string()),
                ("bob@example.com".to_string(), "a direct grant".to_string()),
                (
                    "dan@example.com".to_string(),
                    "the group “Insights” (through its role template “Analysts”)".to_string()
                ),
            ],
            "{engine}: Carol is only invited, so she can't yet"
        );
        assert_eq!(page.total, 3);
        let beyond =
            app::backend::diagnostics::who_can(s, admin, "permission:analytics.view", 1, None)
                .await
                .unwrap();
        assert!(beyond.rows.is_empty() && beyond.total == 3);
        assert!(!page.has_next && !page.more);
        // The Next link's cursor: the members after the one given.
        let after = app::backend::diagnostics::who_can(
            s,
            admin,
            "permission:analytics.view",
            1,
            Some(page.rows[0].member_id),
        )
        .await
        .unwrap();
        let emails: Vec<&str> = after.rows.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(emails, ["bob@example.com", "dan@example.com"], "{engine}");

        // A flag that's off stops everyone, and says so.
        let cases = app::backend::diagnostics::who_can(s, admin, "feature:cases", 0, None)
            .await
            .unwrap();
        assert!(cases.nobody_because.unwrap().contains("Cases"), "{engine}");
        // CRM: admins, and members with CRM access.
        let crm = app::backend::diagnostics::who_can(s, admin, "feature:crm", 0, None)
            .await
            .unwrap();
        assert_eq!(crm.rows.len(), 1);
        assert_eq!(crm.rows[0].email, "ada@example.com");

        // Bad input and people without user management.
        let e = app::backend::diagnostics::who_can(s, admin, "sign_in", 0, None)
            .await
            .unwrap_err();
        assert!(e.field_message("target").is_some());
        let bob = app::backend::kernel::actor::current_actor(s, &meta(Some(acme.user_token)))
            .await
            .unwrap();
        assert!(matches!(
            app::backend::diagnostics::who_can(s, &bob, "feature:crm", 0, None).await,
            Err(AppError::Forbidden(_))
        ));
    })
    .await;
}
