//! API keys (issue 13): a tenant's keys for host products and identity providers.
//! Only the SHA-256 of a key's secret is stored (`secret_hash`, unique: a presented
//! key is found by it); `prefix` is the secret's first characters, shown so people can
//! tell keys apart. Scopes are stored as their keys, comma-separated. A revoked key
//! stays listed (who revoked it, when) and never works again.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000012_api_keys"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    TenantId,
    Name,
    Prefix,
    SecretHash,
    Scopes,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
    RevokedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let big = |c: ApiKeys| ColumnDef::new(c).big_integer().not_null().to_owned();
        let big_null = |c: ApiKeys| ColumnDef::new(c).big_integer().null().to_owned();
        let text = |c: ApiKeys| ColumnDef::new(c).text().not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(
                        ColumnDef::new(ApiKeys::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big(ApiKeys::TenantId))
                    .col(text(ApiKeys::Name))
                    .col(text(ApiKeys::Prefix))
                    .col(text(ApiKeys::SecretHash).unique_key().to_owned())
                    .col(text(ApiKeys::Scopes))
                    .col(text(ApiKeys::CreatedBy))
                    .col(big(ApiKeys::CreatedAt))
                    .col(big_null(ApiKeys::ExpiresAt))
                    .col(big_null(ApiKeys::LastUsedAt))
                    .col(big_null(ApiKeys::RevokedAt))
                    .col(ColumnDef::new(ApiKeys::RevokedBy).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeys::Table, ApiKeys::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_api_keys_tenant")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::TenantId)
                    .col(ApiKeys::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiKeys::Table).to_owned())
            .await
    }
}
