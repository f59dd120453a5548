//! Password reset requests are queued and handled by the background worker, so the
//! request itself does the same work, and takes the same time, for any email.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000002_reset_requests"
    }
}

#[derive(DeriveIden)]
enum ResetRequests {
    Table,
    Id,
    Email,
    Ip,
    UserAgent,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ResetRequests::Table)
                    .col(
                        ColumnDef::new(ResetRequests::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ResetRequests::Email).string().not_null())
                    .col(ColumnDef::new(ResetRequests::Ip).string().not_null())
                    .col(ColumnDef::new(ResetRequests::UserAgent).string().not_null())
                    .col(
                        ColumnDef::new(ResetRequests::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ResetRequests::Table).to_owned())
            .await
    }
}
