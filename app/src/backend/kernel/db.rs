//! Database connection for both engines.
//!
//! SQLite (the embedded default) runs in WAL mode with a busy timeout and foreign keys
//! on. SQLite allows one writer at a time and a deferred transaction that reads and
//! then writes can fail with SQLITE_BUSY when another writer got in between, so every
//! write transaction here first takes a process-wide write lock: writers queue, readers
//! never wait. SQLite is single-process by design; several replicas use PostgreSQL,
//! where row locks (`SELECT … FOR UPDATE`) serialise the writes that must be.

use crate::backend::migrations::Migrator;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, SqlxPostgresConnector,
    SqlxSqliteConnector, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::ConnectOptions as _;
use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it also holds the process-wide write lock.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

/// The SQLite file used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/gatehouse.db";

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbErr> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbErr::Custom(format!("invalid SQLite URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        DbErr::Custom(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .map_err(|e| DbErr::Custom(format!("cannot open SQLite database: {e}")))?;
            Ok(Db {
                conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                write_lock: Some(Arc::new(Mutex::new(()))),
            })
        } else {
            // Per-connection planner settings for short interactive statements: no
            // parallel workers (starting them cost some 20 ms, more than the
            // statements they help), no JIT, and random reads priced as the cached
            // or SSD-backed reads they are (at the default 4, a probe of 1,000 rows
            // through an index lost to a scan of 100,000).
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| DbErr::Custom(format!("invalid PostgreSQL URL: {e}")))?
                .options([
                    ("max_parallel_workers_per_gather", "0"),
                    ("jit", "off"),
                    ("random_page_cost", "1.1"),
                ])
                .disable_statement_logging();
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| DbErr::Custom(format!("cannot connect to PostgreSQL: {e}")))?;
            Ok(Db {
                conn: SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
                write_lock: None,
            })
        }
    }

    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// The same database, calling `on_statement` for every statement sent through it
    /// (its transactions included): tests count the statements a request runs.
    pub fn observed(&self, on_statement: impl Fn() + Send + Sync + 'static) -> Db {
        let mut conn = self.conn.clone();
        conn.set_metric_callback(move |_| on_statement());
        Db {
            conn,
            write_lock: self.write_lock.clone(),
        }
    }

    /// The connection for reads outside a transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let guard = self.single_write().await;
        let txn = self.conn.begin().await?;
        if guard.is_some() {
            // Take SQLite's write lock now, before the transaction reads anything (what
            // BEGIN IMMEDIATE does): a deferred transaction that read first would fail with
            // SQLITE_BUSY_SNAPSHOT if any other writer (the mail loop, a session touch, the
            // command line in another process) committed in between. Waiting here is
            // governed by busy_timeout instead.
            txn.execute_unprepared("DELETE FROM rate_limits WHERE 0")
                .await?;
        }
        Ok(WriteTxn { txn, _guard: guard })
    }

    /// For a single statement that writes, sent through [`Db::conn`] on its own (atomic
    /// as any one statement, one round trip): holds SQLite's one-writer lock while it
    /// runs, as [`Db::begin_write`] does; nothing to hold on PostgreSQL.
    pub async fn single_write(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }

    /// Refreshes the query planner's statistics (SQLite's `PRAGMA optimize`; PostgreSQL's
    /// autovacuum does this by itself). Run at start-up and then hourly.
    pub async fn optimize(&self) -> Result<(), DbErr> {
        use sea_orm::{ConnectionTrait, Statement};
        if self.write_lock.is_some() {
            let backend = self.conn.get_database_backend();
            self.conn
                .execute(Statement::from_string(backend, "PRAGMA optimize=0x10002"))
                .await?;
        }
        Ok(())
    }

    /// Answers whether the database can run a query (used by `/healthz`).
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }
}
