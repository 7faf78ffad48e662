//! A consistent copy of the database while the desk serves (`frontline backup`), and the checks
//! of the copy. This is the SQLite side; PostgreSQL has `pg_dump`.
//!
//! The copy is SQLite's online backup API (`sqlite3_backup_*`, through the `libsqlite3-sys`
//! that sqlx already links) rather than `VACUUM INTO`: both copy one snapshot without stopping
//! writers (WAL), but `VACUUM INTO` refuses to run inside a transaction, so the row counts the
//! copy is checked against could not be read at the same snapshot. The backup API copies the
//! pages as the read transaction it is given sees them, and streams them page by page instead
//! of rebuilding every table and index.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// Rows per table, by table name.
pub type TableCounts = Vec<(String, i64)>;

/// Copies the database at `url` into `to`, a new empty file, as it stands at one instant, and
/// returns the row count of every table at that instant. Writers go on meanwhile.
pub async fn copy(url: &str, to: &Path) -> sqlx::Result<TableCounts> {
    let mut conn = open(url).await?;
    // a deferred transaction: the read snapshot starts with the counts, and the copy reads the
    // same snapshot
    let mut tx = conn.begin().await?;
    let counts = table_counts(&mut tx).await?;
    copy_pages(&mut tx, to).await?;
    tx.rollback().await?;
    conn.close().await?;
    Ok(counts)
}

/// What `PRAGMA integrity_check` says of the copy at `path` ("ok" when sound), and its row count
/// of every table.
pub async fn check_copy(path: &Path) -> sqlx::Result<(Vec<String>, TableCounts)> {
    let options = SqliteConnectOptions::new().filename(path);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let problems = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await?;
    let counts = table_counts(&mut conn).await?;
    conn.close().await?;
    Ok((problems, counts))
}

/// An existing database, as it is: never created, never migrated.
async fn open(url: &str) -> sqlx::Result<SqliteConnection> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5));
    SqliteConnection::connect_with(&options).await
}

/// The row count of every ordinary table (the full-text indexes' own tables included).
async fn table_counts(conn: &mut SqliteConnection) -> sqlx::Result<TableCounts> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema
         WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'
         ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut counts = Vec::with_capacity(tables.len());
    for table in tables {
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *conn).await?;
        counts.push((table, n));
    }
    Ok(counts)
}

/// Copies every page of `src`'s main database into the empty file `to`, inside the read
/// transaction open on `src`, then makes the copy a plain rollback-journal file (one file, no
/// `-wal` beside it). Blocks the calling thread for the copy.
async fn copy_pages(src: &mut SqliteConnection, to: &Path) -> sqlx::Result<()> {
    use libsqlite3_sys as ffi;
    use std::ffi::{CStr, CString};
    use std::os::unix::ffi::OsStrExt;

    let failed = |what: String| sqlx::Error::Protocol(format!("backup: {what}"));
    let path = CString::new(to.as_os_str().as_bytes())
        .map_err(|_| failed("the path holds a NUL byte".into()))?;
    let mut handle = src.lock_handle().await?;
    let src = handle.as_raw_handle().as_ptr();
    // SAFETY: `src` is a live connection, locked for us by sqlx's handle until the end of this
    // function; `dest` is opened, used and closed here on this thread; every pointer handed to
    // SQLite outlives its call.
    unsafe {
        let mut dest = std::ptr::null_mut();
        let flags = ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_NOMUTEX;
        let error = |db: *mut ffi::sqlite3| {
            let message = CStr::from_ptr(ffi::sqlite3_errmsg(db));
            failed(message.to_string_lossy().into_owned())
        };
        if ffi::sqlite3_open_v2(path.as_ptr(), &mut dest, flags, std::ptr::null()) != ffi::SQLITE_OK
        {
            let err = error(dest);
            ffi::sqlite3_close(dest);
            return Err(err);
        }
        let main = c"main".as_ptr();
        let backup = ffi::sqlite3_backup_init(dest, main, src, main);
        if backup.is_null() {
            let err = error(dest);
            ffi::sqlite3_close(dest);
            return Err(err);
        }
        // every page in one step: the source's snapshot is the open read transaction
        let step = ffi::sqlite3_backup_step(backup, -1);
        let finish = ffi::sqlite3_backup_finish(backup);
        let mut result = if step == ffi::SQLITE_DONE && finish == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(error(dest))
        };
        if result.is_ok() {
            let sql = c"PRAGMA journal_mode = DELETE".as_ptr();
            let rc = ffi::sqlite3_exec(dest, sql, None, std::ptr::null_mut(), std::ptr::null_mut());
            if rc != ffi::SQLITE_OK {
                result = Err(error(dest));
            }
        }
        ffi::sqlite3_close(dest);
        result
    }
}
