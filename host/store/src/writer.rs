//! Group commit: one thread owns the writing connection and commits every write waiting
//! at the same moment in one transaction, so concurrent instances share an fsync instead
//! of queueing for one each, and nobody hears "done" before their write is durable.

use std::any::Any;
use std::sync::mpsc::{self, TryRecvError};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::oneshot;

/// What a write returns, typed again by [`Writer::write`].
type Value = Box<dyn Any + Send>;

/// The changes of one write.
type Work = Box<dyn FnOnce(&Connection) -> rusqlite::Result<Value> + Send>;

/// One entry of the writer's queue: a write (none for a barrier) and who hears of it.
struct Job {
    work: Option<Work>,
    reply: Reply,
}

/// Who hears of a job's outcome.
enum Reply {
    /// Someone waits for the write's outcome.
    Waiting(oneshot::Sender<rusqlite::Result<Value>>),
    /// Nobody waits: a failure is told to the next barrier.
    Nobody,
    /// A barrier, answered once everything queued before it is durable, with the first
    /// failure of an unawaited write since the previous barrier.
    Barrier(oneshot::Sender<rusqlite::Result<Value>>),
}

impl Reply {
    /// Whether someone waits for this job.
    fn awaited(&self) -> bool {
        !matches!(self, Reply::Nobody)
    }
}

/// The most writes committed together; bounds how long one transaction holds the lock.
const MAX_GROUP: usize = 1024;

/// How long writes nobody waits for are held for others to share their commit. Their loss
/// in a crash is redone by a resume, and a bulk run that syncs once per group of a
/// hundred instances instead of every few spends its time sending, not in fsync.
const LINGER: Duration = Duration::from_millis(20);

/// The writer thread stopped (it panicked); nothing more can be written.
#[derive(Debug)]
pub(super) struct Stopped;

/// The handle of the writer thread. Dropping it commits what is queued and ends the thread.
pub(super) struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue lets the thread commit what is left and end; unparked, it
        // does not linger first.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Writer {
    /// Starts the writer thread on `connection`.
    pub(super) fn spawn(connection: Connection) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("herald-state-writer".into())
            .spawn(move || commit_groups(connection, &queue))
            .expect("the state writer thread starts");
        Self { jobs: Some(jobs), thread: Some(thread) }
    }

    /// Queues `work` and waits until the transaction holding it is committed. A failing
    /// write is rolled back alone; the others of its group still commit.
    pub(super) async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<rusqlite::Result<T>, Stopped> {
        let (done, outcome) = oneshot::channel();
        self.submit(Job { work: Some(boxed(work)), reply: Reply::Waiting(done) })?;
        let value = outcome.await.map_err(|_| Stopped)?;
        Ok(value.map(|value| *value.downcast::<T>().expect("a write returns the type it was queued with")))
    }

    /// Queues `work` without waiting for it: it is committed in order with every other
    /// write, so a later write that is waited for is committed after it.
    pub(super) fn write_later(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<()> + Send + 'static,
    ) -> Result<(), Stopped> {
        self.submit(Job { work: Some(boxed(work)), reply: Reply::Nobody })
    }

    /// Waits until every write queued so far is durable; fails with the first queued write
    /// that failed since the last call.
    pub(super) async fn sync(&self) -> Result<rusqlite::Result<()>, Stopped> {
        let (done, outcome) = oneshot::channel();
        self.submit(Job { work: None, reply: Reply::Barrier(done) })?;
        Ok(outcome.await.map_err(|_| Stopped)?.map(drop))
    }

    fn submit(&self, job: Job) -> Result<(), Stopped> {
        let jobs = self.jobs.as_ref().ok_or(Stopped)?;
        let awaited = job.reply.awaited();
        jobs.send(job).map_err(|_| Stopped)?;
        // A lingering writer sleeps through writes nobody waits for: waking it for each
        // would cost a context switch per write.
        if awaited && let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
        Ok(())
    }
}

fn boxed<T: Send + 'static>(work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static) -> Work {
    Box::new(move |connection| work(connection).map(|value| Box::new(value) as Value))
}

/// Takes whatever is queued, commits it as one transaction, and repeats until every
/// handle is gone. A group that nobody waits for lingers up to [`LINGER`] for more writes
/// to share its sync; a write or barrier that someone waits for ends the wait.
fn commit_groups(connection: Connection, queue: &mpsc::Receiver<Job>) {
    let mut unreported = None;
    while let Ok(first) = queue.recv() {
        let deadline = Instant::now() + LINGER;
        let mut awaited = first.reply.awaited();
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => {
                    awaited |= job.reply.awaited();
                    group.push(job);
                }
                Err(TryRecvError::Disconnected) => break,
                Err(TryRecvError::Empty) => {
                    let now = Instant::now();
                    if awaited || now >= deadline {
                        break;
                    }
                    // Parked, not waiting on the queue: only an awaited write (or the
                    // handle's drop) unparks the thread early.
                    std::thread::park_timeout(deadline - now);
                }
            }
        }
        commit(&connection, group, &mut unreported);
    }
}

/// Commits one group and answers its jobs; an unawaited write's failure waits in
/// `unreported` for the next barrier.
fn commit(connection: &Connection, group: Vec<Job>, unreported: &mut Option<rusqlite::Error>) {
    // Cached statements: a commit per group is frequent enough for parsing to show.
    let run = |sql: &str| connection.prepare_cached(sql)?.execute([]).map(drop);
    if let Err(error) = run("BEGIN IMMEDIATE") {
        return answer(group.into_iter().map(|job| (job.reply, Err(duplicate(&error)))), unreported);
    }
    let outcomes: Vec<_> = group
        .into_iter()
        .map(|job| (job.reply, job.work.map_or_else(|| Ok(nothing()), |work| alone(connection, work))))
        .collect();
    match run("COMMIT") {
        Ok(()) => answer(outcomes.into_iter(), unreported),
        Err(error) => {
            if !connection.is_autocommit() {
                let _ = connection.execute_batch("ROLLBACK");
            }
            answer(outcomes.into_iter().map(|(reply, _)| (reply, Err(duplicate(&error)))), unreported);
        }
    }
}

/// Tells each job its outcome, in order.
fn answer(outcomes: impl Iterator<Item = (Reply, rusqlite::Result<Value>)>, unreported: &mut Option<rusqlite::Error>) {
    for (reply, outcome) in outcomes {
        match reply {
            Reply::Waiting(done) => {
                let _ = done.send(outcome);
            }
            Reply::Nobody => {
                if let Err(error) = outcome {
                    unreported.get_or_insert(error);
                }
            }
            Reply::Barrier(done) => {
                let _ = done.send(unreported.take().map_or_else(|| Ok(nothing()), Err));
            }
        }
    }
}

/// The value of a job that returns nothing.
fn nothing() -> Value {
    Box::new(())
}

/// Runs one write under a savepoint, so its failure undoes only its own changes.
fn alone(connection: &Connection, work: Work) -> rusqlite::Result<Value> {
    let run = |sql: &str| connection.prepare_cached(sql)?.execute([]).map(drop);
    run("SAVEPOINT job")?;
    match work(connection) {
        Ok(value) => run("RELEASE job").map(|()| value),
        Err(error) => {
            // The error of the write is what its caller needs; a failing rollback would
            // surface again at commit.
            let _ = connection.execute_batch("ROLLBACK TO job; RELEASE job");
            Err(error)
        }
    }
}

/// The same error for every writer of a group that failed as a whole.
fn duplicate(error: &rusqlite::Error) -> rusqlite::Error {
    match error {
        rusqlite::Error::SqliteFailure(code, message) => rusqlite::Error::SqliteFailure(*code, message.clone()),
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database with one table `t`, a connection to read it, and a writer on it.
    fn table() -> (tempfile::TempDir, Connection, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let setup = Connection::open(&path).unwrap();
        setup.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)").unwrap();
        let writer = Writer::spawn(Connection::open(&path).unwrap());
        (dir, setup, writer)
    }

    #[tokio::test]
    async fn a_failing_write_is_undone_alone_and_the_rest_commit() {
        let (_dir, setup, writer) = table();
        // Queued together, so they share a group.
        let (ok, bad, also_ok) = tokio::join!(
            writer.write(|db| db.execute("INSERT INTO t VALUES (1)", [])),
            writer.write(|db| {
                db.execute("INSERT INTO t VALUES (2)", [])?;
                db.execute("INSERT INTO t VALUES (1)", [])
            }),
            writer.write(|db| db.execute("INSERT INTO t VALUES (3)", [])),
        );
        assert_eq!(ok.unwrap().unwrap(), 1);
        assert!(bad.unwrap().is_err());
        assert_eq!(also_ok.unwrap().unwrap(), 1);
        let rows: Vec<i64> = setup
            .prepare("SELECT n FROM t ORDER BY n")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [1, 3], "the failed write's first insert is undone too");
    }

    #[tokio::test]
    async fn a_barrier_reports_an_unawaited_write_that_failed_and_waits_for_the_rest() {
        let (_dir, setup, writer) = table();
        writer.write_later(|db| db.execute("INSERT INTO t VALUES (1)", []).map(drop)).unwrap();
        writer.write_later(|db| db.execute("INSERT INTO t VALUES (1)", []).map(drop)).unwrap();
        writer.write_later(|db| db.execute("INSERT INTO t VALUES (2)", []).map(drop)).unwrap();
        let error = writer.sync().await.unwrap().unwrap_err();
        assert!(error.to_string().contains("UNIQUE"), "{error}");
        let count: i64 = setup.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 2, "the writes queued before the barrier are committed");
        assert!(writer.sync().await.unwrap().is_ok(), "a failure is reported once");
    }

    #[test]
    fn dropping_the_writer_commits_what_is_queued() {
        let (_dir, setup, writer) = table();
        for n in 0..100 {
            writer.write_later(move |db| db.execute("INSERT INTO t VALUES (?1)", [n]).map(drop)).unwrap();
        }
        drop(writer);
        let count: i64 = setup.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 100);
    }
}
