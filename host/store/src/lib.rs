//! herald's durable state: one SQLite database in the state directory holding process
//! instances (variables, token positions, steps) and connector state, written so that a
//! SIGKILL at any instant leaves a state `herald resume` can continue from.

mod connector_state;
mod instances;
mod locks;
mod schema;
mod writer;

pub use instances::{FlowSource, InstanceSummary, NewInstance, StoredInstance};
pub use locks::StateLock;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use herald_core::StepError;
use rusqlite::Connection;

use locks::OwnerLock;
use writer::Writer;

/// The database's file name inside the state directory.
const DATABASE: &str = "herald.db";

/// Why the state directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// No directory was given and the platform has no user data directory.
    #[error("no user data directory is known on this system; pass --state DIR")]
    NoDefault,
    /// A command that only reads was pointed at a directory that does not exist.
    #[error("the state directory {} does not exist: check --state", path.display())]
    NoState {
        /// The state directory.
        path: PathBuf,
    },
    /// A store opened for reading was asked to write.
    #[error("state database {}: opened only to read", path.display())]
    ReadOnly {
        /// The database file.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("state directory {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The database refused a read or a write.
    #[error("state database {}: {source}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A stored record does not parse: the database was edited or written by another version.
    #[error("state database {}: {what} does not parse: {message}", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The record concerned.
        what: String,
        /// The parser's complaint.
        message: String,
    },
    /// No instance has this id.
    #[error("no instance `{id}` in this state directory; `herald instances` lists them")]
    UnknownInstance {
        /// The id asked for.
        id: String,
    },
    /// The thread that writes the database stopped after a panic.
    #[error("state database {}: its writer stopped; nothing more can be saved", path.display())]
    WriterStopped {
        /// The database file.
        path: PathBuf,
    },
    /// The database was made by a newer herald.
    #[error("state database {} has schema version {found}; this herald knows version {known} and older: upgrade herald", path.display())]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
}

/// herald's state directory and its database. Clones share one database connection pair:
/// a writer thread that commits in groups, and a reader.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
}

struct Shared {
    root: PathBuf,
    database: PathBuf,
    // Dropped first: the writer commits what is queued before the owner lock goes. None
    // for a store opened only to read.
    writer: Option<Writer>,
    reader: Mutex<Connection>,
    // Taken when the store first starts or claims an instance: a store that only reads
    // (`herald instances`, `show`) owns nothing and leaves no lock file if it is killed.
    owner: OnceLock<OwnerLock>,
    // Owners this process found dead (killed herald processes), and the lock that keeps
    // its threads from checking an owner at the same time.
    dead_owners: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("database", &self.shared.database).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the state in `dir`, or in the user's data directory's
    /// `herald` folder.
    pub fn open(dir: Option<&Path>) -> Result<Self, StateError> {
        let root = root(dir)?;
        std::fs::create_dir_all(&root).map_err(|source| StateError::Io { path: root.clone(), source })?;
        let database = root.join(DATABASE);
        let db_error = |source| StateError::Database { path: database.clone(), source };
        let mut writing = schema::open(&database).map_err(db_error)?;
        schema::migrate(&mut writing, &database)?;
        let reader = schema::open(&database).map_err(db_error)?;
        let writer = Some(Writer::spawn(writing));
        Ok(Self {
            shared: Arc::new(Shared {
                root,
                database,
                writer,
                reader: Mutex::new(reader),
                owner: OnceLock::new(),
                dead_owners: Mutex::default(),
            }),
        })
    }

    /// Opens the state in `dir` (or the default directory) only to read: nothing is
    /// created or written, so a read-only directory serves, and a missing `dir` is refused
    /// rather than made. A directory without a database (the default one before any run,
    /// say) holds no instances; an older herald's database is brought up to date first.
    pub fn open_read_only(dir: Option<&Path>) -> Result<Self, StateError> {
        let root = root(dir)?;
        if dir.is_some() && !root.is_dir() {
            return Err(StateError::NoState { path: root });
        }
        let database = root.join(DATABASE);
        let reader = if database.exists() {
            match schema::open_read_only(&database)? {
                Some(reader) => reader,
                // An older herald's: its tables gain their new columns first, as at any open.
                None => return Self::open(dir),
            }
        } else {
            schema::open_empty(&database)?
        };
        Ok(Self {
            shared: Arc::new(Shared {
                root,
                database,
                writer: None,
                reader: Mutex::new(reader),
                owner: OnceLock::new(),
                dead_owners: Mutex::default(),
            }),
        })
    }

    /// The writer thread, unless the store was opened only to read.
    fn writer(&self) -> Result<&Writer, StateError> {
        self.shared.writer.as_ref().ok_or_else(|| StateError::ReadOnly { path: self.shared.database.clone() })
    }

    /// The owner id this store marks its instances with; takes its lock the first time.
    fn owner(&self) -> Result<&str, StateError> {
        if let Some(owner) = self.shared.owner.get() {
            return Ok(owner.id());
        }
        let lock = OwnerLock::take(&self.shared.root)?;
        // Of two threads that raced here, one lock is kept; the other is dropped unused.
        Ok(self.shared.owner.get_or_init(|| lock).id())
    }

    /// Returns once every write queued so far is durable; fails when one of them failed.
    pub async fn sync(&self) -> Result<(), StateError> {
        let Some(writer) = &self.shared.writer else {
            return Ok(());
        };
        match writer.sync().await {
            Ok(outcome) => outcome.map_err(|source| self.database_error(source)),
            Err(writer::Stopped) => Err(StateError::WriterStopped { path: self.shared.database.clone() }),
        }
    }

    /// The state directory.
    pub fn root(&self) -> &Path {
        &self.shared.root
    }

    /// The database file.
    pub fn database(&self) -> &Path {
        &self.shared.database
    }

    /// Commits `job` (with others waiting at the same time: one fsync for the group) and
    /// returns once it is durable.
    async fn write<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StateError> {
        match self.writer()?.write(job).await {
            Ok(outcome) => outcome.map_err(|source| self.database_error(source)),
            Err(writer::Stopped) => Err(StateError::WriterStopped { path: self.shared.database.clone() }),
        }
    }

    /// Queues a write that is committed in order with the others, without waiting for it.
    fn write_later(
        &self,
        job: impl FnOnce(&Connection) -> rusqlite::Result<()> + Send + 'static,
    ) -> Result<(), StateError> {
        self.writer()?
            .write_later(job)
            .map_err(|writer::Stopped| StateError::WriterStopped { path: self.shared.database.clone() })
    }

    /// Runs a read on the reader connection.
    fn read<T>(&self, query: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StateError> {
        // A reader whose holder panicked is still a good connection.
        let reader = self.shared.reader.lock().unwrap_or_else(PoisonError::into_inner);
        query(&reader).map_err(|source| self.database_error(source))
    }

    fn database_error(&self, source: rusqlite::Error) -> StateError {
        StateError::Database { path: self.shared.database.clone(), source }
    }

    fn corrupt(&self, what: String, message: impl ToString) -> StateError {
        StateError::Corrupt { path: self.shared.database.clone(), what, message: message.to_string() }
    }
}

/// The state directory: `dir`, or the user's data directory's `herald` folder.
fn root(dir: Option<&Path>) -> Result<PathBuf, StateError> {
    match dir {
        Some(dir) => Ok(dir.to_path_buf()),
        None => Ok(dirs::data_dir().ok_or(StateError::NoDefault)?.join("herald")),
    }
}

impl From<StateError> for StepError {
    fn from(err: StateError) -> Self {
        StepError::State { message: err.to_string() }
    }
}
