//! The connection pool and migrations. SQLite in WAL mode with foreign keys on: a single file,
//! zero setup, and a crash loses no committed write.

use crate::model::AppError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

pub type Pool = SqlitePool;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Opens (creating if needed) the database at `url`, e.g. `sqlite://data/frontline.db`.
pub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL is durable in WAL mode for everything but power loss on the last commit;
        // FULL keeps even that, and our write rate is small.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if let Some(path) = sqlite_file_path(url) {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
            }
        }
    }
    SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
}

/// A transaction that reads and then writes, holding this process's turn to write (see
/// [`begin_write`]). Derefs to the connection, so queries run on `&mut *tx`.
pub struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    _turn: OwnedMutexGuard<()>,
}

impl WriteTx {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

/// How long a writer waits for its turn before giving up (as SQLite's busy timeout would).
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens a transaction that reads and then writes. IMMEDIATE takes the write lock before the
/// first read: a concurrent writer makes it wait (the busy timeout) instead of failing with
/// SQLITE_BUSY when a deferred read turns into a write, and two changes never both read the same
/// version and then race to write it.
///
/// Writers of this process first queue for their turn, in arrival order, before taking a
/// connection. SQLite's busy handler retries with growing sleeps and no order, so under a burst of
/// short writers (SLA alerts, notifications and report rollups catching up at startup) one of them
/// could lose every race for the whole busy timeout and fail with "database is locked". So every
/// write of the app goes through here, single statements too (sign-in bookkeeping, session
/// extension, view counts): a write straight on the pool would race the queue the same way.
pub async fn begin_write(pool: &Pool) -> sqlx::Result<WriteTx> {
    let turn = tokio::time::timeout(WRITE_TURN_TIMEOUT, write_turns(pool).lock_owned())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?;
    let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    Ok(WriteTx { tx, _turn: turn })
}

/// The queue of writers for the database file behind `pool` (one per file: tests run many desks
/// in one process).
fn write_turns(pool: &Pool) -> Arc<AsyncMutex<()>> {
    static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<AsyncMutex<()>>>>> =
        LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut turns = TURNS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    turns.entry(file).or_default().clone()
}

pub async fn migrate(pool: &Pool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// Checks that the database answers (the health check).
pub async fn ping(pool: &Pool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
        .map(|_| ())
}

/// The file behind a `sqlite://` URL, if it names one.
fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

/// Database failures are our fault: log the detail, tell the user nothing technical.
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => AppError::NotFound("That record was not found.".into()),
            _ => {
                tracing::error!(error = %err, "database error");
                AppError::Internal
            }
        }
    }
}

/// True when `err` is a UNIQUE constraint violation (e.g. an e-mail address already in use).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_behind_a_url() {
        assert_eq!(
            sqlite_file_path("sqlite://data/frontline.db").as_deref(),
            Some("data/frontline.db")
        );
        assert_eq!(
            sqlite_file_path("sqlite:///tmp/x.db?mode=rwc").as_deref(),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://x"), None);
    }
}
