//! "Who can …?" finds the members holding a permission directly: an index from the
//! permission to its members keeps it fast at 100,000 members.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000007_who_can_index"
    }
}

#[derive(DeriveIden)]
enum MembershipPermissions {
    Table,
    Permission,
    MembershipId,
}

const NAME: &str = "ix_membership_permissions_permission";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(MembershipPermissions::Table)
                    .col(MembershipPermissions::Permission)
                    .col(MembershipPermissions::MembershipId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(MembershipPermissions::Table)
                    .to_owned(),
            )
            .await
    }
}
