//! `frontline --database-url sqlite://… migrate-to postgres://…`: moves a SQLite desk to an
//! empty PostgreSQL database, every table, and commits only a copy that is verified.
//!
//! The desk is read from one snapshot (it may go on serving; what it writes after the snapshot is
//! not carried over) and written in one PostgreSQL transaction. Before that transaction commits,
//! each table's rows are counted and hashed on both sides (see `repo::transfer`); any difference
//! rolls everything back. It refuses, writing nothing, unless the source is a SQLite desk at the
//! current schema and the target a PostgreSQL database that holds no desk yet.

use anyhow::{bail, Context};
use app::backend::db;
use app::backend::repo::transfer::{self, plan::Table, Source, Target, FILLED_BY_MIGRATIONS};
use std::collections::{BTreeMap, BTreeSet};

/// A table as copied and verified.
#[derive(Debug)]
pub struct Copied {
    pub table: String,
    pub rows: i64,
}

/// The `migrate-to` command: a line per table as it is copied, then the totals once verified.
pub async fn command(from: &str, to: &str) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let copied = run(from, to).await?;
    let rows: i64 = copied.iter().map(|t| t.rows).sum();
    println!(
        "Copied {rows} rows in {} tables from {} to {} in {:.1}s.",
        copied.len(),
        without_password(from),
        without_password(to),
        started.elapsed().as_secs_f64()
    );
    println!("verified: row counts and checksums match");
    Ok(())
}

/// Copies the desk at `from` (SQLite) into the database at `to` (PostgreSQL).
pub async fn run(from: &str, to: &str) -> anyhow::Result<Vec<Copied>> {
    if !from.starts_with("sqlite:") {
        bail!(
            "migrate-to moves a SQLite desk: --database-url must be a sqlite: URL, not {}",
            without_password(from)
        );
    }
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        bail!(
            "migrate-to writes to PostgreSQL: the target must be a postgres:// URL, not {}",
            without_password(to)
        );
    }
    let mut source = Source::open(from)
        .await
        .with_context(|| format!("could not open the SQLite desk {from}"))?;
    check_migrations(&mut source, from).await?;

    let pool = db::connect(to)
        .await
        .with_context(|| format!("could not connect to {}", without_password(to)))?;
    let db::Pool::Postgres(pg) = &pool else {
        bail!("{} is not a PostgreSQL database", without_password(to));
    };
    db::migrate(&pool)
        .await
        .context("could not migrate the PostgreSQL database to the current schema")?;
    let mut target = Target::begin(pg).await?;
    let plan = target
        .plan()
        .await?
        .map_err(|why| anyhow::anyhow!("the schema cannot be copied: {why}"))?;
    check_same_tables(&plan, &source.tables().await?)?;
    check_empty(&mut target, &plan, to).await?;

    for table in FILLED_BY_MIGRATIONS {
        target.clear(table).await?;
    }
    let mut tallies = Vec::with_capacity(plan.len());
    for table in &plan {
        let tally = transfer::copy_table(&mut source, &mut target, table)
            .await
            .with_context(|| format!("could not copy the table {}", table.name))?;
        println!("  {:<24} {:>10} rows", table.name, tally.rows);
        tallies.push(tally);
    }
    for table in &plan {
        transfer::fill_deferred(&mut source, &mut target, table)
            .await
            .with_context(|| format!("could not copy the links of the table {}", table.name))?;
        target.move_sequences(table).await?;
    }

    let mut copied = Vec::with_capacity(plan.len());
    for (table, read) in plan.iter().zip(tallies) {
        let in_desk = source.count(&table.name).await?;
        let written = target.tally(table).await?;
        let in_target = target.count(&table.name).await?;
        if in_desk != read.rows || in_target != in_desk || written.rows != in_desk {
            bail!(
                "{}: {in_desk} rows in the desk, {} read, {in_target} in the copy; nothing was \
                 committed",
                table.name,
                read.rows
            );
        }
        if written.checksum() != read.checksum() {
            bail!(
                "{}: the copy's rows differ from the desk's (checksum {} against {}); nothing \
                 was committed",
                table.name,
                written.checksum(),
                read.checksum()
            );
        }
        copied.push(Copied {
            table: table.name.clone(),
            rows: in_desk,
        });
    }
    target.commit().await.context("could not commit the copy")?;
    pool.close().await;
    source.close().await?;
    Ok(copied)
}

/// The desk must be at this binary's schema: the PostgreSQL side is migrated to it.
async fn check_migrations(source: &mut Source, url: &str) -> anyhow::Result<()> {
    let Some(applied) = source.migrations().await? else {
        bail!("{url} is not a Frontline desk (it has no migrations table)");
    };
    let known: BTreeSet<i64> = db::MIGRATOR.iter().map(|m| m.version).collect();
    let applied: BTreeSet<i64> = applied.into_iter().collect();
    if let Some(newer) = applied.difference(&known).next() {
        bail!("{url} has migration {newer}, which this frontline does not know: use the frontline that serves it");
    }
    if applied != known {
        bail!(
            "{url} is not at the current schema: run `frontline --database-url {url} migrate` \
             first (or start the desk once)"
        );
    }
    Ok(())
}

/// The desk's tables and columns are the ones the copy writes.
fn check_same_tables(plan: &[Table], desk: &BTreeMap<String, Vec<String>>) -> anyhow::Result<()> {
    let mut differ = Vec::new();
    for table in plan {
        let Some(columns) = desk.get(&table.name) else {
            differ.push(format!("{} is missing in the desk", table.name));
            continue;
        };
        let desk_columns: BTreeSet<&String> = columns.iter().collect();
        let target_columns: BTreeSet<&String> = table.columns.iter().map(|c| &c.name).collect();
        for column in desk_columns.symmetric_difference(&target_columns) {
            differ.push(format!("{}.{column}", table.name));
        }
    }
    let planned: BTreeSet<&String> = plan.iter().map(|t| &t.name).collect();
    for table in desk.keys().filter(|t| !planned.contains(t)) {
        differ.push(format!("{table} is missing in PostgreSQL"));
    }
    if !differ.is_empty() {
        bail!(
            "the desk's tables differ from PostgreSQL's schema: {}",
            differ.join(", ")
        );
    }
    Ok(())
}

/// Two desks are never merged: every table of the target must be empty but for what its
/// migrations put there.
async fn check_empty(target: &mut Target, plan: &[Table], url: &str) -> anyhow::Result<()> {
    let mut held = Vec::new();
    for table in plan
        .iter()
        .filter(|t| !FILLED_BY_MIGRATIONS.contains(&t.name.as_str()))
    {
        let rows = target.count(&table.name).await?;
        if rows > 0 {
            held.push(format!("{} ({rows} rows)", table.name));
        }
    }
    if !held.is_empty() {
        bail!(
            "{} already holds a desk: {}; migrate-to copies only into an empty database \
             (nothing was written)",
            without_password(url),
            held.join(", ")
        );
    }
    Ok(())
}

/// `url` with any password replaced, for messages.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}{path}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_show_a_password() {
        assert_eq!(
            without_password("postgres://desk:s3cret@db.example:5432/frontline"),
            "postgres://desk:***@db.example:5432/frontline"
        );
        assert_eq!(
            without_password("postgres://desk@db/frontline"),
            "postgres://desk@db/frontline"
        );
        assert_eq!(
            without_password("sqlite://data/frontline.db"),
            "sqlite://data/frontline.db"
        );
    }
}
