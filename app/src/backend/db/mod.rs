//! The connection pool and migrations, for SQLite (the default: one file, zero setup) or
//! PostgreSQL (a desk that outgrows one machine), chosen by the database URL's scheme.
//!
//! The repository functions take a [`Conn`] and run one body on either backend through
//! [`db_run!`]: sqlx's query builders are typed by database, so the macro expands the body once
//! per backend. Where the dialects differ, the SQL text is chosen by [`Conn::dialect`], both
//! versions side by side (see README "Databases").

use crate::model::AppError;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

mod writers;

pub use writers::{write_lock_stats, WriteLockStats, WRITE_WAIT_BUCKETS};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The desk's database: a pool of connections to one SQLite file or one PostgreSQL database.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub struct PoolStats {
    pub size: u32,
    pub idle: usize,
    pub max: u32,
}

/// Which SQL dialect a connection speaks, for the few statements written twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One connection taken from the pool, or an open transaction on one.
pub struct Conn(Held);

enum Held {
    Sqlite(PoolConnection<Sqlite>),
    SqliteTurn(writers::Turn),
    SqliteTx(Transaction<'static, Sqlite>),
    Postgres(PoolConnection<Postgres>),
    PostgresTx(Transaction<'static, Postgres>),
}

/// The backend connection under a [`Conn`], for [`db_run!`].
pub enum Raw<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn {
    pub fn dialect(&self) -> Dialect {
        match self.0 {
            Held::Sqlite(_) | Held::SqliteTurn(_) | Held::SqliteTx(_) => Dialect::Sqlite,
            Held::Postgres(_) | Held::PostgresTx(_) => Dialect::Postgres,
        }
    }

    pub fn raw(&mut self) -> Raw<'_> {
        match &mut self.0 {
            Held::Sqlite(c) => Raw::Sqlite(c),
            Held::SqliteTurn(t) => Raw::Sqlite(t),
            Held::SqliteTx(t) => Raw::Sqlite(t),
            Held::Postgres(c) => Raw::Postgres(c),
            Held::PostgresTx(t) => Raw::Postgres(t),
        }
    }
}

/// Runs `$body` with `$c` bound to the backend connection under `$conn` (a `&mut Conn`): the
/// body is written once and compiled once per backend, so its queries are typed for each.
#[macro_export]
macro_rules! db_run {
    ($conn:expr, $c:ident => $body:expr) => {
        match $crate::backend::db::Conn::raw($conn) {
            $crate::backend::db::Raw::Sqlite($c) => $body,
            $crate::backend::db::Raw::Postgres($c) => $body,
        }
    };
}
pub use db_run;

/// [`db_run!`] on a connection taken from `$pool` for this one body.
#[macro_export]
macro_rules! pool_run {
    ($pool:expr, $c:ident => $body:expr) => {
        async {
            let mut conn = $crate::backend::db::Pool::acquire(&$pool).await?;
            $crate::db_run!(&mut conn, $c => $body)
        }
        .await
    };
}
pub use pool_run;

impl Pool {
    pub fn dialect(&self) -> Dialect {
        match self {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// A connection for reads, or for a single write statement on PostgreSQL; writes on SQLite
    /// go through [`begin_write`].
    pub async fn acquire(&self) -> sqlx::Result<Conn> {
        Ok(Conn(match self {
            Pool::Sqlite(p) => Held::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Held::Postgres(p.acquire().await?),
        }))
    }

    /// A transaction that only reads (one consistent view), or that the seed fills alone.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        let conn = Conn(match self {
            Pool::Sqlite(p) => Held::SqliteTx(p.begin().await?),
            Pool::Postgres(p) => Held::PostgresTx(p.begin().await?),
        });
        Ok(Tx { conn })
    }

    /// How many connections are open, idle, and allowed, for `/metrics`.
    pub fn stats(&self) -> PoolStats {
        match self {
            Pool::Sqlite(p) => PoolStats {
                size: p.size(),
                idle: p.num_idle(),
                max: p.options().get_max_connections(),
            },
            Pool::Postgres(p) => PoolStats {
                size: p.size(),
                idle: p.num_idle(),
                max: p.options().get_max_connections(),
            },
        }
    }

    /// The SQLite file behind the pool, when it is one.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match self {
            Pool::Sqlite(p) => Some(p.connect_options().get_filename().to_path_buf()),
            Pool::Postgres(_) => None,
        }
    }

    pub async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// Opens the database at `url`: `sqlite://data/frontline.db` (created if missing) or
/// `postgres://user@host/db` (which must exist).
pub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        return Ok(Pool::Postgres(pool));
    }
    if !url.starts_with("sqlite:") {
        return Err(sqlx::Error::Configuration(
            format!("{url}: the database URL must start with sqlite: or postgres://").into(),
        ));
    }
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
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    Ok(Pool::Sqlite(pool))
}

/// A transaction; derefs to its [`Conn`], so repository functions take `&mut tx`. Dropped
/// without [`Tx::commit`], it rolls back.
pub struct Tx {
    conn: Conn,
}

/// A transaction that reads and then writes (see [`begin_write`]).
pub type WriteTx = Tx;

impl Tx {
    pub async fn commit(self) -> sqlx::Result<()> {
        match self.conn.0 {
            Held::SqliteTurn(t) => t.commit().await,
            Held::SqliteTx(t) => t.commit().await,
            Held::PostgresTx(t) => t.commit().await,
            Held::Sqlite(_) | Held::Postgres(_) => Ok(()),
        }
    }
}

impl Deref for Tx {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

/// Opens a transaction that reads and then writes. Every write of the app goes through here,
/// single statements too.
///
/// On SQLite, writers of this process take turns in arrival order and share commits (see
/// the `writers` module); each holds the file's write lock from before its first read, so a read never
/// turns into a write that fails with SQLITE_BUSY.
///
/// On PostgreSQL, writers run concurrently, across instances too: what must not race is guarded
/// by the data itself (version-guarded updates, row locks, unique constraints), never by a lock
/// of this process.
pub async fn begin_write(pool: &Pool) -> sqlx::Result<WriteTx> {
    begin_held(pool, writers::Hold::Short).await
}

/// As [`begin_write`], for a background writer that may hold its transaction long (a rebuild
/// of many rows): on SQLite it never shares a commit with a request's writers, so no request's
/// answer waits for it.
pub async fn begin_long_write(pool: &Pool) -> sqlx::Result<WriteTx> {
    begin_held(pool, writers::Hold::Long).await
}

async fn begin_held(pool: &Pool, hold: writers::Hold) -> sqlx::Result<WriteTx> {
    match pool {
        Pool::Sqlite(p) => Ok(Tx {
            conn: Conn(Held::SqliteTurn(writers::begin(p, hold).await?)),
        }),
        Pool::Postgres(_) => pool.begin().await,
    }
}

pub async fn migrate(pool: &Pool) -> Result<(), sqlx::migrate::MigrateError> {
    match pool {
        Pool::Sqlite(p) => MIGRATOR.run(p).await,
        Pool::Postgres(p) => PG_MIGRATOR.run(p).await,
    }
}

/// Checks that the database answers (the health check).
pub async fn ping(pool: &Pool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    db_run!(&mut conn, c => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(c).await).map(|_| ())
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
    #[track_caller]
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => AppError::NotFound("That record was not found.".into()),
            _ => {
                let at = std::panic::Location::caller();
                tracing::error!(error = %err, %at, "database error");
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
