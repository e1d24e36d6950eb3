//! Why a Slack call failed, and the one table that turns Slack's error codes into the
//! connector's failure kinds and a hint a process designer can act on.

use super::webhook::WEBHOOK;

/// The seconds to wait when Slack limits the rate without saying for how long.
pub const DEFAULT_RETRY_AFTER_SECONDS: u32 = 1;

/// What a failure means for the step; the WIT `connector-error` case it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Slow down and retry later.
    RateLimited,
    /// A retry may succeed.
    Transient,
    /// The token is missing, invalid, revoked or lacks a scope.
    Unauthorized,
    /// The destination does not exist or the bot cannot see it.
    NotFound,
    /// Slack refused the request for another reason.
    Rejected,
}

/// How the connection to Slack failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFailure {
    /// No answer in time.
    Timeout,
    /// The host's egress policy refused the request.
    Denied,
    /// Anything else: DNS, refused connection, TLS, a broken stream.
    Failed,
}

/// Why a Slack call failed.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    /// HTTP 429, or an `ok:false` reply with `ratelimited`.
    #[error("Slack rate-limited {method}; retry after {retry_after_seconds} s")]
    RateLimited { method: &'static str, retry_after_seconds: u32 },
    /// Slack answered `ok:false` with an error code.
    #[error("Slack {method} failed: {code}{}", in_parentheses(details.as_deref()))]
    Api {
        method: &'static str,
        code: String,
        /// The scope a `missing_scope` reply says is needed.
        needed: Option<String>,
        /// Slack's own explanation (`response_metadata.messages`, `needed`/`provided`).
        details: Option<String>,
    },
    /// An HTTP status without a Slack answer: 5xx, or a 4xx from something that is not Slack.
    #[error("Slack {method} answered HTTP {status}")]
    HttpStatus { method: &'static str, status: u16 },
    /// The request did not get an answer.
    #[error("could not reach Slack for {method}: {detail}")]
    Connection {
        method: &'static str,
        failure: ConnectionFailure,
        detail: String,
        /// Whether the request may have reached Slack all the same.
        may_have_arrived: bool,
    },
    /// An earlier attempt may have delivered the message, and there is no way to check.
    #[error(
        "an earlier attempt may already have posted this message to {channel} without hearing back, and that cannot be checked: {reason}"
    )]
    Unverifiable {
        /// Where the message may be.
        channel: String,
        /// Why the check cannot be made.
        reason: String,
    },
    /// HTTP 2xx whose body is not a Slack Web API reply.
    #[error("Slack {method} answered HTTP {status} with a body that is not a Slack Web API reply")]
    InvalidReply { method: &'static str, status: u16 },
    /// The token cannot go in an HTTP header, e.g. it holds a line break.
    #[error("cannot call Slack {method}: the token is not a valid HTTP header value")]
    InvalidToken { method: &'static str },
    /// `SLACK_API_URL` does not make a usable URL.
    #[error("cannot call Slack {method}: `{url}` is not a valid URL")]
    InvalidUrl { method: &'static str, url: String },
}

impl SlackError {
    /// Which WIT case this failure becomes.
    pub fn kind(&self) -> FailureKind {
        match self {
            SlackError::RateLimited { .. } => FailureKind::RateLimited,
            SlackError::Api { code, .. } => known_error(code).map_or(FailureKind::Rejected, |known| known.kind),
            SlackError::HttpStatus { status, .. } if *status >= 500 => FailureKind::Transient,
            SlackError::Connection { failure: ConnectionFailure::Denied, .. }
            | SlackError::HttpStatus { .. }
            | SlackError::InvalidReply { .. }
            | SlackError::InvalidUrl { .. }
            | SlackError::Unverifiable { .. } => FailureKind::Rejected,
            SlackError::Connection { .. } => FailureKind::Transient,
            SlackError::InvalidToken { .. } => FailureKind::Unauthorized,
        }
    }

    /// The machine-readable code: Slack's own, or one naming the transport failure.
    pub fn code(&self) -> String {
        match self {
            SlackError::RateLimited { .. } => "ratelimited".to_owned(),
            SlackError::Api { code, .. } => code.clone(),
            SlackError::HttpStatus { status, .. } => format!("http_{status}"),
            SlackError::Connection { failure, .. } => match failure {
                ConnectionFailure::Timeout => "timeout",
                ConnectionFailure::Denied => "request_denied",
                ConnectionFailure::Failed => "connection_failed",
            }
            .to_owned(),
            SlackError::InvalidReply { .. } => "invalid_response".to_owned(),
            SlackError::InvalidToken { .. } => "invalid_token_format".to_owned(),
            SlackError::InvalidUrl { .. } => "invalid_api_url".to_owned(),
            SlackError::Unverifiable { .. } => "delivery_unverifiable".to_owned(),
        }
    }

    /// What a process designer can do about it.
    pub fn hint(&self) -> String {
        match self {
            SlackError::RateLimited { .. } => lookup_hint("ratelimited"),
            SlackError::Api { method, code, .. } if *method == WEBHOOK => WEBHOOK_HINTS
                .iter()
                .find(|(known, _)| known == code)
                .map_or_else(|| lookup_hint(code), |(_, hint)| (*hint).to_owned()),
            SlackError::Api { code, needed, .. } => {
                let hint = lookup_hint(code);
                let scope = needed.as_deref().map_or_else(
                    || "missing".to_owned(),
                    |needed| {
                        let scopes: Vec<String> =
                            needed.split(',').map(|scope| format!("`{}`", scope.trim())).collect();
                        scopes.join(", ")
                    },
                );
                hint.replace(SCOPE, &scope)
            }
            SlackError::HttpStatus { status, .. } if *status >= 500 => TEMPORARY.to_owned(),
            SlackError::HttpStatus { .. } | SlackError::InvalidReply { .. } => {
                "check that SLACK_API_URL points at the Slack Web API (default \
                 https://slack.com/api/)"
                    .to_owned()
            }
            SlackError::Connection { failure, .. } => match failure {
                ConnectionFailure::Timeout => "Slack did not answer in time; the step will be retried",
                ConnectionFailure::Denied => {
                    "the host only lets requests out to slack.com, hooks.slack.com and the host \
                     of SLACK_API_URL; check SLACK_API_URL"
                }
                ConnectionFailure::Failed => "check the network connection and SLACK_API_URL; the step will be retried",
            }
            .to_owned(),
            SlackError::InvalidToken { .. } => {
                "the token must be one line such as `xoxb-…`: check SLACK_BOT_TOKEN or the \
                 step's `token` input for line breaks or stray characters"
                    .to_owned()
            }
            SlackError::InvalidUrl { method, .. } if *method == WEBHOOK => {
                "set `webhook_url` to the incoming webhook's URL, \
                 https://hooks.slack.com/services/T…/B…/…, best as a secret reference"
                    .to_owned()
            }
            SlackError::InvalidUrl { .. } => {
                "set SLACK_API_URL to an http(s) URL such as https://slack.com/api/".to_owned()
            }
            SlackError::Unverifiable { channel, .. } => format!(
                "look in {channel} before sending the message again: it may be there already. \
                 So that a later retry can check, give the app `channels:history` \
                 (`groups:history` for private channels, `im:history` for direct messages) \
                 and `channels:read` to resolve channel names"
            ),
        }
    }

    /// Whether the request may have delivered something although it failed: it went out
    /// and no answer came back.
    pub fn may_have_arrived(&self) -> bool {
        matches!(self, SlackError::Connection { may_have_arrived: true, .. })
    }

    /// How long to wait before retrying, for a rate limit.
    pub fn retry_after_seconds(&self) -> u32 {
        match self {
            SlackError::RateLimited { retry_after_seconds, .. } => *retry_after_seconds,
            _ => DEFAULT_RETRY_AFTER_SECONDS,
        }
    }
}

/// One Slack error code the connector knows.
struct KnownError {
    /// Slack's code, e.g. `not_in_channel`.
    code: &'static str,
    /// What the failure means for the step.
    kind: FailureKind,
    /// What a process designer can do about it.
    hint: &'static str,
}

/// Hints for webhook answers whose code means something else than for the Web API.
const WEBHOOK_HINTS: &[(&str, &str)] = &[
    (
        "channel_not_found",
        "the webhook's channel no longer exists: create a new incoming webhook for an \
         existing channel and update `webhook_url`",
    ),
    (
        "channel_is_archived",
        "the webhook's channel is archived: unarchive it, or create an incoming webhook for \
         another channel and update `webhook_url`",
    ),
    (
        "user_not_found",
        "the webhook posts to a user who no longer exists or is deactivated: create a new \
         incoming webhook and update `webhook_url`",
    ),
];

/// Where a `missing_scope` hint names the scope Slack says is needed.
const SCOPE: &str = "{scope}";

const BOT_TOKEN: &str = "check the token (SLACK_BOT_TOKEN): it must be a bot token (`xoxb-…`) \
                         of an app installed in this workspace";
const REINSTALL: &str = "the token no longer works: reinstall the Slack app to the workspace and \
                         update SLACK_BOT_TOKEN with its new bot token";
const TEMPORARY: &str = "Slack had a temporary problem; the step will be retried";

/// Every Slack error code the connector knows: Web API errors and incoming-webhook errors.
const KNOWN_ERRORS: &[KnownError] = &[
    // Destination.
    KnownError {
        code: "channel_not_found",
        kind: FailureKind::NotFound,
        hint: "check the channel name or id in `channel` and that the bot can see it: a \
               private channel needs an invite (/invite @your-bot)",
    },
    KnownError {
        code: "not_in_channel",
        kind: FailureKind::NotFound,
        hint: "invite the bot to the channel: /invite @your-bot",
    },
    KnownError {
        code: "is_archived",
        kind: FailureKind::Rejected,
        hint: "the channel is archived: unarchive it or choose another `channel`",
    },
    KnownError {
        code: "channel_is_archived",
        kind: FailureKind::Rejected,
        hint: "the channel is archived: unarchive it or choose another channel",
    },
    KnownError {
        code: "users_not_found",
        kind: FailureKind::NotFound,
        hint: "no active Slack user has that e-mail address: check the address, and that the \
               user is a member of this workspace and not deactivated; the app needs the \
               `users:read.email` scope to look users up by e-mail",
    },
    KnownError {
        code: "user_not_found",
        kind: FailureKind::NotFound,
        hint: "the user does not exist in this workspace or is deactivated: check the user id \
               or e-mail address",
    },
    KnownError {
        code: "message_not_found",
        kind: FailureKind::NotFound,
        hint: "the message to update or reply to is gone: check the channel id and `ts`, or \
               post a new message",
    },
    KnownError {
        code: "thread_not_found",
        kind: FailureKind::NotFound,
        hint: "no message in this conversation has the `ts` given in `thread`: use the `ts` \
               of a message posted to the same `channel`, e.g. `{{ notification.ts }}`",
    },
    KnownError {
        code: "no_service",
        kind: FailureKind::NotFound,
        hint: "no incoming webhook has this URL (it was removed or mistyped): check \
               `webhook_url`, or create a new incoming webhook",
    },
    KnownError {
        code: "no_active_hooks",
        kind: FailureKind::Rejected,
        hint: "the webhook is disabled: re-enable incoming webhooks for the Slack app",
    },
    KnownError {
        code: "team_disabled",
        kind: FailureKind::Rejected,
        hint: "the Slack workspace is disabled: ask a workspace admin",
    },
    // Content.
    KnownError {
        code: "msg_too_long",
        kind: FailureKind::Rejected,
        hint: "shorten `text`: Slack truncates over 40,000 characters; keep it under about \
               4,000",
    },
    KnownError {
        code: "no_text",
        kind: FailureKind::Rejected,
        hint: "the message is empty: give `text` or `blocks` that render to some content",
    },
    KnownError {
        code: "invalid_blocks",
        kind: FailureKind::Rejected,
        hint: "fix `blocks` (try them in Block Kit Builder): at most 50 blocks, section text \
               up to 3,000 characters, at most 10 fields of 2,000, header text up to 150",
    },
    KnownError {
        code: "invalid_blocks_format",
        kind: FailureKind::Rejected,
        hint: "`blocks` must be a JSON array of Block Kit blocks, each with a `type`",
    },
    KnownError {
        code: "too_many_attachments",
        kind: FailureKind::Rejected,
        hint: "send at most 100 attachments (one is enough for a colour bar)",
    },
    KnownError {
        code: "invalid_arguments",
        kind: FailureKind::Rejected,
        hint: "Slack rejected an argument: check `channel`, `thread` and `blocks` against \
               the details in the message",
    },
    KnownError {
        code: "invalid_payload",
        kind: FailureKind::Rejected,
        hint: "the webhook payload is not valid: check `text` and `blocks`",
    },
    KnownError {
        code: "invalid_charset",
        kind: FailureKind::Rejected,
        hint: "the message is not valid UTF-8: check the process variables it renders",
    },
    KnownError {
        code: "cant_update_message",
        kind: FailureKind::Rejected,
        hint: "only messages this bot posted can be updated: post a new message instead",
    },
    KnownError {
        code: "edit_window_closed",
        kind: FailureKind::Rejected,
        hint: "the message is too old to edit under the workspace's settings: post a new \
               message instead",
    },
    // Permissions.
    KnownError {
        code: "restricted_action",
        kind: FailureKind::Rejected,
        hint: "a workspace setting keeps the bot from posting here (e.g. an announcement-only \
               channel): ask a workspace admin, or choose another `channel`",
    },
    KnownError {
        code: "action_prohibited",
        kind: FailureKind::Rejected,
        hint: "a workspace admin restricts this webhook's destination: ask an admin or use \
               another webhook",
    },
    // Credentials.
    KnownError {
        code: "not_authed",
        kind: FailureKind::Unauthorized,
        hint: "no token reached Slack: set SLACK_BOT_TOKEN, or the step's `token` input",
    },
    KnownError { code: "invalid_auth", kind: FailureKind::Unauthorized, hint: BOT_TOKEN },
    KnownError {
        code: "invalid_token",
        kind: FailureKind::Unauthorized,
        hint: "the webhook URL is no longer valid: create a new incoming webhook and update \
               `webhook_url`",
    },
    KnownError { code: "not_allowed_token_type", kind: FailureKind::Unauthorized, hint: BOT_TOKEN },
    KnownError { code: "account_inactive", kind: FailureKind::Unauthorized, hint: REINSTALL },
    KnownError { code: "token_revoked", kind: FailureKind::Unauthorized, hint: REINSTALL },
    KnownError { code: "token_expired", kind: FailureKind::Unauthorized, hint: REINSTALL },
    KnownError {
        code: "team_access_not_granted",
        kind: FailureKind::Unauthorized,
        hint: "the app is not installed in this workspace: install it and use its bot token",
    },
    KnownError {
        code: "missing_scope",
        kind: FailureKind::Unauthorized,
        hint: "add the {scope} scope to the Slack app (OAuth & Permissions), reinstall it to \
               the workspace and update SLACK_BOT_TOKEN if the token changed",
    },
    KnownError {
        code: "no_permission",
        kind: FailureKind::Unauthorized,
        hint: "the token lacks a permission this call needs: check the app's scopes and \
               reinstall it",
    },
    // Load and Slack's own failures.
    KnownError {
        code: "ratelimited",
        kind: FailureKind::RateLimited,
        hint: "Slack allows about one message per second per channel: the step will be \
               retried later; spread out the messages if this keeps happening",
    },
    KnownError {
        code: "rate_limited",
        kind: FailureKind::RateLimited,
        hint: "Slack allows about one message per second per webhook: the step will be \
               retried later",
    },
    KnownError {
        code: "message_limit_exceeded",
        kind: FailureKind::RateLimited,
        hint: "the workspace's message limit is reached: the step will be retried later",
    },
    KnownError { code: "internal_error", kind: FailureKind::Transient, hint: TEMPORARY },
    KnownError { code: "fatal_error", kind: FailureKind::Transient, hint: TEMPORARY },
    KnownError { code: "service_unavailable", kind: FailureKind::Transient, hint: TEMPORARY },
    KnownError { code: "request_timeout", kind: FailureKind::Transient, hint: TEMPORARY },
    KnownError { code: "rollup_error", kind: FailureKind::Transient, hint: TEMPORARY },
];

/// ` (details)`, or nothing without details.
fn in_parentheses(details: Option<&str>) -> String {
    details.map(|details| format!(" ({details})")).unwrap_or_default()
}

/// The table entry for a Slack error code.
fn known_error(code: &str) -> Option<&'static KnownError> {
    KNOWN_ERRORS.iter().find(|known| known.code == code)
}

fn lookup_hint(code: &str) -> String {
    known_error(code).map_or_else(
        || {
            format!(
                "Slack refused the request with `{code}`: look the code up in the method's \
                 documentation at https://docs.slack.dev/reference/methods"
            )
        },
        |known| known.hint.to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str, needed: Option<&str>) -> SlackError {
        SlackError::Api {
            method: "chat.postMessage",
            code: code.to_owned(),
            needed: needed.map(str::to_owned),
            details: None,
        }
    }

    #[test]
    fn codes_map_to_kinds_and_hints() {
        let error = api("not_in_channel", None);
        assert_eq!(error.kind(), FailureKind::NotFound);
        assert_eq!(error.hint(), "invite the bot to the channel: /invite @your-bot");
        assert_eq!(error.to_string(), "Slack chat.postMessage failed: not_in_channel");
        assert_eq!(api("invalid_auth", None).kind(), FailureKind::Unauthorized);
        assert_eq!(api("something_new", None).kind(), FailureKind::Rejected);
        assert!(api("something_new", None).hint().contains("`something_new`"));
    }

    #[test]
    fn missing_scope_names_the_needed_scope() {
        assert!(
            api("missing_scope", Some("chat:write")).hint().starts_with("add the `chat:write` scope to the Slack app")
        );
        assert!(api("missing_scope", None).hint().starts_with("add the missing scope"));
    }

    #[test]
    fn every_code_appears_once() {
        for known in KNOWN_ERRORS {
            let count = KNOWN_ERRORS.iter().filter(|other| other.code == known.code).count();
            assert_eq!(count, 1, "{}", known.code);
        }
    }
}
