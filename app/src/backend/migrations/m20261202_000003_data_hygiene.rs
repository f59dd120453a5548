//! Data written before two fixes: delivered mail kept its bodies (with live invite
//! and reset links) in clear, and emails were stored with Unicode domains. Delivered
//! bodies are erased; each stored email is rewritten to its normal form (IDNA ASCII
//! domain, NFC) unless another account already has that form, which is logged for
//! an operator to merge by hand.

use crate::domain::Email;
use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000003_data_hygiene"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        db.execute(Statement::from_string(
            backend,
            "UPDATE mail_outbox SET body_text = '', body_html = '' WHERE sent_at IS NOT NULL",
        ))
        .await?;
        let rows = db
            .query_all(Statement::from_string(
                backend,
                "SELECT id, email FROM accounts ORDER BY id",
            ))
            .await?;
        let mut taken: std::collections::HashSet<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "email").ok())
            .collect();
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let stored: String = row.try_get("", "email")?;
            let Ok(normal) = Email::parse(&stored) else {
                continue;
            };
            let normal = normal.to_string();
            if normal == stored {
                continue;
            }
            if taken.contains(&normal) {
                tracing::warn!(
                    account = id,
                    "two accounts share one normalised email; left as it is for an operator to merge"
                );
                continue;
            }
            manager
                .exec_stmt(
                    Query::update()
                        .table(Alias::new("accounts"))
                        .value(Alias::new("email"), normal.clone())
                        .and_where(Expr::col(Alias::new("id")).eq(id))
                        .to_owned(),
                )
                .await?;
            taken.insert(normal);
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
