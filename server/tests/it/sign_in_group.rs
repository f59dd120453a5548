//! Group-restricted sign-in (seed 003, the environment's security group): only the
//! chosen group's members and the admins get in; the others are told why after the
//! right password, and their sessions end when it turns on or they leave the group.

use crate::common::{self, each_engine, invite_input, meta, TestApp, PASSWORD};
use app::backend::auth::session::switch_tenant;
use app::backend::auth::sign_in::sign_in;
use app::backend::entities::{sessions, tenants};
use app::backend::groups;
use app::backend::kernel::actor::current_actor;
use app::backend::tenant::{set_sign_in_group, tenant_overview};
use app::domain::AppError;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const BOB: &str = "bob@example.com";
const BOBS: &str = "bob's passphrase!";

async fn sessions_of(app: &TestApp, account_id: i64) -> u64 {
    sessions::Entity::find()
        .filter(sessions::Column::AccountId.eq(account_id))
        .count(app.state.db.conn())
        .await
        .unwrap()
}

async fn bob_signs_in(app: &TestApp) -> Result<String, AppError> {
    sign_in(&app.state, BOB, BOBS, &meta(None))
        .await
        .map(|s| s.token)
}

fn refusal_of(e: AppError) -> String {
    match e {
        AppError::Forbidden(sentence) => sentence,
        other => panic!("expected the plain refusal, got {other:?}"),
    }
}

async fn restriction(app: &TestApp, tenant_id: i64) -> Option<i64> {
    tenants::Entity::find_by_id(tenant_id)
        .one(app.state.db.conn())
        .await
        .unwrap()
        .unwrap()
        .sign_in_group_id
}

#[tokio::test]
async fn only_the_group_and_the_admins_sign_in() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let bob_account = current_actor(s, &meta(Some(acme.user_token.clone())))
            .await
            .unwrap()
            .account
            .id;
        let support = groups::create(s, admin, &m, "Support").await.unwrap();

        // Before saving, the admin sees who would lose sign-in: Bob, not Ada (admin).
        let overview = tenant_overview(s.db.conn(), admin).await.unwrap();
        assert_eq!(overview.sign_in_group, None);
        assert_eq!(overview.sign_in_choices.len(), 1, "{engine}");
        assert_eq!(overview.sign_in_choices[0].would_lose, 1, "{engine}");

        // Only an admin changes it; a group of another tenant is a field error and
        // nothing is written.
        let bob = current_actor(s, &meta(Some(acme.user_token.clone())))
            .await
            .unwrap();
        assert!(matches!(
            set_sign_in_group(s, &bob, &m, Some(support)).await,
            Err(AppError::Forbidden(_))
        ));
        app.tenant_with_admin("Globex", "gina@example.com").await;
        let gina = common::actor(&app, "gina@example.com", PASSWORD).await.0;
        let theirs = groups::create(s, &gina, &m, "Theirs").await.unwrap();
        let wrong = set_sign_in_group(s, admin, &m, Some(theirs))
            .await
            .unwrap_err();
        assert_eq!(
            wrong.field_message("group_id").as_deref(),
            Some("Choose one of this tenant's groups.")
        );
        assert_eq!(restriction(&app, admin.tenant.id).await, None, "{engine}");

        // Turning it on ends Bob's open session at once.
        assert_eq!(sessions_of(&app, bob_account).await, 1);
        set_sign_in_group(s, admin, &m, Some(support))
            .await
            .unwrap();
        assert_eq!(sessions_of(&app, bob_account).await, 0, "{engine}");
        assert_eq!(
            current_actor(s, &meta(Some(acme.user_token.clone())))
                .await
                .unwrap_err(),
            AppError::Unauthenticated
        );

        // After the right password he is told why and whom to ask; a wrong password
        // still gets the generic refusal, which says nothing about groups.
        let told = refusal_of(bob_signs_in(&app).await.unwrap_err());
        assert!(
            told.contains("isn't allowed to sign in to Acme")
                && told.contains("“Support”")
                && told.contains("ada@example.com"),
            "{engine}: {told}"
        );
        assert_eq!(
            sign_in(s, BOB, "not bob's password", &meta(None))
                .await
                .unwrap_err(),
            AppError::SignInRefused
        );
        // Admins always get in, in the group or not (and a fresh actor sees the
        // tenant as it is now).
        let admin = &common::actor(&app, "ada@example.com", PASSWORD).await.0;

        // In the group, Bob signs in; out of it again, his session ends.
        groups::add_member(s, admin, &m, support, BOB)
            .await
            .unwrap();
        let token = bob_signs_in(&app).await.unwrap();
        current_actor(s, &meta(Some(token.clone()))).await.unwrap();
        let overview = tenant_overview(s.db.conn(), admin).await.unwrap();
        assert_eq!(overview.sign_in_group.unwrap().name, "Support");
        assert_eq!(overview.sign_in_choices[0].would_lose, 0, "{engine}");
        assert!(groups::list(s.db.conn(), admin).await.unwrap()[0].restricts_sign_in);
        groups::remove_member(s, admin, &m, support, acme.user_id)
            .await
            .unwrap();
        assert_eq!(sessions_of(&app, bob_account).await, 0, "{engine}");
        assert!(current_actor(s, &meta(Some(token))).await.is_err());

        // The group that decides sign-in can't be deleted from under it.
        let refused = groups::delete(s, admin, &m, support).await.unwrap_err();
        assert!(
            matches!(&refused, AppError::Conflict(m) if m.contains("Tenant settings")),
            "{refused:?}"
        );

        // Everyone again: Bob signs in.
        set_sign_in_group(s, admin, &m, None).await.unwrap();
        bob_signs_in(&app).await.unwrap();
        let log = app::backend::audit::list(s.db.conn(), admin.tenant.id, "", None)
            .await
            .unwrap();
        assert_eq!(
            log.rows
                .iter()
                .filter(|r| r.action == "Changed who can sign in")
                .count(),
            2,
            "{engine}"
        );
        assert!(log.rows.iter().any(
            |r| r.action == "Sign-in refused" && r.detail.contains("outside the sign-in group")
        ));
    })
    .await;
}

#[tokio::test]
async fn a_restricted_tenant_is_skipped_at_sign_in_and_refused_at_switch_and_accept() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let support = groups::create(s, admin, &m, "Support").await.unwrap();
        set_sign_in_group(s, admin, &m, Some(support))
            .await
            .unwrap();

        // Globex invites Bob: he joins with his password and is signed in there.
        app.tenant_with_admin("Globex", "gina@example.com").await;
        let gina = common::actor(&app, "gina@example.com", PASSWORD).await.0;
        app::backend::members::invite(s, &gina, &m, invite_input(BOB))
            .await
            .unwrap();
        let token = app.mailed_token(BOB, "invite").await;
        app::backend::members::accept_invite(s, &token, "", BOBS, &m)
            .await
            .unwrap();
        // Sign-in opens in Globex, the tenant that lets him in.
        let session = bob_signs_in(&app).await.unwrap();
        let bob = current_actor(s, &meta(Some(session))).await.unwrap();
        assert_eq!(bob.tenant.name, "Globex", "{engine}");
        // Switching into Acme is refused in words.
        let told = refusal_of(
            switch_tenant(s, &bob, admin.tenant.id, &m)
                .await
                .unwrap_err(),
        );
        assert!(told.contains("“Support”"), "{engine}: {told}");

        // Acme invites Carol, outside the group: accepting makes her a member but
        // opens no session, and she is told why.
        app::backend::members::invite(s, admin, &m, invite_input("carol@example.com"))
            .await
            .unwrap();
        let token = app.mailed_token("carol@example.com", "invite").await;
        let told = refusal_of(
            app::backend::members::accept_invite(
                s,
                &token,
                "Carol",
                crate::common::MEMBER_PASSWORD,
                &m,
            )
            .await
            .unwrap_err(),
        );
        assert!(told.contains("isn't allowed to sign in to Acme"), "{told}");
        let carol = app::backend::members::list(
            s.db.conn(),
            &admin.tenant,
            &app::domain::members::MemberQuery {
                search: "carol".into(),
                ..Default::default()
            },
            app.clock_now(),
        )
        .await
        .unwrap();
        assert_eq!(carol.rows[0].status, app::domain::MembershipStatus::Active);
    })
    .await;
}

#[tokio::test]
async fn over_http_the_refusal_is_a_sentence_and_the_setting_a_form() {
    each_engine(|app| async move {
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let support = groups::create(s, admin, &m, "Support").await.unwrap();
        let ada = app.sign_in("ada@example.com", PASSWORD).await;
        // A plain form post with a number that isn't a group, then with junk.
        for junk in ["987654", "abc"] {
            let (status, body, _) = app
                .call("set_sign_in_group", &[("group_id", junk)], Some(&ada))
                .await;
            assert_eq!(status, 400, "{body}");
            assert!(body.contains("Choose one of this tenant"), "{body}");
        }
        let id = support.to_string();
        let (status, body, _) = app
            .call(
                "set_sign_in_group",
                &[("group_id", id.as_str())],
                Some(&ada),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, body, cookies) = app
            .call("sign_in", &[("email", BOB), ("password", BOBS)], None)
            .await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("isn't allowed to sign in to Acme"), "{body}");
        assert!(common::session_cookie(&cookies).is_none());
        // Back to everyone with the empty choice.
        let (status, _, _) = app
            .call("set_sign_in_group", &[("group_id", "")], Some(&ada))
            .await;
        assert_eq!(status, 200);
        assert_eq!(restriction(&app, admin.tenant.id).await, None);
    })
    .await;
}
