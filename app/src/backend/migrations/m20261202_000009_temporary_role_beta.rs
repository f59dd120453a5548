//! Temporary Admin role and beta access, beside the temporary template, CRM access
//! and grants of 000008: `role_until` is the end of a temporary role and
//! `role_restore` the role the member goes back to then; `beta_until` the end of
//! temporary beta access. Indexed on the ends, for the expiry sweep. And the audit
//! trail indexed by the member it is about, for diagnostics ("expired on …") and a
//! member's activity.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000009_temporary_role_beta"
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    TenantId,
    TargetId,
}

const AUDIT_INDEX: &str = "ix_audit_events_target";

#[derive(DeriveIden)]
enum Memberships {
    Table,
    RoleUntil,
    RoleRestore,
    BetaUntil,
}

const INDEXES: [&str; 2] = ["ix_memberships_role_until", "ix_memberships_beta_until"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ColumnDef::new(Memberships::RoleUntil)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Memberships::RoleRestore)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Memberships::BetaUntil)
                .big_integer()
                .null()
                .to_owned(),
        ];
        // One column per statement: SQLite alters a table one change at a time.
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Memberships::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for (name, column) in INDEXES
            .into_iter()
            .zip([Memberships::RoleUntil, Memberships::BetaUntil])
        {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Memberships::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(AUDIT_INDEX)
                    .table(AuditEvents::Table)
                    .col(AuditEvents::TenantId)
                    .col(AuditEvents::TargetId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(AUDIT_INDEX)
                    .table(AuditEvents::Table)
                    .to_owned(),
            )
            .await?;
        for name in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Memberships::Table)
                        .to_owned(),
                )
                .await?;
        }
        for column in ["role_until", "role_restore", "beta_until"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Memberships::Table)
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
