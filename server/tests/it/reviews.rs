//! Access reviews: a whole review (start, keep / remove / reduce, complete in one
//! transaction), the record and its CSV, the review schedule and its one email;
//! another tenant's ids answer like missing ones.

use crate::common::{self, each_engine, meta, new_template, PASSWORD};
use app::backend::members::{self, reviews};
use app::domain::access::{effective_permissions, Action, Category, Permission};
use app::domain::reviews::Decision;
use app::domain::AppError;

const BOB_PASSWORD: &str = "bob's passphrase!";

#[tokio::test]
async fn a_whole_review_applies_its_decisions_together_and_keeps_the_record() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let view = Permission::new(Category::Analytics, Action::View);
        let manage = Permission::new(Category::Users, Action::Manage);
        let viewers = app::backend::templates::save(s, admin, &m, new_template("Viewers", vec![view]))
            .await
            .unwrap();
        // Bob manages people (elevated); Carol is plain; Dan too; Erin never joined.
        members::adjust(s, admin, &m, acme.user_id, |u| u.permissions = vec![manage, view])
            .await
            .unwrap();
        let (carol, _) = app.join(admin, "carol@example.com", "Carol").await;
        let (dan, _) = app.join(admin, "dan@example.com", "Dan").await;
        let erin = members::invite(s, admin, &m, common::invite_input("erin@example.com"))
            .await
            .unwrap();

        // Elevated access only: Ada (admin) and Bob.
        let elevated = reviews::start(s, admin, &m, "elevated").await.unwrap();
        let v = reviews::view(s, admin, elevated, 0).await.unwrap();
        let emails: Vec<&str> = v.rows.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(emails, ["ada@example.com", "bob@example.com"], "{engine}");
        let bob_row = &v.rows[1];
        assert!(bob_row.flags.contains(&"Elevated access".to_string()), "{:?}", bob_row.flags);
        assert!(bob_row.elevated[0].contains("manage people, roles and role templates (a direct grant)"), "{:?}", bob_row.elevated);
        // One open review at a time.
        assert!(matches!(reviews::start(s, admin, &m, "everyone").await, Err(AppError::Conflict(_))));
        // Your own row: only Keep.
        let own = v.rows[0].item_id;
        assert!(matches!(
            reviews::decide(s, admin, elevated, own, "suspend").await,
            Err(AppError::Forbidden(_))
        ));
        // Reduce Bob to "Viewers": the row's preview says what he loses.
        let option = bob_row.reduce_options.iter().find(|o| o.template_id == viewers).unwrap();
        assert_eq!(option.loses, [manage], "{engine}");
        let before = effective_permissions(&members::member_access(s, admin, acme.user_id).await.unwrap());
        reviews::decide(s, admin, elevated, bob_row.item_id, &Decision::Reduce(viewers).key())
            .await
            .unwrap();
        // A note is needed.
        let e = reviews::complete(s, admin, &m, elevated, "  ").await.unwrap_err();
        assert!(e.field_message("note").is_some());
        let record = reviews::complete(s, admin, &m, elevated, "Quarterly check").await.unwrap();
        assert_eq!((record.kept, record.removed, record.reduced), (1, 0, 1), "{engine}");
        let after = effective_permissions(&members::member_access(s, admin, acme.user_id).await.unwrap());
        let lost: Vec<Permission> = before.difference(&after).copied().collect();
        assert_eq!(lost, option.loses, "{engine}: lost exactly what the preview said");
        // Completed: decisions are closed.
        assert!(matches!(
            reviews::decide(s, admin, elevated, bob_row.item_id, "keep").await,
            Err(AppError::Conflict(_))
        ));

        // Everyone: remove Carol, suspend Dan, Erin's invitation goes.
        let everyone = reviews::start(s, admin, &m, "everyone").await.unwrap();
        let v = reviews::view(s, admin, everyone, 0).await.unwrap();
        assert_eq!(v.total, 5, "{engine}");
        let item = |email: &str| v.rows.iter().find(|r| r.email == email).unwrap().item_id;
        let erin_row = v.rows.iter().find(|r| r.email == "erin@example.com").unwrap();
        assert!(erin_row.flags.contains(&"Invitation never accepted".to_string()));
        let carol_row = v.rows.iter().find(|r| r.email == "carol@example.com").unwrap();
        assert!(carol_row.flags.contains(&"No sign-in for 90 days".to_string()) || carol_row.last_sign_in.is_some());
        reviews::decide(s, admin, everyone, item("carol@example.com"), "remove").await.unwrap();
        reviews::decide(s, admin, everyone, item("dan@example.com"), "suspend").await.unwrap();
        reviews::decide(s, admin, everyone, item("erin@example.com"), "suspend").await.unwrap();
        // One decision that can't be applied stops them all: nothing is applied.
        let doomed = app::backend::templates::save(s, admin, &m, new_template("Doomed", vec![view]))
            .await
            .unwrap();
        reviews::decide(s, admin, everyone, item("bob@example.com"), &Decision::Reduce(doomed).key())
            .await
            .unwrap();
        app::backend::templates::delete(s, admin, &m, doomed, None).await.unwrap();
        let e = reviews::complete(s, admin, &m, everyone, "Yearly").await.unwrap_err();
        assert!(matches!(&e, AppError::Conflict(t) if t.contains("Nothing was applied. For bob@example.com")), "{e:?}");
        assert!(app.users_row(&admin.tenant, "carol@example.com").await.email == "carol@example.com");
        reviews::decide(s, admin, everyone, item("bob@example.com"), "keep").await.unwrap();
        let record = reviews::complete(s, admin, &m, everyone, "Yearly").await.unwrap();
        assert_eq!((record.kept, record.removed, record.reduced), (2, 3, 0), "{engine}");

        // Carol is gone and can't sign in here; Dan is suspended.
        let page = members::list(s.db.conn(), &admin.tenant, &Default::default(), app.clock_now())
            .await
            .unwrap();
        assert!(page.rows.iter().all(|r| r.email != "carol@example.com"), "{engine}");
        assert!(app::backend::auth::sign_in::sign_in(s, "carol@example.com", common::MEMBER_PASSWORD, &meta(None)).await.is_err());
        let dan_row = app.users_row(&admin.tenant, "dan@example.com").await;
        assert_eq!(dan_row.status, app::domain::MembershipStatus::Suspended);
        let _ = (dan, erin, carol);
        // Each change is audited with the review's id.
        let log = app::backend::audit::list(s.db.conn(), admin.tenant.id, "carol@", None).await.unwrap();
        let removed = log.rows.iter().find(|r| r.action == "Removed").unwrap();
        assert!(removed.detail.contains(&format!("review: #{everyone}")), "{}", removed.detail);

        // The record opens later and exports as CSV.
        let v = reviews::view(s, admin, everyone, 0).await.unwrap();
        assert_eq!(v.record.as_ref().unwrap().note, "Yearly");
        let csv = v.csv();
        assert!(csv.contains("\"carol@example.com\""), "{csv}");
        assert!(csv.contains("\"Removed from the tenant\""), "{csv}");
        assert!(csv.contains("\"Invitation cancelled\""), "{csv}");

        // Another tenant's admin, a missing id, a plain member: nothing.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let hank = common::actor(&app, "hank@globex.example", PASSWORD).await.0;
        assert_eq!(reviews::view(s, &hank, everyone, 0).await.unwrap_err(), AppError::NotFound);
        assert_eq!(reviews::view(s, admin, 999_999, 0).await.unwrap_err(), AppError::NotFound);
        let theirs = reviews::start(s, &hank, &m, "everyone").await.unwrap();
        let their_item = reviews::view(s, &hank, theirs, 0).await.unwrap().rows[0].item_id;
        assert_eq!(reviews::decide(s, admin, theirs, their_item, "keep").await.unwrap_err(), AppError::NotFound);
        assert_eq!(reviews::complete(s, admin, &m, theirs, "x").await.unwrap_err(), AppError::NotFound);
        let bob = common::actor(&app, "bob@example.com", BOB_PASSWORD).await.0;
        assert!(matches!(reviews::page(s, &bob).await, Err(AppError::Forbidden(_))));
    })
    .await;
}

#[tokio::test]
async fn a_due_review_shows_on_the_home_page_and_emails_admins_once() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let e = reviews::set_settings(s, admin, &m, 45, None)
            .await
            .unwrap_err();
        assert!(e.field_message("stale_days").is_some());
        let e = reviews::set_settings(s, admin, &m, 90, Some(7))
            .await
            .unwrap_err();
        assert!(e.field_message("every_days").is_some());
        reviews::set_settings(s, admin, &m, 30, Some(30))
            .await
            .unwrap();
        // Never reviewed: due now.
        let fresh = common::actor(&app, "ada@example.com", PASSWORD).await.0;
        assert!(
            app::backend::auth::session::me(s, &fresh)
                .await
                .unwrap()
                .review_due,
            "{engine}"
        );
        let bob = common::actor(&app, "bob@example.com", BOB_PASSWORD).await.0;
        assert!(
            !app::backend::auth::session::me(s, &bob)
                .await
                .unwrap()
                .review_due,
            "admins only"
        );
        assert_eq!(reviews::remind_due(s).await.unwrap(), 1, "{engine}");
        assert_eq!(reviews::remind_due(s).await.unwrap(), 0, "{engine}: once");
        let told = |mails: Vec<String>| {
            mails
                .iter()
                .filter(|m| m.contains("Access review due"))
                .count()
        };
        assert_eq!(told(app.mail_to("ada@example.com").await), 1, "{engine}");
        assert_eq!(told(app.mail_to("bob@example.com").await), 0, "{engine}");
        // Completing one moves the next due date 30 days ahead.
        let id = reviews::start(s, &fresh, &m, "elevated").await.unwrap();
        reviews::complete(s, &fresh, &m, id, "Done").await.unwrap();
        let fresh = common::actor(&app, "ada@example.com", PASSWORD).await.0;
        assert!(
            !app::backend::auth::session::me(s, &fresh)
                .await
                .unwrap()
                .review_due
        );
        app.clock.advance_secs(31 * 24 * 3600);
        assert_eq!(
            reviews::remind_due(s).await.unwrap(),
            1,
            "{engine}: due again"
        );
    })
    .await;
}
