//! `frontline backup --to PATH`: a copy of the desk's SQLite database taken while it serves,
//! trusted only once checked. The copy is one instant of the desk (see `repo::backup`); it must
//! pass SQLite's integrity check and hold, table by table, the rows the desk held at that
//! instant. A copy that fails either is deleted, and an existing file is never overwritten.
//! PostgreSQL desks use `pg_dump`.

use anyhow::{bail, Context};
use app::backend::repo::backup::{self, TableCounts};
use std::path::Path;

/// What a finished backup holds.
#[derive(Debug)]
pub struct Backup {
    /// Rows per table, in the desk at the copy's instant and in the copy alike.
    pub tables: TableCounts,
    pub bytes: u64,
}

/// Copies the database at `url` to `to` and checks the copy.
pub async fn run(url: &str, to: &Path) -> anyhow::Result<Backup> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        bail!("a PostgreSQL desk is backed up with pg_dump");
    }
    // created here, empty, so that a file that appears meanwhile is not overwritten either
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!(
                    "{} already exists; a backup never overwrites a file",
                    to.display()
                )
            }
            _ => anyhow::Error::new(err).context(format!("could not create {}", to.display())),
        })?;
    let result = copy_and_check(url, to).await;
    if result.is_err() {
        let _ = std::fs::remove_file(to);
    }
    result
}

async fn copy_and_check(url: &str, to: &Path) -> anyhow::Result<Backup> {
    let at_snapshot = backup::copy(url, to)
        .await
        .with_context(|| format!("could not copy the database {url}"))?;
    let (problems, in_copy) = backup::check_copy(to)
        .await
        .context("could not read the copy back")?;
    if problems != ["ok"] {
        bail!(
            "the copy failed SQLite's integrity check: {}",
            problems.join("; ")
        );
    }
    if in_copy != at_snapshot {
        let differ: Vec<String> = at_snapshot
            .iter()
            .filter(|table| !in_copy.contains(table))
            .map(|(table, n)| format!("{table} ({n} rows in the desk)"))
            .collect();
        bail!(
            "the copy's rows differ from the desk's at the copy's instant: {}",
            differ.join(", ")
        );
    }
    let bytes = std::fs::metadata(to)?.len();
    Ok(Backup {
        tables: at_snapshot,
        bytes,
    })
}

/// The `backup` command: the copy, then a line saying what it holds.
pub async fn command(url: &str, to: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let done = run(url, to).await?;
    let rows: i64 = done.tables.iter().map(|(_, n)| n).sum();
    let tickets = done
        .tables
        .iter()
        .find(|(table, _)| table == "tickets")
        .map_or(0, |(_, n)| *n);
    println!(
        "Backed up {url} to {} in {:.1}s: {} MB, {} tables, {rows} rows ({tickets} tickets); \
         integrity check ok, row counts equal.",
        to.display(),
        started.elapsed().as_secs_f64(),
        done.bytes.div_ceil(1024 * 1024),
        done.tables.len(),
    );
    Ok(())
}
