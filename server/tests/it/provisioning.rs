//! Provisioning from a spreadsheet: the Users and Audit log exports (the filter,
//! every batch, formula neutralisation, who may), the import (each row's reason,
//! the seat check, one transaction, nobody invited twice), and a round trip:
//! export, import into a fresh tenant, export again.

#[path = "../../benches/support/mod.rs"]
mod support;

use crate::common::{self, each_engine, meta, TestApp, ORIGIN, PASSWORD};
use app::backend::entities::tenants;
use app::backend::{members, templates};
use app::domain::access::{Action, Category, Permission};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::{ActiveModelTrait, Set};

/// A signed-in GET: status, content type, disposition and body.
async fn get(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String, String, String) {
    let res = app
        .send(
            Request::builder()
                .uri(path)
                .header("cookie", cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let header = |n: &str| {
        res.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (kind, disposition) = (header("content-type"), header("content-disposition"));
    let location = header("location");
    let (status, body, _) = common::split(res).await;
    let body = if status.is_redirection() {
        location
    } else {
        body
    };
    (status, kind, disposition, body)
}

fn rows(csv_text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Uploads `file` on the Import page as a browser form does; answers the preview's
/// file id.
async fn upload(app: &TestApp, cookie: &str, file: &str) -> i64 {
    let boundary = "----gatehouse-test";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    let res = app
        .send(
            Request::builder()
                .method("POST")
                .uri("/settings/users/import")
                .header("cookie", cookie)
                .header("origin", ORIGIN)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    to.rsplit('=').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_export_streams_the_filter_in_batches_with_formulas_neutralised() {
    each_engine(|app| async move {
        let engine = app.engine;
        let cookie = app.acme_signed_in().await;
        let admin = common::actor(&app, "ada@example.com", PASSWORD).await.0;
        app.join(
            &admin,
            "sly@example.com",
            "=HYPERLINK(\"http://evil.example\")",
        )
        .await;
        let group = app::backend::groups::create(&app.state, &admin, &meta(None), "Support")
            .await
            .unwrap();
        app::backend::groups::add_member(&app.state, &admin, &meta(None), group, "sly@example.com")
            .await
            .unwrap();
        // More than one batch: 2,100 more members.
        support::seed(&app.state.db, admin.tenant.id, 2_100).await;
        let (status, kind, disposition, body) =
            get(&app, &cookie, "/settings/users/export.csv").await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        assert_eq!(kind, "text/csv; charset=utf-8");
        assert!(
            disposition.starts_with("attachment; filename=\"acme-users-"),
            "{disposition}"
        );
        let all = rows(&body);
        assert_eq!(
            all[0],
            [
                "email",
                "name",
                "role",
                "template",
                "groups",
                "status",
                "crm_access",
                "beta_access",
                "last_login"
            ]
        );
        assert_eq!(
            all.len(),
            1 + 2_102,
            "{engine}: every member once, across batches"
        );
        let emails: std::collections::HashSet<&str> =
            all[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(emails.len(), 2_102, "{engine}: no member twice");
        let sly = all.iter().find(|r| r[0] == "sly@example.com").unwrap();
        assert_eq!(
            sly[1], "'=HYPERLINK(\"http://evil.example\")",
            "{engine}: the formula is neutralised"
        );
        assert_eq!((sly[4].as_str(), sly[5].as_str()), ("Support", "active"));
        let ada = all.iter().find(|r| r[0] == "ada@example.com").unwrap();
        assert_eq!((ada[2].as_str(), ada[6].as_str()), ("admin", "yes"));
        assert!(ada[8].ends_with('Z'), "{engine}: last login {:?}", ada[8]);
        // The page's filter: invited people whose email has "user1".
        let (_, _, _, body) = get(
            &app,
            &cookie,
            "/settings/users/export.csv?status=invited&search=user1",
        )
        .await;
        let some = rows(&body);
        assert!(
            some.len() > 1
                && some[1..]
                    .iter()
                    .all(|r| r[5] == "invited" && r[0].contains("user1")),
            "{engine}"
        );
        // The audit log's export: the same words as the page.
        let (status, _, disposition, body) =
            get(&app, &cookie, "/settings/audit-log/export.csv?who=sly").await;
        assert_eq!(status, StatusCode::OK);
        assert!(disposition.contains("acme-audit-log-"));
        let audit = rows(&body);
        assert_eq!(audit[0], ["time", "who", "what", "whom", "details", "ip"]);
        assert!(
            audit[1..]
                .iter()
                .any(|r| r[2] == "Added to a group" && r[3] == "sly@example.com"),
            "{engine}: {body}"
        );
        // Bad filters get their sentence; a member who may not, a refusal; nobody, sign in.
        let (status, _, _, body) = get(
            &app,
            &cookie,
            "/settings/audit-log/export.csv?from=yesterday",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let sly_cookie = app
            .sign_in("sly@example.com", common::MEMBER_PASSWORD)
            .await;
        let (status, _, _, body) = get(&app, &sly_cookie, "/settings/users/export.csv").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {body}");
        assert!(!body.contains("ada@example.com"));
        let (status, _, _, location) = get(&app, "", "/settings/users/export.csv").await;
        assert_eq!(
            (status, location.as_str()),
            (
                StatusCode::SEE_OTHER,
                "/sign-in?next=%2Fsettings%2Fusers%2Fexport.csv"
            )
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_says_why_each_row_cant_be_invited_and_invites_the_rest_once() {
    each_engine(|app| async move {
        let engine = app.engine;
        let s = &app.state;
        let cookie = app.acme_signed_in().await;
        let admin = common::actor(&app, "ada@example.com", PASSWORD).await.0;
        templates::save(
            s,
            &admin,
            &meta(None),
            common::new_template(
                "Support agent",
                vec![Permission::new(Category::Conversations, Action::View)],
            ),
        )
        .await
        .unwrap();
        app.join(&admin, "bob@example.com", "Bob").await;
        let file = "email,role,template,crm_access\n\
                    new1@example.com,,Support agent,yes\n\
                    not-an-email,,,\n\
                    new2@example.com,user,,no\n\
                    bob@example.com,,,\n\
                    NEW1@example.com,,,\n\
                    new3@example.com,,No such template,\n\
                    new4@example.com,admin,,maybe\n";
        let id = upload(&app, &cookie, file).await;
        let preview = members::import::preview(s, &admin, id).await.unwrap();
        assert_eq!(
            (preview.total, preview.ready),
            (7, 2),
            "{engine}: {preview:?}"
        );
        let reason = |line: usize| {
            preview
                .rows
                .iter()
                .find(|r| r.line == line)
                .unwrap()
                .problem
                .clone()
        };
        assert_eq!(reason(2), None);
        assert!(reason(3).unwrap().contains("not an email"));
        assert_eq!(reason(4), None);
        assert!(reason(5).unwrap().contains("already in this tenant"));
        assert!(reason(6).unwrap().contains("also on line 2"));
        assert!(reason(7).unwrap().contains("No such template"));
        assert!(reason(8).unwrap().contains("maybe"));
        // Nothing was written by the upload or the preview but the file itself.
        assert!(app.mail_to("new1@example.com").await.is_empty());
        // Apply: the ready rows, in one go, as invitations.
        let done = members::import::apply(s, &admin, &meta(None), id)
            .await
            .unwrap();
        assert_eq!((done.invited, done.skipped), (2, 5), "{engine}");
        let row = app.users_row(&admin.tenant, "new1@example.com").await;
        assert_eq!(
            (
                row.status.as_str(),
                row.template_name.as_deref(),
                row.crm_access
            ),
            ("invited", Some("Support agent"), true)
        );
        assert_eq!(app.mail_to("new2@example.com").await.len(), 1);
        // The same upload can't be applied twice, and the same file again invites nobody.
        assert!(members::import::apply(s, &admin, &meta(None), id)
            .await
            .is_err());
        let again = upload(&app, &cookie, file).await;
        let preview = members::import::preview(s, &admin, again).await.unwrap();
        assert_eq!(preview.ready, 0, "{engine}");
        assert!(members::import::apply(s, &admin, &meta(None), again)
            .await
            .is_err());
        assert_eq!(
            app.mail_to("new2@example.com").await.len(),
            1,
            "{engine}: invited twice"
        );
        // Another admin's upload is not found; a file that can't be read says why.
        let bad = upload(&app, &cookie, "name\nAda\n").await;
        assert!(members::import::preview(s, &admin, bad)
            .await
            .unwrap()
            .problem
            .unwrap()
            .contains("email"));
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (hank, _) = common::actor(&app, "hank@globex.example", PASSWORD).await;
        assert!(members::import::preview(s, &hank, id).await.is_err());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_is_checked_for_seats_and_a_people_managers_bounds() {
    each_engine(|app| async move {
        let engine = app.engine;
        let s = &app.state;
        let acme = app.acme_with_bob().await;
        let admin = &acme.admin;
        app.make_people_manager(admin, acme.user_id).await;
        let bob_cookie = app.sign_in("bob@example.com", "bob's passphrase!").await;
        let (bob, _) = common::actor(&app, "bob@example.com", "bob's passphrase!").await;
        // A people manager may not invite an admin.
        let id = upload(
            &app,
            &bob_cookie,
            "email,role\nboss@example.com,admin\nok@example.com,user\n",
        )
        .await;
        let preview = members::import::preview(s, &bob, id).await.unwrap();
        assert!(
            preview.rows[0]
                .problem
                .as_deref()
                .unwrap()
                .contains("Only an admin"),
            "{engine}"
        );
        assert_eq!(preview.ready, 1);
        // Three seats, two used: two ready rows don't fit, and nothing is written.
        let mut t: tenants::ActiveModel = admin.tenant.clone().into();
        t.seat_limit = Set(3);
        t.update(s.db.conn()).await.unwrap();
        let cookie = app.sign_in("ada@example.com", PASSWORD).await;
        let id = upload(&app, &cookie, "email\nx1@example.com\nx2@example.com\n").await;
        let preview = members::import::preview(s, admin, id).await.unwrap();
        assert!(
            preview
                .seat_problem
                .as_deref()
                .unwrap()
                .contains("only 1 seat is free"),
            "{engine}: {preview:?}"
        );
        let before = common::dump(&app).await;
        assert!(members::import::apply(s, admin, &meta(None), id)
            .await
            .is_err());
        assert_eq!(common::dump(&app).await, before, "{engine}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_export_gives_the_same_rows() {
    each_engine(|app| async move {
        let engine = app.engine;
        let s = &app.state;
        let cookie = app.acme_signed_in().await;
        let admin = common::actor(&app, "ada@example.com", PASSWORD).await.0;
        let perm = || vec![Permission::new(Category::Conversations, Action::View)];
        let template = templates::save(
            s,
            &admin,
            &meta(None),
            common::new_template("Support agent", perm()),
        )
        .await
        .unwrap();
        for (email, template_id, crm) in [
            ("p1@example.com", Some(template), true),
            ("p2@example.com", None, false),
            ("p3@example.com", None, true),
        ] {
            let mut input = common::invite_input(email);
            input.template_id = template_id;
            input.crm_access = crm;
            members::invite(s, &admin, &meta(None), input)
                .await
                .unwrap();
        }
        let (_, _, _, first) =
            get(&app, &cookie, "/settings/users/export.csv?status=invited").await;
        // A fresh tenant with the same template name.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let hank_cookie = app.sign_in("hank@globex.example", PASSWORD).await;
        let (hank, _) = common::actor(&app, "hank@globex.example", PASSWORD).await;
        templates::save(
            s,
            &hank,
            &meta(None),
            common::new_template("Support agent", perm()),
        )
        .await
        .unwrap();
        let id = upload(&app, &hank_cookie, &first).await;
        let done = members::import::apply(s, &hank, &meta(None), id)
            .await
            .unwrap();
        assert_eq!(done.invited, 3, "{engine}");
        let (_, _, _, second) = get(
            &app,
            &hank_cookie,
            "/settings/users/export.csv?status=invited",
        )
        .await;
        let sorted = |text: &str| {
            let mut r = rows(text);
            r.sort();
            r
        };
        assert_eq!(sorted(&first), sorted(&second), "{engine}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_at_a_verified_domain_join_by_themselves_within_the_cap() {
    use app::backend::tenant::provisioning::{self, ProvisioningChange};
    each_engine(|app| async move {
        let engine = app.engine;
        let s = &app.state;
        let acme_admin = app.acme_admin().await;
        let template = templates::save(
            s,
            &acme_admin,
            &meta(None),
            common::new_template(
                "Partner",
                vec![Permission::new(Category::Conversations, Action::View)],
            ),
        )
        .await
        .unwrap();
        // Pat and Quinn work at partner.example and are members of Globex.
        app.tenant_with_admin("Globex", "hank@globex.example").await;
        let (hank, _) = common::actor(&app, "hank@globex.example", PASSWORD).await;
        let (_, pat_token) = app.join(&hank, "pat@partner.example", "Pat").await;
        let (_, quinn_token) = app.join(&hank, "quinn@partner.example", "Quinn").await;
        let pat = app::backend::kernel::actor::current_actor(s, &meta(Some(pat_token.clone())))
            .await
            .unwrap();
        let quinn = app::backend::kernel::actor::current_actor(s, &meta(Some(quinn_token)))
            .await
            .unwrap();
        let change = |on| ProvisioningChange {
            scim_invites: true,
            auto_join_on: on,
            template_id: Some(template),
            seat_cap: Some(1),
        };
        // No verified domain yet: auto-join can't be turned on.
        let e = provisioning::set(s, &acme_admin, &meta(None), change(true))
            .await
            .unwrap_err();
        assert!(e.field_message("auto_join_on").is_some(), "{engine}");
        // The operator verifies the domain (a bad one is refused, a repeat is harmless).
        assert!(
            provisioning::add_domain(&s.db, app.clock_now(), "Acme", "partner")
                .await
                .is_err()
        );
        assert!(
            provisioning::add_domain(&s.db, app.clock_now(), "Nobody", "partner.example")
                .await
                .is_err()
        );
        provisioning::add_domain(&s.db, app.clock_now(), "Acme", "Partner.Example")
            .await
            .unwrap();
        provisioning::add_domain(&s.db, app.clock_now(), "Acme", "partner.example")
            .await
            .unwrap();
        assert!(
            provisioning::offers(s.db.conn(), &pat.account)
                .await
                .unwrap()
                .is_empty(),
            "{engine}: offered while off"
        );
        // Only an admin turns it on.
        let (bob, _) = {
            let (id, token) = app.join(&acme_admin, "bob@example.com", "Bob").await;
            app.make_people_manager(&acme_admin, id).await;
            (
                app::backend::kernel::actor::current_actor(s, &meta(Some(token)))
                    .await
                    .unwrap(),
                (),
            )
        };
        assert!(provisioning::set(s, &bob, &meta(None), change(true))
            .await
            .is_err());
        provisioning::set(s, &acme_admin, &meta(None), change(true))
            .await
            .unwrap();
        let offers = provisioning::offers(s.db.conn(), &pat.account)
            .await
            .unwrap();
        assert_eq!(offers.len(), 1, "{engine}");
        assert_eq!(
            (
                offers[0].tenant_name.as_str(),
                offers[0].template.as_deref()
            ),
            ("Acme", Some("Partner"))
        );
        // Nobody else is offered it: ada's domain isn't verified.
        assert!(provisioning::offers(s.db.conn(), &hank.account)
            .await
            .unwrap()
            .is_empty());
        // Pat joins: an active User with the template, a seat, audited.
        provisioning::join(s, &pat, &meta(None), offers[0].tenant_id)
            .await
            .unwrap();
        let row = app
            .users_row(&acme_admin.tenant, "pat@partner.example")
            .await;
        assert_eq!(
            (
                row.status.as_str(),
                row.role.as_str(),
                row.template_name.as_deref()
            ),
            ("active", "user", Some("Partner")),
            "{engine}"
        );
        assert!(common::dump(&app).await.contains("member.auto_joined"));
        assert!(provisioning::offers(s.db.conn(), &pat.account)
            .await
            .unwrap()
            .is_empty());
        // The cap of one is reached: Quinn is told why.
        let e = provisioning::join(s, &quinn, &meta(None), offers[0].tenant_id)
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("join by themselves"),
            "{engine}: {e}"
        );
        // Without a cap but with sign-in restricted to a group: not offered, refused.
        provisioning::set(
            s,
            &acme_admin,
            &meta(None),
            ProvisioningChange {
                seat_cap: None,
                ..change(true)
            },
        )
        .await
        .unwrap();
        let group = app::backend::groups::create(s, &acme_admin, &meta(None), "Staff")
            .await
            .unwrap();
        app::backend::tenant::set_sign_in_group(s, &acme_admin, &meta(None), Some(group))
            .await
            .unwrap();
        assert!(
            provisioning::offers(s.db.conn(), &quinn.account)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        let before = common::dump(&app).await;
        let e = provisioning::join(s, &quinn, &meta(None), offers[0].tenant_id)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("group"), "{engine}: {e}");
        assert_eq!(common::dump(&app).await, before);
        // A tenant that offers nothing answers like a missing one.
        let globex_id = hank.tenant.id;
        assert_eq!(
            provisioning::join(s, &quinn, &meta(None), globex_id)
                .await
                .unwrap_err(),
            app::domain::AppError::NotFound
        );
    })
    .await;
}
