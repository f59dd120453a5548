//! Operator commands on the database file itself: `backup`, `restore`, and the lock
//! a serving process holds so that `restore` never replaces a file in use.
//!
//! SQLite: `backup` runs `VACUUM INTO`, a consistent snapshot taken in one read
//! transaction while servers keep writing (WAL mode: writers are never blocked).
//! `restore` checks the file (a SQLite database this version can serve), keeps the
//! current database beside it as `….before-restore-<time>`, and moves the backup in.
//! PostgreSQL: both commands show the `pg_dump` / `pg_restore` command to use.

use crate::config::{Backup, Common, Restore};
use app::backend::kernel::db::{newer_schema_sentence, Db, Schema};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The SQLite file a `sqlite:` URL names (`None` for PostgreSQL or in-memory).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(PathBuf::from(path))
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// What a serving process holds (a shared lock on `<database>.lock`; the database
/// file itself is never opened twice, which would drop SQLite's own locks).
pub struct InUse(#[allow(dead_code)] Option<File>);

/// Marks the SQLite database as in use for as long as the answer is kept.
pub fn hold_database(url: &str) -> Result<InUse, String> {
    let Some(db) = sqlite_path(url) else {
        return Ok(InUse(None));
    };
    let path = lock_path(&db);
    let file = File::create(&path).map_err(|e| format!("Cannot create {}: {e}", path.display()))?;
    match file.try_lock_shared() {
        Ok(()) => Ok(InUse(Some(file))),
        Err(_) => Err(format!(
            "A restore is replacing {} right now; start the server when it has finished.",
            db.display()
        )),
    }
}

/// `gatehouse backup --to FILE`.
pub async fn backup(common: &Common, args: &Backup) -> Result<String, String> {
    let Some(db_path) = sqlite_path(&common.database_url) else {
        return Ok(pg_advice(&common.database_url, &args.to, "pg_dump"));
    };
    if !db_path.is_file() {
        return Err(format!("There is no database at {}.", db_path.display()));
    }
    if args.to.exists() {
        return Err(format!(
            "{} already exists: choose a new file name (nothing was written).",
            args.to.display()
        ));
    }
    let db = Db::connect(&common.database_url)
        .await
        .map_err(|e| format!("Cannot open the database: {e}"))?;
    db.vacuum_into(&args.to)
        .await
        .map_err(|e| format!("The backup failed (nothing was written): {e}"))?;
    let size = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "Backed up {} to {} ({} KB). Restore it with: gatehouse restore --from {}",
        db_path.display(),
        args.to.display(),
        size.div_ceil(1024),
        args.to.display()
    ))
}

/// `gatehouse restore --from FILE`.
pub async fn restore(common: &Common, args: &Restore) -> Result<String, String> {
    let Some(db_path) = sqlite_path(&common.database_url) else {
        return Ok(pg_advice(&common.database_url, &args.from, "pg_restore"));
    };
    if !args.from.is_file() {
        return Err(format!("There is no file at {}.", args.from.display()));
    }
    // Refused while any server holds the database, and no server starts meanwhile.
    let lock = lock_path(&db_path);
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("Cannot create {}: {e}", dir.display()))?;
    }
    let guard =
        File::create(&lock).map_err(|e| format!("Cannot create {}: {e}", lock.display()))?;
    if guard.try_lock().is_err() {
        return Err(format!(
            "A Gatehouse server is using {}: stop every server on it, then restore (nothing was changed).",
            db_path.display()
        ));
    }
    // The backup must be a database this version can serve.
    let staged = sibling(&db_path, ".restoring");
    std::fs::copy(&args.from, &staged)
        .map_err(|e| format!("Cannot copy {}: {e}", args.from.display()))?;
    let checked = check_backup(&staged).await;
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&staged);
        return Err(e);
    }
    let mut kept = None;
    if db_path.exists() {
        let old = sibling(&db_path, &format!(".before-restore-{}", now_stamp()));
        std::fs::rename(&db_path, &old)
            .map_err(|e| format!("Cannot move the current database aside: {e}"))?;
        kept = Some(old);
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(&db_path, suffix));
    }
    std::fs::rename(&staged, &db_path)
        .map_err(|e| format!("Cannot move the backup into place: {e}"))?;
    drop(guard);
    Ok(match kept {
        Some(old) => format!(
            "Restored {} from {}. The database it replaced is kept as {}.",
            db_path.display(),
            args.from.display(),
            old.display()
        ),
        None => format!(
            "Restored {} from {}.",
            db_path.display(),
            args.from.display()
        ),
    })
}

async fn check_backup(file: &Path) -> Result<(), String> {
    let not_ours = |e: String| {
        format!(
            "{} is not a Gatehouse backup ({e}); nothing was changed.",
            file.display()
        )
    };
    let url = format!("sqlite://{}", file.display());
    let db = Db::connect(&url)
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    let verdict = db.integrity().await.map_err(|e| not_ours(e.to_string()))?;
    if verdict != "ok" {
        return Err(not_ours(format!(
            "SQLite's integrity check says: {verdict}"
        )));
    }
    let schema = db.schema().await.map_err(|e| not_ours(e.to_string()));
    db.close().await;
    match schema? {
        Schema::Newer(unknown) => Err(newer_schema_sentence(&unknown)),
        Schema::Current | Schema::Behind(_) => Ok(()),
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn now_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    secs.to_string()
}

/// What to run on PostgreSQL, with the password left out of the URL shown.
fn pg_advice(url: &str, file: &Path, tool: &str) -> String {
    let shown = match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => "postgres://USER@HOST/DATABASE".to_string(),
    };
    let command = if tool == "pg_dump" {
        format!(
            "pg_dump --format=custom --file={} '{shown}'",
            file.display()
        )
    } else {
        format!(
            "pg_restore --clean --if-exists --dbname='{shown}' {}",
            file.display()
        )
    };
    format!(
        "On PostgreSQL, use its own tools (they take a consistent snapshot while servers write):\n  {command}\n\
         (give the password in PGPASSWORD or ~/.pgpass, never on the command line)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_come_from_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/g.db"),
            Some(PathBuf::from("data/g.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/g.db?mode=rwc"),
            Some(PathBuf::from("/tmp/g.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u:p@h/db"), None);
    }

    #[test]
    fn postgres_advice_never_shows_the_password() {
        let advice = pg_advice(
            "postgres://gh:secret@db.example/gatehouse",
            Path::new("b.dump"),
            "pg_dump",
        );
        assert!(advice.contains(
            "pg_dump --format=custom --file=b.dump 'postgres://gh@db.example/gatehouse'"
        ));
        assert!(!advice.contains("secret"));
    }
}
