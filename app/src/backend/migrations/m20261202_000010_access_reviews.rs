//! Access reviews (seed 001's monthly review): a review of a tenant's members, one
//! item per member with the reviewer's decision (a draft until the review is
//! completed), and the completed record (who, when, counts, the note). Items keep
//! the member's email and what they had, so the record outlives a removed member
//! (no foreign key to memberships). Tenants get the review settings: when a member
//! counts as not signing in ("No sign-in for N days"), how often a review is due,
//! when the next one is due and when the admins were last reminded.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000010_access_reviews"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    StaleSignInDays,
    ReviewEveryDays,
    ReviewDueAt,
    ReviewRemindedAt,
}

#[derive(DeriveIden)]
enum AccessReviews {
    Table,
    Id,
    TenantId,
    Scope,
    StartedBy,
    StartedAt,
    CompletedBy,
    CompletedAt,
    Note,
    Kept,
    Removed,
    Reduced,
}

#[derive(DeriveIden)]
enum AccessReviewItems {
    Table,
    Id,
    ReviewId,
    MembershipId,
    Email,
    Snapshot,
    Decision,
    Outcome,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ColumnDef::new(Tenants::StaleSignInDays)
                .big_integer()
                .not_null()
                .default(90)
                .to_owned(),
            ColumnDef::new(Tenants::ReviewEveryDays)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Tenants::ReviewDueAt)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Tenants::ReviewRemindedAt)
                .big_integer()
                .null()
                .to_owned(),
        ];
        // One column per statement: SQLite alters a table one change at a time.
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tenants::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_tenants_review_due_at")
                    .table(Tenants::Table)
                    .col(Tenants::ReviewDueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessReviews::Table)
                    .col(
                        ColumnDef::new(AccessReviews::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AccessReviews::TenantId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AccessReviews::Scope).string().not_null())
                    .col(ColumnDef::new(AccessReviews::StartedBy).string().not_null())
                    .col(
                        ColumnDef::new(AccessReviews::StartedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AccessReviews::CompletedBy).string().null())
                    .col(
                        ColumnDef::new(AccessReviews::CompletedAt)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(AccessReviews::Note).string().null())
                    .col(
                        ColumnDef::new(AccessReviews::Kept)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(AccessReviews::Removed)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(AccessReviews::Reduced)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccessReviews::Table, AccessReviews::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_reviews_tenant")
                    .table(AccessReviews::Table)
                    .col(AccessReviews::TenantId)
                    .col(AccessReviews::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessReviewItems::Table)
                    .col(
                        ColumnDef::new(AccessReviewItems::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AccessReviewItems::ReviewId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AccessReviewItems::MembershipId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AccessReviewItems::Email).string().not_null())
                    .col(
                        ColumnDef::new(AccessReviewItems::Snapshot)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AccessReviewItems::Decision).string().null())
                    .col(ColumnDef::new(AccessReviewItems::Outcome).string().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccessReviewItems::Table, AccessReviewItems::ReviewId)
                            .to(AccessReviews::Table, AccessReviews::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_review_items_review")
                    .table(AccessReviewItems::Table)
                    .col(AccessReviewItems::ReviewId)
                    .col(AccessReviewItems::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccessReviewItems::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AccessReviews::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_tenants_review_due_at")
                    .table(Tenants::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Tenants::StaleSignInDays,
            Tenants::ReviewEveryDays,
            Tenants::ReviewDueAt,
            Tenants::ReviewRemindedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tenants::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
