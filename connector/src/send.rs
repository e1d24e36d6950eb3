//! `send` and `state-key`: renders the message, resolves its destination and delivers it,
//! through the Web API (split to fit Slack's limits, updated in place, never posted twice)
//! or through an incoming webhook.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::config::{Config, Issue, missing_token, update_key_input};
use crate::render::{Rendered, Renderer, with_mentions};
use crate::slack::cache::Cache;
use crate::slack::client::SlackClient;
use crate::slack::destination::{Destination, Resolver};
use crate::slack::errors::SlackError;
use crate::slack::history;
use crate::slack::limits::{self, Draft};
use crate::slack::message::{self, Content, PostMessage, Posted, Presentation, UpdateMessage};
use crate::slack::webhook::{self, WebhookMessage};
use crate::update::{self, MessageState, Throttled};
use crate::values::{Mentionee, Overflow};

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
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The state saved under the step's state key, if any.
    pub state: Option<&'a str>,
    /// The instance's cache, if any.
    pub cache: Option<&'a str>,
    /// Whether this call delivers what an earlier call of the execution deferred.
    pub deferred: bool,
}

/// What a successful send hands back to the host.
pub struct Sent {
    /// The step's output.
    pub output: Value,
    /// The state to keep under the step's state key.
    pub state: Option<String>,
    /// The instance's cache, with what this send resolved.
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
pub fn state_key(
    config: &str,
    variables: &str,
    computed: &[String],
) -> Result<Option<String>, SendError> {
    // Most steps keep no state: only a key to render needs the variables parsed.
    let Some(source) = update_key_input(config).map_err(SendError::InvalidConfig)? else {
        return Ok(None);
    };
    let key = Renderer::new(variables, computed)?.update_key(Some(&source))?;
    Ok(key.as_deref().map(update::state_key))
}

/// Renders and delivers the message the step configuration describes.
pub fn send(request: &Request<'_>) -> Result<Sent, SendError> {
    let config = Config::parse(request.config).map_err(SendError::InvalidConfig)?;
    let renderer = Renderer::new(request.variables, request.computed)?;
    let rendered = renderer
        .message(&config)
        .map_err(SendError::InvalidConfig)?;
    let mut cache = Cache::from_json(request.cache);
    let delivery = match &config.webhook_url {
        Some(url) => Delivery {
            output: via_webhook(url, &config, rendered, &mut cache)?,
            state: None,
            deliver_at: None,
        },
        None => {
            let update_key = renderer.update_key(config.update_key.as_deref())?;
            via_web_api(request, &config, rendered, update_key.is_some(), &mut cache)?
        }
    };
    Ok(Sent {
        output: delivery.output,
        state: delivery.state,
        deliver_at: delivery.deliver_at,
        cache: cache.to_json(),
    })
}

/// Posts through an incoming webhook, part after part; Slack tells nothing back, so the
/// later parts cannot go in the thread of the first and follow it in the channel.
fn via_webhook(
    url: &str,
    config: &Config,
    rendered: Rendered,
    cache: &mut Cache,
) -> Result<Value, SendError> {
    let users = mention_ids(config, &rendered.mentions, cache)?;
    let parts = limits::fit(with_mentions(rendered.draft, &users), config.on_overflow);
    for part in &parts {
        let content = content(config, part.clone());
        let message = WebhookMessage {
            content: &content,
            thread_ts: rendered.thread.as_deref(),
            unfurl_links: config.unfurl_links,
            unfurl_media: config.unfurl_media,
        };
        webhook::post(url, &message)?;
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
) -> Result<Delivery, SendError> {
    let token = config.token.as_deref().ok_or_else(missing_token)?;
    let client = SlackClient::from_env(token);
    let users = mention_ids(config, &rendered.mentions, cache)?;
    let draft = with_mentions(rendered.draft, &users);
    // An update changes one message, so it cannot be split: it is truncated to fit.
    let overflow = if updating {
        Overflow::Truncate
    } else {
        config.on_overflow
    };
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
        let update = UpdateMessage {
            channel: &state.channel,
            ts: &state.ts,
            content: &content,
        };
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
    let channel = Resolver::new(&client, cache).post_target(&Destination::classify(channel))?;
    let mut poster = Poster {
        client: &client,
        channel,
        presentation: &rendered.presentation,
        execution_key: request.execution_key,
        retry: request.attempt > 1,
        earlier: BTreeMap::new(),
    };
    let thread = rendered.thread.as_deref();
    let mut first: Option<Posted> = None;
    for (index, part) in parts.iter().enumerate() {
        let content = content(config, part.clone());
        let posted = match &first {
            None => poster.post(1, &content, thread, config.reply_broadcast)?,
            // The later parts reply in the thread the first is in, or that it starts.
            Some(first) => {
                let thread = thread.unwrap_or(&first.ts);
                poster.post(index + 1, &content, Some(thread), None)?
            }
        };
        first.get_or_insert(posted);
    }
    let first = first.expect("fitting a message yields at least one part");
    Ok(web_api_result(
        &first,
        parts.len(),
        updating.then_some(false),
    ))
}

/// The output and, for a step that updates in place, the state naming its message and
/// when it was sent (the start of a throttle window).
fn web_api_result(posted: &Posted, parts: usize, updated: Option<bool>) -> Delivery {
    let state = updated.is_some().then(|| {
        MessageState {
            channel: posted.channel.clone(),
            ts: posted.ts.clone(),
            sent_at: Some(now_ms()),
            pending: None,
        }
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
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// The step's output: `{ok, channel, ts}` of the (first) message, or `{ok, webhook: true}`;
/// `updated` with `update_key`, `parts` when the message took several.
fn output(posted: Option<&Posted>, parts: usize, updated: Option<bool>) -> Value {
    let mut output = match posted {
        Some(posted) => json!({ "ok": true, "channel": posted.channel, "ts": posted.ts }),
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
fn mention_ids(
    config: &Config,
    mentions: &[Mentionee],
    cache: &mut Cache,
) -> Result<Vec<String>, SendError> {
    let mut ids = Vec::with_capacity(mentions.len());
    for mentionee in mentions {
        match mentionee {
            Mentionee::User(id) => ids.push(id.clone()),
            Mentionee::Email(email) => {
                let token = config.token.as_deref().ok_or_else(|| {
                    Issue::new(
                        "mention",
                        format!("mentioning `{email}` needs a token to look the address up"),
                    )
                })?;
                let client = SlackClient::from_env(token);
                ids.push(Resolver::new(&client, cache).user_by_email(email)?);
            }
        }
    }
    Ok(ids)
}

/// Posts the parts of one message to one conversation, skipping those an earlier attempt
/// already posted.
struct Poster<'a> {
    client: &'a SlackClient<'a>,
    channel: String,
    presentation: &'a Presentation,
    execution_key: &'a str,
    /// Whether this is a retry, which may find its parts posted already.
    retry: bool,
    /// What an earlier attempt posted, per thread (none: the channel itself), part → ts.
    earlier: BTreeMap<Option<String>, BTreeMap<usize, String>>,
}

impl Poster<'_> {
    fn post(
        &mut self,
        part: usize,
        content: &Content,
        thread: Option<&str>,
        reply_broadcast: Option<bool>,
    ) -> Result<Posted, SlackError> {
        if let Some(ts) = self.posted_before(part, thread) {
            return Ok(Posted {
                channel: self.channel.clone(),
                ts,
            });
        }
        let post = PostMessage {
            channel: &self.channel,
            content,
            thread_ts: thread,
            reply_broadcast: reply_broadcast.filter(|_| thread.is_some()),
            presentation: self.presentation,
            metadata: message::metadata(self.execution_key, part),
        };
        self.client.call("chat.postMessage", &post)
    }

    /// The `ts` of `part` if an earlier attempt posted it; looked up once per thread.
    fn posted_before(&mut self, part: usize, thread: Option<&str>) -> Option<String> {
        if !self.retry {
            return None;
        }
        let location = thread.map(str::to_owned);
        if !self.earlier.contains_key(&location) {
            let found =
                history::earlier_parts(self.client, &self.channel, thread, self.execution_key);
            self.earlier.insert(location.clone(), found);
        }
        self.earlier.get(&location)?.get(&part).cloned()
    }
}
