//! Settings → API keys: a secret shown once and stored as a hash, the list, first
//! use and revoking, expiry, the audit trail; who may manage keys (the permission and
//! the plan, said in words) and that keys stay in their tenant.

use crate::common::{self, each_engine, meta, PASSWORD};
use app::backend::api_keys;
use app::backend::kernel::crypto::hash_token;
use app::domain::api_keys::{ApiKeyState, ApiScope, NewApiKey};
use app::domain::AppError;

fn new_key(name: &str, scopes: &[&str], expires: &str) -> NewApiKey {
    NewApiKey {
        name: name.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires: expires.into(),
    }
}

async fn audit_actions(app: &common::TestApp, tenant: i64) -> Vec<(String, String)> {
    app::backend::audit::list(app.state.db.conn(), tenant, "", None)
        .await
        .unwrap()
        .rows
        .into_iter()
        .filter(|r| r.action.starts_with("API key"))
        .map(|r| (r.action, r.actor))
        .collect()
}

#[tokio::test]
async fn a_key_is_shown_once_stored_as_a_hash_and_revoked_for_good() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let tenant = admin.tenant.id;

        // Bad input: a sentence next to each field, nothing written.
        let before = common::dump(&app).await;
        let bad = api_keys::create(s, admin, &m, &new_key(" ", &[], "2020-01-01"))
            .await
            .unwrap_err();
        assert!(bad.field_message("name").is_some(), "{engine}: {bad:?}");
        assert!(bad.field_message("scopes").is_some(), "{engine}: {bad:?}");
        assert!(
            bad.field_message("expires").unwrap().contains("future"),
            "{engine}: {bad:?}"
        );
        let far = api_keys::create(s, admin, &m, &new_key("K", &["check"], "2099-01-01"))
            .await
            .unwrap_err();
        assert!(far.field_message("expires").is_some(), "{engine}: {far:?}");
        assert_eq!(
            common::dump(&app).await,
            before,
            "{engine}: nothing written"
        );

        let created = api_keys::create(
            s,
            admin,
            &m,
            &new_key("Billing service", &["members:read", "check"], ""),
        )
        .await
        .unwrap();
        assert!(created.secret.starts_with("gatehouse_"), "{engine}");
        // 256 random bits after the prefix (43 characters of base64url).
        assert_eq!(created.secret.len(), "gatehouse_".len() + 43, "{engine}");
        let stored = common::dump(&app).await;
        let random_part = created.secret.trim_start_matches("gatehouse_");
        assert!(
            !stored.contains(random_part),
            "{engine}: the secret is stored"
        );
        assert!(stored.contains(&hash_token(&created.secret)), "{engine}");

        let list = api_keys::list(s.db.conn(), admin).await.unwrap();
        assert_eq!(list.len(), 1, "{engine}");
        let key = &list[0];
        assert_eq!(
            (
                key.name.as_str(),
                key.scopes.clone(),
                key.created_by.as_str(),
                key.last_used.clone(),
                key.expires.clone(),
                key.state
            ),
            (
                "Billing service",
                vec![ApiScope::Check, ApiScope::MembersRead],
                "ada@example.com",
                None,
                None,
                ApiKeyState::Active
            ),
            "{engine}"
        );
        assert!(
            created.secret.starts_with(key.shown.trim_end_matches('…')),
            "{engine}: {}",
            key.shown
        );
        let listed = serde_json::to_string(&list).unwrap();
        assert!(!listed.contains(random_part), "{engine}: {listed}");

        // Use: the key's tenant, its scopes only; an unknown key is refused.
        let used = api_keys::authenticate(s, &created.secret, ApiScope::Check, "10.0.0.9")
            .await
            .unwrap();
        assert_eq!(
            (used.tenant_id, used.key_id),
            (tenant, created.id),
            "{engine}"
        );
        let scim = api_keys::authenticate(s, &created.secret, ApiScope::Scim, "10.0.0.9")
            .await
            .unwrap_err();
        assert!(
            matches!(&scim, AppError::Forbidden(words) if words.contains("SCIM provisioning")),
            "{engine}: {scim:?}"
        );
        let guessed = format!("gatehouse_{}", "A".repeat(43));
        assert_eq!(
            api_keys::authenticate(s, &guessed, ApiScope::Check, "10.0.0.9")
                .await
                .unwrap_err(),
            AppError::Unauthenticated,
            "{engine}"
        );
        app.clock.advance_ms(120_000);
        api_keys::authenticate(s, &created.secret, ApiScope::Check, "10.0.0.9")
            .await
            .unwrap();
        let list = api_keys::list(s.db.conn(), admin).await.unwrap();
        assert!(list[0].last_used.is_some(), "{engine}");

        // Revoked: refused from now on, listed as revoked by whom.
        api_keys::revoke(s, admin, &m, created.id).await.unwrap();
        assert_eq!(
            api_keys::authenticate(s, &created.secret, ApiScope::Check, "10.0.0.9")
                .await
                .unwrap_err(),
            AppError::Unauthenticated,
            "{engine}"
        );
        let list = api_keys::list(s.db.conn(), admin).await.unwrap();
        assert_eq!(list[0].state, ApiKeyState::Revoked, "{engine}");
        assert!(
            list[0]
                .revoked
                .as_deref()
                .unwrap()
                .contains("ada@example.com"),
            "{engine}: {:?}",
            list[0].revoked
        );

        // Created, first used (once, by the key), revoked: newest first.
        assert_eq!(
            audit_actions(&app, tenant).await,
            vec![
                ("API key revoked".to_string(), "ada@example.com".to_string()),
                (
                    "API key used for the first time".to_string(),
                    "API key “Billing service”".to_string()
                ),
                ("API key created".to_string(), "ada@example.com".to_string()),
            ],
            "{engine}"
        );

        // Expiry: works until the end of the chosen day, then is refused.
        let tomorrow = chrono::DateTime::from_timestamp_millis(app.clock_now() + 86_400_000)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        let short = api_keys::create(s, admin, &m, &new_key("Short", &["check"], &tomorrow))
            .await
            .unwrap();
        api_keys::authenticate(s, &short.secret, ApiScope::Check, "10.0.0.9")
            .await
            .unwrap();
        app.clock.advance_ms(3 * 86_400_000);
        assert_eq!(
            api_keys::authenticate(s, &short.secret, ApiScope::Check, "10.0.0.9")
                .await
                .unwrap_err(),
            AppError::Unauthenticated,
            "{engine}"
        );
        // A request now (an actor judges at the time of its request).
        let (ada, _) = common::actor(&app, "ada@example.com", PASSWORD).await;
        let list = api_keys::list(s.db.conn(), &ada).await.unwrap();
        assert_eq!(list[0].state, ApiKeyState::Expired, "{engine}");
    })
    .await;
}

#[tokio::test]
async fn keys_need_the_permission_and_the_plan_and_stay_in_their_tenant() {
    each_engine(|app| async move {
        let engine = app.engine;
        let acme = app.acme_with_bob().await;
        let (s, m, admin) = (&app.state, meta(None), &acme.admin);
        let key = api_keys::create(s, admin, &m, &new_key("CRM", &["check"], ""))
            .await
            .unwrap();

        // A member without integrations-manage: refused in words, nothing written.
        let (bob, _) = common::actor(&app, "bob@example.com", "bob's passphrase!").await;
        let before = common::dump(&app).await;
        for refusal in [
            api_keys::list(s.db.conn(), &bob).await.map(|_| ()),
            api_keys::create(s, &bob, &m, &new_key("Mine", &["check"], ""))
                .await
                .map(|_| ()),
            api_keys::revoke(s, &bob, &m, key.id).await,
        ] {
            let error = refusal.unwrap_err();
            assert!(
                matches!(&error, AppError::Forbidden(words) if words.contains("integrations")),
                "{engine}: {error:?}"
            );
        }
        assert_eq!(common::dump(&app).await, before, "{engine}");

        // Another tenant's admin: sees none of Acme's keys, and its id is "not found".
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (hank, _) = common::actor(&app, "hank@globex.example", PASSWORD).await;
        assert!(
            api_keys::list(s.db.conn(), &hank).await.unwrap().is_empty(),
            "{engine}"
        );
        assert_eq!(
            api_keys::revoke(s, &hank, &m, key.id).await.unwrap_err(),
            AppError::NotFound,
            "{engine}"
        );
        let used = api_keys::authenticate(s, &key.secret, ApiScope::Check, "10.0.0.9")
            .await
            .unwrap();
        assert_eq!(used.tenant_id, admin.tenant.id, "{engine}");

        // On a plan without API keys, even an admin is told the plan is why.
        app::backend::tenant::operator::set_plan(&s.db, app.clock_now(), "Acme", "free", None)
            .await
            .unwrap();
        let (ada, _) = common::actor(&app, "ada@example.com", PASSWORD).await;
        let error = api_keys::list(s.db.conn(), &ada).await.unwrap_err();
        assert!(
            matches!(&error, AppError::Forbidden(words) if words.contains("plan")),
            "{engine}: {error:?}"
        );
    })
    .await;
}
