//! The executor on a clock the test moves: day-long waits carried out at once, and what
//! the store held while each wait stood. No connector is called and nothing sleeps.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use serde_json::Map;
use tokio::sync::Notify;

use herald_bpmn::Process;
use herald_core::{Clock, InstanceState};
use herald_secrets::Vault;
use herald_store::{FlowSource, Store};

use crate::{Engine, Pending, Silent};

const START_MS: u64 = 1_800_000_000_000;
const MINUTE_MS: u64 = 60_000;

/// Start, a 10-minute timer, a 1-hour timer, end.
const TIMERS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="timers" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ten_minutes" />
  <bpmn:intermediateCatchEvent id="ten_minutes"><bpmn:timerEventDefinition><bpmn:timeDuration>PT10M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="ten_minutes" targetRef="an_hour" />
  <bpmn:intermediateCatchEvent id="an_hour"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="an_hour" targetRef="end" />
  <bpmn:endEvent id="end" />
</bpmn:process>
</bpmn:definitions>"#;

/// A wait as the clock saw it: when it was due, and the due time the store held for the
/// waiting token at that moment.
#[derive(Debug, PartialEq, Eq)]
struct Wait {
    due_ms: u64,
    saved_due_ms: Option<u64>,
}

/// A clock that jumps to each due time at once, or stops the first wait for good (a host
/// killed while it waits); it notes what the store held at every wait.
struct TestClock {
    now_ms: Mutex<u64>,
    store: Store,
    waits: Mutex<Vec<Wait>>,
    stop_at_first_wait: bool,
    stopped: Notify,
}

impl TestClock {
    fn new(now_ms: u64, store: &Store, stop_at_first_wait: bool) -> Arc<Self> {
        Arc::new(Self {
            now_ms: Mutex::new(now_ms),
            store: store.clone(),
            waits: Mutex::new(Vec::new()),
            stop_at_first_wait,
            stopped: Notify::new(),
        })
    }

    /// The due time saved for the first token of the one unfinished instance.
    fn saved_due_ms(&self) -> Option<u64> {
        let unfinished = self.store.unfinished().expect("the store reads");
        let [(id, _)] = unfinished.as_slice() else { panic!("one unfinished instance, not {unfinished:?}") };
        let saved = self.store.load_instance(id).expect("the store reads").expect("the instance is saved");
        saved.position.tokens.front().and_then(|token| token.due_ms)
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> u64 {
        *self.now_ms.lock().unwrap()
    }

    fn wait_until(&self, due_ms: u64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.waits.lock().unwrap().push(Wait { due_ms, saved_due_ms: self.saved_due_ms() });
        if self.stop_at_first_wait {
            self.stopped.notify_one();
            return Box::pin(std::future::pending());
        }
        let mut now = self.now_ms.lock().unwrap();
        *now = (*now).max(due_ms);
        Box::pin(std::future::ready(()))
    }
}

/// The timers flow, and a store for it in a directory of its own.
fn timers() -> (Process, FlowSource, Store, tempfile::TempDir) {
    let process = herald_bpmn::load_str(TIMERS, Path::new("timers.bpmn")).expect("the test flow loads");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path())).unwrap();
    (process, FlowSource::new("timers.bpmn".to_owned(), TIMERS.to_owned()), store, dir)
}

fn engine(store: &Store, clock: Arc<TestClock>) -> Engine {
    Engine::new(HashMap::new(), Vault::default(), store.clone()).with_clock(clock)
}

#[tokio::test]
async fn each_timer_is_saved_with_its_due_time_before_the_clock_waits_for_it() {
    let (process, flow, store, _dir) = timers();
    let clock = TestClock::new(START_MS, &store, false);
    let record = engine(&store, clock.clone()).run(&flow, &process, Map::new(), &Silent).await.unwrap();
    assert_eq!(record.state, InstanceState::Completed);
    let ten_minutes = START_MS + 10 * MINUTE_MS;
    let then_an_hour = ten_minutes + 60 * MINUTE_MS;
    assert_eq!(
        *clock.waits.lock().unwrap(),
        [
            Wait { due_ms: ten_minutes, saved_due_ms: Some(ten_minutes) },
            Wait { due_ms: then_an_hour, saved_due_ms: Some(then_an_hour) },
        ]
    );
}

#[tokio::test]
async fn an_instance_stopped_at_minute_7_of_a_10_minute_timer_waits_3_more_minutes() {
    let (process, flow, store, _dir) = timers();
    let stopping = TestClock::new(START_MS, &store, true);
    let first = engine(&store, stopping.clone());
    tokio::select! {
        _ = first.run(&flow, &process, Map::new(), &Silent) => panic!("a 10-minute timer ended at once"),
        () = stopping.stopped.notified() => {}
    }
    let [(id, _)] = store.unfinished().unwrap().try_into().expect("one unfinished instance");
    let resumed_clock = TestClock::new(START_MS + 7 * MINUTE_MS, &store, false);
    let record = engine(&store, resumed_clock.clone()).drive(&process, Pending::Saved(id), &Silent).await.unwrap();
    assert_eq!(record.expect("the instance is not claimed elsewhere").state, InstanceState::Completed);
    let due_ms: Vec<u64> = resumed_clock.waits.lock().unwrap().iter().map(|wait| wait.due_ms).collect();
    // The first timer's due time stands: 3 minutes on from the resume, not 10.
    assert_eq!(due_ms, [START_MS + 10 * MINUTE_MS, START_MS + 70 * MINUTE_MS]);
}
