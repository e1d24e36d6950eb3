//! `send` and `state-key`: renders the message, resolves its destination and delivers it,
//! through the Web API (split to fit Slack's limits, updated in place, never posted twice)
//! or through an incoming webhook.

use serde_json::{Value, json};

use crate::config::{Config, Issue, missing_token, update_key_input};
use crate::documents::Document;
use crate::operation::Method;
use crate::render::{Rendered, Renderer, with_mentions};
use crate::slack::cache::Cache;
use crate::slack::client::SlackClient;
use crate::slack::destination::{Destination, Resolver, open_direct_message};
use crate::slack::errors::SlackError;
use crate::slack::files;
use crate::slack::history::Lookup;
use crate::slack::ledger::Ledger;
use crate::slack::limits::{self, Draft};
use crate::slack::message::{self, Content, PostMessage, Posted, Presentation, UpdateMessage};
use crate::slack::operations::{self, OperationError};
use crate::slack::webhook::{self, WebhookMessage};
use crate::update::{self, MessageState, Throttled};
use crate::values::{self, Mentionee, Overflow, is_slack_id};

/// One execution of the step, as the host asks for it.
pub struct Request<'a> {
    /// The step's inputs (JSON object).
    pub config: &'a str,
    /// The process variables (JSON object).
    pub variables: &'a str,
    /// The inputs an expression computed: data, never templates.
    pub computed: &'a [String],
    /// Stable across retries of the step: marks its posts so a retry finds them.
    pub execution_key: &'a str,
    /// The state saved under the step's state key, if any.
    pub state: Option<&'a str>,
    /// The cache the host keeps for the steps that share the token, if any.
    pub cache: Option<&'a str>,
    /// Whether this call delivers what an earlier call of the execution deferred.
    pub deferred: bool,
    /// What earlier attempts of the execution left, for a repeat.
    pub earlier: Option<Earlier<'a>>,
}

/// The host's ledger of an execution's earlier attempts.
pub struct Earlier<'a> {
    /// The window (ms since the Unix epoch) in which the attempts in doubt may have
    /// delivered: from the first one's start to the last one's deadline.
    pub window_ms: (u64, u64),
    /// What they are known to have posted (a [`Ledger`] as JSON).
    pub progress: Option<&'a str>,
    /// Whether they may have posted more than that.
    pub in_doubt: bool,
}

/// What an attempt is known to have posted, and whether it may have posted more.
struct Progress {
    ledger: Ledger,
    /// A request went out and no answer came back: a part the ledger lacks may be in
    /// Slack all the same.
    in_doubt: bool,
    /// The window in which what the ledger lacks may have been posted (ms since the Unix
    /// epoch).
    window_ms: (u64, u64),
}

/// A failed send: why, and what it posted all the same.
pub struct Failed {
    /// Why it failed.
    pub error: SendError,
    /// What the execution is known to have posted (a [`Ledger`] as JSON).
    pub progress: Option<String>,
    /// Whether it may have posted more than that.
    pub in_doubt: bool,
    /// The cache, with what this send learned.
    pub cache: String,
}

/// What a successful send hands back to the host.
pub struct Sent {
    /// The step's output.
    pub output: Value,
    /// The state to keep under the step's state key.
    pub state: Option<String>,
    /// The cache, with what this send resolved.
    pub cache: String,
    /// When set, nothing was sent yet: call again at this time (ms since the Unix epoch).
    pub deliver_at: Option<u64>,
}

/// What the Web API path did: the output, the state to keep, and a deferred delivery time.
struct Delivery {
    output: Value,
    state: Option<String>,
    deliver_at: Option<u64>,
}

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The step's inputs are wrong, or do not render over the process variables.
    #[error("the step's inputs are invalid")]
    InvalidConfig(Vec<Issue>),
    /// Slack or the way to it failed.
    #[error(transparent)]
    Slack(#[from] SlackError),
}

impl From<Issue> for SendError {
    fn from(issue: Issue) -> Self {
        SendError::InvalidConfig(vec![issue])
    }
}

/// The state key of the step: `update:<rendered update_key>`, or none without one.
pub fn state_key(config: &str, variables: &str, computed: &[String]) -> Result<Option<String>, SendError> {
    // Most steps keep no state: only a key to render needs the variables parsed.
    let Some(source) = update_key_input(config).map_err(SendError::InvalidConfig)? else {
        return Ok(None);
    };
    let key = Renderer::new(variables, computed)?.update_key(Some(&source))?;
    Ok(key.as_deref().map(update::state_key))
}

/// Renders and delivers the message the step configuration describes; a failure says
/// what the execution posted all the same.
pub fn send(request: &Request<'_>) -> Result<Sent, Box<Failed>> {
    let mut cache = Cache::from_json(request.cache);
    let mut progress = match &request.earlier {
        Some(earlier) => Progress {
            ledger: Ledger::from_json(earlier.progress),
            in_doubt: earlier.in_doubt,
            window_ms: earlier.window_ms,
        },
        None => Progress { ledger: Ledger::default(), in_doubt: false, window_ms: (0, 0) },
    };
    match deliver(request, &mut cache, &mut progress) {
        Ok(delivery) => Ok(Sent {
            output: delivery.output,
            state: delivery.state,
            deliver_at: delivery.deliver_at,
            cache: cache.to_json(),
        }),
        Err(error) => Err(Box::new(Failed {
            error,
            progress: progress.ledger.to_json(),
            in_doubt: progress.in_doubt,
            cache: cache.to_json(),
        })),
    }
}

/// Renders the message and delivers it, keeping `progress` up to date as parts go out.
fn deliver(request: &Request<'_>, cache: &mut Cache, progress: &mut Progress) -> Result<Delivery, SendError> {
    let config = Config::parse(request.config).map_err(SendError::InvalidConfig)?;
    let unresolved: Vec<Issue> = [("token", &config.token), ("webhook_url", &config.webhook_url)]
        .into_iter()
        .filter_map(|(input, value)| values::unresolved_reference(input, value.as_deref()?))
        .collect();
    if !unresolved.is_empty() {
        return Err(SendError::InvalidConfig(unresolved));
    }
    let renderer = Renderer::new(request.variables, request.computed)?.verbatim(config.verbatim);
    if config.method != Method::PostMessage {
        let inputs = renderer.operation(&config).map_err(SendError::InvalidConfig)?;
        let token = config.token.as_deref().ok_or_else(missing_token)?;
        let client = SlackClient::from_env(token);
        let output =
            operations::perform(config.method, &inputs, &client, cache, progress.in_doubt).map_err(|failure| {
                progress.in_doubt = failure.in_doubt;
                match failure.error {
                    OperationError::Input(issue) => SendError::from(issue),
                    OperationError::Slack(error) => SendError::from(error),
                }
            })?;
        return Ok(Delivery { output, state: None, deliver_at: None });
    }
    let rendered = renderer.message(&config).map_err(SendError::InvalidConfig)?;
    match &config.webhook_url {
        Some(url) => Ok(Delivery {
            output: via_webhook(url, &config, rendered, cache, progress)?,
            state: None,
            deliver_at: None,
        }),
        None => {
            let update_key = renderer.update_key(config.update_key.as_deref())?;
            via_web_api(request, &config, rendered, update_key.is_some(), cache, progress)
        }
    }
}

/// Posts through an incoming webhook, part after part; Slack tells nothing back, so the
/// later parts cannot go in the thread of the first and follow it in the channel, and a
/// part whose answer was lost cannot be looked for.
fn via_webhook(
    url: &str,
    config: &Config,
    rendered: Rendered,
    cache: &mut Cache,
    progress: &mut Progress,
) -> Result<Value, SendError> {
    let users = mention_ids(config, &rendered.mentions, cache)?;
    let parts = limits::fit(with_mentions(rendered.draft, &users), config.on_overflow);
    for (index, part) in parts.iter().enumerate() {
        if progress.ledger.parts.contains_key(&(index + 1)) {
            continue;
        }
        if progress.in_doubt {
            return Err(SlackError::Unverifiable {
                channel: "the incoming webhook's channel".to_owned(),
                reason: "an incoming webhook offers no way to look for a message".to_owned(),
            }
            .into());
        }
        let content = content(config, part.clone());
        let message = WebhookMessage {
            content: &content,
            thread_ts: rendered.thread.as_deref(),
            unfurl_links: config.unfurl_links,
            unfurl_media: config.unfurl_media,
        };
        webhook::post(url, &message).inspect_err(|error| progress.in_doubt = error.may_have_arrived())?;
        progress.ledger.parts.insert(index + 1, String::new());
    }
    Ok(output(None, parts.len(), None))
}

/// Posts (or updates) through the Web API; returns the output and the state to keep.
fn via_web_api(
    request: &Request<'_>,
    config: &Config,
    rendered: Rendered,
    updating: bool,
    cache: &mut Cache,
    progress: &mut Progress,
) -> Result<Delivery, SendError> {
    let token = config.token.as_deref().ok_or_else(missing_token)?;
    let client = SlackClient::from_env(token);
    let users = mention_ids(config, &rendered.mentions, cache)?;
    let draft = with_mentions(rendered.draft, &users);
    // An update changes one message, so it cannot be split: it is truncated to fit.
    let overflow = if updating { Overflow::Truncate } else { config.on_overflow };
    let parts = limits::fit(draft, overflow);
    let state = MessageState::from_json(request.state).filter(|_| updating);
    if let Some(state) = state {
        if let Some(window) = config.throttle {
            let decision = update::throttle(&state, window, now_ms(), request.execution_key, request.deferred);
            match decision {
                Throttled::Now => {}
                Throttled::WaitUntil(at) => {
                    let waiting = MessageState { pending: Some(request.execution_key.to_owned()), ..state };
                    return Ok(Delivery {
                        output: throttled_output(&waiting, "deferred"),
                        state: Some(waiting.to_json()),
                        deliver_at: Some(at),
                    });
                }
                // The state stays as the newer execution left it.
                Throttled::Superseded => {
                    return Ok(Delivery {
                        output: throttled_output(&state, "superseded"),
                        state: None,
                        deliver_at: None,
                    });
                }
            }
        }
        let content = content(config, parts[0].clone()).replacing();
        let update = UpdateMessage { channel: &state.channel, ts: &state.ts, content: &content };
        match client.call::<Posted>("chat.update", &update) {
            Ok(updated) => return Ok(web_api_result(&updated, 1, Some(true))),
            // The message was deleted: post a new one and keep that instead.
            Err(error) if error.code() == "message_not_found" => {}
            Err(error) => return Err(error.into()),
        }
    }
    let channel = rendered
        .channel
        .as_deref()
        .ok_or_else(|| Issue::new("channel", "`channel` is required to post with the Web API"))?;
    let destination = Destination::classify(channel);
    let channel = Resolver::new(&client, cache).post_target(&destination)?;
    let documents = upload_documents(&client, &config.documents, progress)?;
    let mut poster = Poster {
        client: &client,
        channel,
        presentation: &rendered.presentation,
        execution_key: request.execution_key,
        progress,
    };
    let first = poster.post_all(config, &parts, rendered.thread.as_deref()).inspect_err(|error| {
        // A channel renamed or deleted since its name was resolved: look it up again
        // next time.
        if error.code() == "channel_not_found" {
            cache.forget(&destination);
        }
    })?;
    if !documents.is_empty() && !progress.ledger.shared {
        share_documents(&client, &documents, &first.channel, rendered.thread.as_deref(), progress)?;
    }
    let mut result = web_api_result(&first, parts.len(), updating.then_some(false));
    if !documents.is_empty() {
        result.output["files"] = json!(progress.ledger.files);
    }
    Ok(result)
}

/// Uploads the documents no earlier attempt uploaded, recording each in the ledger; returns
/// every document's file id and title. An upload whose answer was lost leaves at most a file
/// nobody sees, so it is simply made again.
fn upload_documents(
    client: &SlackClient<'_>,
    documents: &[Document],
    progress: &mut Progress,
) -> Result<Vec<(String, String)>, SlackError> {
    for document in documents.iter().skip(progress.ledger.files.len()) {
        let id = files::upload(client, document)?;
        progress.ledger.files.push(id);
    }
    Ok(progress.ledger.files.iter().cloned().zip(documents.iter().map(|d| d.title.clone())).collect())
}

/// Shares the uploaded documents after the message. When an earlier attempt may have
/// shared them and Slack no longer knows them as unshared, that is said, never guessed.
fn share_documents(
    client: &SlackClient<'_>,
    documents: &[(String, String)],
    channel: &str,
    thread: Option<&str>,
    progress: &mut Progress,
) -> Result<(), SlackError> {
    match files::share(client, documents, channel, thread) {
        Ok(()) => {
            progress.ledger.shared = true;
            Ok(())
        }
        Err(error) if progress.in_doubt && error.code() == "file_not_found" => Err(SlackError::Unverifiable {
            channel: channel.to_owned(),
            reason: "an earlier attempt may have shared the documents, and Slack no longer offers them to share"
                .to_owned(),
        }),
        Err(error) => {
            progress.in_doubt = error.may_have_arrived();
            Err(error)
        }
    }
}

/// The output and, for a step that updates in place, the state naming its message and
/// when it was sent (the start of a throttle window).
fn web_api_result(posted: &Posted, parts: usize, updated: Option<bool>) -> Delivery {
    let state = updated.is_some().then(|| {
        MessageState { channel: posted.channel.clone(), ts: posted.ts.clone(), sent_at: Some(now_ms()), pending: None }
            .to_json()
    });
    Delivery { output: output(Some(posted), parts, updated), state, deliver_at: None }
}

/// The output of a throttled step that sent nothing now: `{ok, channel, ts, updated: false}`
/// with `deferred` or `superseded` set.
fn throttled_output(state: &MessageState, outcome: &str) -> Value {
    let mut output = json!({ "ok": true, "channel": state.channel, "ts": state.ts, "updated": false });
    output[outcome] = json!(true);
    output
}

/// The wall-clock time in milliseconds since the Unix epoch.
fn now_ms() -> u64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// The step's output: `{ok, channel, ts}` of the (first) message, or `{ok, webhook: true}`;
/// `updated` with `update_key`, `parts` when the message took several.
fn output(posted: Option<&Posted>, parts: usize, updated: Option<bool>) -> Value {
    let mut output = match posted {
        Some(posted) => {
            let mut output = json!({ "ok": true, "channel": posted.channel, "ts": posted.ts });
            if let Some(message) = &posted.message {
                output["message"] = json!(message);
            }
            output
        }
        None => json!({ "ok": true, "webhook": true }),
    };
    if let Some(updated) = updated {
        output["updated"] = json!(updated);
    }
    if parts > 1 {
        output["parts"] = json!(parts);
    }
    output
}

/// A part's content, with the step's colour bar.
fn content(config: &Config, part: Draft) -> Content {
    Content::new(part.text, part.blocks, config.color.as_ref())
}

/// The user ids of the people to mention; e-mail addresses are looked up, which needs the
/// token even for a webhook.
fn mention_ids(config: &Config, mentions: &[Mentionee], cache: &mut Cache) -> Result<Vec<String>, SendError> {
    let mut ids = Vec::with_capacity(mentions.len());
    for mentionee in mentions {
        if let Mentionee::User(id) = mentionee {
            ids.push(id.clone());
            continue;
        }
        let token = config
            .token
            .as_deref()
            .ok_or_else(|| Issue::new("mention", format!("mentioning `{mentionee}` needs a token to look them up")))?;
        let client = SlackClient::from_env(token);
        ids.push(Resolver::new(&client, cache).user(mentionee)?);
    }
    Ok(ids)
}

/// Posts the parts of one message to one conversation, skipping those an earlier attempt
/// posted, and keeps the ledger of what went out.
struct Poster<'a> {
    client: &'a SlackClient<'a>,
    /// The conversation id, or a `#name` listing could not resolve.
    channel: String,
    presentation: &'a Presentation,
    execution_key: &'a str,
    progress: &'a mut Progress,
}

impl Poster<'_> {
    /// Posts every part: the first where the step says, the later ones in the thread the
    /// first is in, or that it starts; returns the first.
    fn post_all(&mut self, config: &Config, parts: &[Draft], thread: Option<&str>) -> Result<Posted, SlackError> {
        let mut first: Option<Posted> = None;
        for (index, part) in parts.iter().enumerate() {
            let content = content(config, part.clone());
            let posted = match &first {
                None => self.post(1, &content, thread, config.reply_broadcast)?,
                Some(first) => {
                    let thread = thread.unwrap_or(&first.ts);
                    self.post(index + 1, &content, Some(thread), None)?
                }
            };
            first.get_or_insert(posted);
        }
        Ok(first.expect("fitting a message yields at least one part"))
    }

    fn post(
        &mut self,
        part: usize,
        content: &Content,
        thread: Option<&str>,
        reply_broadcast: Option<bool>,
    ) -> Result<Posted, SlackError> {
        if let Some(ts) = self.progress.ledger.parts.get(&part) {
            return Ok(self.posted(ts.clone()));
        }
        if self.progress.in_doubt {
            if let Some(ts) = self.find(part, thread)? {
                self.progress.ledger.parts.insert(part, ts.clone());
                return Ok(self.posted(ts));
            }
            // The parts go out one after another: when this one is not in Slack, no later
            // one is either.
            self.progress.in_doubt = false;
        }
        let post = PostMessage {
            channel: &self.channel,
            content,
            thread_ts: thread,
            reply_broadcast: reply_broadcast.filter(|_| thread.is_some()),
            presentation: self.presentation,
            metadata: message::metadata(self.execution_key, part),
        };
        let posted: Posted = self
            .client
            .call("chat.postMessage", &post)
            .inspect_err(|error| self.progress.in_doubt = error.may_have_arrived())?;
        self.progress.ledger.channel = Some(posted.channel.clone());
        self.progress.ledger.parts.insert(part, posted.ts.clone());
        Ok(posted)
    }

    /// A part the ledger or a lookup found.
    fn posted(&self, ts: String) -> Posted {
        let channel = self.progress.ledger.channel.clone().unwrap_or_else(|| self.channel.clone());
        Posted { channel, ts, message: None }
    }

    /// The `ts` of `part` if an earlier attempt posted it without hearing back. A lookup
    /// that cannot answer is an error that says the message may be there already, never
    /// a reason to post it again; a rate limit stays a rate limit.
    fn find(&mut self, part: usize, thread: Option<&str>) -> Result<Option<String>, SlackError> {
        let unverifiable = |reason: String| SlackError::Unverifiable { channel: self.channel.clone(), reason };
        let checked = |error: SlackError| match error {
            SlackError::RateLimited { .. } => error,
            error => unverifiable(error.to_string()),
        };
        // A name cannot be searched: the id comes from Slack's answer to a post, or from
        // listing channels, which this bot could not do.
        let opened;
        let channel = match &self.progress.ledger.channel {
            Some(id) => id.as_str(),
            // A direct message went to the user's id; its history is the conversation's.
            None if is_slack_id(&self.channel, "UW") => {
                opened = open_direct_message(self.client, &self.channel).map_err(checked)?;
                // What is found there, and the output, name the conversation, not the user.
                self.progress.ledger.channel = Some(opened.clone());
                opened.as_str()
            }
            None if !self.channel.starts_with('#') => self.channel.as_str(),
            None => {
                return Err(unverifiable(
                    "the channel is known only by its name, and looking a message up needs its id".to_owned(),
                ));
            }
        };
        let lookup = Lookup {
            client: self.client,
            channel,
            execution_key: self.execution_key,
            window_ms: self.progress.window_ms,
        };
        let Some(thread) = thread else {
            return lookup.in_channel(part).map_err(checked);
        };
        match lookup.in_thread(thread) {
            Ok(parts) => Ok(parts.get(&part).cloned()),
            Err(error @ SlackError::RateLimited { .. }) => Err(error),
            // Bot tokens may not read the replies of a channel's threads. The thread's
            // parent still says when it was last replied to: nothing after the last part
            // this execution is known to have posted there means this part is not there.
            Err(cause) => {
                let last = self.progress.ledger.parts.get(&(part - 1)).map_or(thread, String::as_str);
                if lookup.replied_after(thread, last).map_err(checked)? {
                    Err(unverifiable(format!(
                        "the thread has replies since the last part known, and they cannot be read ({cause})"
                    )))
                } else {
                    Ok(None)
                }
            }
        }
    }
}
