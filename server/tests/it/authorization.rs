//! The authorization matrix: every state-changing service of user management and
//! tenant settings, run by an admin, a member holding "manage people", a member
//! holding each single `users.*` permission of the catalog, a member with none, and
//! an admin of another tenant — asserting exactly who may do what, the escalation
//! paths included.

use crate::common::{actor, invite_input, meta, new_template, AdminAndUser, TestApp};
use app::backend::kernel::actor::{current_actor, Actor};
use app::backend::{members, templates, tenant};
use app::domain::access::{Action, Category, Permission};
use app::domain::members::{InviteInput, MemberUpdate};
use app::domain::{AppError, MembershipStatus, Role};

/// Every state-changing operation, in an order where earlier ones leave later ones
/// meaningful (deletions last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    InviteUser,
    InviteAdmin,
    InviteWithTemplateBeyondOwn,
    GrantHeldPermission,
    GrantUnheldPermission,
    PromoteToAdmin,
    EditAnAdmin,
    ChangeOwnTemplate,
    ChangeOwnPermissions,
    ResendUserInvite,
    ResendAdminInvite,
    SaveTemplateWithHeld,
    SaveTemplateBeyondOwn,
    WidenUsedTemplate,
    SetSecurity,
    SetFlag,
    RestrictSignIn,
    CreateSandbox,
    CreateGroup,
    AddUserToGroup,
    AddSelfToGroup,
    AddAdminToGroup,
    GiveGroupTemplateBeyondOwn,
    Unlock,
    CancelUserInvite,
    CancelAdminInvite,
    DeleteAdmin,
    DeleteUser,
}

const OPS: &[Op] = &[
    Op::InviteUser,
    Op::InviteAdmin,
    Op::InviteWithTemplateBeyondOwn,
    Op::GrantHeldPermission,
    Op::GrantUnheldPermission,
    Op::PromoteToAdmin,
    Op::EditAnAdmin,
    Op::ChangeOwnTemplate,
    Op::ChangeOwnPermissions,
    Op::ResendUserInvite,
    Op::ResendAdminInvite,
    Op::SaveTemplateWithHeld,
    Op::SaveTemplateBeyondOwn,
    Op::WidenUsedTemplate,
    Op::SetSecurity,
    Op::SetFlag,
    Op::RestrictSignIn,
    Op::CreateSandbox,
    Op::CreateGroup,
    Op::AddUserToGroup,
    Op::AddSelfToGroup,
    Op::AddAdminToGroup,
    Op::GiveGroupTemplateBeyondOwn,
    Op::Unlock,
    Op::CancelUserInvite,
    Op::CancelAdminInvite,
    Op::DeleteAdmin,
    Op::DeleteUser,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    NotFound,
}

/// Acme as every row of the matrix finds it.
struct World {
    admin: Actor,
    /// Bob, the member who acts (with the permissions of the row).
    bob_id: i64,
    /// Carol: an invited user.
    carol_id: i64,
    /// An invited admin.
    second_admin_id: i64,
    /// Dave and Erin: an invited user and an invited admin, whose invitations the
    /// matrix cancels.
    dave_id: i64,
    erin_id: i64,
    /// A group without templates, made by the admin.
    crew: i64,
    /// A template granting "delete conversations" (nobody but admins holds it).
    rich_template: i64,
    /// A template Carol uses, granting "manage people".
    carols_template: i64,
}

const MANAGE: Permission = Permission::new(Category::Users, Action::Manage);
const BEYOND: Permission = Permission::new(Category::Conversations, Action::Delete);

async fn world(app: &TestApp, bob_permissions: &[Permission]) -> World {
    let AdminAndUser { admin, user_id, .. } = app.acme_with_bob().await;
    let s = &app.state;
    let m = meta(None);
    let rich_template = templates::save(s, &admin, &m, new_template("Rich", vec![BEYOND]))
        .await
        .unwrap();
    let carols_template = templates::save(s, &admin, &m, new_template("Managers", vec![MANAGE]))
        .await
        .unwrap();
    let mut carol = invite_input("carol@example.com");
    carol.template_id = Some(carols_template);
    let carol_id = members::invite(s, &admin, &m, carol).await.unwrap();
    let mut second = invite_input("second-admin@example.com");
    second.role = Role::Admin;
    let second_admin_id = members::invite(s, &admin, &m, second).await.unwrap();
    let dave_id = members::invite(s, &admin, &m, invite_input("dave@example.com"))
        .await
        .unwrap();
    let mut erin = invite_input("erin@example.com");
    erin.role = Role::Admin;
    let erin_id = members::invite(s, &admin, &m, erin).await.unwrap();
    let crew = app::backend::groups::create(s, &admin, &m, "Crew")
        .await
        .unwrap();
    members::update(
        s,
        &admin,
        &m,
        MemberUpdate {
            id: user_id,
            email: "bob@example.com".into(),
            role: Role::User,
            status: MembershipStatus::Active,
            template_id: None,
            crm_access: false,
            beta_access: false,
            permissions: bob_permissions.to_vec(),
            until: String::new(),
        },
    )
    .await
    .unwrap();
    World {
        admin,
        bob_id: user_id,
        carol_id,
        second_admin_id,
        dave_id,
        erin_id,
        crew,
        rich_template,
        carols_template,
    }
}

fn update_of(id: i64, email: &str, role: Role, status: MembershipStatus) -> MemberUpdate {
    MemberUpdate {
        id,
        email: email.into(),
        role,
        status,
        template_id: None,
        crm_access: false,
        beta_access: false,
        permissions: vec![],
        until: String::new(),
    }
}

async fn run(app: &TestApp, who: &Actor, w: &World, op: Op) -> Outcome {
    let s = &app.state;
    let m = meta(None);
    let invited = MembershipStatus::Invited;
    let carol = |perms: Vec<Permission>| MemberUpdate {
        template_id: Some(w.carols_template),
        permissions: perms,
        ..update_of(w.carol_id, "carol@example.com", Role::User, invited)
    };
    let own = |template: Option<i64>, perms: Vec<Permission>| MemberUpdate {
        id: who.membership.id,
        email: who.account.email.clone(),
        role: who.role,
        status: MembershipStatus::Active,
        template_id: template,
        crm_access: who.membership.crm_access,
        beta_access: false,
        permissions: perms,
        until: String::new(),
    };
    let result: Result<(), AppError> = match op {
        Op::InviteUser => members::invite(s, who, &m, invite_input("new@example.com"))
            .await
            .map(|_| ()),
        Op::InviteAdmin => members::invite(
            s,
            who,
            &m,
            InviteInput {
                role: Role::Admin,
                ..invite_input("boss@example.com")
            },
        )
        .await
        .map(|_| ()),
        Op::InviteWithTemplateBeyondOwn => members::invite(
            s,
            who,
            &m,
            InviteInput {
                template_id: Some(w.rich_template),
                ..invite_input("rich@example.com")
            },
        )
        .await
        .map(|_| ()),
        Op::GrantHeldPermission => members::update(s, who, &m, carol(vec![MANAGE])).await,
        Op::GrantUnheldPermission => members::update(s, who, &m, carol(vec![BEYOND])).await,
        Op::PromoteToAdmin => {
            let mut u = carol(vec![]);
            u.role = Role::Admin;
            members::update(s, who, &m, u).await
        }
        Op::EditAnAdmin => {
            members::update(
                s,
                who,
                &m,
                update_of(
                    w.second_admin_id,
                    "second-boss@example.com",
                    Role::Admin,
                    invited,
                ),
            )
            .await
        }
        Op::ChangeOwnTemplate => {
            members::update(s, who, &m, own(Some(w.carols_template), vec![])).await
        }
        Op::ChangeOwnPermissions => {
            let mut mine: Vec<Permission> = members::member_access(s, &w.admin, who.membership.id)
                .await
                .map(|a| a.direct.into_iter().collect())
                .unwrap_or_default();
            mine.push(Permission::new(Category::Analytics, Action::View));
            members::update(s, who, &m, own(who.membership.role_template_id, mine)).await
        }
        Op::ResendUserInvite => members::resend_invite(s, who, &m, w.carol_id).await,
        Op::ResendAdminInvite => members::resend_invite(s, who, &m, w.second_admin_id).await,
        Op::SaveTemplateWithHeld => templates::save(s, who, &m, new_template("Held", vec![MANAGE]))
            .await
            .map(|_| ()),
        Op::SaveTemplateBeyondOwn => {
            templates::save(s, who, &m, new_template("Beyond", vec![BEYOND]))
                .await
                .map(|_| ())
        }
        Op::WidenUsedTemplate => {
            let mut t = new_template("Managers", vec![MANAGE, BEYOND]);
            t.id = Some(w.carols_template);
            templates::save(s, who, &m, t).await.map(|_| ())
        }
        Op::SetSecurity => tenant::set_require_admin_two_factor(s, who, false, &m).await,
        Op::SetFlag => tenant::flags::set(s, who, &m, "cases", true).await,
        Op::RestrictSignIn => tenant::set_sign_in_group(s, who, &m, Some(w.crew)).await,
        Op::CreateSandbox => tenant::sandbox::create_sandbox(s, who, &m)
            .await
            .map(|_| ()),
        Op::CreateGroup => app::backend::groups::create(s, who, &m, "New crew")
            .await
            .map(|_| ()),
        Op::AddUserToGroup => {
            app::backend::groups::add_member(s, who, &m, w.crew, "carol@example.com").await
        }
        Op::AddSelfToGroup => {
            app::backend::groups::add_member(s, who, &m, w.crew, &who.account.email).await
        }
        Op::AddAdminToGroup => {
            app::backend::groups::add_member(s, who, &m, w.crew, "erin@example.com").await
        }
        Op::GiveGroupTemplateBeyondOwn => {
            app::backend::groups::set_template(s, who, &m, w.crew, w.rich_template, true).await
        }
        Op::Unlock => members::unlock(s, who, &m, w.carol_id).await,
        Op::CancelUserInvite => members::cancel_invite(s, who, &m, w.dave_id).await,
        Op::CancelAdminInvite => members::cancel_invite(s, who, &m, w.erin_id).await,
        Op::DeleteAdmin => members::delete(s, who, &m, w.second_admin_id).await,
        Op::DeleteUser => members::delete(s, who, &m, w.carol_id).await,
    };
    match result {
        Ok(()) => Outcome::Allowed,
        Err(AppError::Forbidden(_)) => Outcome::Forbidden,
        Err(AppError::NotFound) => Outcome::NotFound,
        Err(other) => panic!("{op:?} by {}: unexpected {other:?}", who.account.email),
    }
}

/// What a member holding "manage people" (but not the Admin role) may do.
fn manager_may(op: Op) -> bool {
    matches!(
        op,
        Op::InviteUser
            | Op::GrantHeldPermission
            | Op::ResendUserInvite
            | Op::SaveTemplateWithHeld
            | Op::CreateGroup
            | Op::AddUserToGroup
            | Op::Unlock
            | Op::CancelUserInvite
            | Op::DeleteUser
    )
}

#[tokio::test]
async fn who_may_do_what_in_user_management() {
    // Rows: the admin, a member holding each single users.* permission of the catalog
    // (users.manage is the manager), and a member holding none.
    let mut rows: Vec<(String, Option<Permission>)> = vec![("admin".into(), None)];
    for p in Permission::all().filter(|p| p.category == Category::Users) {
        rows.push((p.key(), Some(p)));
    }
    rows.push(("no permissions".into(), None));
    for (row, permission) in rows {
        let app = TestApp::new("sqlite").await;
        let held: Vec<Permission> = permission.into_iter().collect();
        let w = world(&app, &held).await;
        let who = if row == "admin" {
            w.admin.clone()
        } else {
            actor(&app, "bob@example.com", "bob's passphrase!").await.0
        };
        for op in OPS {
            let outcome = run(&app, &who, &w, *op).await;
            let expected = match row.as_str() {
                // An admin may do everything but change their own access.
                "admin" => {
                    if matches!(
                        op,
                        Op::ChangeOwnTemplate | Op::ChangeOwnPermissions | Op::AddSelfToGroup
                    ) {
                        Outcome::Forbidden
                    } else {
                        Outcome::Allowed
                    }
                }
                "users.manage" => {
                    if manager_may(*op) {
                        Outcome::Allowed
                    } else {
                        Outcome::Forbidden
                    }
                }
                // Any single users.* permission short of manage, or none: nothing.
                _ => Outcome::Forbidden,
            };
            assert_eq!(outcome, expected, "{row}: {op:?}");
        }
    }
}

#[tokio::test]
async fn an_admin_of_another_tenant_finds_nothing_here() {
    let app = TestApp::new("sqlite").await;
    let w = world(&app, &[]).await;
    app.tenant_with_admin("Globex", "gus@example.com").await;
    let gus = actor(&app, "gus@example.com", crate::common::PASSWORD)
        .await
        .0;
    let s = &app.state;
    let m = meta(None);
    for id in [
        w.carol_id,
        w.second_admin_id,
        w.bob_id,
        w.admin.membership.id,
    ] {
        assert_eq!(
            members::resend_invite(s, &gus, &m, id).await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            members::unlock(s, &gus, &m, id).await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            members::delete(s, &gus, &m, id).await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            members::cancel_invite(s, &gus, &m, id).await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            members::update(
                s,
                &gus,
                &m,
                update_of(id, "x@example.com", Role::User, MembershipStatus::Active)
            )
            .await,
            Err(AppError::NotFound)
        );
        assert!(matches!(
            members::member_access(s, &gus, id).await,
            Err(AppError::NotFound)
        ));
    }
    for t in [w.rich_template, w.carols_template] {
        assert!(templates::delete(s, &gus, &m, t, None).await.is_err());
        assert!(matches!(
            templates::references(s, &gus, t).await,
            Err(AppError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_suspended_member_acts_no_more() {
    let app = TestApp::new("sqlite").await;
    let w = world(&app, &[MANAGE]).await;
    let (_, token) = actor(&app, "bob@example.com", "bob's passphrase!").await;
    members::update(
        &app.state,
        &w.admin,
        &meta(None),
        MemberUpdate {
            permissions: vec![MANAGE],
            ..update_of(
                w.bob_id,
                "bob@example.com",
                Role::User,
                MembershipStatus::Suspended,
            )
        },
    )
    .await
    .unwrap();
    assert_eq!(
        current_actor(&app.state, &meta(Some(token)))
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );
}
