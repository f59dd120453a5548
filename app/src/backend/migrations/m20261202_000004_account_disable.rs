//! The operator's switch on an account ("enabled for sign-in", seed 003): when set,
//! the account signs in nowhere and its sessions are gone. Distinct from a tenant
//! suspending a membership; tenant admins see it and can't lift it.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000004_account_disable"
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    DisabledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(ColumnDef::new(Accounts::DisabledAt).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::DisabledAt)
                    .to_owned(),
            )
            .await
    }
}
