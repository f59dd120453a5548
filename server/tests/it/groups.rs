//! Settings → Groups: teams with role templates; members inherit them at their next
//! request; the privilege boundaries hold; another tenant's ids answer like missing.

use crate::common::{self, each_engine, meta, new_template, TestApp, PASSWORD};
use app::backend::groups;
use app::domain::access::{evaluate, Action, Category, Permission};
use app::domain::AppError;

const ANALYTICS: Permission = Permission::new(Category::Analytics, Action::View);

async fn bobs_access(
    app: &TestApp,
    acme: &common::AdminAndUser,
) -> app::domain::access::AccessInputs {
    app::backend::members::member_access(&app.state, &acme.admin, acme.user_id)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_group_gives_its_templates_to_its_members() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let s = &app.state;
        let m = meta(None);
        let admin = &acme.admin;
        let analysts =
            app::backend::templates::save(s, admin, &m, new_template("Analysts", vec![ANALYTICS]))
                .await
                .unwrap();
        let group = groups::create(s, admin, &m, " Insights ").await.unwrap();
        // Names are unique in the tenant; bad input is a sentence next to the field.
        let dup = groups::create(s, admin, &m, "Insights").await.unwrap_err();
        assert!(
            dup.field_message("name")
                .unwrap()
                .contains("already exists"),
            "{engine}"
        );
        assert!(groups::create(s, admin, &m, "  ")
            .await
            .unwrap_err()
            .field_message("name")
            .is_some());
        let nobody = groups::add_member(s, admin, &m, group, "nobody@example.com")
            .await
            .unwrap_err();
        assert_eq!(
            nobody.field_message("email").as_deref(),
            Some("No one with that email is in this tenant.")
        );

        groups::add_member(s, admin, &m, group, "bob@example.com")
            .await
            .unwrap();
        assert!(
            !evaluate(&bobs_access(&app, &acme).await, ANALYTICS).granted(),
            "{engine}: no template yet"
        );
        groups::set_template(s, admin, &m, group, analysts, true)
            .await
            .unwrap();
        let access = bobs_access(&app, &acme).await;
        let decision = evaluate(&access, ANALYTICS);
        assert!(decision.granted(), "{engine}");
        assert_eq!(
            decision.sources[0].to_string(),
            "the group “Insights” (through its role template “Analysts”)"
        );
        // Bob's own session sees it at his next request.
        let bob =
            app::backend::kernel::actor::current_actor(s, &meta(Some(acme.user_token.clone())))
                .await
                .unwrap();
        let ctx = app::backend::kernel::policy::feature_context(s.db.conn(), &bob)
            .await
            .unwrap();
        assert!(app::domain::access::evaluate_feature(
            &ctx,
            app::domain::Feature::AnalyticsDashboards
        )
        .allowed());
        let listed = groups::list(s.db.conn(), admin).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].members[0].email, "bob@example.com");
        assert_eq!(listed[0].templates[0].name, "Analysts");

        // Detach, remove, delete: the access goes with it.
        groups::set_template(s, admin, &m, group, analysts, false)
            .await
            .unwrap();
        assert!(!evaluate(&bobs_access(&app, &acme).await, ANALYTICS).granted());
        groups::remove_member(s, admin, &m, group, acme.user_id)
            .await
            .unwrap();
        groups::delete(s, admin, &m, group).await.unwrap();
        assert!(groups::list(s.db.conn(), admin).await.unwrap().is_empty());
        let log = app::backend::audit::list(s.db.conn(), admin.tenant.id, "", None)
            .await
            .unwrap();
        for action in [
            "Group created",
            "Added to a group",
            "Role template given to a group",
            "Role template taken from a group",
            "Removed from a group",
            "Group deleted",
        ] {
            assert!(
                log.rows.iter().any(|r| r.action == action),
                "{engine}: {action} missing"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn groups_keep_the_privilege_boundaries_and_tenants_apart() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let s = &app.state;
        let m = meta(None);
        let admin = &acme.admin;
        // Bob manages people but holds nothing else.
        let manage = Permission::new(Category::Users, Action::Manage);
        app::backend::members::update(
            s,
            admin,
            &m,
            app::domain::members::MemberUpdate {
                id: acme.user_id,
                email: "bob@example.com".into(),
                role: app::domain::Role::User,
                status: app::domain::MembershipStatus::Active,
                template_id: None,
                crm_access: false,
                beta_access: false,
                permissions: vec![manage],
                until: String::new(),
            },
        )
        .await
        .unwrap();
        let bob =
            app::backend::kernel::actor::current_actor(s, &meta(Some(acme.user_token.clone())))
                .await
                .unwrap();
        let rich =
            app::backend::templates::save(s, admin, &m, new_template("Rich", vec![ANALYTICS]))
                .await
                .unwrap();
        let group = groups::create(s, &bob, &m, "Team").await.unwrap();
        assert!(
            matches!(
                groups::set_template(s, &bob, &m, group, rich, true).await,
                Err(AppError::Forbidden(_))
            ),
            "{engine}: beyond what he holds"
        );
        assert!(
            matches!(
                groups::add_member(s, &bob, &m, group, "bob@example.com").await,
                Err(AppError::Forbidden(_))
            ),
            "{engine}: his own groups"
        );
        assert!(
            matches!(
                groups::add_member(s, &bob, &m, group, "ada@example.com").await,
                Err(AppError::Forbidden(_))
            ),
            "{engine}: an admin"
        );

        // Another tenant's group, template and member ids answer like missing ones.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let hank = common::actor(&app, "hank@globex.example", PASSWORD).await.0;
        let theirs = groups::create(s, &hank, &m, "Globex team").await.unwrap();
        let their_template = app::backend::templates::save(s, &hank, &m, new_template("G", vec![]))
            .await
            .unwrap();
        for (what, result) in [
            ("delete", groups::delete(s, admin, &m, theirs).await),
            (
                "remove",
                groups::remove_member(s, admin, &m, theirs, acme.user_id).await,
            ),
            (
                "attach to theirs",
                groups::set_template(s, admin, &m, theirs, rich, true).await,
            ),
            (
                "attach theirs",
                groups::set_template(s, admin, &m, group, their_template, true).await,
            ),
            ("missing", groups::delete(s, admin, &m, 987_654).await),
        ] {
            assert_eq!(result, Err(AppError::NotFound), "{engine}: {what}");
        }
        let add_theirs = groups::add_member(s, admin, &m, group, "hank@globex.example")
            .await
            .unwrap_err();
        assert!(
            add_theirs.field_message("email").is_some(),
            "{engine}: {add_theirs:?}"
        );
        assert!(groups::list(s.db.conn(), admin)
            .await
            .unwrap()
            .iter()
            .all(|g| g.name != "Globex team"));
    })
    .await;
}
