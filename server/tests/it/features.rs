//! The access model's product scope: tenant feature flags, beta access, plans set by
//! the operator, and what a member can use (the one feature evaluation), plus the
//! Users page's status counts and cancelling an invitation.

use crate::common::{self, each_engine, invite_input, meta, TestApp, PASSWORD};
use app::backend::members;
use app::domain::access::FeatureDecision;
use app::domain::members::{MemberQuery, MemberUpdate};
use app::domain::{AppError, Feature, MembershipStatus, Role};
use axum::http::StatusCode;
use sea_orm::EntityTrait;

/// What the member behind `cookie` is told about `feature` (from My access).
async fn decision(app: &TestApp, cookie: &str, feature: Feature) -> FeatureDecision {
    let (status, body, _) = app
        .call("get_my_access", &[("focus", "")], Some(cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let all: app::domain::requests::MyAccess = serde_json::from_str(&body).unwrap();
    assert_eq!(all.features.len(), Feature::ALL.len());
    all.features
        .into_iter()
        .find(|d| d.feature == feature)
        .unwrap()
}

fn bob_with(acme: &common::AdminAndUser, permissions: &str, beta: bool) -> MemberUpdate {
    MemberUpdate {
        id: acme.user_id,
        email: "bob@example.com".into(),
        role: Role::User,
        status: MembershipStatus::Active,
        template_id: None,
        crm_access: false,
        beta_access: beta,
        permissions: permissions
            .split(',')
            .filter_map(app::domain::access::Permission::parse)
            .collect(),
        until: String::new(),
    }
}

#[tokio::test]
async fn flags_and_beta_access_decide_what_a_member_can_use() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let s = &app.state;
        let m = meta(None);
        members::update(
            s,
            &acme.admin,
            &m,
            bob_with(&acme, "conversations.view,conversations.edit", false),
        )
        .await
        .unwrap();
        let bob = app.sign_in("bob@example.com", "bob's passphrase!").await;
        let ada = app.sign_in("ada@example.com", PASSWORD).await;

        // Cases is off: blocked by product scope, in words.
        let cases = decision(&app, &bob, Feature::Cases).await;
        assert!(!cases.allowed(), "{engine}");
        assert_eq!(
            cases.reasons[0].for_person,
            "Cases isn't turned on for Acme."
        );
        assert!(decision(&app, &bob, Feature::Conversations).await.allowed());
        // Only admins flip flags; an unknown flag is a sentence next to the field.
        let (status, _, _) = app
            .call(
                "set_feature_flag",
                &[("flag", "cases"), ("on", "true")],
                Some(&bob),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}");
        let (status, body, _) = app
            .call(
                "set_feature_flag",
                &[("flag", "teleport"), ("on", "true")],
                Some(&ada),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}: {body}");
        assert!(body.contains("no feature flag of that name"), "{body}");
        let (status, body, _) = app
            .call(
                "set_feature_flag",
                &[("flag", "cases"), ("on", "true")],
                Some(&ada),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        assert!(
            decision(&app, &bob, Feature::Cases).await.allowed(),
            "{engine}: on at the next request"
        );
        let (status, _, _) = app
            .call("set_feature_flag", &[("flag", "cases")], Some(&ada))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !decision(&app, &bob, Feature::Cases).await.allowed(),
            "{engine}: off again"
        );
        let (_, body, _) = app.call("list_feature_flags", &[], Some(&ada)).await;
        assert!(
            body.contains("\"cases\"") && body.contains("\"on\":false"),
            "{body}"
        );
        let (status, _, _) = app.call("list_feature_flags", &[], Some(&bob)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A beta feature needs the flag and the person's beta access.
        app.call(
            "set_feature_flag",
            &[("flag", "ai_reply_suggestions"), ("on", "true")],
            Some(&ada),
        )
        .await;
        let codes = |d: FeatureDecision| d.reasons.into_iter().map(|r| r.code).collect::<Vec<_>>();
        assert_eq!(
            codes(decision(&app, &bob, Feature::AiReplySuggestions).await),
            ["beta_access_off"]
        );
        members::update(
            s,
            &acme.admin,
            &m,
            bob_with(&acme, "conversations.view,conversations.edit", true),
        )
        .await
        .unwrap();
        let bob = app.sign_in("bob@example.com", "bob's passphrase!").await;
        assert!(
            decision(&app, &bob, Feature::AiReplySuggestions)
                .await
                .allowed(),
            "{engine}"
        );
        let row = app.users_row(&acme.admin.tenant, "bob@example.com").await;
        assert!(row.beta_access, "{engine}");

        // Plan-locked: the team plan has API keys but no data warehouse, even for an admin.
        let dw = decision(&app, &ada, Feature::DataWarehouse).await;
        assert_eq!(codes(dw), ["plan_excludes"], "{engine}");
        // Every change is in the audit log, in words.
        let log = app::backend::audit::list(s.db.conn(), acme.admin.tenant.id, "", None)
            .await
            .unwrap();
        assert!(
            log.rows
                .iter()
                .filter(|r| r.action == "Feature flag changed")
                .count()
                >= 3,
            "{engine}"
        );
        let db_flags = app::backend::kernel::policy::flags_on(s.db.conn(), acme.admin.tenant.id)
            .await
            .unwrap();
        assert_eq!(db_flags.len(), 1, "{engine}: only the beta flag is on");
    })
    .await;
}

#[tokio::test]
async fn the_operator_sets_a_plan_and_a_seat_limit_below_use_blocks_invites() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let s = &app.state;
        let now = app.clock_now();
        use app::backend::tenant::operator::set_plan;
        // Unknown tenant, unknown plan, nonsense seats: a sentence, nothing written.
        for (tenant_name, plan, seats, needle) in [
            ("Nope", "business", None, "No tenant is named"),
            (
                "Acme",
                "platinum",
                None,
                "must be free, team, business or enterprise",
            ),
            ("Acme", "team", Some(0), "seat limit"),
        ] {
            let error = set_plan(&s.db, now, tenant_name, plan, seats)
                .await
                .unwrap_err();
            assert!(error.to_string().contains(needle), "{engine}: {error}");
        }
        let unchanged = app::backend::kernel::directory::find_tenant_by_name(s.db.conn(), "Acme")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (unchanged.plan.as_str(), unchanged.seat_limit),
            ("team", 25)
        );

        let said = set_plan(&s.db, now, "Acme", "business", None)
            .await
            .unwrap();
        assert!(said.contains("Business plan with 100 seats"), "{said}");
        // Below the seats in use: allowed, said, and new invites are refused with why.
        let said = set_plan(&s.db, now, "Acme", "free", Some(1)).await.unwrap();
        assert!(said.contains("1 more than the limit"), "{engine}: {said}");
        let admin = crate::common::actor(&app, "ada@example.com", PASSWORD)
            .await
            .0;
        assert_eq!(admin.plan, app::domain::Plan::Free);
        let refused = members::invite(s, &admin, &meta(None), invite_input("carol@example.com"))
            .await
            .unwrap_err();
        let AppError::Conflict(message) = refused else {
            panic!("{refused:?}")
        };
        assert!(message.contains("plan now allows 1"), "{engine}: {message}");
        // Nobody lost access.
        assert!(app::backend::kernel::actor::current_actor(
            s,
            &meta(Some(acme.user_token.clone()))
        )
        .await
        .is_ok());
        let log = app::backend::audit::list(s.db.conn(), acme.admin.tenant.id, "", None)
            .await
            .unwrap();
        assert_eq!(
            log.rows
                .iter()
                .filter(|r| r.action == "Plan changed by the operator")
                .count(),
            2,
            "{engine}"
        );
    })
    .await;
}

#[tokio::test]
async fn cancelling_an_invite_frees_its_seat_and_kills_its_link() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let s = &app.state;
        let m = meta(None);
        let carol = members::invite(s, &acme.admin, &m, invite_input("carol@example.com"))
            .await
            .unwrap();
        let token = app.mailed_token("carol@example.com", "invite").await;
        let now = app.clock_now();
        let tenant = acme.admin.tenant.clone();
        let page = |query: MemberQuery| {
            let tenant = &tenant;
            async move {
                members::list(s.db.conn(), tenant, &query, now)
                    .await
                    .unwrap()
            }
        };
        let before = page(MemberQuery::default()).await;
        assert_eq!(
            (
                before.counts.active,
                before.counts.invited,
                before.seats_used
            ),
            (2, 1, 3),
            "{engine}"
        );
        let pending = page(MemberQuery {
            status: Some(MembershipStatus::Invited),
            ..MemberQuery::default()
        })
        .await;
        assert_eq!(pending.total, 1);
        assert!(
            pending.rows[0].invite_expires.is_some(),
            "{engine}: when the link expires"
        );

        // Someone who joined has no invitation to cancel.
        let refused = members::cancel_invite(s, &acme.admin, &m, acme.user_id)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, AppError::Conflict(ref t) if t.contains("Delete user")),
            "{refused:?}"
        );
        members::cancel_invite(s, &acme.admin, &m, carol)
            .await
            .unwrap();
        let after = page(MemberQuery::default()).await;
        assert_eq!(
            (after.counts.invited, after.seats_used),
            (0, 2),
            "{engine}: the seat is free"
        );
        let dead = members::invite_details(s, &token).await.unwrap_err();
        assert!(matches!(dead, AppError::Conflict(_)), "{engine}: {dead:?}");
        assert!(
            members::accept_invite(s, &token, "Carol", "carol long passphrase", &m)
                .await
                .is_err()
        );
        let log = app::backend::audit::list(s.db.conn(), acme.admin.tenant.id, "carol@", None)
            .await
            .unwrap();
        assert_eq!(log.rows[0].action, "Invitation cancelled", "{engine}");
        // Another tenant's id, or a missing one: the same answer.
        assert_eq!(
            members::cancel_invite(s, &acme.admin, &m, 987_654).await,
            Err(AppError::NotFound)
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_offers_only_what_the_person_can_reach() {
    let app = TestApp::new("sqlite").await;
    let acme = app.acme_with_bob().await;
    let _ = acme;
    let bob = app.sign_in("bob@example.com", "bob's passphrase!").await;
    let ada = app.sign_in("ada@example.com", PASSWORD).await;
    let home = |cookie: String| {
        let app = &app;
        async move {
            let request = axum::http::Request::get("/")
                .header("cookie", cookie)
                .body(axum::body::Body::empty())
                .unwrap();
            common::split(app.send(request).await).await.1
        }
    };
    let plain = home(bob).await;
    for link in [
        "/settings/users",
        "/settings/role-templates",
        "/settings/tenant",
        "/settings/feature-flags",
        "/settings/audit-log",
    ] {
        assert!(
            !plain.contains(&format!("href=\"{link}\"")),
            "a plain member is offered {link}"
        );
    }
    assert!(plain.contains("href=\"/account\""));
    assert!(plain.contains("What you can use here"));
    assert!(plain.contains("Cases isn"), "blocked features say why");
    let admin = home(ada).await;
    for link in [
        "/settings/users",
        "/settings/tenant",
        "/settings/feature-flags",
    ] {
        assert!(
            admin.contains(&format!("href=\"{link}\"")),
            "the admin misses {link}"
        );
    }
}

#[tokio::test]
async fn an_account_disabled_by_the_operator_signs_in_nowhere() {
    use app::backend::account::operator::set_disabled;
    use app::backend::auth::sign_in::sign_in;
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let s = &app.state;
        let now = app.clock_now();
        let error = set_disabled(&s.db, now, "nobody@example.com", true)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("No account has the email"),
            "{error}"
        );
        let said = set_disabled(&s.db, now, "bob@example.com", true)
            .await
            .unwrap();
        assert!(said.contains("1 open sessions ended"), "{engine}: {said}");
        // His session is gone and the right password gets the usual refusal.
        let session = meta(Some(acme.user_token.clone()));
        assert_eq!(
            app::backend::kernel::actor::current_actor(s, &session)
                .await
                .unwrap_err(),
            AppError::Unauthenticated
        );
        let ip = crate::common::meta_from("10.7.0.1");
        assert_eq!(
            sign_in(s, "bob@example.com", "bob's passphrase!", &ip)
                .await
                .unwrap_err(),
            AppError::SignInRefused,
            "{engine}"
        );
        // His tenant's admins see it, and unlocking doesn't lift it.
        let row = members::list(
            s.db.conn(),
            &acme.admin.tenant,
            &MemberQuery::default(),
            now,
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.email == "bob@example.com")
        .unwrap();
        assert!(row.disabled, "{engine}");
        members::unlock(s, &acme.admin, &meta(None), acme.user_id)
            .await
            .unwrap();
        assert!(sign_in(s, "bob@example.com", "bob's passphrase!", &ip)
            .await
            .is_err());
        let log = app::backend::audit::list(s.db.conn(), acme.admin.tenant.id, "bob@", None)
            .await
            .unwrap();
        assert!(log
            .rows
            .iter()
            .any(|r| r.action == "Disabled by the operator of this Gatehouse"));
        // Enabled again: he signs in.
        set_disabled(&s.db, now, "bob@example.com", false)
            .await
            .unwrap();
        assert!(
            sign_in(s, "bob@example.com", "bob's passphrase!", &ip)
                .await
                .is_ok(),
            "{engine}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_admin_creates_the_sandbox_of_a_production_tenant() {
    use app::backend::tenant::sandbox::create_sandbox;
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let s = &app.state;
        let m = meta(None);
        let support = app::backend::templates::save(
            s,
            &acme.admin,
            &m,
            common::new_template(
                "Support",
                vec![app::domain::access::Permission::parse("conversations.view").unwrap()],
            ),
        )
        .await
        .unwrap();
        // Bob, a member without the Admin role, can't.
        let bob =
            app::backend::kernel::actor::current_actor(s, &meta(Some(acme.user_token.clone())))
                .await
                .unwrap();
        assert!(matches!(
            create_sandbox(s, &bob, &m).await,
            Err(AppError::Forbidden(_))
        ));
        let sandbox = create_sandbox(s, &acme.admin, &m).await.unwrap();
        // Only once.
        let again = create_sandbox(s, &acme.admin, &m).await.unwrap_err();
        assert!(
            again
                .to_string()
                .contains("already has a sandbox: Acme Sandbox"),
            "{engine}: {again}"
        );
        // Ada is its admin; templates are copied with their permissions; nobody else is in it.
        let ada = app.sign_in("ada@example.com", PASSWORD).await;
        let (status, body, cookies) = app
            .call(
                "switch_tenant",
                &[("tenant_id", &sandbox.to_string())],
                Some(&ada),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        let in_sandbox = common::session_cookie(&cookies).unwrap();
        let (_, me, _) = app.call("current_user", &[], Some(&in_sandbox)).await;
        assert!(
            me.contains("\"tenant_kind\":\"sandbox\"") && me.contains("Acme Sandbox"),
            "{me}"
        );
        let (_, templates, _) = app
            .call_json("list_role_templates", "{}", &in_sandbox)
            .await;
        assert!(
            templates.contains("Support") && templates.contains("conversations"),
            "{engine}: {templates}"
        );
        let sandbox_tenant = app::backend::entities::tenants::Entity::find_by_id(sandbox)
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        let page = members::list(
            s.db.conn(),
            &sandbox_tenant,
            &MemberQuery::default(),
            app.clock_now(),
        )
        .await
        .unwrap();
        assert_eq!(
            page.total, 1,
            "{engine}: access there is a separate invitation"
        );
        assert_ne!(support, 0);
        // From the sandbox, no sandbox of a sandbox.
        let admin_there = app::backend::kernel::actor::current_actor(
            s,
            &meta(Some(in_sandbox.split_once('=').unwrap().1.to_string())),
        )
        .await
        .unwrap();
        assert!(matches!(
            create_sandbox(s, &admin_there, &m).await,
            Err(AppError::Conflict(_))
        ));
        // Both Tenant pages name the other of the pair.
        let (_, overview, _) = app
            .call("get_tenant_overview", &[], Some(&in_sandbox))
            .await;
        assert!(
            overview.contains("\"paired_with\":\"Acme\""),
            "{engine}: {overview}"
        );
    })
    .await;
}
