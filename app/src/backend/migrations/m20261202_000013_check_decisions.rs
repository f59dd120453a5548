//! The check API's decision log (issue 13): every answer `POST /v1/check` gave —
//! which key asked, about whom (as asked, and the member when there was one), what,
//! the answer and the reason codes, when. Rows keep the key's name and the subject's
//! words, so a record outlives a revoked key or a removed member (no foreign key to
//! either). Tenants get `decision_log_days`: rows older than that are deleted by the
//! server's sweep. Indexed for the admin page (tenant, newest first) and the sweep
//! (time).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000013_check_decisions"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    DecisionLogDays,
}

#[derive(DeriveIden)]
enum CheckDecisions {
    Table,
    Id,
    TenantId,
    ApiKeyId,
    KeyName,
    Subject,
    MemberId,
    Target,
    Allowed,
    Reasons,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .add_column(
                        ColumnDef::new(Tenants::DecisionLogDays)
                            .big_integer()
                            .not_null()
                            .default(30),
                    )
                    .to_owned(),
            )
            .await?;
        let big = |c: CheckDecisions| ColumnDef::new(c).big_integer().not_null().to_owned();
        let text = |c: CheckDecisions| ColumnDef::new(c).text().not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(CheckDecisions::Table)
                    .col(
                        ColumnDef::new(CheckDecisions::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big(CheckDecisions::TenantId))
                    .col(big(CheckDecisions::ApiKeyId))
                    .col(text(CheckDecisions::KeyName))
                    .col(text(CheckDecisions::Subject))
                    .col(
                        ColumnDef::new(CheckDecisions::MemberId)
                            .big_integer()
                            .null(),
                    )
                    .col(text(CheckDecisions::Target))
                    .col(ColumnDef::new(CheckDecisions::Allowed).boolean().not_null())
                    .col(text(CheckDecisions::Reasons))
                    .col(big(CheckDecisions::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckDecisions::Table, CheckDecisions::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_check_decisions_tenant")
                    .table(CheckDecisions::Table)
                    .col(CheckDecisions::TenantId)
                    .col(CheckDecisions::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_check_decisions_at")
                    .table(CheckDecisions::Table)
                    .col(CheckDecisions::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CheckDecisions::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .drop_column(Tenants::DecisionLogDays)
                    .to_owned(),
            )
            .await
    }
}
