//! Each account's colour scheme on every device: "system" (follow the device),
//! "light" or "dark".

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000017_color_scheme"
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    ColorScheme,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(
                        ColumnDef::new(Accounts::ColorScheme)
                            .string()
                            .not_null()
                            .default("system"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::ColorScheme)
                    .to_owned(),
            )
            .await
    }
}
