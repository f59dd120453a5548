//! Provisioning (issue 14): what an identity provider (SCIM), a CSV import and
//! verified-domain auto-join need.
//!
//! - `memberships.external_id`: the identity provider's id of the person (SCIM
//!   `externalId`), per tenant; `memberships.profile`: the name the provider gave
//!   (SCIM `name` and `displayName`, JSON), kept per membership so one tenant's
//!   provider never renames the account in another; `memberships.provisioned_by`:
//!   how the membership came (`scim`, `import`, `auto_join`; null: invited by hand).
//! - `groups.external_id` and `groups.updated_at` (SCIM `meta.lastModified`).
//! - `tenants.scim_invites`: whether people created by SCIM get an invitation email
//!   (true) or wait for the admin to send one (false: they will sign in with their
//!   identity provider later).
//! - `tenant_domains`: email domains the operator verified for a tenant; with
//!   `tenants.auto_join_on`, a signed-in account at one of them may join as User with
//!   `tenants.auto_join_template_id`, while auto-joined seats stay under
//!   `tenants.auto_join_seat_cap` (null: no cap but the plan's).
//! - `member_imports`: a CSV file uploaded on Users → Import, as read (`rows`, JSON;
//!   or the sentence saying why it could not be read, `problem`), until it is
//!   applied (`applied_at`) or a day old (the sweep deletes it).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000015_provisioning"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    ScimInvites,
    AutoJoinOn,
    AutoJoinTemplateId,
    AutoJoinSeatCap,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    ExternalId,
    Profile,
    ProvisionedBy,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    TenantId,
    ExternalId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MemberImports {
    Table,
    Id,
    TenantId,
    MembershipId,
    FileName,
    Rows,
    Problem,
    CreatedAt,
    AppliedAt,
}

#[derive(DeriveIden)]
enum TenantDomains {
    Table,
    Id,
    TenantId,
    Domain,
    CreatedAt,
}

/// SQLite takes one column a statement.
async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    col: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(col).to_owned())
        .await
}

async fn drop(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(col).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            Memberships::Table,
            ColumnDef::new(Memberships::ExternalId)
                .text()
                .null()
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Memberships::Table,
            ColumnDef::new(Memberships::Profile)
                .text()
                .null()
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Memberships::Table,
            ColumnDef::new(Memberships::ProvisionedBy)
                .text()
                .null()
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Groups::Table,
            ColumnDef::new(Groups::ExternalId).text().null().to_owned(),
        )
        .await?;
        add(
            manager,
            Groups::Table,
            ColumnDef::new(Groups::UpdatedAt)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Tenants::Table,
            ColumnDef::new(Tenants::ScimInvites)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Tenants::Table,
            ColumnDef::new(Tenants::AutoJoinOn)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Tenants::Table,
            ColumnDef::new(Tenants::AutoJoinTemplateId)
                .big_integer()
                .null()
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Tenants::Table,
            ColumnDef::new(Tenants::AutoJoinSeatCap)
                .big_integer()
                .null()
                .to_owned(),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_memberships_external_id")
                    .table(Memberships::Table)
                    .col(Memberships::TenantId)
                    .col(Memberships::ExternalId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_groups_external_id")
                    .table(Groups::Table)
                    .col(Groups::TenantId)
                    .col(Groups::ExternalId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TenantDomains::Table)
                    .col(
                        ColumnDef::new(TenantDomains::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TenantDomains::TenantId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(TenantDomains::Domain).text().not_null())
                    .col(
                        ColumnDef::new(TenantDomains::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TenantDomains::Table, TenantDomains::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_tenant_domains")
                    .table(TenantDomains::Table)
                    .col(TenantDomains::TenantId)
                    .col(TenantDomains::Domain)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tenant_domains_domain")
                    .table(TenantDomains::Table)
                    .col(TenantDomains::Domain)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MemberImports::Table)
                    .col(
                        ColumnDef::new(MemberImports::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MemberImports::TenantId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MemberImports::MembershipId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(MemberImports::FileName).text().not_null())
                    .col(ColumnDef::new(MemberImports::Rows).text().not_null())
                    .col(ColumnDef::new(MemberImports::Problem).text().null())
                    .col(
                        ColumnDef::new(MemberImports::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MemberImports::AppliedAt)
                            .big_integer()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MemberImports::Table, MemberImports::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MemberImports::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TenantDomains::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_groups_external_id")
                    .table(Groups::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_memberships_external_id")
                    .table(Memberships::Table)
                    .to_owned(),
            )
            .await?;
        drop(manager, Tenants::Table, Tenants::AutoJoinSeatCap).await?;
        drop(manager, Tenants::Table, Tenants::AutoJoinTemplateId).await?;
        drop(manager, Tenants::Table, Tenants::AutoJoinOn).await?;
        drop(manager, Tenants::Table, Tenants::ScimInvites).await?;
        drop(manager, Groups::Table, Groups::UpdatedAt).await?;
        drop(manager, Groups::Table, Groups::ExternalId).await?;
        drop(manager, Memberships::Table, Memberships::ProvisionedBy).await?;
        drop(manager, Memberships::Table, Memberships::Profile).await?;
        drop(manager, Memberships::Table, Memberships::ExternalId).await
    }
}
