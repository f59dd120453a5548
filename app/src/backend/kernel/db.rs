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

/// The key of the PostgreSQL advisory lock held while migrating ("gatehouse" in ASCII, as a number).
const MIGRATION_LOCK: i64 = 0x6761_7465_686f_7573;

/// How a database's schema stands against this build (see [`Db::schema`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// Every migration this build knows is applied, and no other.
    Current,
    /// This many of this build's migrations are still to run.
    Behind(usize),
    /// Migrations this build does not know were applied: a newer Gatehouse ran here.
    Newer(Vec<String>),
}

/// The one sentence a server older than its database's schema says before it stops.
pub fn newer_schema_sentence(unknown: &[String]) -> String {
    format!(
        "This database was migrated by a newer Gatehouse (it has {} that this version does not know, the newest {}); \
         run the newer version, or restore a backup taken before the upgrade.",
        if unknown.len() == 1 { "a migration".to_string() } else { format!("{} migrations", unknown.len()) },
        unknown.iter().max().map(String::as_str).unwrap_or("unknown")
    )
}

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

    /// Brings the schema up to date, once however many servers start at the same
    /// moment: on PostgreSQL every pending migration runs in one transaction that
    /// first takes an advisory lock, so a second server waits for the first to
    /// commit and then finds nothing left to do (PostgreSQL's DDL is transactional,
    /// so a failed start leaves the schema as it was). Refuses a database that a
    /// newer Gatehouse has migrated (see [`Db::schema`]).
    pub async fn migrate(&self) -> Result<(), String> {
        let refuse = |e: DbErr| format!("Cannot migrate the database: {e}");
        if let Schema::Newer(unknown) = self.schema().await.map_err(refuse)? {
            return Err(newer_schema_sentence(&unknown));
        }
        if self.conn.get_database_backend() == sea_orm::DbBackend::Postgres {
            let txn = self.conn.begin().await.map_err(refuse)?;
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                .await
                .map_err(refuse)?;
            Migrator::up(&txn, None).await.map_err(refuse)?;
            txn.commit().await.map_err(refuse)
        } else {
            Migrator::up(&self.conn, None).await.map_err(refuse)
        }
    }

    /// How the database's schema compares with this build's migrations.
    pub async fn schema(&self) -> Result<Schema, DbErr> {
        let applied: Vec<String> = match self
            .conn
            .query_all(sea_orm::Statement::from_string(
                self.conn.get_database_backend(),
                "SELECT version FROM seaql_migrations",
            ))
            .await
        {
            Ok(rows) => rows
                .iter()
                .map(|row| row.try_get::<String>("", "version"))
                .collect::<Result<_, _>>()?,
            // No table yet: a new database (an unreachable one fails below).
            Err(_) => {
                self.conn.ping().await?;
                Vec::new()
            }
        };
        let known: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        let unknown: Vec<String> = applied
            .iter()
            .filter(|v| !known.contains(v))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Ok(Schema::Newer(unknown));
        }
        let pending = known.iter().filter(|k| !applied.contains(k)).count();
        Ok(if pending == 0 {
            Schema::Current
        } else {
            Schema::Behind(pending)
        })
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

    /// Answers whether the database can run a query (used by `/readyz`).
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    /// The connection pool's (open, idle) connections.
    pub fn pool_connections(&self) -> (u32, usize) {
        match &self.conn {
            DatabaseConnection::SqlxSqlitePoolConnection(_) => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DatabaseConnection::SqlxPostgresPoolConnection(_) => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        }
    }

    /// SQLite: writes a consistent copy of the whole database to `file` (`VACUUM
    /// INTO`: one read transaction, so writers carry on meanwhile).
    pub async fn vacuum_into(&self, file: &std::path::Path) -> Result<(), DbErr> {
        let backend = self.conn.get_database_backend();
        if backend != sea_orm::DbBackend::Sqlite {
            return Err(DbErr::Custom("VACUUM INTO is SQLite's".into()));
        }
        let target = file
            .to_str()
            .ok_or_else(|| DbErr::Custom("the file name is not UTF-8".into()))?;
        self.conn
            .execute(sea_orm::Statement::from_sql_and_values(
                backend,
                "VACUUM INTO ?",
                [target.into()],
            ))
            .await?;
        Ok(())
    }

    /// SQLite's `PRAGMA integrity_check` verdict ("ok" when sound).
    pub async fn integrity(&self) -> Result<String, DbErr> {
        let backend = self.conn.get_database_backend();
        let row = self
            .conn
            .query_one(sea_orm::Statement::from_string(
                backend,
                "PRAGMA integrity_check",
            ))
            .await?
            .ok_or_else(|| DbErr::Custom("no answer".into()))?;
        row.try_get_by_index::<String>(0)
    }

    /// Closes every connection (before the file is moved).
    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}
