//! Service tests on a freshly migrated database (SQLite, and PostgreSQL when configured).

use crate::common::{self, each_engine, meta, TestApp, PASSWORD};
use app::backend::auth::session::switch_tenant;
use app::backend::auth::sign_in::sign_in;
use app::backend::entities::{accounts, audit_events, memberships, sessions, tenants};
use app::backend::kernel::actor::current_actor;
use app::backend::tenant::{create_tenant_with_admin, NewTenantWithAdmin};
use app::domain::{AppError, MembershipStatus, Plan, Role, TenantKind};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

async fn counts(app: &TestApp) -> (u64, u64, u64) {
    let c = app.state.db.conn();
    (
        tenants::Entity::find().count(c).await.unwrap(),
        accounts::Entity::find().count(c).await.unwrap(),
        memberships::Entity::find().count(c).await.unwrap(),
    )
}

fn new_admin(tenant: &str, email: &str, password: &str) -> NewTenantWithAdmin {
    NewTenantWithAdmin {
        tenant_name: tenant.into(),
        kind: TenantKind::Production,
        plan: Plan::Team,
        email: email.into(),
        display_name: "Ada".into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn migrations_are_repeatable() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.state.db.migrate().await.unwrap();
        assert_eq!(counts(&app).await, (0, 0, 0), "{engine}");
    })
    .await;
}

#[tokio::test]
async fn create_admin_writes_everything_or_nothing() {
    each_engine(|app| async move {
        let engine = app.engine;
        let s = &app.state;
        let (tenant, account) = create_tenant_with_admin(
            &s.db,
            &s.hasher,
            &s.settings.password_policy,
            1,
            new_admin("Acme", "Ada@Example.com", PASSWORD),
        )
        .await
        .unwrap();
        assert_eq!(account.email, "ada@example.com");
        assert_eq!(tenant.kind, "production");
        assert!(account
            .password_hash
            .as_deref()
            .unwrap()
            .starts_with("$argon2id$"));
        let m = memberships::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.role.as_str(), m.status.as_str(), m.crm_access),
            ("admin", "active", true)
        );
        assert_eq!(counts(&app).await, (1, 1, 1));
        let audits = audit_events::Entity::find()
            .count(s.db.conn())
            .await
            .unwrap();
        assert_eq!(audits, 2, "tenant.created and member.created");

        let cases = [
            (
                new_admin("acme ", "other@example.com", PASSWORD),
                "tenant exists",
            ),
            (
                new_admin("Acme", "x@example.com", PASSWORD),
                "tenant exists",
            ),
            (
                new_admin("Beta", "ADA@example.com", PASSWORD),
                "email exists",
            ),
            (
                new_admin("Beta", "new@example.com", "short"),
                "password too short",
            ),
            (new_admin("Beta", "not-an-email", PASSWORD), "bad email"),
            (new_admin("", "new@example.com", PASSWORD), "empty tenant"),
            (
                new_admin(&"x".repeat(10_000), "new@example.com", PASSWORD),
                "huge tenant name",
            ),
        ];
        for (input, why) in cases {
            let err =
                create_tenant_with_admin(&s.db, &s.hasher, &s.settings.password_policy, 2, input)
                    .await
                    .unwrap_err();
            assert!(
                matches!(err, AppError::Conflict(_) | AppError::Validation(_)),
                "{why}: {err:?}"
            );
            assert!(!err.to_string().is_empty());
            assert_eq!(
                counts(&app).await,
                (1, 1, 1),
                "{engine}: {why} wrote something"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn sign_in_refusals_are_indistinguishable() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let s = &app.state;
        let wrong_password = sign_in(s, "ada@example.com", "not the password", &meta(None))
            .await
            .unwrap_err();
        let unknown = sign_in(s, "nobody@example.com", PASSWORD, &meta(None))
            .await
            .unwrap_err();
        // Suspend the only membership: the right password still gets the same answer.
        let m = memberships::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        let mut am: memberships::ActiveModel = m.into();
        am.status = Set(MembershipStatus::Suspended.as_str().into());
        am.update(s.db.conn()).await.unwrap();
        let suspended = sign_in(s, "ada@example.com", PASSWORD, &meta(None))
            .await
            .unwrap_err();
        assert_eq!(wrong_password, AppError::SignInRefused);
        assert_eq!(unknown, AppError::SignInRefused);
        assert_eq!(suspended, AppError::SignInRefused);
        let failures = audit_events::Entity::find()
            .filter(audit_events::Column::Action.eq("sign_in.failed"))
            .count(s.db.conn())
            .await
            .unwrap();
        assert_eq!(failures, 3, "{engine}");
        assert_eq!(
            sessions::Entity::find().count(s.db.conn()).await.unwrap(),
            0
        );
    })
    .await;
}

#[tokio::test]
async fn sign_in_stores_only_a_hash_and_sets_last_login() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let s = &app.state;
        let signed = sign_in(s, " ADA@example.com ", PASSWORD, &meta(None))
            .await
            .unwrap();
        assert!(signed.token.len() >= 43);
        let row = sessions::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_ne!(row.token_hash, signed.token);
        assert!(!row.token_hash.contains(&signed.token));
        let m = memberships::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.last_login_at, Some(common::START_MS));
        let actor = current_actor(s, &meta(Some(signed.token.clone())))
            .await
            .unwrap();
        assert_eq!(actor.account.email, "ada@example.com");
        assert_eq!(actor.role(), Role::Admin);
        // Signing in again while holding the old session rotates it away.
        let again = sign_in(
            s,
            "ada@example.com",
            PASSWORD,
            &meta(Some(signed.token.clone())),
        )
        .await
        .unwrap();
        assert_eq!(
            current_actor(s, &meta(Some(signed.token)))
                .await
                .unwrap_err(),
            AppError::Unauthenticated
        );
        assert!(
            current_actor(s, &meta(Some(again.token))).await.is_ok(),
            "{engine}"
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_their_absolute_lifetime() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let s = &app.state;
        let idle = s.settings.session_idle_secs;
        let token = app.session_token("ada@example.com", PASSWORD).await;
        app.clock.advance_secs(idle - 10);
        assert!(
            current_actor(s, &meta(Some(token.clone()))).await.is_ok(),
            "activity within the idle window"
        );
        app.clock.advance_secs(idle - 10);
        assert!(
            current_actor(s, &meta(Some(token.clone()))).await.is_ok(),
            "the previous request counted as activity"
        );
        app.clock.advance_secs(idle + 1);
        assert_eq!(
            current_actor(s, &meta(Some(token))).await.unwrap_err(),
            AppError::Unauthenticated,
            "{engine}: idle"
        );

        // Absolute lifetime: keep it busy, it still ends.
        let token = app.session_token("ada@example.com", PASSWORD).await;
        let step = idle / 2;
        let mut elapsed = 0;
        while elapsed + step < s.settings.session_absolute_secs {
            app.clock.advance_secs(step);
            elapsed += step;
            assert!(current_actor(s, &meta(Some(token.clone()))).await.is_ok());
        }
        app.clock.advance_secs(step);
        assert_eq!(
            current_actor(s, &meta(Some(token))).await.unwrap_err(),
            AppError::Unauthenticated,
            "{engine}: absolute"
        );
    })
    .await;
}

#[tokio::test]
async fn suspension_ends_access_at_the_next_request() {
    each_engine(|app| async move {
        let engine = app.engine;
        app.tenant_with_admin("Acme", "ada@example.com").await;
        let s = &app.state;
        let token = app.session_token("ada@example.com", PASSWORD).await;
        let m = memberships::Entity::find()
            .one(s.db.conn())
            .await
            .unwrap()
            .unwrap();
        let mut am: memberships::ActiveModel = m.into();
        am.status = Set("suspended".into());
        am.update(s.db.conn()).await.unwrap();
        assert_eq!(
            current_actor(s, &meta(Some(token))).await.unwrap_err(),
            AppError::Unauthenticated,
            "{engine}"
        );
    })
    .await;
}

#[tokio::test]
async fn switching_tenant_needs_an_active_membership_there_and_rotates_the_session_id() {
    each_engine(|app| async move {
        let engine = app.engine;
        let (acme, ada) = app.tenant_with_admin("Acme", "ada@example.com").await;
        let (sandbox, _) = app
            .tenant_with_admin_kind("Acme Sandbox", "bob@example.com", TenantKind::Sandbox)
            .await;
        let (other, _) = app.tenant_with_admin("Other", "carol@example.com").await;
        let s = &app.state;
        // Ada is also an active user in the sandbox.
        memberships::ActiveModel {
            tenant_id: Set(sandbox),
            account_id: Set(ada),
            role: Set("user".into()),
            status: Set("active".into()),
            crm_access: Set(false),
            beta_access: Set(false),
            created_at: Set(1),
            updated_at: Set(1),
            ..Default::default()
        }
        .insert(s.db.conn())
        .await
        .unwrap();
        let token = app.session_token("ada@example.com", PASSWORD).await;
        let m = meta(Some(token));
        let actor = current_actor(s, &m).await.unwrap();
        assert_eq!(actor.tenant.id, acme);
        assert_eq!(
            switch_tenant(s, &actor, other, &m).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            switch_tenant(s, &actor, 999_999, &m).await.unwrap_err(),
            AppError::NotFound
        );
        let rotated = switch_tenant(s, &actor, sandbox, &m).await.unwrap();
        // The session id rotates: the old cookie is worthless, the new one is in the sandbox.
        assert_eq!(
            current_actor(s, &m).await.unwrap_err(),
            AppError::Unauthenticated,
            "{engine}"
        );
        let actor = current_actor(s, &meta(Some(rotated))).await.unwrap();
        assert_eq!(
            (actor.tenant.id, actor.role()),
            (sandbox, Role::User),
            "{engine}"
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_read_then_write_transactions_do_not_fail() {
    each_engine(|app| async move {
        let engine = app.engine;
        // Another writer outside any transaction keeps committing throughout — like the mail
        // loop or a session touch does, or the command line from another process.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let background = {
            use sea_orm::ConnectionTrait;
            let s = app.state.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    s.db.conn().execute_unprepared("INSERT INTO rate_limits (key, window_start, count) VALUES ('background', 0, 0) ON CONFLICT (key) DO UPDATE SET count = rate_limits.count + 1").await.unwrap();
                    tokio::task::yield_now().await;
                }
            })
        };
        let mut tasks = Vec::new();
        for i in 0..16 {
            let s = app.state.clone();
            tasks.push(tokio::spawn(async move {
                create_tenant_with_admin(
                    &s.db,
                    &s.hasher,
                    &s.settings.password_policy,
                    1,
                    new_admin(
                        &format!("Tenant {i}"),
                        &format!("admin{i}@example.com"),
                        PASSWORD,
                    ),
                )
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(counts(&app).await, (16, 16, 16), "{engine}");
        // And concurrent sign-ins (each reads, then writes a session and an audit row).
        let mut tasks = Vec::new();
        for i in 0..16 {
            let s = app.state.clone();
            tasks.push(tokio::spawn(async move {
                sign_in(&s, &format!("admin{i}@example.com"), PASSWORD, &meta(None)).await
            }));
        }
        let results: Vec<_> = futures_join(tasks).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        background.await.unwrap();
        for r in results {
            r.unwrap();
        }
        assert_eq!(
            sessions::Entity::find()
                .count(app.state.db.conn())
                .await
                .unwrap(),
            16
        );
    })
    .await;
}

async fn futures_join<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
