//! SQLite's writers: one at a time per file, in arrival order, with group commit.
//!
//! SQLite has one writer at a time, and with `synchronous = FULL` every commit waits for the disk
//! (an fsync of the WAL). One commit per change caps the desk at the disk's fsync rate, and a
//! ticket raised costs several write transactions (the raise, then the outbox's claim and mark).
//! So the writers of one file take turns on one connection, each inside a savepoint of a
//! transaction they share (a batch), and the batch commits once for all of them: by the writer
//! that finds nobody in line behind it, or that finds the batch at its size or age limit.
//!
//! Durability is unchanged: a writer's `commit` returns only after the COMMIT that holds its
//! writes is on disk, so a kill -9 loses only writes nobody was told of. What batching changes: a
//! writer's answer waits for the writers in line behind it (a batch commits by
//! [`BATCH_MAX_AGE`]; a background writer that may hold the turn long, [`Hold::Long`], starts
//! after the open batch commits), and a failed COMMIT (disk full, an I/O error) fails every
//! writer of its batch. A writer that gives up (its transaction dropped after an error, or its
//! request dropped at any step) is rolled back to its savepoint and takes nothing of the others'
//! with it.
//!
//! The line matters for a second reason: SQLite's busy handler retries with growing sleeps and no
//! order, so under a burst of short writers one of them could lose every race for the whole busy
//! timeout and fail with "database is locked". Writers of this process queue here instead, first
//! come first served.

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Mutex as AsyncMutex, OwnedMutexGuard};

/// How long a writer waits for its turn before giving up (as SQLite's busy timeout would).
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(30);

/// A batch commits once it holds this many writers, even with more in line.
const BATCH_MAX_WRITERS: usize = 64;

/// A batch commits once its first writer has waited this long for it, even with more in line:
/// about the longest a writer's answer waits for the writers behind it.
const BATCH_MAX_AGE: Duration = Duration::from_millis(10);

const SAVEPOINT: &str = "SAVEPOINT frontline_write";
const RELEASE: &str = "RELEASE frontline_write";
const ROLLBACK_TO: &str = "ROLLBACK TO frontline_write";

/// The writers of one SQLite file, while any is about; the connection they share goes back to
/// the pool when the last one leaves.
struct Writers {
    /// The turn, on the shared connection.
    turn: Arc<AsyncMutex<PoolConnection<Sqlite>>>,
    /// Writers waiting for the turn.
    in_line: AtomicUsize,
    batch: Mutex<Batch>,
}

/// The open batch (a transaction on the shared connection), when there is one.
#[derive(Default)]
struct Batch {
    opened: bool,
    /// When the first writer of the batch let go of the turn to wait for its commit.
    waiting_since: Option<Instant>,
    /// Writers whose savepoints were released into the batch.
    writers: usize,
    /// The answers owed to writers who let go of the turn before the batch committed.
    owed: Vec<oneshot::Sender<Result<(), String>>>,
    /// A writer gave up holding the turn: the next holder rolls its savepoint back.
    abandoned: bool,
}

impl Batch {
    /// Its first writer owed an answer has waited [`BATCH_MAX_AGE`]: it commits before anyone
    /// else joins.
    fn overdue(&self) -> bool {
        self.waiting_since
            .is_some_and(|at| at.elapsed() >= BATCH_MAX_AGE)
    }
}

impl Writers {
    fn batch(&self) -> MutexGuard<'_, Batch> {
        self.batch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Commits the open batch when nobody in line will: called whenever the turn is let go
    /// without a commit. A writer in line meanwhile is harmless: committing early is never wrong.
    fn hand_on(self: &Arc<Self>) {
        if self.in_line.load(SeqCst) > 0 || !self.batch().opened {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let writers = self.clone();
            runtime.spawn(async move {
                let mut conn = writers.turn.clone().lock_owned().await;
                let _ = writers.commit(&mut conn).await;
            });
        }
    }

    /// Commits the open batch, if any, and answers every writer owed an answer.
    async fn commit(&self, conn: &mut SqliteConnection) -> sqlx::Result<()> {
        let (abandoned, writers, owed) = {
            let mut batch = self.batch();
            if !std::mem::take(&mut batch.opened) {
                return Ok(());
            }
            batch.waiting_since = None;
            (
                std::mem::take(&mut batch.abandoned),
                std::mem::take(&mut batch.writers),
                std::mem::take(&mut batch.owed),
            )
        };
        let result = match abandoned {
            true => roll_back_savepoint(conn).await,
            false => Ok(()),
        };
        let result = match result {
            Ok(()) => run(conn, "COMMIT").await,
            failed => failed,
        };
        if result.is_err() {
            // SQLite may have rolled the transaction back already; then this fails, harmlessly
            let _ = run(conn, "ROLLBACK").await;
        } else {
            WRITE_LOCK.committed(writers);
        }
        let answer = result.as_ref().map_err(|e| e.to_string()).copied();
        for to in owed {
            let _ = to.send(answer.clone());
        }
        result
    }
}

/// The writers of the file behind `pool`: one set per file, as tests run many desks in one
/// process and two pools on one file must still take turns.
async fn writers_of(pool: &SqlitePool) -> sqlx::Result<Arc<Writers>> {
    static FILES: LazyLock<Mutex<HashMap<PathBuf, Weak<Writers>>>> =
        LazyLock::new(Default::default);
    let files = || {
        FILES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    let file = pool.connect_options().get_filename().to_path_buf();
    if let Some(writers) = files().get(&file).and_then(Weak::upgrade) {
        return Ok(writers);
    }
    let conn = pool.acquire().await?;
    let mut files = files();
    files.retain(|_, writers| writers.strong_count() > 0);
    if let Some(writers) = files.get(&file).and_then(Weak::upgrade) {
        return Ok(writers);
    }
    let writers = Arc::new(Writers {
        turn: Arc::new(AsyncMutex::new(conn)),
        in_line: AtomicUsize::new(0),
        batch: Mutex::default(),
    });
    files.insert(file, Arc::downgrade(&writers));
    Ok(writers)
}

/// A writer's place in line. Leaving it without the turn (a timeout, a dropped request) may
/// leave the writers ahead waiting for a commit nobody else will make, so it hands on.
struct InLine<'w> {
    writers: &'w Arc<Writers>,
    served: bool,
}

impl<'w> InLine<'w> {
    fn join(writers: &'w Arc<Writers>) -> Self {
        writers.in_line.fetch_add(1, SeqCst);
        InLine {
            writers,
            served: false,
        }
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.writers.in_line.fetch_sub(1, SeqCst);
        if !self.served {
            self.writers.hand_on();
        }
    }
}

/// A writer's turn: its savepoint in the open batch, on the shared connection. Dropped without
/// [`Turn::commit`], its writes are rolled back.
pub struct Turn {
    conn: OwnedMutexGuard<PoolConnection<Sqlite>>,
    writers: Arc<Writers>,
    since: Instant,
    released: bool,
}

impl Deref for Turn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl DerefMut for Turn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        WRITE_LOCK.held(self.since.elapsed());
        if !self.released {
            self.writers.batch().abandoned = true;
        }
        // a commit handed on waits for the turn, let go right after this with the guard
        self.writers.hand_on();
    }
}

/// How long a writer expects to hold the turn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// A request's change: milliseconds.
    Short,
    /// A background rebuild that may take much longer: it never joins a batch with answers
    /// owed, so nobody's answer waits for it.
    Long,
}

/// Waits for the turn to write to the file behind `pool`, opening a batch if none is open.
pub async fn begin(pool: &SqlitePool, hold: Hold) -> sqlx::Result<Turn> {
    let asked = Instant::now();
    let writers = writers_of(pool).await?;
    let conn = {
        let mut in_line = InLine::join(&writers);
        let conn = tokio::time::timeout(WRITE_TURN_TIMEOUT, writers.turn.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        in_line.served = true;
        conn
    };
    // From here the shared connection's state and the batch's must change together, so the
    // steps run on a task of their own: a caller dropped meanwhile (a request the browser gave
    // up on) drops a whole Turn, which hands on, never a half-opened batch.
    tokio::spawn(async move {
        let mut conn = conn;
        if let Err(err) = open(&writers, &mut conn, hold).await {
            drop(conn);
            writers.hand_on();
            return Err(err);
        }
        let since = Instant::now();
        WRITE_LOCK.waited(since - asked);
        Ok(Turn {
            conn,
            writers,
            since,
            released: false,
        })
    })
    .await
    .unwrap_or(Err(sqlx::Error::WorkerCrashed))
}

/// Makes the shared connection ready for one more writer: a batch open on it, the last
/// writer's abandoned savepoint rolled back, and a savepoint of this writer's own.
async fn open(writers: &Writers, conn: &mut SqliteConnection, hold: Hold) -> sqlx::Result<()> {
    let (opened, overdue) = {
        let batch = writers.batch();
        (batch.opened, batch.overdue())
    };
    if opened && (overdue || hold == Hold::Long) {
        // answers owed that long, or that this writer could hold up long, are given first; a
        // failed commit is theirs (they are told), and this writer starts a batch of its own
        let _ = writers.commit(conn).await;
    }
    if !writers.batch().opened {
        // IMMEDIATE takes the file's write lock before the first read: another process's writer
        // makes it wait (the busy timeout) instead of failing when a read turns into a write
        run(conn, "BEGIN IMMEDIATE").await?;
        writers.batch().opened = true;
    }
    let abandoned = std::mem::take(&mut writers.batch().abandoned);
    if abandoned {
        if let Err(err) = roll_back_savepoint(conn).await {
            // the transaction is gone (SQLite rolls back on some errors), with the writes of
            // everyone owed an answer: they are told, and this writer starts a new batch
            let _ = writers.commit(conn).await;
            return Err(err);
        }
    }
    run(conn, SAVEPOINT).await
}

/// Runs one statement of the writers' own (BEGIN, SAVEPOINT and the like).
async fn run(conn: &mut SqliteConnection, sql: &'static str) -> sqlx::Result<()> {
    sqlx::query(sql).execute(conn).await.map(|_| ())
}

/// Undoes the writes of the writer who gave up, leaving the others' in the batch.
async fn roll_back_savepoint(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    run(conn, ROLLBACK_TO).await?;
    run(conn, RELEASE).await
}

impl Turn {
    /// Keeps this writer's changes: they are on disk when this returns `Ok`.
    pub async fn commit(self) -> sqlx::Result<()> {
        // on a task of its own, as `begin`'s steps are: the batch's bookkeeping and the
        // connection's savepoints and COMMIT change together even if the caller is dropped
        let answer = match tokio::spawn(self.release()).await {
            Ok(Released::Committed(result)) => return result,
            Ok(Released::Owed(answer)) => answer,
            Err(_) => return Err(sqlx::Error::WorkerCrashed),
        };
        match answer.await {
            Ok(result) => result.map_err(|why| sqlx::Error::Io(std::io::Error::other(why))),
            Err(_) => Err(sqlx::Error::WorkerCrashed),
        }
    }

    /// Releases this writer's savepoint into the batch, and commits the batch if this writer is
    /// the last for now; otherwise hands over the turn with an answer owed.
    async fn release(mut self) -> Released {
        self.released = true;
        if let Err(err) = run(&mut self.conn, RELEASE).await {
            // the transaction is gone under this writer: everyone owed an answer is told
            let writers = self.writers.clone();
            let _ = writers.commit(&mut self.conn).await;
            return Released::Committed(Err(err));
        }
        let last = {
            let mut batch = self.writers.batch();
            batch.writers += 1;
            self.writers.in_line.load(SeqCst) == 0
                || batch.writers >= BATCH_MAX_WRITERS
                || batch.overdue()
        };
        if last {
            let writers = self.writers.clone();
            return Released::Committed(writers.commit(&mut self.conn).await);
        }
        let (to, answer) = oneshot::channel();
        {
            let mut batch = self.writers.batch();
            batch.owed.push(to);
            batch.waiting_since.get_or_insert_with(Instant::now);
        }
        Released::Owed(answer)
    }
}

/// What became of a writer's released savepoint.
enum Released {
    /// This writer committed the batch (or saw it fail).
    Committed(sqlx::Result<()>),
    /// A writer behind will commit it and send the outcome.
    Owed(oneshot::Receiver<Result<(), String>>),
}

/// Upper bounds of [`WriteLockStats::waits`]' buckets, in seconds.
pub const WRITE_WAIT_BUCKETS: [f64; 12] = [
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// How SQLite's one writer at a time shows in this process, for `/metrics`: how long writers
/// waited for their turn (behind other writers, then BEGIN IMMEDIATE, which waits for other
/// processes' writers) and how long they held it, a commit included; and how many commits
/// carried how many writers. The held time per second of wall time is how busy the write path
/// is: near 1, writes queue. Process-wide, over every SQLite file (a server opens one).
#[derive(Default)]
struct WriteLock {
    /// Writers per wait bucket (not cumulative; the last one is over the largest bound).
    waits: [AtomicU64; WRITE_WAIT_BUCKETS.len() + 1],
    wait_micros: AtomicU64,
    held_micros: AtomicU64,
    commits: AtomicU64,
    committed_writers: AtomicU64,
}

static WRITE_LOCK: LazyLock<WriteLock> = LazyLock::new(Default::default);

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl WriteLock {
    fn waited(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let bucket = WRITE_WAIT_BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(WRITE_WAIT_BUCKETS.len());
        self.waits[bucket].fetch_add(1, Relaxed);
        self.wait_micros.fetch_add(micros(d), Relaxed);
    }

    fn held(&self, d: Duration) {
        self.held_micros.fetch_add(micros(d), Relaxed);
    }

    fn committed(&self, writers: usize) {
        self.commits.fetch_add(1, Relaxed);
        self.committed_writers
            .fetch_add(u64::try_from(writers).unwrap_or(u64::MAX), Relaxed);
    }

    fn stats(&self) -> WriteLockStats {
        WriteLockStats {
            waits: self.waits.each_ref().map(|n| n.load(Relaxed)),
            wait_seconds: self.wait_micros.load(Relaxed) as f64 / 1e6,
            held_seconds: self.held_micros.load(Relaxed) as f64 / 1e6,
            commits: self.commits.load(Relaxed),
            committed_writers: self.committed_writers.load(Relaxed),
        }
    }
}

/// A snapshot of the SQLite write lock's figures since the process started.
pub struct WriteLockStats {
    /// Writers per wait bucket of [`WRITE_WAIT_BUCKETS`] (not cumulative; one more for the rest).
    pub waits: [u64; WRITE_WAIT_BUCKETS.len() + 1],
    pub wait_seconds: f64,
    pub held_seconds: f64,
    /// Batches committed, and the writers they carried: their ratio is how much group commit
    /// saves.
    pub commits: u64,
    pub committed_writers: u64,
}

/// The SQLite write lock's figures so far (zero on PostgreSQL, which has no such lock).
pub fn write_lock_stats() -> WriteLockStats {
    WRITE_LOCK.stats()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::db::{begin_write, connect, write_lock_stats, Held, Pool, Tx};

    async fn desk() -> (tempfile::TempDir, Pool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let pool = connect(&url).await.unwrap();
        let mut tx = begin_write(&pool).await.unwrap();
        crate::db_run!(&mut tx, c => sqlx::query("CREATE TABLE t (v TEXT PRIMARY KEY)").execute(c).await.map(|_| ()))
            .unwrap();
        tx.commit().await.unwrap();
        (dir, pool)
    }

    async fn insert(tx: &mut Tx, v: &str) -> sqlx::Result<()> {
        crate::db_run!(tx, c => sqlx::query("INSERT INTO t (v) VALUES (?)").bind(v).execute(c).await.map(|_| ()))
    }

    /// What another connection sees: what has been committed.
    async fn committed(pool: &Pool) -> Vec<String> {
        let mut conn = pool.acquire().await.unwrap();
        crate::db_run!(&mut conn, c => sqlx::query_scalar("SELECT v FROM t ORDER BY v").fetch_all(c).await)
            .unwrap()
    }

    /// The writers a transaction takes its turn among.
    fn writers_behind(tx: &Tx) -> Arc<Writers> {
        match &tx.conn.0 {
            Held::SqliteTurn(turn) => turn.writers.clone(),
            _ => panic!("not a SQLite writer"),
        }
    }

    /// The file's write lock is free: another process could write.
    async fn assert_file_unlocked(pool: &Pool) {
        let Pool::Sqlite(p) = pool else {
            unreachable!()
        };
        let mut other = sqlx::ConnectOptions::connect(&*p.connect_options())
            .await
            .unwrap();
        run(&mut other, "BEGIN IMMEDIATE").await.unwrap();
        run(&mut other, "ROLLBACK").await.unwrap();
    }

    /// Waits until `n` writers are in line for the file behind `pool`.
    async fn until_in_line(writers: &Writers, n: usize) {
        for _ in 0..500 {
            if writers.in_line.load(SeqCst) == n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{n} writers never lined up");
    }

    #[tokio::test]
    async fn counts_how_long_writers_wait_for_the_write_lock_and_hold_it() {
        let (_dir, pool) = desk().await;
        // other tests write too (the figures are process-wide): only growth is asserted
        let before = write_lock_stats();
        let first = begin_write(&pool).await.unwrap();
        let second = tokio::spawn({
            let pool = pool.clone();
            async move { begin_write(&pool).await.unwrap().commit().await.unwrap() }
        });
        tokio::time::sleep(Duration::from_millis(60)).await;
        first.commit().await.unwrap();
        second.await.unwrap();
        let after = write_lock_stats();
        let writers = |s: &WriteLockStats| s.waits.iter().sum::<u64>();
        assert!(writers(&after) >= writers(&before) + 2);
        // the second writer waited the 60 ms the first held the lock: past the 50 ms bound
        let past_50ms = WRITE_WAIT_BUCKETS.iter().position(|le| *le > 0.05).unwrap();
        let slow = |s: &WriteLockStats| s.waits[past_50ms..].iter().sum::<u64>();
        assert!(slow(&after) > slow(&before));
        assert!(after.wait_seconds - before.wait_seconds >= 0.05);
        assert!(after.held_seconds - before.held_seconds >= 0.05);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_in_line_share_one_commit_and_hear_of_it_once_it_is_on_disk() {
        let (_dir, pool) = desk().await;
        let before = write_lock_stats();
        let mut first = begin_write(&pool).await.unwrap();
        let writers = writers_behind(&first);
        let others: Vec<_> = (0..39)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    let v = format!("w{i:02}");
                    let mut tx = begin_write(&pool).await.unwrap();
                    insert(&mut tx, &v).await.unwrap();
                    tx.commit().await.unwrap();
                    // told only once committed: another connection sees it
                    assert!(
                        committed(&pool).await.contains(&v),
                        "{v} answered before its commit"
                    );
                })
            })
            .collect();
        until_in_line(&writers, 39).await;
        insert(&mut first, "first").await.unwrap();
        first.commit().await.unwrap();
        assert!(committed(&pool).await.contains(&"first".to_string()));
        for other in others {
            other.await.unwrap();
        }
        assert_eq!(committed(&pool).await.len(), 40);
        // the 40 writers lined up behind one another: commits carried several of them, as many
        // as fit in BATCH_MAX_AGE (other tests' commits add to both figures, never to their
        // difference)
        let after = write_lock_stats();
        let shared = |s: &WriteLockStats| s.committed_writers - s.commits;
        assert!(
            shared(&after) > shared(&before),
            "no writers shared a commit: {} commits, {} writers",
            after.commits - before.commits,
            after.committed_writers - before.committed_writers
        );
    }

    #[tokio::test]
    async fn a_writer_that_gives_up_takes_back_only_its_own_writes() {
        let (_dir, pool) = desk().await;
        let mut first = begin_write(&pool).await.unwrap();
        let writers = writers_behind(&first);
        insert(&mut first, "taken").await.unwrap();
        let write = |v: &'static str, keep: bool| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut tx = begin_write(&pool).await.unwrap();
                let inserted = insert(&mut tx, v).await;
                if keep {
                    inserted?;
                    tx.commit().await
                } else {
                    Ok(())
                }
            })
        };
        let a = write("a", true);
        until_in_line(&writers, 1).await;
        let dropped = write("dropped", false);
        until_in_line(&writers, 2).await;
        let clash = write("taken", true);
        until_in_line(&writers, 3).await;
        let d = write("d", true);
        until_in_line(&writers, 4).await;
        first.commit().await.unwrap();
        a.await.unwrap().unwrap();
        dropped.await.unwrap().unwrap();
        assert!(clash.await.unwrap().is_err(), "a duplicate key is refused");
        d.await.unwrap().unwrap();
        assert_eq!(committed(&pool).await, ["a", "d", "taken"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_dropped_at_any_step_leaves_nobody_waiting_and_the_file_unlocked() {
        let (_dir, pool) = desk().await;
        for i in 0..200 {
            let mut first = begin_write(&pool).await.unwrap();
            let writers = writers_behind(&first);
            let dropped = tokio::spawn({
                let pool = pool.clone();
                async move {
                    let mut tx = begin_write(&pool).await?;
                    insert(&mut tx, "dropped").await?;
                    tx.commit().await
                }
            });
            until_in_line(&writers, 1).await;
            insert(&mut first, &format!("kept {i:03}")).await.unwrap();
            // the writer behind takes the turn as the first lets go: it is dropped a little
            // later each time, in line, opening the batch, writing or committing
            let committing = tokio::spawn(first.commit());
            for _ in 0..i % 40 {
                tokio::task::yield_now().await;
            }
            dropped.abort();
            tokio::time::timeout(Duration::from_secs(5), committing)
                .await
                .expect("a writer was left waiting for its commit")
                .unwrap()
                .unwrap();
            let _ = dropped.await;
            let mut tx = begin_write(&pool).await.unwrap();
            crate::db_run!(&mut tx, c => sqlx::query("DELETE FROM t WHERE v = 'dropped'").execute(c).await.map(|_| ()))
                .unwrap();
            tx.commit().await.unwrap();
        }
        assert_eq!(committed(&pool).await.len(), 200);
        assert_file_unlocked(&pool).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_answer_waits_for_a_long_writer_behind_it() {
        let (_dir, pool) = desk().await;
        let mut first = begin_write(&pool).await.unwrap();
        let writers = writers_behind(&first);
        let (finish, finished) = oneshot::channel::<()>();
        let long = tokio::spawn({
            let pool = pool.clone();
            async move {
                let mut tx = crate::backend::db::begin_long_write(&pool).await.unwrap();
                insert(&mut tx, "long").await.unwrap();
                // a rebuild that takes a while: it holds the turn until told to finish
                finished.await.unwrap();
                tx.commit().await.unwrap();
            }
        });
        until_in_line(&writers, 1).await;
        insert(&mut first, "short").await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), first.commit())
            .await
            .expect("the answer waited for the long writer")
            .unwrap();
        assert_eq!(committed(&pool).await, ["short"]);
        finish.send(()).unwrap();
        long.await.unwrap();
        assert_eq!(committed(&pool).await, ["long", "short"]);
    }

    #[tokio::test]
    async fn the_batch_commits_when_the_last_writer_in_line_gives_up_or_leaves() {
        let (_dir, pool) = desk().await;
        // the last in line drops its transaction
        let first = begin_write(&pool).await.unwrap();
        let writers = writers_behind(&first);
        let last = tokio::spawn({
            let pool = pool.clone();
            async move {
                let mut tx = begin_write(&pool).await.unwrap();
                insert(&mut tx, "never").await.unwrap();
            }
        });
        until_in_line(&writers, 1).await;
        let mut first = first;
        insert(&mut first, "kept").await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), first.commit())
            .await
            .expect("the batch was left open")
            .unwrap();
        last.await.unwrap();
        assert_eq!(committed(&pool).await, ["kept"]);

        // the last in line leaves before its turn (a request dropped while it waits)
        let mut first = begin_write(&pool).await.unwrap();
        let leaving = tokio::spawn({
            let pool = pool.clone();
            async move { begin_write(&pool).await.map(|_| ()) }
        });
        until_in_line(&writers, 1).await;
        insert(&mut first, "kept too").await.unwrap();
        let committing = tokio::spawn(first.commit());
        tokio::time::sleep(Duration::from_millis(20)).await;
        leaving.abort();
        tokio::time::timeout(Duration::from_secs(5), committing)
            .await
            .expect("the batch was left open")
            .unwrap()
            .unwrap();
        assert_eq!(committed(&pool).await, ["kept", "kept too"]);

        assert_file_unlocked(&pool).await;
    }
}
