//! Policy: loads what decides a member's permissions and asks the domain's one
//! evaluation function. Every permission check goes through [`require`].

use super::actor::Actor;
use super::stored::{decode, decode_all};
pub use super::temporary::{
    admin_for_good, admin_in_force, beta_in_force, crm_in_force, grant_in_force, in_force,
    member_grants_in_force, template_among,
};
use crate::backend::entities::{
    accounts, group_members, group_templates, groups, membership_permissions, memberships,
    role_template_permissions, role_templates, tenant_features, tenants,
};
use crate::domain::access::diagnose::Grantable;
use crate::domain::access::{
    effective_permissions, evaluate, evaluate_feature, AccessInputs, FeatureContext, GroupGrant,
    Permission, TemplateGrant,
};
use crate::domain::{AppError, Feature, Flag};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeSet, HashMap};

/// The condition on `memberships` of holding `permission` at `now`: by the Admin
/// role, a direct grant in force, their role template (a temporary one until its
/// end, then the one they go back to), or a group. `templates` and `groups` are the
/// ids of the tenant's templates and groups that grant it. One SQL condition, the
/// same rule as [`access_inputs`] + `evaluate`, for the queries that list holders.
pub fn holds(
    permission: Permission,
    templates: &[i64],
    groups: &[i64],
    now: i64,
) -> sea_orm::sea_query::Condition {
    use sea_orm::sea_query::{Condition, Expr, Query};
    // EXISTS, not IN: each candidate is one primary-key probe, so a query that
    // stops after a page never reads every grant.
    let mut any = Condition::any().add(admin_in_force(now)).add(Expr::exists(
        member_grants_in_force(now)
            .expr(Expr::val(1))
            .and_where(membership_permissions::Column::Permission.eq(permission.key()))
            .to_owned(),
    ));
    if !templates.is_empty() {
        any = any.add(template_among(templates, now));
    }
    if !groups.is_empty() {
        any = any.add(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(group_members::Entity)
                .and_where(
                    Expr::col((group_members::Entity, group_members::Column::MembershipId))
                        .equals((memberships::Entity, memberships::Column::Id)),
                )
                .and_where(group_members::Column::GroupId.is_in(groups.iter().copied()))
                .to_owned(),
        ));
    }
    any
}

/// Everything that decides the member's permissions at `now`, read fresh from the
/// database (nothing is cached in the session, so changes apply at the next
/// request; a temporary grant counts until its end and not a moment after).
///
/// At most six queries whatever the number of groups and templates: direct grants,
/// group memberships, the groups, their template links, the templates, and the
/// templates' permissions.
pub async fn access_inputs(
    conn: &impl ConnectionTrait,
    membership: &memberships::Model,
    now: i64,
) -> Result<AccessInputs, AppError> {
    access_inputs_of(conn, std::slice::from_ref(membership), now)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Members read per round of [`access_inputs_of`]'s six queries.
const INPUTS_CHUNK: usize = 500;

/// [`access_inputs`] of many members of one tenant at once, in their order: the
/// same six queries for every 500 members.
pub async fn access_inputs_of(
    conn: &impl ConnectionTrait,
    memberships: &[memberships::Model],
    now: i64,
) -> Result<Vec<AccessInputs>, AppError> {
    let mut out = Vec::with_capacity(memberships.len());
    for chunk in memberships.chunks(INPUTS_CHUNK) {
        out.extend(inputs_chunk(conn, chunk, now).await?);
    }
    Ok(out)
}

async fn inputs_chunk(
    conn: &impl ConnectionTrait,
    chunk: &[memberships::Model],
    now: i64,
) -> Result<Vec<AccessInputs>, AppError> {
    let chunk: Vec<memberships::Model> = chunk.iter().map(|m| in_force(m, now)).collect();
    let Some(tenant_id) = chunk.first().map(|m| m.tenant_id) else {
        return Ok(Vec::new());
    };
    let ids: Vec<i64> = chunk.iter().map(|m| m.id).collect();
    let mut direct: HashMap<i64, BTreeSet<Permission>> = HashMap::new();
    for row in membership_permissions::Entity::find()
        .filter(membership_permissions::Column::MembershipId.is_in(ids.iter().copied()))
        .filter(grant_in_force(now))
        .all(conn)
        .await?
    {
        direct
            .entry(row.membership_id)
            .or_default()
            .insert(decode(&row.permission)?);
    }

    let in_groups = group_members::Entity::find()
        .filter(group_members::Column::MembershipId.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    let (member_groups, links) = if in_groups.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let member_groups = groups::Entity::find()
            .filter(groups::Column::Id.is_in(in_groups.iter().map(|l| l.group_id)))
            .filter(groups::Column::TenantId.eq(tenant_id))
            .order_by_asc(groups::Column::Id)
            .all(conn)
            .await?;
        let links = if member_groups.is_empty() {
            Vec::new()
        } else {
            group_templates::Entity::find()
                .filter(group_templates::Column::GroupId.is_in(member_groups.iter().map(|g| g.id)))
                .order_by_asc(group_templates::Column::TemplateId)
                .all(conn)
                .await?
        };
        (member_groups, links)
    };

    let mut template_ids: BTreeSet<i64> = links.iter().map(|l| l.template_id).collect();
    template_ids.extend(chunk.iter().filter_map(|m| m.role_template_id));
    let mut grants: HashMap<i64, TemplateGrant> = HashMap::new();
    if !template_ids.is_empty() {
        let templates = role_templates::Entity::find()
            .filter(role_templates::Column::Id.is_in(template_ids.iter().copied()))
            .filter(role_templates::Column::TenantId.eq(tenant_id))
            .all(conn)
            .await?;
        let rows = role_template_permissions::Entity::find()
            .filter(
                role_template_permissions::Column::TemplateId.is_in(templates.iter().map(|t| t.id)),
            )
            .all(conn)
            .await?;
        for template in templates {
            let permissions = decode_all(
                rows.iter()
                    .filter(|r| r.template_id == template.id)
                    .map(|r| r.permission.as_str()),
            )?;
            grants.insert(
                template.id,
                TemplateGrant {
                    name: template.name,
                    permissions,
                },
            );
        }
    }
    let group_grant = |group: &groups::Model| GroupGrant {
        templates: links
            .iter()
            .filter(|l| l.group_id == group.id)
            .filter_map(|l| grants.get(&l.template_id).cloned())
            .collect(),
        name: group.name.clone(),
    };

    let mut groups_of: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for link in &in_groups {
        groups_of
            .entry(link.membership_id)
            .or_default()
            .insert(link.group_id);
    }
    chunk
        .iter()
        .map(|membership| {
            let theirs = groups_of.get(&membership.id);
            let groups = member_groups
                .iter()
                .filter(|g| theirs.is_some_and(|ids| ids.contains(&g.id)))
                .map(group_grant)
                .collect();
            Ok(AccessInputs {
                role: decode(&membership.role)?,
                direct: direct.remove(&membership.id).unwrap_or_default(),
                template: membership
                    .role_template_id
                    .and_then(|id| grants.get(&id).cloned()),
                groups,
            })
        })
        .collect()
}

/// Passes when the actor holds `permission`; otherwise `Forbidden` with `denial`,
/// a sentence that says what the person cannot do in plain words.
pub async fn require(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    permission: Permission,
    denial: &str,
) -> Result<(), AppError> {
    let inputs = access_inputs(conn, &actor.membership, actor.now).await?;
    if evaluate(&inputs, permission).granted() {
        Ok(())
    } else {
        Err(AppError::Forbidden(denial.to_string()))
    }
}

/// The tenant's feature flags that are on.
pub async fn flags_on(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<BTreeSet<Flag>, AppError> {
    let rows = tenant_features::Entity::find()
        .filter(tenant_features::Column::TenantId.eq(tenant_id))
        .filter(tenant_features::Column::Enabled.eq(true))
        .all(conn)
        .await?;
    rows.iter().map(|r| decode::<Flag>(&r.feature)).collect()
}

/// Everything known about the actor and their tenant that decides features, read
/// fresh; for a signed-in actor the authentication layer has passed already.
pub async fn feature_context(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<FeatureContext, AppError> {
    member_feature_context(
        conn,
        &actor.tenant,
        &actor.membership,
        &actor.account,
        actor.now,
    )
    .await
}

/// Everything that decides features for any member of a tenant at `now`.
pub async fn member_feature_context(
    conn: &impl ConnectionTrait,
    tenant: &tenants::Model,
    membership: &memberships::Model,
    account: &accounts::Model,
    now: i64,
) -> Result<FeatureContext, AppError> {
    let membership = &in_force(membership, now);
    Ok(FeatureContext {
        tenant_name: tenant.name.clone(),
        plan: decode(&tenant.plan)?,
        flags: flags_on(conn, tenant.id).await?,
        status: decode(&membership.status)?,
        account_disabled: account.disabled_at.is_some(),
        outside_sign_in_group: super::sign_in_group::keeps_out(conn, tenant, membership).await?,
        access: access_inputs(conn, membership, now).await?,
        crm_access: membership.crm_access,
        beta_access: membership.beta_access,
    })
}

/// Refused, with the person's sentences for every reason, unless the actor can use
/// `feature`: how the product's features are enforced.
pub async fn require_feature(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    feature: Feature,
) -> Result<(), AppError> {
    let decision = evaluate_feature(&feature_context(conn, actor).await?, feature);
    if decision.allowed() {
        Ok(())
    } else {
        let sentences: Vec<String> = decision.reasons.into_iter().map(|r| r.for_person).collect();
        Err(AppError::Forbidden(sentences.join(" ")))
    }
}

/// The permissions a role template grants (read fresh: templates apply live).
pub async fn template_permissions(
    conn: &impl ConnectionTrait,
    template_id: i64,
) -> Result<BTreeSet<Permission>, AppError> {
    let rows = role_template_permissions::Entity::find()
        .filter(role_template_permissions::Column::TemplateId.eq(template_id))
        .all(conn)
        .await?;
    decode_all(rows.iter().map(|r| r.permission.as_str()))
}

pub use crate::domain::access::grantor::{Grantor, ADMINS_ONLY, NOT_YOURSELF, NOT_YOUR_OWN};

/// The actor as someone who hands out access (see [`Grantor`]).
pub async fn grantor(conn: &impl ConnectionTrait, actor: &Actor) -> Result<Grantor, AppError> {
    // The Admin role grants every permission (`evaluate`): nothing else to read.
    if actor.role == crate::domain::Role::Admin {
        return Ok(Grantor {
            membership_id: actor.membership.id,
            is_admin: true,
            held: crate::domain::access::Permission::all().collect(),
        });
    }
    let inputs = access_inputs(conn, &actor.membership, actor.now).await?;
    Ok(Grantor {
        membership_id: actor.membership.id,
        is_admin: inputs.role == crate::domain::Role::Admin,
        held: effective_permissions(&inputs),
    })
}

pub const NO_USER_MANAGEMENT: &str =
    "You don't have access to user management. Ask an admin of this tenant if you need it.";

/// Only admins, or members holding "manage people, roles and role templates", pass.
pub async fn require_user_admin(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<(), AppError> {
    user_manager(conn, actor).await.map(|_| ())
}

/// The actor as a manager of people: refused unless they hold "manage people, roles
/// and role templates" (admins do); otherwise what they may grant, loaded once for
/// the checks that follow.
pub async fn user_manager(conn: &impl ConnectionTrait, actor: &Actor) -> Result<Grantor, AppError> {
    let grantor = grantor(conn, actor).await?;
    if grantor.manages_people() {
        Ok(grantor)
    } else {
        Err(AppError::Forbidden(NO_USER_MANAGEMENT.to_string()))
    }
}

/// The tenant's role templates and groups with what each grants (4 queries):
/// what diagnostics, Who can and access requests rank by least privilege.
pub async fn grantables(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<(Vec<Grantable>, Vec<Grantable>), AppError> {
    let templates = role_templates::Entity::find()
        .filter(role_templates::Column::TenantId.eq(tenant_id))
        .order_by_asc(role_templates::Column::Name)
        .all(conn)
        .await?;
    let rows = role_template_permissions::Entity::find()
        .filter(role_template_permissions::Column::TemplateId.is_in(templates.iter().map(|t| t.id)))
        .all(conn)
        .await?;
    let mut by_template: HashMap<i64, BTreeSet<Permission>> = HashMap::new();
    for r in &rows {
        let p: BTreeSet<Permission> = decode_all(std::iter::once(r.permission.as_str()))?;
        by_template.entry(r.template_id).or_default().extend(p);
    }
    let all_groups = groups::Entity::find()
        .filter(groups::Column::TenantId.eq(tenant_id))
        .order_by_asc(groups::Column::Name)
        .all(conn)
        .await?;
    let links = group_templates::Entity::find()
        .filter(group_templates::Column::GroupId.is_in(all_groups.iter().map(|g| g.id)))
        .all(conn)
        .await?;
    let group_list = all_groups
        .into_iter()
        .map(|g| Grantable {
            id: g.id,
            permissions: links
                .iter()
                .filter(|l| l.group_id == g.id)
                .filter_map(|l| by_template.get(&l.template_id))
                .flatten()
                .copied()
                .collect(),
            name: g.name,
        })
        .collect();
    let template_list = templates
        .into_iter()
        .map(|t| Grantable {
            id: t.id,
            permissions: by_template.remove(&t.id).unwrap_or_default(),
            name: t.name,
        })
        .collect();
    Ok((template_list, group_list))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::backend::entities::{accounts, tenants};
    use crate::backend::kernel::db::Db;
    use crate::domain::access::{Action, Category};
    use sea_orm::{
        ActiveModelTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, Set,
        Statement,
    };
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A connection that counts the statements sent through it.
    struct Counting<'a> {
        inner: &'a DatabaseConnection,
        statements: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl ConnectionTrait for Counting<'_> {
        fn get_database_backend(&self) -> DbBackend {
            self.inner.get_database_backend()
        }
        async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
            self.statements.fetch_add(1, Ordering::SeqCst);
            self.inner.execute(stmt).await
        }
        async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
            self.statements.fetch_add(1, Ordering::SeqCst);
            self.inner.execute_unprepared(sql).await
        }
        async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
            self.statements.fetch_add(1, Ordering::SeqCst);
            self.inner.query_one(stmt).await
        }
        async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
            self.statements.fetch_add(1, Ordering::SeqCst);
            self.inner.query_all(stmt).await
        }
    }

    async fn template(db: &DatabaseConnection, tenant: i64, name: &str, perm: &str) -> i64 {
        let t = role_templates::ActiveModel {
            tenant_id: Set(tenant),
            name: Set(name.into()),
            description: Set(String::new()),
            created_at: Set(0),
            updated_at: Set(0),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        role_template_permissions::ActiveModel {
            template_id: Set(t.id),
            permission: Set(perm.into()),
        }
        .insert(db)
        .await
        .unwrap();
        t.id
    }

    /// A member with a template of their own and `groups` groups, each linked to two
    /// templates; answers the member and how many statements `access_inputs` sent.
    async fn member_with_groups(groups_n: usize) -> (AccessInputs, usize) {
        let path = std::env::temp_dir().join(format!(
            "gatehouse-policy-{}.db",
            crate::backend::kernel::crypto::reference_id()
        ));
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let conn = db.conn();
        let tenant = tenants::ActiveModel {
            name: Set("Acme".into()),
            kind: Set("production".into()),
            plan: Set("team".into()),
            seat_limit: Set(100),
            require_admin_two_factor: Set(false),
            created_at: Set(0),
            ..Default::default()
        }
        .insert(conn)
        .await
        .unwrap();
        let account = accounts::ActiveModel {
            email: Set("ada@example.com".into()),
            display_name: Set(String::new()),
            failed_sign_ins: Set(0),
            created_at: Set(0),
            ..Default::default()
        }
        .insert(conn)
        .await
        .unwrap();
        let own = template(conn, tenant.id, "Own", "analytics.view").await;
        let membership = memberships::ActiveModel {
            tenant_id: Set(tenant.id),
            account_id: Set(account.id),
            role: Set("user".into()),
            role_template_id: Set(Some(own)),
            status: Set("active".into()),
            crm_access: Set(false),
            beta_access: Set(false),
            created_at: Set(0),
            updated_at: Set(0),
            ..Default::default()
        }
        .insert(conn)
        .await
        .unwrap();
        membership_permissions::ActiveModel {
            membership_id: Set(membership.id),
            permission: Set("users.view".into()),
            ..Default::default()
        }
        .insert(conn)
        .await
        .unwrap();
        for g in 0..groups_n {
            let group = groups::ActiveModel {
                tenant_id: Set(tenant.id),
                name: Set(format!("Group {g}")),
                created_at: Set(0),
                ..Default::default()
            }
            .insert(conn)
            .await
            .unwrap();
            group_members::ActiveModel {
                group_id: Set(group.id),
                membership_id: Set(membership.id),
            }
            .insert(conn)
            .await
            .unwrap();
            for (i, perm) in ["conversations.view", "settings.edit"].iter().enumerate() {
                let t = template(conn, tenant.id, &format!("G{g} T{i}"), perm).await;
                group_templates::ActiveModel {
                    group_id: Set(group.id),
                    template_id: Set(t),
                }
                .insert(conn)
                .await
                .unwrap();
            }
        }
        let counting = Counting {
            inner: conn,
            statements: AtomicUsize::new(0),
        };
        let inputs = access_inputs(&counting, &membership, 0).await.unwrap();
        let _ = std::fs::remove_file(&path);
        (inputs, counting.statements.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn access_inputs_take_the_same_few_queries_for_any_number_of_groups() {
        let (one, one_count) = member_with_groups(1).await;
        let (five, five_count) = member_with_groups(5).await;
        assert_eq!(one.groups.len(), 1);
        assert_eq!(five.groups.len(), 5);
        assert!(five.groups.iter().all(|g| g.templates.len() == 2));
        assert_eq!(five.template.as_ref().map(|t| t.name.as_str()), Some("Own"));
        assert_eq!(five.direct.len(), 1);
        assert!(
            evaluate(&five, Permission::new(Category::Settings, Action::Edit)).granted(),
            "a group's template grants its permission"
        );
        assert_eq!(one_count, five_count, "queries must not grow with groups");
        assert!(one_count <= 6, "{one_count} queries");
    }
}
