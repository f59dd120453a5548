//! Production and sandbox pairs (seed 000 step 4): a sandbox made from a production
//! tenant remembers it, and the production tenant its sandbox.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000005_sandbox_pairs"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    PairedTenantId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .add_column(ColumnDef::new(Tenants::PairedTenantId).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .drop_column(Tenants::PairedTenantId)
                    .to_owned(),
            )
            .await
    }
}
