//! Settings → Users and role templates, on a fresh database per test
//! (SQLite, and PostgreSQL when configured).

use crate::common::{
    actor, each_engine, invite_input, meta, new_template, AdminAndUser, TestApp, PASSWORD,
};
use app::backend::auth::sign_in::sign_in;
use app::backend::entities::{
    accounts, audit_events, invitations, mail_outbox, memberships, sessions, tenants,
};
use app::backend::kernel::actor::current_actor;
use app::backend::kernel::policy::require;
use app::backend::{members, templates};
use app::domain::access::{Action, Category, Permission};
use app::domain::members::{InviteInput, MemberQuery, MemberUpdate};
use app::domain::templates::TemplateInput;
use app::domain::{AppError, MembershipStatus, Role};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

async fn count<E>(app: &TestApp) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(app.state.db.conn()).await.unwrap()
}

async fn set_seat_limit(app: &TestApp, tenant_id: i64, limit: i64) {
    let t = tenants::Entity::find_by_id(tenant_id)
        .one(app.state.db.conn())
        .await
        .unwrap()
        .unwrap();
    let mut t: tenants::ActiveModel = t.into();
    t.seat_limit = Set(limit);
    t.update(app.state.db.conn()).await.unwrap();
}

#[tokio::test]
async fn invite_accept_and_resend() {
    each_engine(|app| async move {
        let engine = app.engine;
        let admin = app.acme_admin().await;
        let s = &app.state;
        let id = members::invite(s, &admin, &meta(None), invite_input("Bob@Example.com"))
            .await
            .unwrap();
        let m = memberships::Entity::find_by_id(id)
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.status.as_str(), m.role.as_str(), m.crm_access),
            ("invited", "user", false)
        );
        assert_eq!(count::<mail_outbox::Entity>(&app).await, 1);
        let first = app.mailed_token("bob@example.com", "invite").await;
        assert!(first.len() >= 43, "256-bit token");
        let stored = invitations::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_ne!(stored.token_hash, first, "only the hash is stored");
        assert_eq!(stored.expires_at, app.clock_now() + 7 * 86_400_000);
        let details = members::invite_details(s, &first).await.unwrap();
        assert_eq!(
            (details.email.as_str(), details.existing_account),
            ("bob@example.com", false)
        );

        // Resend: fresh token, the old one dies, same row, still invited, expiry restarts.
        app.clock.advance_secs(3600);
        members::resend_invite(s, &admin, &meta(None), id)
            .await
            .unwrap();
        let second = app.mailed_token("bob@example.com", "invite").await;
        assert_ne!(first, second);
        assert!(matches!(
            members::invite_details(s, &first).await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(count::<memberships::Entity>(&app).await, 2);
        let live = invitations::Entity::find()
            .filter(invitations::Column::RevokedAt.is_null())
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(live.expires_at, app.clock_now() + 7 * 86_400_000);

        // Accept with bad input: nothing changes.
        let err = members::accept_invite(s, &second, "", "long enough pw", &meta(None))
            .await
            .unwrap_err();
        assert!(err.field_message("display_name").is_some());
        let err = members::accept_invite(s, &second, "Bob", "short", &meta(None))
            .await
            .unwrap_err();
        assert!(err.field_message("password").is_some());
        assert_eq!(
            memberships::Entity::find_by_id(id)
                .one(s.db.conn())
                .await
                .unwrap()
                .unwrap()
                .status,
            "invited"
        );

        let signed = members::accept_invite(
            s,
            &second,
            "Bob Builder",
            "bob's new passphrase",
            &meta(None),
        )
        .await
        .unwrap();
        let bob = current_actor(s, &meta(Some(signed.token))).await.unwrap();
        assert_eq!(bob.membership.status, "active");
        assert_eq!(bob.membership.last_login_at, Some(app.clock_now()));
        assert_eq!(bob.account.display_name, "Bob Builder");
        // Single use: a second accept is refused and nothing is duplicated.
        assert!(matches!(
            members::accept_invite(s, &second, "Bob", "bob's new passphrase", &meta(None)).await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(count::<memberships::Entity>(&app).await, 2, "{engine}");
        assert!(
            sign_in(s, "bob@example.com", "bob's new passphrase", &meta(None))
                .await
                .is_ok()
        );
    })
    .await;
}

#[tokio::test]
async fn expired_invitations_cannot_be_used() {
    let app = TestApp::new("sqlite").await;
    let admin = app.acme_admin().await;
    members::invite(
        &app.state,
        &admin,
        &meta(None),
        invite_input("late@example.com"),
    )
    .await
    .unwrap();
    let token = app.mailed_token("late@example.com", "invite").await;
    app.clock.advance_secs(7 * 86_400 + 1);
    let err = members::accept_invite(&app.state, &token, "Late", "a fine passphrase", &meta(None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    let page = members::list(
        app.state.db.conn(),
        &admin.tenant,
        &MemberQuery::default(),
        app.clock_now(),
    )
    .await
    .unwrap();
    let late = page
        .rows
        .iter()
        .find(|r| r.email == "late@example.com")
        .unwrap();
    assert!(late.invite_expired, "the table says the link expired");
}

#[tokio::test]
async fn bad_invites_write_nothing() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (tenant, _) = app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (admin, _) = actor(&app, "ada@example.com", PASSWORD).await;
        let (globex_admin, _) = actor(&app, "hank@globex.example", PASSWORD).await;
        let s = &app.state;
        let foreign = templates::save(
            s,
            &globex_admin,
            &meta(None),
            new_template("Agents", vec![]),
        )
        .await
        .unwrap();
        let before = (
            count::<memberships::Entity>(&app).await,
            count::<invitations::Entity>(&app).await,
            count::<mail_outbox::Entity>(&app).await,
        );
        let cases = [
            (invite_input("ADA@example.com"), "email"),
            (invite_input("not an email"), "email"),
            (invite_input(&"x".repeat(10_000)), "email"),
            (
                InviteInput {
                    template_id: Some(foreign),
                    ..invite_input("new@example.com")
                },
                "role_template",
            ),
            (
                InviteInput {
                    template_id: Some(987_654),
                    ..invite_input("new@example.com")
                },
                "role_template",
            ),
        ];
        for (input, field) in cases {
            let err = members::invite(s, &admin, &meta(None), input)
                .await
                .unwrap_err();
            assert!(err.field_message(field).is_some(), "{engine}: {err:?}");
        }
        set_seat_limit(&app, tenant, 1).await;
        let err = members::invite(s, &admin, &meta(None), invite_input("new@example.com"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AppError::Conflict(m) if m.contains("seats")),
            "{err:?}"
        );
        let after = (
            count::<memberships::Entity>(&app).await,
            count::<invitations::Entity>(&app).await,
            count::<mail_outbox::Entity>(&app).await,
        );
        assert_eq!(before, after, "{engine}: a refused invite wrote something");
    })
    .await;
}

#[tokio::test]
async fn seat_limit_holds_under_concurrent_invites() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (tenant, _) = app.tenant_with_admin("Acme", "ada@example.com").await;
        set_seat_limit(&app, tenant, 6).await; // the admin holds one: 5 free
        let (admin, _) = actor(&app, "ada@example.com", PASSWORD).await;
        let mut tasks = Vec::new();
        for i in 0..20 {
            let s = app.state.clone();
            let admin = admin.clone();
            tasks.push(tokio::spawn(async move {
                members::invite(
                    &s,
                    &admin,
                    &meta(None),
                    invite_input(&format!("p{i}@example.com")),
                )
                .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Conflict(m)) => assert!(m.contains("seats"), "{m}"),
                Err(other) => panic!("{engine}: unexpected {other:?}"),
            }
        }
        assert_eq!(ok, 5, "{engine}");
        assert_eq!(
            app::backend::kernel::directory::seats_used(app.state.db.conn(), tenant)
                .await
                .unwrap(),
            6
        );
    })
    .await;
}

#[tokio::test]
async fn an_existing_account_joins_a_second_tenant() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Acme Sandbox", "sam@example.com")
            .await;
        let (sam, _) = actor(&app, "sam@example.com", PASSWORD).await;
        let s = &app.state;
        members::invite(s, &sam, &meta(None), invite_input("ada@example.com"))
            .await
            .unwrap();
        let token = app.mailed_token("ada@example.com", "invite").await;
        assert!(
            members::invite_details(s, &token)
                .await
                .unwrap()
                .existing_account
        );
        let err = members::accept_invite(s, &token, "", "wrong password!!", &meta(None))
            .await
            .unwrap_err();
        assert!(err.field_message("password").is_some());
        members::accept_invite(s, &token, "", PASSWORD, &meta(None))
            .await
            .unwrap();
        assert_eq!(
            count::<accounts::Entity>(&app).await,
            2,
            "{engine}: one account each"
        );
        let ada = accounts::Entity::find()
            .filter(accounts::Column::Email.eq("ada@example.com"))
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        let ms = memberships::Entity::find()
            .filter(memberships::Column::AccountId.eq(ada.id))
            .count(s.db.conn())
            .await
            .unwrap();
        assert_eq!(ms, 2, "{engine}: two memberships");
    })
    .await;
}

#[tokio::test]
async fn edits_apply_at_the_next_request_and_guard_the_last_admin() {
    each_engine(|app| async move {
        let engine = app.engine;
        let AdminAndUser {
            admin,
            user_id: bob_id,
            user_token: bob_token,
        } = app.acme_with_bob().await;
        let s = &app.state;
        let bob = || async { current_actor(s, &meta(Some(bob_token.clone()))).await };
        let analytics = Permission::new(Category::Analytics, Action::View);
        let conn = s.db.conn();
        assert!(require(conn, &bob().await.unwrap(), analytics, "no")
            .await
            .is_err());

        let update = MemberUpdate {
            id: bob_id,
            email: "bob@example.com".into(),
            role: Role::User,
            status: MembershipStatus::Active,
            template_id: None,
            crm_access: true,
            beta_access: false,
            permissions: vec![analytics],
            until: String::new(),
        };
        members::update(s, &admin, &meta(None), update.clone())
            .await
            .unwrap();
        // Same session, next request: the new permission applies without signing in again.
        assert!(require(conn, &bob().await.unwrap(), analytics, "no")
            .await
            .is_ok());

        // A template edit reaches Bob at once.
        let t = templates::save(
            s,
            &admin,
            &meta(None),
            new_template("Support agent", vec![]),
        )
        .await
        .unwrap();
        members::update(
            s,
            &admin,
            &meta(None),
            MemberUpdate {
                template_id: Some(t),
                permissions: vec![],
                ..update.clone()
            },
        )
        .await
        .unwrap();
        let edit = Permission::new(Category::Conversations, Action::Edit);
        assert!(require(conn, &bob().await.unwrap(), edit, "no")
            .await
            .is_err());
        templates::save(
            s,
            &admin,
            &meta(None),
            TemplateInput {
                id: Some(t),
                name: "Support agent".into(),
                permissions: vec![edit],
            },
        )
        .await
        .unwrap();
        assert!(
            require(conn, &bob().await.unwrap(), edit, "no")
                .await
                .is_ok(),
            "{engine}: template edit propagates"
        );

        // Admins always have CRM access.
        members::update(
            s,
            &admin,
            &meta(None),
            MemberUpdate {
                role: Role::Admin,
                crm_access: false,
                beta_access: false,
                ..update.clone()
            },
        )
        .await
        .unwrap();
        let row = memberships::Entity::find_by_id(bob_id)
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert!(row.crm_access);

        // Suspension ends Bob's sessions at once; reactivating lets him sign in again.
        members::update(
            s,
            &admin,
            &meta(None),
            MemberUpdate {
                status: MembershipStatus::Suspended,
                ..update.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(bob().await.unwrap_err(), AppError::Unauthenticated);
        assert_eq!(
            sessions::Entity::find()
                .filter(sessions::Column::AccountId.eq(row.account_id))
                .count(conn)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            sign_in(s, "bob@example.com", "bob's passphrase!", &meta(None))
                .await
                .unwrap_err(),
            AppError::SignInRefused
        );
        members::update(s, &admin, &meta(None), update.clone())
            .await
            .unwrap();
        assert!(
            sign_in(s, "bob@example.com", "bob's passphrase!", &meta(None))
                .await
                .is_ok()
        );

        // Ada is now the only active admin: she can't be demoted, suspended or deleted.
        let ada_update = MemberUpdate {
            id: admin.membership.id,
            email: "ada@example.com".into(),
            role: Role::User,
            status: MembershipStatus::Active,
            template_id: None,
            crm_access: true,
            beta_access: false,
            permissions: vec![],
            until: String::new(),
        };
        for change in [
            ada_update.clone(),
            MemberUpdate {
                role: Role::Admin,
                status: MembershipStatus::Suspended,
                ..ada_update.clone()
            },
        ] {
            let err = members::update(s, &admin, &meta(None), change)
                .await
                .unwrap_err();
            assert!(
                err.to_string().contains("last active admin"),
                "{engine}: {err}"
            );
        }
        // Email stays unique.
        let err = members::update(
            s,
            &admin,
            &meta(None),
            MemberUpdate {
                email: "ada@example.com".into(),
                ..update.clone()
            },
        )
        .await
        .unwrap_err();
        assert!(err.field_message("email").is_some());
        // Invited members can't be switched to active by hand.
        let carol = members::invite(s, &admin, &meta(None), invite_input("carol@example.com"))
            .await
            .unwrap();
        let err = members::update(
            s,
            &admin,
            &meta(None),
            MemberUpdate {
                id: carol,
                email: "carol@example.com".into(),
                ..update.clone()
            },
        )
        .await
        .unwrap_err();
        assert!(err.field_message("status").is_some());
    })
    .await;
}

#[tokio::test]
async fn deleting_frees_the_seat_ends_access_and_keeps_the_trail() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (tenant, _) = app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Globex", "bob@example.com").await;
        let (admin, _) = actor(&app, "ada@example.com", PASSWORD).await;
        let (bob_globex, _) = actor(&app, "bob@example.com", PASSWORD).await;
        let s = &app.state;
        // Bob (who also runs Globex) joins Acme.
        let bob_id = members::invite(s, &admin, &meta(None), invite_input("bob@example.com"))
            .await
            .unwrap();
        let token = app.mailed_token("bob@example.com", "invite").await;
        let bob_acme = members::accept_invite(s, &token, "", PASSWORD, &meta(None))
            .await
            .unwrap()
            .token;
        assert_eq!(
            app::backend::kernel::directory::seats_used(s.db.conn(), tenant)
                .await
                .unwrap(),
            2
        );

        let err = members::delete(s, &admin, &meta(None), admin.membership.id)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)), "no deleting yourself");
        members::delete(s, &admin, &meta(None), bob_id)
            .await
            .unwrap();
        assert_eq!(
            app::backend::kernel::directory::seats_used(s.db.conn(), tenant)
                .await
                .unwrap(),
            1,
            "{engine}: seat freed"
        );
        assert_eq!(
            current_actor(s, &meta(Some(bob_acme))).await.unwrap_err(),
            AppError::Unauthenticated
        );
        // His account and his other tenant are untouched.
        assert!(
            current_actor(s, &meta(Some(bob_globex.session.token_hash.clone())))
                .await
                .is_err(),
            "hash is not a token"
        );
        assert!(sign_in(s, "bob@example.com", PASSWORD, &meta(None))
            .await
            .is_ok());
        let trail = audit_events::Entity::find()
            .filter(audit_events::Column::TenantId.eq(tenant))
            .filter(audit_events::Column::Action.eq("member.deleted"))
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(trail.target_label, "bob@example.com");
        assert_eq!(trail.actor_email, "ada@example.com");
        assert!(
            members::delete(s, &admin, &meta(None), bob_id)
                .await
                .is_err(),
            "already gone"
        );
    })
    .await;
}

#[tokio::test]
async fn deleting_a_template_moves_its_members_first() {
    each_engine(|app| async move {
        let engine = app.engine;
        let admin = app.acme_admin().await;
        let s = &app.state;
        let view = Permission::new(Category::Conversations, Action::View);
        let a = templates::save(s, &admin, &meta(None), new_template("Agent", vec![view]))
            .await
            .unwrap();
        let b = templates::save(s, &admin, &meta(None), new_template("Manager", vec![]))
            .await
            .unwrap();
        let err = templates::save(s, &admin, &meta(None), new_template(" agent ", vec![]))
            .await
            .unwrap_err();
        assert!(
            err.field_message("name").is_some(),
            "names are unique, ignoring case"
        );
        let err = templates::save(s, &admin, &meta(None), new_template("  ", vec![]))
            .await
            .unwrap_err();
        assert!(err.field_message("name").is_some());
        for email in ["p1@example.com", "p2@example.com"] {
            members::invite(
                s,
                &admin,
                &meta(None),
                InviteInput {
                    template_id: Some(a),
                    ..invite_input(email)
                },
            )
            .await
            .unwrap();
        }
        let refs = templates::references(s, &admin, a).await.unwrap();
        assert_eq!(
            refs,
            vec!["p1@example.com".to_string(), "p2@example.com".to_string()]
        );
        let err = templates::delete(s, &admin, &meta(None), a, Some(a))
            .await
            .unwrap_err();
        assert!(err.field_message("reassign_to").is_some());
        templates::delete(s, &admin, &meta(None), a, Some(b))
            .await
            .unwrap();
        let moved = memberships::Entity::find()
            .filter(memberships::Column::RoleTemplateId.eq(b))
            .count(s.db.conn())
            .await
            .unwrap();
        assert_eq!(moved, 2, "{engine}");
        templates::delete(s, &admin, &meta(None), b, None)
            .await
            .unwrap();
        let dangling = memberships::Entity::find()
            .filter(memberships::Column::RoleTemplateId.is_not_null())
            .count(s.db.conn())
            .await
            .unwrap();
        assert_eq!(
            dangling, 0,
            "{engine}: nobody references a missing template"
        );
    })
    .await;
}

#[tokio::test]
async fn members_without_user_management_are_refused() {
    each_engine(|app| async move {
        let engine = app.engine;
        let AdminAndUser {
            admin, user_id: id, ..
        } = app.acme_with_bob().await;
        let s = &app.state;
        let (bob, _) = actor(&app, "bob@example.com", "bob's passphrase!").await;
        let forbidden = |r: Result<(), AppError>| {
            assert!(matches!(r, Err(AppError::Forbidden(m)) if m.contains("user management")))
        };
        forbidden(
            members::invite(s, &bob, &meta(None), invite_input("x@example.com"))
                .await
                .map(|_| ()),
        );
        forbidden(members::resend_invite(s, &bob, &meta(None), id).await);
        forbidden(members::delete(s, &bob, &meta(None), admin.membership.id).await);
        forbidden(
            templates::save(s, &bob, &meta(None), new_template("X", vec![]))
                .await
                .map(|_| ()),
        );
        // With "manage people" granted directly, Bob may.
        let update = MemberUpdate {
            id,
            email: "bob@example.com".into(),
            role: Role::User,
            status: MembershipStatus::Active,
            template_id: None,
            crm_access: false,
            beta_access: false,
            permissions: vec![Permission::new(Category::Users, Action::Manage)],
            until: String::new(),
        };
        members::update(s, &admin, &meta(None), update)
            .await
            .unwrap();
        let (bob, _) = actor(&app, "bob@example.com", "bob's passphrase!").await;
        assert!(
            members::invite(s, &bob, &meta(None), invite_input("x@example.com"))
                .await
                .is_ok(),
            "{engine}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_table_searches_filters_and_pages_within_the_tenant() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (tenant, _) = app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        set_seat_limit(&app, tenant, 100).await;
        let (admin, _) = actor(&app, "ada@example.com", PASSWORD).await;
        for i in 0..30 {
            members::invite(
                &app.state,
                &admin,
                &meta(None),
                invite_input(&format!("agent{i:02}@example.com")),
            )
            .await
            .unwrap();
        }
        members::invite(
            &app.state,
            &admin,
            &meta(None),
            invite_input("o'neil_x@example.com"),
        )
        .await
        .unwrap();
        let conn = app.state.db.conn();
        let list = |query: MemberQuery| {
            let tenant = admin.tenant.clone();
            let now = app.clock_now();
            async move { members::list(conn, &tenant, &query, now).await.unwrap() }
        };
        let q = |search: &str, status: Option<MembershipStatus>, role: Option<Role>, page: u64| {
            MemberQuery {
                search: search.into(),
                status,
                role,
                page,
                ..MemberQuery::default()
            }
        };
        let all = list(q("", None, None, 0)).await;
        assert_eq!(
            (
                all.total,
                all.rows.len(),
                all.seats_used,
                all.seat_limit,
                all.has_next
            ),
            (32, 25, 32, 100, true),
            "{engine}"
        );
        let second = list(q("", None, None, 1)).await;
        assert_eq!((second.rows.len(), second.has_next), (7, false), "{engine}");

        // The Next link continues after the last row shown; Previous comes back.
        let next = list(MemberQuery {
            page: 1,
            after: all.rows.last().map(|r| r.id),
            ..MemberQuery::default()
        })
        .await;
        assert_eq!(next.rows, second.rows, "{engine}: Next = the second page");
        assert!(!next.has_next, "{engine}");
        let back = list(MemberQuery {
            page: 0,
            before: next.rows.first().map(|r| r.id),
            ..MemberQuery::default()
        })
        .await;
        assert_eq!(back.rows, all.rows, "{engine}: Previous = the first page");
        assert!(back.has_next, "{engine}");

        // Search: from 3 characters any part of the email, any case (the trigram
        // index); 1 or 2 characters match the start of the email.
        for (search, expected) in [
            ("AGENT0", 10),
            ("gent1", 10),
            ("t29@", 1),
            ("ag", 30),
            ("@example.com", 32),
            ("neil_x", 1),
            ("o'n", 1),
            ("a\"b\"c", 0),
            ("x\\y'", 0),
            ("x\\", 0),
            ("%", 0),
            ("_", 0),
            ("o'", 1),
            ("ne", 0),
            ("A", 31),
            ("z", 0),
            ("globex", 0),
        ] {
            let found = list(q(search, None, None, 0)).await;
            assert_eq!(
                (found.total, found.total_capped),
                (expected, false),
                "{engine}: search {search:?}"
            );
        }
        let active = list(q("", Some(MembershipStatus::Active), None, 0)).await;
        assert_eq!(
            active
                .rows
                .iter()
                .map(|r| r.email.as_str())
                .collect::<Vec<_>>(),
            vec!["ada@example.com"],
            "{engine}"
        );
        let admins = list(q("", None, Some(Role::Admin), 0)).await;
        assert_eq!(admins.total, 1, "{engine}");
        let found = list(q("agent1", Some(MembershipStatus::Invited), None, 0)).await;
        assert_eq!(found.total, 10, "{engine}: search and status together");
    })
    .await;
}

/// The status tabs and the seat count come from counters kept by triggers: after
/// every kind of change they equal a real count, and a filtered count stops at
/// 1,000 ("1,000+").
#[tokio::test]
async fn the_counts_follow_every_change_and_a_long_count_is_capped() {
    use sea_orm::{ConnectionTrait, Statement};
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let tenant_id = admin.tenant.id;
        let conn = s.db.conn();
        let counted = |status: &'static str| async move {
            memberships::Entity::find()
                .filter(memberships::Column::TenantId.eq(tenant_id))
                .filter(memberships::Column::Status.eq(status))
                .count(conn)
                .await
                .unwrap()
        };
        let tenant = &admin.tenant;
        let check = |when: &'static str| async move {
            let page = members::list(conn, tenant, &MemberQuery::default(), 0)
                .await
                .unwrap();
            let real = (counted("active").await, counted("suspended").await, counted("invited").await);
            assert_eq!(
                (page.counts.active, page.counts.suspended, page.counts.invited),
                real,
                "{engine}: after {when}"
            );
            assert_eq!(page.seats_used as u64, real.0 + real.1 + real.2, "{engine}: {when}");
        };
        check("start").await;
        let carol = members::invite(s, admin, &m, invite_input("carol@example.com"))
            .await
            .unwrap();
        let dan = members::invite(s, admin, &m, invite_input("dan@example.com"))
            .await
            .unwrap();
        check("invites").await;
        members::cancel_invite(s, admin, &m, dan).await.unwrap();
        check("a cancelled invite").await;
        members::adjust(s, admin, &m, acme.user_id, |u| {
            u.status = MembershipStatus::Suspended
        })
        .await
        .unwrap();
        check("a suspension").await;
        members::delete(s, admin, &m, carol).await.unwrap();
        members::delete(s, admin, &m, acme.user_id).await.unwrap();
        check("deletes").await;
        app.join(admin, "erin@example.com", "Erin").await;
        check("an accepted invitation").await;

        // 1,001 more members, straight into the tables.
        let backend = conn.get_database_backend();
        conn.execute(Statement::from_string(
            backend,
            "INSERT INTO accounts (email, display_name, failed_sign_ins, created_at) \
             SELECT 'bulk' || n || '@example.com', '', 0, 1 FROM (WITH RECURSIVE seq(n) AS \
             (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1001) SELECT n FROM seq) AS numbers"
                .to_string(),
        ))
        .await
        .unwrap();
        conn.execute(Statement::from_string(
            backend,
            format!(
                "INSERT INTO memberships (tenant_id, account_id, role, status, crm_access, beta_access, created_at, updated_at) \
                 SELECT {tenant_id}, id, 'user', 'active', false, false, 1, 1 FROM accounts WHERE email LIKE 'bulk%'"
            ),
        ))
        .await
        .unwrap();
        check("a bulk insert").await;
        let found = members::list(
            conn,
            &admin.tenant,
            &MemberQuery {
                search: "bulk".into(),
                ..MemberQuery::default()
            },
            0,
        )
        .await
        .unwrap();
        assert_eq!((found.total, found.total_capped), (1_000, true), "{engine}");
        let one = members::list(
            conn,
            &admin.tenant,
            &MemberQuery {
                search: "bulk999@".into(),
                ..MemberQuery::default()
            },
            0,
        )
        .await
        .unwrap();
        assert_eq!((one.total, one.total_capped), (1, false), "{engine}");
    })
    .await;
}

/// A search that matches few accounts is read from those accounts, one matching
/// many (over `FEW_ACCOUNTS`) from the tenant's members newest first: either way the
/// page, the count, a status filter and the Next link are what a plain scan finds,
/// and another tenant's matches never show.
#[tokio::test]
async fn a_search_finds_the_same_rows_whichever_side_it_reads_from() {
    use sea_orm::{ConnectionTrait, Statement};
    each_engine(|app| async move {
        let engine = app.engine;
        let (acme, _) = app.tenant_with_admin("Acme", "ada@example.com").await;
        let (globex, _) = app.tenant_with_admin("Globex", "hank@globex.example").await;
        let conn = app.state.db.conn();
        let backend = conn.get_database_backend();
        let bulk = |prefix: &str, domain: &str, count: u64, tenant: i64| {
            let accounts = format!(
                "INSERT INTO accounts (email, display_name, failed_sign_ins, created_at) \
                 SELECT '{prefix}' || n || '@{domain}', '', 0, 1 FROM (WITH RECURSIVE seq(n) AS \
                 (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {count}) SELECT n FROM seq) AS numbers"
            );
            let members = format!(
                "INSERT INTO memberships (tenant_id, account_id, role, status, crm_access, beta_access, created_at, updated_at) \
                 SELECT {tenant}, id, 'user', CASE WHEN id % 10 = 0 THEN 'suspended' ELSE 'active' END, \
                 false, false, 1, 1 FROM accounts WHERE email LIKE '{prefix}%@{domain}' ORDER BY id"
            );
            async move {
                for sql in [accounts, members] {
                    conn.execute(Statement::from_string(backend, sql)).await.unwrap();
                }
            }
        };
        bulk("bulk", "example.com", 2_500, acme).await;
        bulk("bulkother", "globex.example", 300, globex).await;
        let acme_tenant = app::backend::entities::tenants::Entity::find_by_id(acme)
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        // What a plain scan of the tenant's members finds, newest first.
        let scanned = |fragment: &str, status: Option<MembershipStatus>| {
            let status = status.map_or(String::new(), |s| format!(" AND m.status = '{}'", s.as_str()));
            let sql = format!(
                "SELECT m.id FROM memberships m JOIN accounts a ON a.id = m.account_id \
                 WHERE m.tenant_id = {acme} AND a.email LIKE '%{fragment}%'{status} ORDER BY m.id DESC"
            );
            async move {
                conn.query_all(Statement::from_string(backend, sql))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get_by_index::<i64>(0).unwrap())
                    .collect::<Vec<i64>>()
            }
        };
        for (search, status, reads_from) in [
            ("bulk", None, "many"),
            ("example", None, "many"),
            ("bulk", Some(MembershipStatus::Suspended), "many"),
            ("bulk12", None, "few"),
            ("ulk24", None, "few"),
            ("ULK24", Some(MembershipStatus::Suspended), "few"),
            ("bulkother", None, "few, all elsewhere"),
            ("nothing-like-it", None, "none"),
        ] {
            let expected = scanned(&search.to_lowercase(), status).await;
            let query = MemberQuery {
                search: search.into(),
                status,
                ..MemberQuery::default()
            };
            let page = members::list(conn, &acme_tenant, &query, 0).await.unwrap();
            let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
            let said = format!("{engine}: {search:?} {status:?} ({reads_from})");
            assert_eq!(ids, expected.iter().take(25).copied().collect::<Vec<_>>(), "{said}");
            assert_eq!(
                (page.total, page.total_capped, page.has_next),
                (
                    (expected.len() as u64).min(1_000),
                    expected.len() > 1_000,
                    expected.len() > 25
                ),
                "{said}"
            );
            if page.has_next {
                let next = members::list(
                    conn,
                    &acme_tenant,
                    &MemberQuery {
                        page: 1,
                        after: ids.last().copied(),
                        ..query.clone()
                    },
                    0,
                )
                .await
                .unwrap();
                let ids: Vec<i64> = next.rows.iter().map(|r| r.id).collect();
                assert_eq!(
                    ids,
                    expected.iter().skip(25).take(25).copied().collect::<Vec<_>>(),
                    "{said}: Next"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_lists_a_tenants_events_newest_first() {
    let app = TestApp::new("sqlite").await;
    let (tenant, _) = app.tenant_with_admin("Acme", "ada@example.com").await;
    app.tenant_with_admin("Globex", "hank@globex.example").await;
    let (admin, _) = actor(&app, "ada@example.com", PASSWORD).await;
    members::invite(
        &app.state,
        &admin,
        &meta(None),
        invite_input("bob@example.com"),
    )
    .await
    .unwrap();
    let conn = app.state.db.conn();
    let page = app::backend::audit::list(conn, tenant, "", None)
        .await
        .unwrap();
    assert_eq!(page.rows[0].action, "Invited");
    assert_eq!(page.rows[0].target, "bob@example.com");
    assert!(
        page.rows.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    assert!(page
        .rows
        .iter()
        .all(|r| !r.target.contains("globex") && !r.actor.contains("globex")));
    let bob_only = app::backend::audit::list(conn, tenant, "bob@", None)
        .await
        .unwrap();
    assert_eq!(bob_only.rows.len(), 1);
}

#[tokio::test]
async fn the_edit_dialog_gets_what_decides_a_members_access() {
    use app::backend::entities::{group_members, group_templates, groups};
    use app::domain::access::{evaluate, GrantSource};
    each_engine(|app| async move {
        let AdminAndUser { admin, user_id, .. } = app.acme_with_bob().await;
        let s = &app.state;
        let conn = s.db.conn();
        let edit = Permission::new(Category::Settings, Action::Edit);
        let view = Permission::new(Category::Conversations, Action::View);
        let agent = templates::save(s, &admin, &meta(None), new_template("Agent", vec![view]))
            .await
            .unwrap();
        let ops_template = templates::save(
            s,
            &admin,
            &meta(None),
            new_template("Settings editor", vec![edit]),
        )
        .await
        .unwrap();
        let bob = memberships::Entity::find_by_id(user_id)
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        let mut m: memberships::ActiveModel = bob.into();
        m.role_template_id = Set(Some(agent));
        m.update(conn).await.unwrap();
        let group = groups::ActiveModel {
            tenant_id: Set(admin.tenant.id),
            name: Set("Ops".into()),
            created_at: Set(0),
            ..Default::default()
        }
        .insert(conn)
        .await
        .unwrap();
        group_members::ActiveModel {
            group_id: Set(group.id),
            membership_id: Set(user_id),
        }
        .insert(conn)
        .await
        .unwrap();
        group_templates::ActiveModel {
            group_id: Set(group.id),
            template_id: Set(ops_template),
        }
        .insert(conn)
        .await
        .unwrap();

        let inputs = members::member_access(s, &admin, user_id).await.unwrap();
        assert_eq!(inputs.role, Role::User);
        assert_eq!(
            inputs.template.as_ref().map(|t| t.name.as_str()),
            Some("Agent")
        );
        assert_eq!(
            evaluate(&inputs, edit).sources,
            vec![GrantSource::Group {
                group: "Ops".into(),
                template: "Settings editor".into()
            }]
        );

        let (bob, _) = actor(&app, "bob@example.com", "bob's passphrase!").await;
        assert!(matches!(
            members::member_access(s, &bob, user_id).await,
            Err(AppError::Forbidden(_))
        ));
        let (_, gus) = app.tenant_with_admin("Globex", "gus@example.com").await;
        let globex_admin = memberships::Entity::find()
            .filter(memberships::Column::AccountId.eq(gus))
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            members::member_access(s, &admin, globex_admin.id).await,
            Err(AppError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn changing_an_email_voids_links_sent_to_the_old_address() {
    each_engine(|app| async move {
        let admin = app.acme_admin().await;
        let s = &app.state;
        let id = members::invite(s, &admin, &meta(None), invite_input("bob@exmaple.com"))
            .await
            .unwrap();
        let typo_link = app.mailed_token("bob@exmaple.com", "invite").await;
        let update = |email: &str| MemberUpdate {
            id,
            email: email.into(),
            role: Role::User,
            status: MembershipStatus::Invited,
            template_id: None,
            crm_access: false,
            beta_access: false,
            permissions: vec![],
            until: String::new(),
        };
        members::update(s, &admin, &meta(None), update("bob@example.com"))
            .await
            .unwrap();
        // The link sent to the mistyped address no longer activates the membership…
        let refused =
            members::accept_invite(s, &typo_link, "Bob", "bob's passphrase!", &meta(None))
                .await
                .unwrap_err();
        assert!(matches!(refused, AppError::Conflict(m) if m.contains("replaced")));
        // …and a fresh invitation went to the corrected one.
        let link = app.mailed_token("bob@example.com", "invite").await;
        members::accept_invite(s, &link, "Bob", "bob's passphrase!", &meta(None))
            .await
            .unwrap();

        // A reset link mailed before an email change stops working too.
        app::backend::auth::recovery::request_reset(s, "bob@example.com", &meta(None))
            .await
            .unwrap();
        let reset = app.mailed_token("bob@example.com", "reset").await;
        let mut change = update("robert@example.com");
        change.status = MembershipStatus::Active;
        members::update(s, &admin, &meta(None), change)
            .await
            .unwrap();
        let err = app::backend::auth::recovery::complete_reset(
            s,
            &reset,
            "a brand new passphrase",
            "a brand new passphrase",
            &meta(None),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn an_email_change_never_tells_which_addresses_have_accounts() {
    each_engine(|app| async move {
        let AdminAndUser { admin, user_id, .. } = app.acme_with_bob().await;
        let s = &app.state;
        // carol has an account in another tenant.
        app.tenant_with_admin("Globex", "carol@example.com").await;
        let to = |email: &str| MemberUpdate {
            id: user_id,
            email: email.into(),
            role: Role::User,
            status: MembershipStatus::Active,
            template_id: None,
            crm_access: false,
            beta_access: false,
            permissions: vec![],
            until: String::new(),
        };
        let taken = members::update(s, &admin, &meta(None), to("carol@example.com"))
            .await
            .unwrap_err();
        let own_admin = members::update(s, &admin, &meta(None), to("ada@example.com"))
            .await
            .unwrap_err();
        assert_eq!(taken, own_admin);
        assert_eq!(
            taken,
            AppError::field("email", members::edit::EMAIL_NOT_CHANGEABLE)
        );
        // Bob's account joins Globex too: now his own email can't be changed here,
        // and the answer is the same sentence.
        let globex = app::backend::kernel::directory::find_tenant_by_name(s.db.conn(), "Globex")
            .await
            .unwrap()
            .unwrap();
        let carol = actor(&app, "carol@example.com", PASSWORD).await.0;
        assert_eq!(carol.tenant.id, globex.id);
        members::invite(s, &carol, &meta(None), invite_input("bob@example.com"))
            .await
            .unwrap();
        let shared = members::update(s, &admin, &meta(None), to("bobby@example.com"))
            .await
            .unwrap_err();
        assert_eq!(shared, taken);
    })
    .await;
}

#[tokio::test]
async fn accepting_with_an_existing_account_counts_wrong_passwords_and_keeps_the_lock() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        app.tenant_with_admin("Globex", "gus@example.com").await;
        let (gus, _) = actor(&app, "gus@example.com", PASSWORD).await;
        let s = &app.state;
        members::invite(s, &gus, &meta(None), invite_input("ada@example.com"))
            .await
            .unwrap();
        let link = app.mailed_token("ada@example.com", "invite").await;
        let threshold = s.settings.lockout_threshold;
        for _ in 0..threshold {
            let err = members::accept_invite(s, &link, "", "a wrong guess here", &meta(None))
                .await
                .unwrap_err();
            assert!(
                err.field_message("password")
                    .is_some_and(|m| m.contains("isn't the password")),
                "{engine}: {err:?}"
            );
        }
        let ada = accounts::Entity::find()
            .filter(accounts::Column::Email.eq("ada@example.com"))
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ada.failed_sign_ins, threshold, "{engine}");
        // Locked now: even the right password is refused.
        let err = members::accept_invite(s, &link, "", PASSWORD, &meta(None))
            .await
            .unwrap_err();
        assert!(
            err.field_message("password")
                .is_some_and(|m| m.contains("Too many wrong passwords")),
            "{engine}: {err:?}"
        );
    })
    .await;
}
