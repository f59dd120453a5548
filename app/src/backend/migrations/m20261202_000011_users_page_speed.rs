//! The Users table at 100,000 members: no page view counts the tenant's rows.
//!
//! - `member_counts`: members of each tenant by status, kept by triggers on
//!   `memberships` (insert, delete, a status or tenant change), so the count moves in
//!   the same transaction as the change whatever code makes it. The seat count and
//!   the status tabs read three rows.
//! - Email search through an index: on SQLite an FTS5 table with the trigram
//!   tokenizer over `accounts.email` (external content, kept by triggers); on
//!   PostgreSQL a `pg_trgm` GIN index (when the extension can't be created the search
//!   still works, by a scan).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000011_users_page_speed"
    }
}

const COUNTS_TABLE: &str = "CREATE TABLE member_counts (
    tenant_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, status)
)";

const BACKFILL: &str = "INSERT INTO member_counts (tenant_id, status, n)
    SELECT tenant_id, status, COUNT(*) FROM memberships GROUP BY tenant_id, status";

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER member_counts_insert AFTER INSERT ON memberships BEGIN
        INSERT INTO member_counts (tenant_id, status, n) VALUES (NEW.tenant_id, NEW.status, 1)
            ON CONFLICT (tenant_id, status) DO UPDATE SET n = n + 1;
    END",
    "CREATE TRIGGER member_counts_delete AFTER DELETE ON memberships BEGIN
        UPDATE member_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
    END",
    "CREATE TRIGGER member_counts_update AFTER UPDATE OF status, tenant_id ON memberships
        WHEN OLD.status <> NEW.status OR OLD.tenant_id <> NEW.tenant_id BEGIN
        UPDATE member_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
        INSERT INTO member_counts (tenant_id, status, n) VALUES (NEW.tenant_id, NEW.status, 1)
            ON CONFLICT (tenant_id, status) DO UPDATE SET n = n + 1;
    END",
    "CREATE VIRTUAL TABLE accounts_email_search USING fts5(
        email, content = 'accounts', content_rowid = 'id', tokenize = 'trigram')",
    "INSERT INTO accounts_email_search (accounts_email_search) VALUES ('rebuild')",
    "CREATE TRIGGER accounts_email_search_insert AFTER INSERT ON accounts BEGIN
        INSERT INTO accounts_email_search (rowid, email) VALUES (NEW.id, NEW.email);
    END",
    "CREATE TRIGGER accounts_email_search_delete AFTER DELETE ON accounts BEGIN
        INSERT INTO accounts_email_search (accounts_email_search, rowid, email)
            VALUES ('delete', OLD.id, OLD.email);
    END",
    "CREATE TRIGGER accounts_email_search_update AFTER UPDATE OF email ON accounts BEGIN
        INSERT INTO accounts_email_search (accounts_email_search, rowid, email)
            VALUES ('delete', OLD.id, OLD.email);
        INSERT INTO accounts_email_search (rowid, email) VALUES (NEW.id, NEW.email);
    END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS accounts_email_search_update",
    "DROP TRIGGER IF EXISTS accounts_email_search_delete",
    "DROP TRIGGER IF EXISTS accounts_email_search_insert",
    "DROP TABLE IF EXISTS accounts_email_search",
    "DROP TRIGGER IF EXISTS member_counts_update",
    "DROP TRIGGER IF EXISTS member_counts_delete",
    "DROP TRIGGER IF EXISTS member_counts_insert",
    "DROP TABLE IF EXISTS member_counts",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION gatehouse_member_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE member_counts SET n = n - 1
                WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO member_counts (tenant_id, status, n) VALUES (NEW.tenant_id, NEW.status, 1)
                ON CONFLICT (tenant_id, status) DO UPDATE SET n = member_counts.n + 1;
        END IF;
        RETURN NULL;
    END $$",
    "CREATE TRIGGER member_counts_insert_delete AFTER INSERT OR DELETE ON memberships
        FOR EACH ROW EXECUTE FUNCTION gatehouse_member_counts()",
    "CREATE TRIGGER member_counts_update AFTER UPDATE OF status, tenant_id ON memberships
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.tenant_id <> NEW.tenant_id)
        EXECUTE FUNCTION gatehouse_member_counts()",
    "DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX ix_accounts_email_trgm ON accounts USING gin (email gin_trgm_ops);
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available: email search scans the accounts';
    END $$",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_accounts_email_trgm",
    "DROP TRIGGER IF EXISTS member_counts_update ON memberships",
    "DROP TRIGGER IF EXISTS member_counts_insert_delete ON memberships",
    "DROP FUNCTION IF EXISTS gatehouse_member_counts()",
    "DROP TABLE IF EXISTS member_counts",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let engine = match conn.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for sql in [COUNTS_TABLE, BACKFILL].iter().chain(engine) {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let engine = match conn.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_DOWN,
            _ => SQLITE_DOWN,
        };
        for sql in engine {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
