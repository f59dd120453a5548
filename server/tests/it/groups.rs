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

/// Bob uses `template` as his own; Carol joins and gets it through the group
/// "Team". Answers Carol's membership id.
async fn own_and_through_team(app: &TestApp, acme: &common::AdminAndUser, template: i64) -> i64 {
    let (s, m, admin) = (&app.state, meta(None), &acme.admin);
    app::backend::members::adjust(s, admin, &m, acme.user_id, |u| {
        u.template_id = Some(template)
    })
    .await
    .unwrap();
    let (carol, _) = app.join(admin, "carol@example.com", "Carol").await;
    let team = groups::create(s, admin, &m, "Team").await.unwrap();
    groups::add_member(s, admin, &m, team, "carol@example.com")
        .await
        .unwrap();
    groups::set_template(s, admin, &m, team, template, true)
        .await
        .unwrap();
    carol
}

/// Each member's permissions now, by the one evaluation, keyed by membership id.
async fn everyone(
    app: &TestApp,
    admin: &app::backend::kernel::actor::Actor,
    ids: &[i64],
) -> Vec<std::collections::BTreeSet<Permission>> {
    let mut out = Vec::new();
    for id in ids {
        let access = app::backend::members::member_access(&app.state, admin, *id)
            .await
            .unwrap();
        out.push(app::domain::access::effective_permissions(&access));
    }
    out
}

#[tokio::test]
async fn the_impact_preview_says_what_the_change_then_does() {
    use app::backend::templates;
    use app::domain::templates::TemplateInput;
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let delete = Permission::new(Category::Conversations, Action::Delete);
        let manage = Permission::new(Category::Analytics, Action::Manage);
        let analysts = templates::save(
            s,
            admin,
            &m,
            new_template("Analysts", vec![ANALYTICS, delete]),
        )
        .await
        .unwrap();
        // Bob uses it as his own; Carol through a group; Dan also holds "delete
        // conversations" directly, so he loses nothing.
        let carol = own_and_through_team(&app, &acme, analysts).await;
        let (dan, _) = app.join(admin, "dan@example.com", "Dan").await;
        app::backend::members::adjust(s, admin, &m, dan, |u| {
            u.template_id = Some(analysts);
            u.permissions = vec![delete];
        })
        .await
        .unwrap();
        let ids = [acme.user_id, carol, dan];

        let change = TemplateInput {
            id: Some(analysts),
            name: "Analysts".into(),
            permissions: vec![ANALYTICS, manage],
        };
        let before_db = common::dump(&app).await;
        let impact = templates::preview_save(s, admin, &change).await.unwrap();
        assert_eq!(
            common::dump(&app).await,
            before_db,
            "{engine}: a preview writes nothing"
        );
        assert_eq!(impact.considered, 3, "{engine}");
        assert_eq!(
            impact.sentences(),
            [
                "3 members gain: manage analytics and exports",
                "2 members lose: delete conversations"
            ],
            "{engine}"
        );
        // The change does exactly what the preview said, member by member.
        let before = everyone(&app, admin, &ids).await;
        templates::save(s, admin, &m, change).await.unwrap();
        let after = everyone(&app, admin, &ids).await;
        for (i, id) in ids.iter().enumerate() {
            let said = impact.members.iter().find(|x| x.member_id == *id).unwrap();
            let gained: Vec<Permission> = after[i].difference(&before[i]).copied().collect();
            let lost: Vec<Permission> = before[i].difference(&after[i]).copied().collect();
            assert_eq!(
                (&said.gains, &said.losses),
                (&gained, &lost),
                "{engine}: {id}"
            );
        }

        // Deleting it: the same, Bob and Dan moving to no template.
        let gone = templates::preview_delete(s, admin, analysts, None)
            .await
            .unwrap();
        let before = after;
        templates::delete(s, admin, &m, analysts, None)
            .await
            .unwrap();
        let after = everyone(&app, admin, &ids).await;
        for (i, id) in ids.iter().enumerate() {
            let lost: Vec<Permission> = before[i].difference(&after[i]).copied().collect();
            let said = gone
                .members
                .iter()
                .find(|x| x.member_id == *id)
                .map(|x| x.losses.clone())
                .unwrap_or_default();
            assert_eq!(said, lost, "{engine}: {id}");
        }

        // Another tenant's template answers like a missing one.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let hank = common::actor(&app, "hank@globex.example", PASSWORD).await.0;
        let theirs = templates::save(s, &hank, &m, new_template("Theirs", vec![ANALYTICS]))
            .await
            .unwrap();
        for id in [theirs, 999_999] {
            let input = TemplateInput {
                id: Some(id),
                name: "x".into(),
                permissions: vec![],
            };
            assert_eq!(
                templates::preview_save(s, admin, &input).await.unwrap_err(),
                AppError::NotFound,
                "{engine}"
            );
            assert_eq!(
                templates::preview_delete(s, admin, id, None)
                    .await
                    .unwrap_err(),
                AppError::NotFound,
                "{engine}"
            );
        }
        // Someone who can't manage people sees nothing of it.
        let bob = common::actor(&app, "bob@example.com", "bob's passphrase!")
            .await
            .0;
        assert!(matches!(
            templates::preview_delete(s, &bob, theirs, None).await,
            Err(AppError::Forbidden(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn the_roles_overview_lists_holders_their_two_factor_and_the_least_template() {
    use app::backend::templates;
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let manage = Permission::new(Category::Analytics, Action::Manage);
        let analysts = templates::save(s, admin, &m, new_template("Analysts", vec![ANALYTICS]))
            .await
            .unwrap();
        templates::save(s, admin, &m, new_template("Power", vec![ANALYTICS, manage]))
            .await
            .unwrap();
        own_and_through_team(&app, &acme, analysts).await;
        // A suspended member holds nothing that counts.
        let (dan, _) = app.join(admin, "dan@example.com", "Dan").await;
        app::backend::members::adjust(s, admin, &m, dan, |u| {
            u.template_id = Some(analysts);
            u.status = app::domain::MembershipStatus::Suspended;
        })
        .await
        .unwrap();

        let o = templates::roles::overview(s, admin).await.unwrap();
        let role = |name: &str| o.roles.iter().find(|r| r.role == name).unwrap();
        let admins = role("Admin role");
        assert_eq!(admins.holders.len(), 1, "{engine}");
        assert_eq!(
            admins.without_two_factor(),
            1,
            "{engine}: Ada has no two-factor"
        );
        let holders: Vec<(&str, &str)> = role("Analysts")
            .holders
            .iter()
            .map(|h| (h.email.as_str(), h.how.as_str()))
            .collect();
        assert_eq!(
            holders,
            [
                ("bob@example.com", "their own"),
                ("carol@example.com", "through the group “Team”")
            ],
            "{engine}"
        );
        assert!(role("Power").holders.is_empty());
        let least = |what: &str| {
            o.permissions
                .iter()
                .find(|l| l.what == what)
                .and_then(|l| l.template.clone())
        };
        assert_eq!(
            least("see analytics dashboards").as_deref(),
            Some("Analysts")
        );
        assert_eq!(
            least("manage analytics and exports").as_deref(),
            Some("Power")
        );
        assert_eq!(least("delete conversations"), None);
        let csv = o.csv();
        assert!(csv.starts_with("\"Role\",\"Name\",\"Email\",\"Two-factor\",\"How\"\r\n"));
        assert!(
            csv.contains("\"Analysts\",\"Bob\",\"bob@example.com\",\"off\",\"their own\"\r\n"),
            "{csv}"
        );

        // Another tenant sees none of it; a plain member sees nothing.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let hank = common::actor(&app, "hank@globex.example", PASSWORD).await.0;
        let theirs = templates::roles::overview(s, &hank).await.unwrap();
        assert!(!theirs.csv().contains("example.com\""), "{engine}");
        assert_eq!(theirs.roles.len(), 1);
        let bob = common::actor(&app, "bob@example.com", "bob's passphrase!")
            .await
            .0;
        assert!(matches!(
            templates::roles::overview(s, &bob).await,
            Err(AppError::Forbidden(_))
        ));
    })
    .await;
}
