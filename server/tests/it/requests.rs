//! My access and access requests: a member sees why not and asks; one open request
//! per person per thing; approvers see the diagnosis and give the least that does
//! the job, with a justification, within the privilege rules; both sides are emailed;
//! every step is audited; another tenant's ids answer like missing ones.

use crate::common::{self, each_engine, meta, new_template, TestApp, MEMBER_PASSWORD, PASSWORD};
use app::backend::kernel::actor::{current_actor, Actor};
use app::backend::members::{self, requests};
use app::domain::access::{evaluate, Action, Category, Permission, ReasonKind};
use app::domain::{AppError, Role};

const ANALYTICS: Permission = Permission::new(Category::Analytics, Action::View);
const TARGET: &str = "permission:analytics.view";

async fn bob(app: &TestApp, token: &str) -> Actor {
    current_actor(&app.state, &meta(Some(token.to_string())))
        .await
        .unwrap()
}

async fn bob_holds(app: &TestApp, admin: &Actor, bob_id: i64) -> bool {
    let access = members::member_access(&app.state, admin, bob_id)
        .await
        .unwrap();
    evaluate(&access, ANALYTICS).granted()
}

#[tokio::test]
async fn a_member_asks_and_an_admin_approves_with_a_justification() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let bob = bob(&app, &acme.user_token).await;

        // My access answers the deep link in words, told apart.
        let mine = requests::my_access(s.db.conn(), &bob, TARGET)
            .await
            .unwrap();
        let focus = mine.focus.unwrap();
        assert_eq!(focus.reasons.len(), 1, "{engine}");
        assert_eq!(focus.reasons[0].kind, ReasonKind::Authorization);
        assert!(!focus.reasons[0].for_person.contains("analytics.view"));
        let unknown = requests::my_access(s.db.conn(), &bob, "feature:nope")
            .await
            .unwrap_err();
        assert!(unknown.field_message("focus").is_some());

        // Bad input writes nothing.
        let huge = "x".repeat(10 * 1024);
        let e = requests::request(s, &bob, &m, TARGET, &huge)
            .await
            .unwrap_err();
        assert!(e.field_message("why").is_some());
        let e = requests::request(s, &bob, &m, "sign_in", "")
            .await
            .unwrap_err();
        assert!(e.field_message("target").is_some());
        assert!(
            requests::list_open(s, admin).await.unwrap().is_empty(),
            "{engine}"
        );

        // Asking twice keeps one request, with the newer reason; the admin is emailed.
        requests::request(s, &bob, &m, TARGET, "weekly report")
            .await
            .unwrap();
        requests::request(s, &bob, &m, TARGET, "weekly report for the board")
            .await
            .unwrap();
        let open = requests::list_open(s, admin).await.unwrap();
        assert_eq!(open.len(), 1, "{engine}");
        assert_eq!(open[0].why, "weekly report for the board");
        assert!(
            open[0].verdict.contains("can't see analytics dashboards"),
            "{}",
            open[0].verdict
        );
        assert_eq!(open[0].options.last().unwrap().key, "grant");
        assert!(open[0].cannot_approve.is_none());
        let mails = app.mail_to("ada@example.com").await;
        assert!(
            mails
                .iter()
                .any(|m| m.contains("Access request from Bob in Acme")),
            "{engine}"
        );
        assert_eq!(
            requests::my_access(s.db.conn(), &bob, "")
                .await
                .unwrap()
                .requested,
            [TARGET]
        );

        // No justification, or one of 10 kB, or a way that isn't offered: nothing changes.
        let id = open[0].id;
        for (how, why, field) in [
            ("grant", "", "justification"),
            ("grant", huge.as_str(), "justification"),
            ("admin", "ok", "how"),
        ] {
            let e = requests::approve(s, admin, &m, id, how, why, "")
                .await
                .unwrap_err();
            assert!(e.field_message(field).is_some(), "{how}: {e:?}");
        }
        assert!(!bob_holds(&app, admin, acme.user_id).await, "{engine}");

        requests::approve(
            s,
            admin,
            &m,
            id,
            "grant",
            "Board reporting, agreed with Ana",
            "",
        )
        .await
        .unwrap();
        assert!(bob_holds(&app, admin, acme.user_id).await, "{engine}");
        assert!(requests::list_open(s, admin).await.unwrap().is_empty());
        assert!(matches!(
            requests::approve(s, admin, &m, id, "grant", "again", "").await,
            Err(AppError::Conflict(_))
        ));
        let mails = app.mail_to("bob@example.com").await;
        assert!(mails.iter().any(|m| m.contains("was approved")), "{engine}");
        // Still a plain user: approval never makes anyone admin.
        assert_eq!(bob.role, Role::User);
        let log = app::backend::audit::list(s.db.conn(), admin.tenant.id, "", None)
            .await
            .unwrap();
        let approved = log
            .rows
            .iter()
            .find(|r| r.action == "Access request approved")
            .unwrap();
        assert!(
            approved.detail.contains("Board reporting"),
            "{}",
            approved.detail
        );
        assert!(log.rows.iter().any(|r| r.action == "Asked for access"));
        assert!(log.rows.iter().any(|r| r.action == "Access changed"));

        // Something already held, or blocked by the plan, can't be requested.
        let bob = current_actor(s, &meta(Some(acme.user_token.clone())))
            .await
            .unwrap();
        assert!(matches!(
            requests::request(s, &bob, &m, TARGET, "").await,
            Err(AppError::Conflict(m)) if m.contains("already")
        ));
        members::adjust(s, admin, &m, acme.user_id, |u| {
            u.permissions
                .push(Permission::new(Category::Analytics, Action::Manage))
        })
        .await
        .unwrap();
        let bob = current_actor(s, &meta(Some(acme.user_token.clone())))
            .await
            .unwrap();
        assert!(matches!(
            requests::request(s, &bob, &m, "feature:data_warehouse", "").await,
            Err(AppError::Conflict(m)) if m.contains("plan")
        ));
    })
    .await;
}

#[tokio::test]
async fn templates_come_first_declines_are_emailed_and_the_rules_hold() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let analysts =
            app::backend::templates::save(s, admin, &m, new_template("Analysts", vec![ANALYTICS]))
                .await
                .unwrap();
        let bob = bob(&app, &acme.user_token).await;
        requests::request(s, &bob, &m, TARGET, "").await.unwrap();
        let open = requests::list_open(s, admin).await.unwrap();
        let keys: Vec<&str> = open[0].options.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            keys,
            [format!("template:{analysts}").as_str(), "grant"],
            "{engine}"
        );

        // Carol manages people but doesn't hold the permission: she sees why she
        // can't approve, and the server refuses it.
        let (carol_id, _) = app.join(admin, "carol@example.com", "Carol").await;
        app.make_people_manager(admin, carol_id).await;
        let carol = common::actor(&app, "carol@example.com", MEMBER_PASSWORD)
            .await
            .0;
        let seen = requests::list_open(s, &carol).await.unwrap();
        assert!(seen[0].cannot_approve.is_some(), "{engine}");
        assert!(matches!(
            requests::approve(s, &carol, &m, seen[0].id, "grant", "please", "").await,
            Err(AppError::Forbidden(_))
        ));
        assert!(!bob_holds(&app, admin, acme.user_id).await);
        // Bob can't see the list; another tenant's admin finds nothing.
        assert!(matches!(
            requests::list_open(s, &bob).await,
            Err(AppError::Forbidden(_))
        ));
        app.tenant_with_admin("Globex", "gina@example.com").await;
        let gina = common::actor(&app, "gina@example.com", PASSWORD).await.0;
        assert!(requests::list_open(s, &gina).await.unwrap().is_empty());
        assert_eq!(
            requests::approve(s, &gina, &m, seen[0].id, "grant", "x", "").await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            requests::decline(s, &gina, &m, seen[0].id, "").await,
            Err(AppError::NotFound)
        );

        requests::decline(s, admin, &m, seen[0].id, "Ask your team lead first")
            .await
            .unwrap();
        let mails = app.mail_to("bob@example.com").await;
        assert!(
            mails
                .iter()
                .any(|m| m.contains("was declined") && m.contains("Ask your team lead first")),
            "{engine}"
        );
        assert!(requests::list_open(s, admin).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn over_http_a_refused_page_links_to_the_explanation_and_requests_are_forms() {
    each_engine(|app| async move {
        let acme = app.acme_with_bob().await;
        let bob_cookie = app.sign_in("bob@example.com", "bob's passphrase!").await;
        let (status, body, _) = app
            .call(
                "request_access",
                &[("target", TARGET), ("why", "reports")],
                Some(&bob_cookie),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let ada = app.sign_in("ada@example.com", PASSWORD).await;
        let open = requests::list_open(&app.state, &acme.admin).await.unwrap();
        let id = open[0].id.to_string();
        let (status, body, _) = app
            .call(
                "approve_access_request",
                &[
                    ("id", id.as_str()),
                    ("how", "grant"),
                    ("justification", ""),
                    ("until", ""),
                ],
                Some(&ada),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("Say why you're approving it"), "{body}");
        let (status, body, _) = app
            .call(
                "approve_access_request",
                &[
                    ("id", id.as_str()),
                    ("how", "grant"),
                    ("justification", "reports"),
                    ("until", ""),
                ],
                Some(&ada),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    })
    .await;
}

/// `now` plus `minutes`, as a browser's datetime-local field sends it, and its time.
/// The newest "Temporary access ended" row of the tenant's audit log, written by
/// "expiry".
async fn expiry_row(app: &TestApp, tenant_id: i64) -> app::domain::audit::AuditRow {
    let log = app::backend::audit::list(app.state.db.conn(), tenant_id, "", None)
        .await
        .unwrap();
    let ended = log
        .rows
        .into_iter()
        .find(|r| r.action == "Temporary access ended")
        .unwrap();
    assert_eq!(ended.actor, "expiry");
    ended
}

fn until_field(now: i64, minutes: i64) -> (String, i64) {
    let at = chrono::DateTime::from_timestamp_millis(now + minutes * 60_000).unwrap();
    let text = at.format("%Y-%m-%dT%H:%M").to_string();
    let exact = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
        .unwrap()
        .and_utc()
        .timestamp_millis();
    (text, exact)
}

#[tokio::test]
async fn approved_until_a_time_the_access_ends_by_itself_and_the_right_people_hear() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        // Carol manages people but lacks the permission; Dan manages people and has it.
        let (carol_id, _) = app.join(admin, "carol@example.com", "Carol").await;
        app.make_people_manager(admin, carol_id).await;
        let (dan_id, _) = app.join(admin, "dan@example.com", "Dan").await;
        members::adjust(s, admin, &m, dan_id, |u| {
            u.permissions = vec![Permission::new(Category::Users, Action::Manage), ANALYTICS]
        })
        .await
        .unwrap();
        let bob = bob(&app, &acme.user_token).await;
        requests::request(s, &bob, &m, TARGET, "quarter close")
            .await
            .unwrap();
        let told = |mails: Vec<String>| mails.iter().any(|m| m.contains("Access request from Bob"));
        assert!(told(app.mail_to("ada@example.com").await), "{engine}");
        assert!(told(app.mail_to("dan@example.com").await), "{engine}");
        assert!(!told(app.mail_to("carol@example.com").await), "{engine}");
        assert!(!told(app.mail_to("bob@example.com").await), "{engine}");

        // A time in the past, or unreadable, is refused next to the field.
        let id = requests::list_open(s, admin).await.unwrap()[0].id;
        for bad in ["2020-01-01T10:00", "next week"] {
            let e = requests::approve(s, admin, &m, id, "grant", "close", bad)
                .await
                .unwrap_err();
            assert!(e.field_message("until").is_some(), "{bad}: {e:?}");
        }
        assert!(!bob_holds(&app, admin, acme.user_id).await);

        let (until, until_ms) = until_field(app.clock_now(), 30);
        requests::approve(s, admin, &m, id, "grant", "quarter close", &until)
            .await
            .unwrap();
        let mails = app.mail_to("bob@example.com").await;
        assert!(
            mails
                .iter()
                .any(|m| m.contains("was approved") && m.contains(" until ")),
            "{engine}"
        );
        let fresh_admin = || async { common::actor(&app, "ada@example.com", PASSWORD).await.0 };
        // The Users table says it is for now, and until when.
        let bob_row = || app.users_row(&admin.tenant, "bob@example.com");
        let row = bob_row().await;
        assert_eq!(row.temporary_permissions.len(), 1, "{engine}");
        assert_eq!(
            row.temporary_permissions[0].what, "see analytics dashboards",
            "{:?}",
            row.temporary_permissions
        );
        assert!(
            row.temporary_permissions[0].until.millis() > app.state.now_ms(),
            "{engine}"
        );
        let target = app::domain::access::diagnose::Target::Permission(ANALYTICS);
        let who = |now| async move {
            app::backend::diagnostics::who_can_in(s.db.conn(), &admin.tenant, target, 0, None, now)
                .await
                .unwrap()
                .rows
                .into_iter()
                .find(|r| r.email == "bob@example.com")
                .map(|r| r.how.join(", "))
        };
        // One second before its end it counts, with its end in words.
        app.clock.advance_ms(until_ms - app.clock_now() - 1000);
        assert!(
            bob_holds(&app, &fresh_admin().await, acme.user_id).await,
            "{engine}"
        );
        let how = who(app.clock_now()).await.unwrap();
        assert!(how.contains("a direct grant (until "), "{how}");
        // One second after, it counts no more, even before the sweep runs.
        app.clock.advance_ms(2000);
        assert!(
            !bob_holds(&app, &fresh_admin().await, acme.user_id).await,
            "{engine}"
        );
        assert_eq!(who(app.clock_now()).await, None, "{engine}");
        let bob_now = current_actor(s, &meta(Some(acme.user_token.clone())))
            .await
            .unwrap();
        assert!(matches!(
            app::backend::kernel::policy::require(s.db.conn(), &bob_now, ANALYTICS, "no").await,
            Err(AppError::Forbidden(_))
        ));

        // The sweep removes it once, as done by "expiry", naming who gave it.
        assert_eq!(
            members::expiry::end_expired(s).await.unwrap(),
            1,
            "{engine}"
        );
        assert_eq!(
            members::expiry::end_expired(s).await.unwrap(),
            0,
            "{engine}"
        );
        let ended = expiry_row(&app, admin.tenant.id).await;
        assert_eq!(ended.target, "bob@example.com");
        assert!(ended.detail.contains("ada@example.com"), "{}", ended.detail);
        assert!(
            ended.detail.contains("see analytics dashboards"),
            "{}",
            ended.detail
        );

        // A temporary role template: back to none at its end.
        let analysts =
            app::backend::templates::save(s, admin, &m, new_template("Analysts", vec![ANALYTICS]))
                .await
                .unwrap();
        let bob = current_actor(s, &meta(Some(acme.user_token.clone())))
            .await
            .unwrap();
        requests::request(s, &bob, &m, TARGET, "again")
            .await
            .unwrap();
        let id = requests::list_open(s, admin).await.unwrap()[0].id;
        let (until, until_ms) = until_field(app.clock_now(), 10);
        let admin = fresh_admin().await;
        requests::approve(
            s,
            &admin,
            &m,
            id,
            &format!("template:{analysts}"),
            "audit",
            &until,
        )
        .await
        .unwrap();
        let access = members::member_access(s, &fresh_admin().await, acme.user_id)
            .await
            .unwrap();
        assert_eq!(access.template.map(|t| t.name), Some("Analysts".into()));
        let row = bob_row().await;
        assert_eq!(row.template_name.as_deref(), Some("Analysts"));
        assert!(row.template_until.is_some(), "{engine}");
        assert!(
            row.temporary_permissions.is_empty(),
            "{engine}: the grant has ended"
        );
        app.clock.advance_ms(until_ms - app.clock_now() + 1000);
        let access = members::member_access(s, &fresh_admin().await, acme.user_id)
            .await
            .unwrap();
        assert_eq!(access.template, None, "{engine}");
        assert_eq!(
            members::expiry::end_expired(s).await.unwrap(),
            1,
            "{engine}"
        );
        let row = bob_row().await;
        assert_eq!(
            (row.template_id, row.template_until),
            (None, None),
            "{engine}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_edit_dialog_gives_access_until_a_time_and_it_ends_by_itself() {
    use app::domain::access::diagnose::CheckResult;
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let manage = Permission::new(Category::Users, Action::Manage);
        let (until, until_ms) = until_field(app.clock_now(), 20);

        // "Until" ends what a change adds: with nothing added it is refused, next
        // to the field, and nothing is written.
        let e = members::adjust(s, admin, &m, acme.user_id, |u| u.until = until.clone())
            .await
            .unwrap_err();
        assert!(e.field_message("until").is_some(), "{engine}: {e:?}");

        // The Admin role, beta access and a direct grant, until a time.
        members::adjust(s, admin, &m, acme.user_id, |u| {
            u.role = Role::Admin;
            u.beta_access = true;
            u.permissions.push(ANALYTICS);
            u.until = until.clone();
        })
        .await
        .unwrap();
        // A change of role ends his sessions: he signs in afresh.
        let bob_now = || async {
            common::actor(&app, "bob@example.com", "bob's passphrase!")
                .await
                .0
        };
        assert_eq!(bob_now().await.role, Role::Admin, "{engine}");
        let row = app.users_row(&admin.tenant, "bob@example.com").await;
        assert!(
            row.role_until.is_some() && row.beta_until.is_some(),
            "{row:?}"
        );
        assert!(
            row.crm_until.is_some(),
            "{engine}: CRM access came with the role"
        );
        let words = row.temporary_words().unwrap();
        assert!(words.contains("the Admin role until "), "{words}");
        assert!(words.contains("beta access until "), "{words}");

        // A temporary admin never keeps the last admin: Ada can't be demoted by Bob.
        let e = members::adjust(s, &bob_now().await, &m, admin.membership.id, |u| {
            u.role = Role::User
        })
        .await
        .unwrap_err();
        assert!(
            matches!(e, AppError::Conflict(ref t) if t.contains("last active admin")),
            "{e:?}"
        );

        // One second before its end Bob manages people; one second after, nothing
        // he had for now counts, before any sweep.
        app.clock.advance_ms(until_ms - app.clock_now() - 1000);
        let policy = app::backend::kernel::policy::require;
        assert!(policy(s.db.conn(), &bob_now().await, manage, "no")
            .await
            .is_ok());
        app.clock.advance_ms(2000);
        let bob_after = bob_now().await;
        assert_eq!(bob_after.role, Role::User, "{engine}");
        assert!(matches!(
            policy(s.db.conn(), &bob_after, manage, "no").await,
            Err(AppError::Forbidden(_))
        ));
        assert!(policy(s.db.conn(), &bob_after, ANALYTICS, "no")
            .await
            .is_err());
        let who = app::backend::diagnostics::who_can_in(
            s.db.conn(),
            &admin.tenant,
            app::domain::access::diagnose::Target::Permission(manage),
            0,
            None,
            app.clock_now(),
        )
        .await
        .unwrap();
        assert!(
            who.rows.iter().all(|r| r.email != "bob@example.com"),
            "{engine}"
        );

        // The sweep takes it all away once, as done by "expiry", naming Ada.
        assert_eq!(members::expiry::end_expired(s).await.unwrap(), 1);
        assert_eq!(members::expiry::end_expired(s).await.unwrap(), 0);
        let row = app.users_row(&admin.tenant, "bob@example.com").await;
        assert_eq!(
            (
                row.role,
                row.crm_access,
                row.beta_access,
                row.direct_permissions.len()
            ),
            (Role::User, false, false, 0),
            "{engine}"
        );
        let ended = expiry_row(&app, admin.tenant.id).await;
        for part in [
            "the Admin role",
            "beta access",
            "CRM access",
            "ada@example.com",
        ] {
            assert!(ended.detail.contains(part), "{part}: {}", ended.detail);
        }

        // Diagnostics say when it expired.
        let d = app::backend::diagnostics::run(
            s,
            admin,
            &m,
            "bob@example.com",
            "permission:users.manage",
            "",
        )
        .await
        .unwrap()
        .diagnosis;
        let check = d
            .checks
            .iter()
            .find(|c| c.result == CheckResult::Fail)
            .unwrap();
        assert!(
            check
                .evidence
                .iter()
                .any(|e| e.contains("a temporary Admin role: it expired on ")),
            "{engine}: {:?}",
            check.evidence
        );
    })
    .await;
}
