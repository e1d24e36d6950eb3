//! The sandbox handle and its HTTP plumbing: hyper on a loopback listener.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::activity::Activity;
use super::message::PostedMessage;
use super::request::{FILE_UPLOAD, INCOMING_WEBHOOK, ReceivedRequest};
use super::script::{Script, Scripted, ScriptedReply};
use super::workspace::{Announcement, Channel, UploadedFile, Workspace, slack_id};
use super::{api, upload, webhook};

/// The Content-Type of every Web API reply.
pub(super) const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// `start` was awaited outside a tokio runtime.
    #[error("the Slack sandbox needs a tokio runtime")]
    NoRuntime,
    /// The loopback listener could not be opened.
    #[error("the Slack sandbox cannot listen on 127.0.0.1: {0}")]
    Listen(#[from] std::io::Error),
}

/// A Slack Web API emulator on 127.0.0.1. Clones share one server, which stops when the
/// last clone is dropped.
#[derive(Clone)]
pub struct SlackSandbox {
    shared: Arc<Shared>,
    address: SocketAddr,
    /// Only handles hold the sender: once the last one drops, the channel closes, which
    /// tells the server task and its connections to stop.
    _alive: Arc<watch::Sender<()>>,
}

impl std::fmt::Debug for SlackSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackSandbox").field("api_url", &self.api_url()).finish_non_exhaustive()
    }
}

type MessageListener = Arc<dyn Fn(&PostedMessage) + Send + Sync>;
type ActivityListener = Arc<dyn Fn(&Activity) + Send + Sync>;

/// The callbacks of `on_message` and `on_activity`.
#[derive(Default, Clone)]
struct Listeners {
    messages: Vec<MessageListener>,
    activities: Vec<ActivityListener>,
}

struct Shared {
    state: Mutex<State>,
    listeners: Mutex<Listeners>,
    /// How long each reply waits after its request was handled (see `set_latency`).
    latency: Mutex<Duration>,
    /// How long each post waits before it takes effect (see `set_processing_time`).
    processing: Mutex<Duration>,
}

/// Everything a request can change, under one lock so that the recorded order, the
/// scripted replies and the workspace always agree.
struct State {
    workspace: Workspace,
    requests: Vec<ReceivedRequest>,
    script: Script,
}

impl SlackSandbox {
    /// Starts the emulator on 127.0.0.1 with an OS-assigned port, on the current tokio
    /// runtime.
    pub async fn start() -> Result<SlackSandbox, SandboxError> {
        tokio::runtime::Handle::try_current().map_err(|_| SandboxError::NoRuntime)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let workspace = Workspace::new(format!("http://{address}"));
        let shared = Arc::new(Shared {
            state: Mutex::new(State { workspace, requests: Vec::new(), script: Script::default() }),
            listeners: Mutex::new(Listeners::default()),
            latency: Mutex::new(Duration::ZERO),
            processing: Mutex::new(Duration::ZERO),
        });
        let (alive, stopped) = watch::channel(());
        tokio::spawn(serve(listener, Arc::clone(&shared), stopped));
        Ok(SlackSandbox { shared, address, _alive: Arc::new(alive) })
    }

    /// Calls `f` with each message as it is posted or updated (used by `herald run` to
    /// print them).
    pub fn on_message(&self, f: impl Fn(&PostedMessage) + Send + Sync + 'static) {
        lock(&self.shared.listeners).messages.push(Arc::new(f));
    }

    /// Calls `f` with each other thing clients do: channels created, people invited,
    /// reactions, pins, uploads (see [`render_activity`](crate::render_activity)).
    pub fn on_activity(&self, f: impl Fn(&Activity) + Send + Sync + 'static) {
        lock(&self.shared.listeners).activities.push(Arc::new(f));
    }

    /// Base URL of the Web API, e.g. `http://127.0.0.1:41234/api/`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api/", self.address)
    }

    /// Creates the public channel `name` (or finds it) and returns its id, as a workspace
    /// admin would; `None` when `name` is not a valid channel name.
    pub fn create_channel(&self, name: &str) -> Option<String> {
        let name = name.strip_prefix('#').unwrap_or(name);
        lock(&self.shared.state).workspace.resolve_target(&format!("#{name}")).ok()
    }

    /// Archives the channel `id`, as a workspace admin would; `false` when there is no such
    /// channel (a direct message cannot be archived).
    pub fn archive_channel(&self, id: &str) -> bool {
        lock(&self.shared.state).workspace.archive(id)
    }

    /// URL of an incoming webhook that posts to `#channel`.
    pub fn webhook_url(&self, channel: &str) -> String {
        let team = slack_id('T', super::workspace::TEAM_NAME);
        let bot = slack_id('B', INCOMING_WEBHOOK);
        format!("http://{}/services/{team}/{bot}/{channel}", self.address)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.state).requests.clone()
    }

    /// Every message in the workspace so far, in posting order, with its reactions and
    /// pin.
    pub fn messages(&self) -> Vec<PostedMessage> {
        lock(&self.shared.state).workspace.messages().to_vec()
    }

    /// Every conversation, seeded or made since, in creation order, with its members.
    pub fn channels(&self) -> Vec<Channel> {
        lock(&self.shared.state).workspace.channels().to_vec()
    }

    /// Every file whose upload URL was handed out, in that order, with its bytes once
    /// sent and where it was shared.
    pub fn files(&self) -> Vec<UploadedFile> {
        lock(&self.shared.state).workspace.files().to_vec()
    }

    /// Makes the server slow: each reply leaves `latency` after its request took effect, as
    /// a loaded Slack does, so a client stopped meanwhile never learns what happened.
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    /// Makes posting slow the other way: each `chat.postMessage` and webhook post takes
    /// effect `time` after it arrived, as a loaded Slack stores a message only a while
    /// after it was sent, and it does so even when the client has gone away meanwhile.
    pub fn set_processing_time(&self, time: Duration) {
        *lock(&self.shared.processing) = time;
    }

    /// Pages of `conversations.history` and `conversations.replies` hold at most `most`
    /// messages, whatever `limit` asks for, as Slack answers apps on its Tier 1 limits
    /// (15); other list methods keep their pages.
    pub fn set_history_page_limit(&self, most: usize) {
        lock(&self.shared.state).workspace.history_page_limit = most.max(1);
    }

    /// Queues a reply for the next request to this API method (e.g. `chat.postMessage`,
    /// [`INCOMING_WEBHOOK`] or [`FILE_UPLOAD`]); queued replies are used first-in
    /// first-out, then normal behaviour resumes.
    pub fn script(&self, method: &str, reply: ScriptedReply) {
        lock(&self.shared.state).script.push(method, reply);
    }
}

impl Shared {
    /// Records the request and answers it: a scripted reply first, else the emulation.
    fn answer(&self, request: ReceivedRequest) -> Answer {
        let (reply, changed) = {
            let mut guard = lock(&self.state);
            let state = &mut *guard;
            let webhook = request.api_method() == INCOMING_WEBHOOK;
            let mut emulate = || match request.api_method() {
                INCOMING_WEBHOOK => webhook::handle(&mut state.workspace, &request),
                FILE_UPLOAD => upload::handle(&mut state.workspace, &request),
                _ => api::handle(&mut state.workspace, &request),
            };
            let reply = match state.script.pop(request.api_method()).map(|s| s.into_reply(webhook)) {
                Some(Scripted::Instead(reply)) => Answer::Reply(reply),
                Some(Scripted::Drop) => {
                    emulate();
                    Answer::Drop
                }
                Some(Scripted::Silent) => Answer::Silent,
                Some(Scripted::Pass) | None => Answer::Reply(emulate()),
            };
            state.requests.push(request);
            (reply, state.workspace.take_unannounced())
        };
        // Outside the state lock, so a callback may call back into the sandbox.
        let listeners = lock(&self.listeners).clone();
        for announcement in &changed {
            match announcement {
                Announcement::Message(message) => listeners.messages.iter().for_each(|listener| listener(message)),
                Announcement::Activity(activity) => listeners.activities.iter().for_each(|listener| listener(activity)),
            }
        }
        reply
    }
}

/// What becomes of a request once it took effect.
enum Answer {
    /// This reply goes back.
    Reply(Reply),
    /// The connection closes without a reply.
    Drop,
    /// Nothing goes back, ever.
    Silent,
}

/// The sandbox's locks guard plain data that stays consistent even if a holder panicked,
/// so a poisoned lock is still used rather than failing every later request.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An HTTP reply before it goes on the wire.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
}

impl Reply {
    /// A JSON reply with the Web API's Content-Type.
    pub(super) fn json(status: u16, body: &Value) -> Reply {
        Reply { status, headers: vec![("content-type".into(), JSON_CONTENT_TYPE.into())], body: body.to_string() }
    }

    /// A plain-text reply, as incoming webhooks send.
    pub(super) fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: body.to_owned(),
        }
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder.body(Full::from(self.body)).unwrap_or_else(|error| {
            // Only a scripted reply can be malformed: tell the client under test.
            let mut response = Response::new(Full::from(format!("sandbox: invalid scripted reply: {error}")));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        })
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<()>) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // E.g. out of file descriptors: pause rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped.changed() => return,
        };
        tokio::spawn(serve_connection(stream, Arc::clone(&shared), stopped.clone()));
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, mut stopped: watch::Receiver<()>) {
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move {
            let received = receive(request).await?;
            let posting = matches!(received.api_method(), "chat.postMessage" | INCOMING_WEBHOOK);
            let processing = if posting { *lock(&shared.processing) } else { Duration::ZERO };
            // A service error makes hyper close the connection without answering.
            let reply = if processing.is_zero() {
                shared.answer(received)
            } else {
                // On a task of its own, so that it takes effect even if the client hangs up
                // and hyper drops this future.
                let shared = Arc::clone(&shared);
                let effect = tokio::spawn(async move {
                    tokio::time::sleep(processing).await;
                    shared.answer(received)
                });
                effect.await.unwrap_or(Answer::Drop)
            };
            let latency = *lock(&shared.latency);
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            match reply {
                Answer::Reply(reply) => Ok::<_, ServiceError>(reply.into_response()),
                Answer::Drop => Err(ServiceError::ReplyDropped),
                Answer::Silent => std::future::pending().await,
            }
        }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    // Connection errors (a client hanging up mid-request) concern only that client.
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%error, "sandbox connection ended with an error");
            }
        }
        _ = stopped.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// Why a request got no reply.
#[derive(Debug, thiserror::Error)]
enum ServiceError {
    /// The request body could not be read.
    #[error(transparent)]
    Body(#[from] hyper::Error),
    /// A test scripted the reply to be lost.
    #[error("the reply was dropped as scripted")]
    ReplyDropped,
}

async fn receive(request: Request<Incoming>) -> Result<ReceivedRequest, hyper::Error> {
    let received_at = Instant::now();
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok(ReceivedRequest {
        http_method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
        raw_body: body,
        received_at,
    })
}
