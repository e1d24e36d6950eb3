//! Group commit: one thread owns the writing connection and commits every write waiting
//! at the same moment in one transaction, so concurrent instances share an fsync instead
//! of queueing for one each, and nobody hears "done" before their write is durable.

use std::any::Any;
use std::sync::mpsc;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

/// What a write returns, typed again by [`Writer::write`].
type Value = Box<dyn Any + Send>;

/// The changes of one write.
type Work = Box<dyn FnOnce(&Connection) -> rusqlite::Result<Value> + Send>;

/// One write and where its outcome goes once its group has committed.
struct Job {
    work: Work,
    done: oneshot::Sender<rusqlite::Result<Value>>,
}

/// The most writes committed together; bounds how long one transaction holds the lock.
const MAX_GROUP: usize = 1024;

/// The writer thread stopped (it panicked); nothing more can be written.
#[derive(Debug)]
pub(super) struct Stopped;

/// The handle of the writer thread; the thread ends when the last handle is dropped.
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `connection`.
    pub(super) fn spawn(connection: Connection) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("herald-state-writer".into())
            .spawn(move || commit_groups(connection, &queue))
            .expect("the state writer thread starts");
        Self { jobs }
    }

    /// Queues `work` and waits until the transaction holding it is committed. A failing
    /// write is rolled back alone; the others of its group still commit.
    pub(super) async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<rusqlite::Result<T>, Stopped> {
        let outcome = self.submit(work)?;
        let value = outcome.await.map_err(|_| Stopped)?;
        Ok(value.map(|value| *value.downcast::<T>().expect("a write returns the type it was queued with")))
    }

    /// Queues `work` without waiting for it: it is committed in order with every other
    /// write, so a later write that is waited for is committed after it.
    pub(super) fn write_later(&self, work: impl FnOnce(&Connection) -> rusqlite::Result<()> + Send + 'static) -> Result<(), Stopped> {
        self.submit(work).map(drop)
    }

    fn submit<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<oneshot::Receiver<rusqlite::Result<Value>>, Stopped> {
        let (done, outcome) = oneshot::channel();
        let work: Work = Box::new(move |connection| work(connection).map(|value| Box::new(value) as Value));
        self.jobs.send(Job { work, done }).map_err(|_| Stopped)?;
        Ok(outcome)
    }
}

/// Takes whatever is queued, commits it as one transaction, and repeats until every
/// handle is gone.
fn commit_groups(mut connection: Connection, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit(&mut connection, group);
    }
}

fn commit(connection: &mut Connection, group: Vec<Job>) {
    let transaction = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(transaction) => transaction,
        Err(error) => {
            for job in group {
                let _ = job.done.send(Err(duplicate(&error)));
            }
            return;
        }
    };
    let outcomes: Vec<_> = group.into_iter().map(|job| (job.done, alone(&transaction, job.work))).collect();
    match transaction.commit() {
        Ok(()) => {
            for (done, outcome) in outcomes {
                let _ = done.send(outcome);
            }
        }
        Err(error) => {
            for (done, _) in outcomes {
                let _ = done.send(Err(duplicate(&error)));
            }
        }
    }
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

    #[tokio::test]
    async fn a_failing_write_is_undone_alone_and_the_rest_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let setup = Connection::open(&path).unwrap();
        setup.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)").unwrap();
        let writer = Writer::spawn(Connection::open(&path).unwrap());
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
}
