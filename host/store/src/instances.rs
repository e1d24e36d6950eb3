//! Process instances: their flow, variables, token positions and steps, saved at every
//! move in one transaction each, so what is on disk is always one consistent moment.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use herald_core::now_ms;

use super::{StateError, Store};
use herald_core::{Incident, InstanceRecord, InstanceState, Position, StepRecord};

/// A flow's BPMN text as it was when instances started, so `resume` runs what was started
/// even if the file has changed or gone since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSource {
    /// SHA-256 of the text, hex.
    pub digest: String,
    /// The file it was read from, for messages.
    pub path: String,
    /// The BPMN XML.
    pub text: String,
}

impl FlowSource {
    /// The source of a flow read from `path`.
    pub fn new(path: String, text: String) -> Self {
        let digest = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        Self { digest, path, text }
    }
}

/// An instance about to start.
#[derive(Debug, Clone)]
pub struct NewInstance {
    /// Its id.
    pub id: String,
    /// The process id.
    pub process: String,
    /// Its variables.
    pub variables: Map<String, Value>,
    /// Its token at the start event.
    pub position: Position,
}

/// An instance as saved: its record, and where the engine left it.
#[derive(Debug, Clone)]
pub struct StoredInstance {
    /// What `show` and `run --json` print.
    pub record: InstanceRecord,
    /// The digest of its flow.
    pub flow: String,
    /// Where its tokens stand.
    pub position: Position,
    /// When a run marked it under way, from when it may have made its first attempt
    /// without recording it ([`Store::mark_started`]).
    pub started_ms: Option<u64>,
}

/// One line of `herald instances`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InstanceSummary {
    /// The instance id.
    pub instance: String,
    /// The process id.
    pub process: String,
    /// The flow file it started from.
    pub flow: String,
    /// Where it stands.
    pub state: InstanceState,
    /// Steps run so far.
    pub steps: u32,
    /// Start time, milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// Last change, milliseconds since the Unix epoch.
    pub updated_ms: u64,
}

impl Store {
    /// Saves `flow` and starts `instances` of it, all in one transaction: either every
    /// instance exists afterwards or none does.
    pub async fn create_instances(&self, flow: &FlowSource, instances: &[NewInstance]) -> Result<(), StateError> {
        let flow = flow.clone();
        let owner = self.owner()?.to_owned();
        let rows: Vec<(String, String, String, String)> = instances
            .iter()
            .map(|i| {
                (
                    i.id.clone(),
                    i.process.clone(),
                    serde_json::to_string(&i.variables).expect("variables serialize"),
                    i.position.to_json(),
                )
            })
            .collect();
        self.write(move |db| {
            db.execute(
                "INSERT INTO flows (digest, path, source) VALUES (?1, ?2, ?3)
                 ON CONFLICT (digest) DO UPDATE SET path = excluded.path",
                params![flow.digest, flow.path, flow.text],
            )?;
            let now = now_ms() as i64;
            let mut insert = db.prepare_cached(
                "INSERT INTO instances (id, flow, process, state, variables, position, owner, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7, ?7)",
            )?;
            for (id, process, variables, position) in &rows {
                insert.execute(params![id, flow.digest, process, variables, position, owner, now])?;
            }
            Ok(())
        })
        .await
    }

    /// Marks instances as under way, in one durable write: from then on a run may make
    /// each one's first attempt without a save of its own, and a resume takes that attempt
    /// as possibly made.
    pub async fn mark_started(&self, ids: Vec<String>) -> Result<(), StateError> {
        self.write(move |db| {
            // The time, so that a resume knows from when an unrecorded attempt may have sent.
            let mut mark = db.prepare_cached("UPDATE instances SET started = ?2 WHERE id = ?1")?;
            let now = now_ms() as i64;
            for id in &ids {
                mark.execute(params![id, now])?;
            }
            Ok(())
        })
        .await
    }

    /// Saves an instance's variables, state and position, and its steps from index
    /// `steps_from` on (the ones that changed), all at once; returns once it is durable.
    pub async fn save_instance(
        &self,
        record: &InstanceRecord,
        position: &Position,
        steps_from: Option<usize>,
    ) -> Result<(), StateError> {
        self.write(instance_update(record, position, steps_from)).await
    }

    /// The same write as `save_instance`, queued without waiting for it: for saves whose
    /// loss a resume would redo, so that they share a later write's sync
    /// ([`Store::sync`] waits for them).
    pub fn queue_instance(
        &self,
        record: &InstanceRecord,
        position: &Position,
        steps_from: Option<usize>,
    ) -> Result<(), StateError> {
        self.write_later(instance_update(record, position, steps_from))
    }

    /// One instance with its steps, or `None` when no instance has that id.
    pub fn load_instance(&self, id: &str) -> Result<Option<StoredInstance>, StateError> {
        type Row = (String, String, String, String, String, Option<String>, i64);
        let row: Option<Row> = self.read(|db| {
            let mut query = db.prepare_cached(
                "SELECT flow, process, state, variables, position, incident, started FROM instances WHERE id = ?1",
            )?;
            query
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
                .optional()
        })?;
        let Some((flow, process, state, variables, position, incident, started)) = row else {
            return Ok(None);
        };
        let steps: Vec<String> = self.read(|db| {
            let mut query = db.prepare_cached("SELECT record FROM steps WHERE instance = ?1 ORDER BY seq")?;
            query.query_map([id], |r| r.get(0))?.collect()
        })?;
        let what = |part: &str| format!("instance {id}'s {part}");
        let parse =
            |part: &str, text: &str| serde_json::from_str::<Value>(text).map_err(|e| self.corrupt(what(part), e));
        let Value::Object(variables) = parse("variables", &variables)? else {
            return Err(self.corrupt(what("variables"), "not a JSON object"));
        };
        let steps = steps
            .iter()
            .map(|text| serde_json::from_str::<StepRecord>(text).map_err(|e| self.corrupt(what("step"), e)))
            .collect::<Result<_, _>>()?;
        let incident = incident
            .map(|text| serde_json::from_str::<Incident>(&text).map_err(|e| self.corrupt(what("incident"), e)))
            .transpose()?;
        let record = InstanceRecord {
            instance: id.to_owned(),
            process,
            state: parse_state(&state).ok_or_else(|| self.corrupt(what("state"), &state))?,
            variables,
            steps,
            incident,
        };
        let position = serde_json::from_str::<Position>(&position).map_err(|e| self.corrupt(what("position"), e))?;
        // Before the mark held a time, it held 1: that instance was marked at some time.
        let started_ms = u64::try_from(started).ok().filter(|&ms| ms > 0);
        Ok(Some(StoredInstance { record, flow, position, started_ms }))
    }

    /// The saved source of a flow.
    pub fn flow(&self, digest: &str) -> Result<FlowSource, StateError> {
        let (path, text) = self.read(|db| {
            db.query_row("SELECT path, source FROM flows WHERE digest = ?1", [digest], |r| Ok((r.get(0)?, r.get(1)?)))
        })?;
        Ok(FlowSource { digest: digest.to_owned(), path, text })
    }

    /// The instances still running (or cut short), oldest first: each id with the digest
    /// of its flow.
    pub fn unfinished(&self) -> Result<Vec<(String, String)>, StateError> {
        self.read(|db| {
            let mut query =
                db.prepare_cached("SELECT id, flow FROM instances WHERE state = 'running' ORDER BY created_ms, id")?;
            query.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
        })
    }

    /// Every instance, oldest first; one whose row does not parse is an error in its
    /// place, so the others are still listed.
    pub fn list_instances(&self) -> Result<Vec<Result<InstanceSummary, StateError>>, StateError> {
        type Row = (String, String, String, String, i64, i64, i64);
        let rows: Vec<Row> = self.read(|db| {
            let mut query = db.prepare_cached(
                "SELECT i.id, i.process, f.path, i.state, i.created_ms, i.updated_ms,
                        (SELECT count(*) FROM steps s WHERE s.instance = i.id)
                 FROM instances i JOIN flows f ON f.digest = i.flow ORDER BY i.created_ms, i.id",
            )?;
            query
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
                .collect()
        })?;
        Ok(rows
            .into_iter()
            .map(|(instance, process, flow, state, created, updated, steps)| {
                let state =
                    parse_state(&state).ok_or_else(|| self.corrupt(format!("instance {instance}'s state"), &state))?;
                Ok(InstanceSummary {
                    instance,
                    process,
                    flow,
                    state,
                    steps: u32::try_from(steps).unwrap_or(u32::MAX),
                    created_ms: u64::try_from(created).unwrap_or_default(),
                    updated_ms: u64::try_from(updated).unwrap_or_default(),
                })
            })
            .collect())
    }
}

/// The write that stores an instance's row (and its steps from `steps_from` on) as they
/// are now.
fn instance_update(
    record: &InstanceRecord,
    position: &Position,
    steps_from: Option<usize>,
) -> impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<()> + Send + 'static {
    let id = record.instance.clone();
    let state = state_name(record.state);
    let variables = serde_json::to_string(&record.variables).expect("variables serialize");
    let position = position.to_json();
    let incident = record.incident.as_ref().map(|i| serde_json::to_string(i).expect("incidents serialize"));
    let steps: Vec<(i64, String)> = (record.steps.iter().enumerate())
        .skip(steps_from.unwrap_or(record.steps.len()))
        .map(|(seq, step)| (seq as i64, serde_json::to_string(step).expect("step records serialize")))
        .collect();
    move |db| {
        let mut update = db.prepare_cached(
            "UPDATE instances SET state = ?2, variables = ?3, position = ?4, incident = ?5, updated_ms = ?6 WHERE id = ?1",
        )?;
        if update.execute(params![id, state, variables, position, incident, now_ms() as i64])? != 1 {
            return Err(rusqlite::Error::QueryReturnedNoRows);
        }
        let mut upsert = db.prepare_cached(
            "INSERT INTO steps (instance, seq, record) VALUES (?1, ?2, ?3)
             ON CONFLICT (instance, seq) DO UPDATE SET record = excluded.record",
        )?;
        for (seq, record) in steps {
            upsert.execute(params![id, seq, record])?;
        }
        Ok(())
    }
}

fn state_name(state: InstanceState) -> &'static str {
    match state {
        InstanceState::Running => "running",
        InstanceState::Completed => "completed",
        InstanceState::Incident => "incident",
    }
}

fn parse_state(text: &str) -> Option<InstanceState> {
    [InstanceState::Running, InstanceState::Completed, InstanceState::Incident]
        .into_iter()
        .find(|state| state_name(*state) == text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use herald_core::{Position, StepStatus};

    fn new(id: &str) -> NewInstance {
        let variables = json!({"order": id, "nested": {"list": [1, "two"]}}).as_object().unwrap().clone();
        NewInstance { id: id.into(), process: "p".into(), variables, position: Position::at_start("start") }
    }

    #[tokio::test]
    async fn instances_round_trip_with_their_steps_and_position() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Some(dir.path())).unwrap();
        let flow = FlowSource::new("flow.bpmn".into(), "<xml/>".into());
        store.create_instances(&flow, &[new("a"), new("b")]).await.unwrap();
        let mut stored = store.load_instance("a").unwrap().unwrap();
        assert_eq!(stored.started_ms, None);
        let before = now_ms();
        store.mark_started(vec!["a".into()]).await.unwrap();
        let marked = store.load_instance("a").unwrap().unwrap().started_ms.unwrap();
        assert!((before..=now_ms()).contains(&marked), "marked at {marked}, not between {before} and now");
        assert_eq!(store.load_instance("b").unwrap().unwrap().started_ms, None);
        assert_eq!(stored.record.variables["nested"], json!({"list": [1, "two"]}));
        assert_eq!(stored.position, Position::at_start("start"));
        assert_eq!(store.flow(&stored.flow).unwrap(), flow);

        stored.record.steps.push(StepRecord { attempts: 1, ..StepRecord::begun("notify", "slack") });
        stored.position.tokens[0].at = "notify".into();
        store.save_instance(&stored.record, &stored.position, Some(0)).await.unwrap();
        let again = store.load_instance("a").unwrap().unwrap();
        assert_eq!(again.position.tokens[0].at, "notify");
        assert_eq!(again.record.steps.len(), 1);
        assert_eq!(again.record.steps[0].status, StepStatus::Running);
        let unfinished: Vec<(String, String)> = store.unfinished().unwrap();
        assert_eq!(unfinished.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert!(unfinished.iter().all(|(_, digest)| *digest == flow.digest));
        assert!(store.load_instance("c").unwrap().is_none());
    }

    #[tokio::test]
    async fn a_batch_is_created_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Some(dir.path())).unwrap();
        let flow = FlowSource::new("flow.bpmn".into(), "<xml/>".into());
        store.create_instances(&flow, &[new("a")]).await.unwrap();
        // `a` exists already, so the second batch fails, and `b` is not left behind.
        assert!(store.create_instances(&flow, &[new("b"), new("a")]).await.is_err());
        let ids: Vec<String> = store.list_instances().unwrap().into_iter().map(|s| s.unwrap().instance).collect();
        assert_eq!(ids, ["a"]);
    }
}
