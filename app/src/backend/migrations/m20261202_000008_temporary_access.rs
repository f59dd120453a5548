//! Temporary access: a grant that ends by itself. A direct permission carries its
//! end (`expires_at`); a temporary role template carries its end and the template
//! the member goes back to; CRM access carries its end. `granted_by` /
//! `temporary_by` keep who gave it, for the audit row the expiry sweep writes.
//! Evaluation ignores an ended grant at once; the sweep then removes it. Indexed on
//! the end times so the sweep never scans the tenant.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000008_temporary_access"
    }
}

#[derive(DeriveIden)]
enum MembershipPermissions {
    Table,
    ExpiresAt,
    GrantedBy,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    TemplateUntil,
    TemplateRestoreId,
    CrmUntil,
    TemporaryBy,
}

const INDEXES: [(&str, &str); 3] = [
    (
        "ix_membership_permissions_expires_at",
        "membership_permissions",
    ),
    ("ix_memberships_template_until", "memberships"),
    ("ix_memberships_crm_until", "memberships"),
];

fn add(table: impl Iden + 'static, column: ColumnDef) -> TableAlterStatement {
    // One column per statement: SQLite alters a table one change at a time.
    let mut column = column;
    Table::alter()
        .table(table)
        .add_column(&mut column)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let changes = [
            add(
                MembershipPermissions::Table,
                ColumnDef::new(MembershipPermissions::ExpiresAt)
                    .big_integer()
                    .null()
                    .to_owned(),
            ),
            add(
                MembershipPermissions::Table,
                ColumnDef::new(MembershipPermissions::GrantedBy)
                    .string()
                    .null()
                    .to_owned(),
            ),
            add(
                Memberships::Table,
                ColumnDef::new(Memberships::TemplateUntil)
                    .big_integer()
                    .null()
                    .to_owned(),
            ),
            add(
                Memberships::Table,
                ColumnDef::new(Memberships::TemplateRestoreId)
                    .big_integer()
                    .null()
                    .to_owned(),
            ),
            add(
                Memberships::Table,
                ColumnDef::new(Memberships::CrmUntil)
                    .big_integer()
                    .null()
                    .to_owned(),
            ),
            add(
                Memberships::Table,
                ColumnDef::new(Memberships::TemporaryBy)
                    .string()
                    .null()
                    .to_owned(),
            ),
        ];
        for change in changes {
            manager.alter_table(change).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(INDEXES[0].0)
                    .table(MembershipPermissions::Table)
                    .col(MembershipPermissions::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEXES[1].0)
                    .table(Memberships::Table)
                    .col(Memberships::TemplateUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEXES[2].0)
                    .table(Memberships::Table)
                    .col(Memberships::CrmUntil)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        let drops: [(&str, &str); 6] = [
            ("membership_permissions", "expires_at"),
            ("membership_permissions", "granted_by"),
            ("memberships", "template_until"),
            ("memberships", "template_restore_id"),
            ("memberships", "crm_until"),
            ("memberships", "temporary_by"),
        ];
        for (table, column) in drops {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
