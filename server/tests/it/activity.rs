//! A member's activity timeline and the audit log's filters: the story of one
//! member across invite → email → accept → wrong passwords → lockout → unlock →
//! access change, newest first and paged; another tenant's ids answer like missing.

use crate::common::{self, each_engine, invite_input, meta, meta_from, MEMBER_PASSWORD, PASSWORD};
use app::backend::audit::{activity, activity::ACTIVITY_PAGE_SIZE, search};
use app::backend::auth::sign_in::sign_in;
use app::backend::entities::mail_outbox;
use app::backend::members;
use app::domain::audit::{AuditFilter, AuditKind};
use app::domain::AppError;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

#[tokio::test]
async fn a_members_timeline_tells_their_story_and_the_log_filters() {
    each_engine(|app| async move {
        let engine = app.engine;
        let admin = app.acme_admin().await;
        let s = &app.state;
        let m = meta(None);
        let tick = || app.clock.advance_ms(1000);

        let carol = members::invite(s, &admin, &m, invite_input("carol@example.com"))
            .await
            .unwrap();
        let row = app.users_row(&admin.tenant, "carol@example.com").await;
        let delivery = row.invite_delivery.clone().unwrap();
        assert_eq!(delivery.words, "Queued", "{engine}: {row:?}");
        assert!(delivery.at.is_some(), "{engine}: {row:?}");
        // The mail server refused it once: the row and the timeline say why, in words.
        let mail = mail_outbox::Entity::find().all(s.db.conn()).await.unwrap();
        let mail = mail
            .into_iter()
            .find(|r| r.recipient == "carol@example.com")
            .unwrap();
        let mut failed: mail_outbox::ActiveModel = mail.into();
        failed.last_error = Set(Some("550 5.1.1 <carol@example.com>: User unknown".into()));
        failed.update(s.db.conn()).await.unwrap();
        let row = app.users_row(&admin.tenant, "carol@example.com").await;
        assert_eq!(
            row.invite_delivery.map(|d| d.words).as_deref(),
            Some("Failed: mailbox unavailable"),
            "{engine}"
        );
        let page = activity(s, &admin, carol, None).await.unwrap();
        let mail = page
            .events
            .iter()
            .find(|e| e.what == "Invitation email failed")
            .unwrap();
        assert!(
            mail.detail.contains("mailbox unavailable"),
            "{}",
            mail.detail
        );
        assert!(
            !mail.detail.contains("550"),
            "the server's own words stay out"
        );
        tick();
        // Delivered on the next try.
        let token = app.mailed_token("carol@example.com", "invite").await;
        members::accept_invite(s, &token, "Carol", MEMBER_PASSWORD, &m)
            .await
            .unwrap();
        // Ten wrong passwords (from several addresses) lock the account.
        for i in 0..10 {
            tick();
            let refused = sign_in(
                s,
                "carol@example.com",
                "not her password",
                &meta_from(&format!("10.0.0.{i}")),
            )
            .await
            .unwrap_err();
            assert_eq!(refused, AppError::SignInRefused);
        }
        tick();
        members::unlock(s, &admin, &m, carol).await.unwrap();
        tick();
        members::adjust(s, &admin, &m, carol, |u| u.crm_access = true)
            .await
            .unwrap();

        let page = activity(s, &admin, carol, None).await.unwrap();
        assert_eq!(page.member, "carol@example.com");
        let whats: Vec<&str> = page.events.iter().map(|e| e.what.as_str()).collect();
        // Newest first, every step there.
        let at = |what: &str| {
            whats
                .iter()
                .position(|w| *w == what)
                .unwrap_or_else(|| panic!("{engine}: no “{what}” in {whats:?}"))
        };
        let story = [
            "Access changed",
            "Sign-in unlocked",
            "Locked after repeated wrong passwords",
            "Sign-in refused",
            "Accepted invitation",
            "Invitation email sent",
            "Invited",
        ];
        for pair in story.windows(2) {
            assert!(at(pair[0]) < at(pair[1]), "{engine}: {pair:?} in {whats:?}");
        }
        assert_eq!(
            whats.iter().filter(|w| **w == "Sign-in refused").count(),
            10
        );
        let change = &page.events[at("Access changed")];
        assert_eq!(change.by, "ada@example.com");
        assert!(
            change.detail.contains("CRM access: off → on"),
            "{}",
            change.detail
        );
        let refused = &page.events[at("Sign-in refused")];
        assert!(
            refused.detail.contains("from 10.0.0."),
            "{}",
            refused.detail
        );
        assert!(
            refused.detail.contains("wrong email or password"),
            "{}",
            refused.detail
        );
        let invited = &page.events[at("Invited")];
        assert_eq!(invited.by, "ada@example.com");
        assert_eq!(page.older, None);

        // Paged: more events than a page, each shown once.
        for i in 0..ACTIVITY_PAGE_SIZE {
            tick();
            // Locked again after ten: refusals still count as events.
            let _ = sign_in(
                s,
                "carol@example.com",
                "wrong again",
                &meta_from(&format!("10.0.{}.{}", 1 + i / 200, i % 200)),
            )
            .await;
        }
        let mut all = Vec::new();
        let mut older = None;
        let mut pages = 0;
        loop {
            let page = activity(s, &admin, carol, older).await.unwrap();
            assert!(page.events.len() <= ACTIVITY_PAGE_SIZE, "{engine}");
            pages += 1;
            all.extend(page.events);
            older = page.older;
            if older.is_none() {
                break;
            }
        }
        assert!(pages >= 2, "{engine}");
        let count = |what: &str| all.iter().filter(|e| e.what == what).count();
        assert_eq!(
            (
                count("Sign-in refused"),
                count("Invited"),
                count("Access changed")
            ),
            (10 + ACTIVITY_PAGE_SIZE, 1, 1),
            "{engine}: every event once, across pages"
        );

        // The audit log filters by kind, days and who; rows about Carol link to her.
        let kind = |k| AuditFilter {
            kind: Some(k),
            ..AuditFilter::default()
        };
        let sign_ins = search(s.db.conn(), admin.tenant.id, &kind(AuditKind::SignIn), None)
            .await
            .unwrap();
        assert!(sign_ins.rows.iter().all(|r| r.action != "Access changed"));
        assert!(sign_ins
            .rows
            .iter()
            .any(|r| r.action == "Sign-in refused" && r.member_id == Some(carol)));
        let access = search(s.db.conn(), admin.tenant.id, &kind(AuditKind::Access), None)
            .await
            .unwrap();
        assert!(access
            .rows
            .iter()
            .any(|r| r.action == "Access changed" && r.member_id == Some(carol)));
        assert!(access.rows.iter().all(|r| r.action != "Sign-in refused"));
        let later = AuditFilter {
            from_ms: Some(app.clock_now() + 24 * 3600 * 1000),
            ..AuditFilter::default()
        };
        assert!(search(s.db.conn(), admin.tenant.id, &later, None)
            .await
            .unwrap()
            .rows
            .is_empty());
        let by_ada = search(
            s.db.conn(),
            admin.tenant.id,
            &AuditFilter::who("ada@"),
            None,
        )
        .await
        .unwrap();
        assert!(by_ada
            .rows
            .iter()
            .all(|r| r.actor.contains("ada@") || r.target.contains("ada@")));

        // Another tenant's admin, a missing id and a plain member get nothing.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let hank = common::actor(&app, "hank@globex.example", PASSWORD).await.0;
        assert_eq!(
            activity(s, &hank, carol, None).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            activity(s, &admin, 999_999, None).await.unwrap_err(),
            AppError::NotFound
        );
        let hanks = search(
            s.db.conn(),
            hank.tenant.id,
            &AuditFilter::who("carol"),
            None,
        )
        .await
        .unwrap();
        assert!(hanks.rows.is_empty(), "{engine}");
        let (bob, _) = app.join(&admin, "bob@example.com", "Bob").await;
        let bob_actor = common::actor(&app, "bob@example.com", MEMBER_PASSWORD)
            .await
            .0;
        assert!(matches!(
            activity(s, &bob_actor, bob, None).await,
            Err(AppError::Forbidden(_))
        ));
    })
    .await;
}
