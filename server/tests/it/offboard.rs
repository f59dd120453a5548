//! Offboarding across tenants: an admin of a production tenant and its sandbox
//! removes one person from both at once; a third tenant the admin can't see is
//! never named and keeps the person; another tenant's ids answer like missing ones.

use crate::common::{self, each_engine, invite_input, meta, PASSWORD};
use app::backend::members::{self, offboard};
use app::domain::AppError;

#[tokio::test]
async fn an_admin_removes_someone_from_all_their_tenants_and_no_other() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        // Ada's sandbox; Bob joins it too.
        app::backend::tenant::sandbox::create_sandbox(s, admin, &m)
            .await
            .unwrap();
        let (ada, token) = common::actor(&app, "ada@example.com", PASSWORD).await;
        let sandbox = app::backend::kernel::directory::memberships_of(s.db.conn(), ada.account.id)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.tenant.name == "Acme Sandbox")
            .unwrap()
            .tenant
            .id;
        let sandbox_token =
            app::backend::auth::session::switch_tenant(s, &ada, sandbox, &meta(Some(token)))
                .await
                .unwrap();
        let in_sandbox = app::backend::kernel::actor::current_actor(s, &meta(Some(sandbox_token)))
            .await
            .unwrap();
        members::invite(s, &in_sandbox, &m, invite_input("bob@example.com"))
            .await
            .unwrap();
        let token = app.mailed_token("bob@example.com", "invite").await;
        members::accept_invite(s, &token, "", "bob's passphrase!", &m)
            .await
            .unwrap();
        // Globex, where Ada is nobody, has Bob too.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let hank = common::actor(&app, "hank@globex.example", PASSWORD).await.0;
        members::invite(s, &hank, &m, invite_input("bob@example.com"))
            .await
            .unwrap();
        let token = app.mailed_token("bob@example.com", "invite").await;
        let bob_in_globex = members::accept_invite(s, &token, "", "bob's passphrase!", &m)
            .await
            .unwrap()
            .token;

        let admin = common::actor(&app, "ada@example.com", PASSWORD).await.0;
        let preview = offboard::preview(s, &admin, acme.user_id).await.unwrap();
        let names: Vec<&str> = preview.tenants.iter().map(|t| t.tenant.as_str()).collect();
        assert_eq!(names, ["Acme", "Acme Sandbox"], "{engine}: never Globex");
        assert!(!format!("{preview:?}").contains("Globex"));
        // Nothing changed by looking.
        assert_eq!(
            app.users_row(&admin.tenant, "bob@example.com").await.email,
            "bob@example.com"
        );

        // Bob's session in Acme, and the one he got joining Globex.
        let bob_in_acme = acme.user_token.clone();
        let live = |token: String| async move {
            app::backend::kernel::actor::current_actor(s, &meta(Some(token)))
                .await
                .map(|a| a.tenant.name)
        };
        assert_eq!(live(bob_in_acme.clone()).await.unwrap(), "Acme");
        assert_eq!(live(bob_in_globex.clone()).await.unwrap(), "Globex");
        let outcomes = offboard::offboard(s, &admin, &m, acme.user_id)
            .await
            .unwrap();
        assert!(outcomes.iter().all(|o| o.removed), "{engine}: {outcomes:?}");
        assert_eq!(outcomes.len(), 2);
        let bob_tenants: Vec<String> =
            app::backend::kernel::directory::memberships_of(s.db.conn(), hank_bob(&app).await)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.tenant.name)
                .collect();
        assert_eq!(bob_tenants, ["Globex"], "{engine}");
        // Audited in each tenant.
        for tenant in [admin.tenant.id, in_sandbox.tenant.id] {
            let log = app::backend::audit::list(s.db.conn(), tenant, "bob@", None)
                .await
                .unwrap();
            assert!(
                log.rows.iter().any(|r| r.action == "Removed"),
                "{engine}: {tenant}"
            );
        }
        let globex_log = app::backend::audit::list(s.db.conn(), hank.tenant.id, "", None)
            .await
            .unwrap();
        assert!(globex_log.rows.iter().all(|r| r.action != "Removed"));
        // His session in Acme is over; the one in Globex goes on.
        assert!(live(bob_in_acme).await.is_err(), "{engine}");
        assert_eq!(live(bob_in_globex).await.unwrap(), "Globex", "{engine}");

        // Another tenant's member id, a missing id and yourself: refused.
        let hanks_bob = members::list(
            s.db.conn(),
            &hank.tenant,
            &Default::default(),
            app.clock_now(),
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.email == "bob@example.com")
        .unwrap()
        .id;
        assert_eq!(
            offboard::preview(s, &admin, hanks_bob).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            offboard::offboard(s, &admin, &m, 999_999)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert!(matches!(
            offboard::preview(s, &admin, admin.membership.id).await,
            Err(AppError::Conflict(_))
        ));
    })
    .await;
}

/// Bob's account id.
async fn hank_bob(app: &crate::common::TestApp) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    app::backend::entities::accounts::Entity::find()
        .filter(app::backend::entities::accounts::Column::Email.eq("bob@example.com"))
        .one(app.state.db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
}
