//! Group-restricted sign-in (seed 003, the environment's security group): when set,
//! only members of this group (and the tenant's admins) can sign in to the tenant.
//! No foreign key: the group can't be deleted while it is chosen (checked in code).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000006_sign_in_group"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    SignInGroupId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .add_column(ColumnDef::new(Tenants::SignInGroupId).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .drop_column(Tenants::SignInGroupId)
                    .to_owned(),
            )
            .await
    }
}
