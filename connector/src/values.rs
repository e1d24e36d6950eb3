//! The typed values of the step's non-template inputs: flags, the colour bar, the overflow
//! policy, mention lists and the webhook URL. Each parser names its input in its issue.

use serde_json::Value;

use crate::config::Issue;

/// The colour names Slack's legacy attachments understand.
pub const COLOR_NAMES: &[&str] = &["good", "warning", "danger"];

/// The JSON Schema pattern of a hex colour.
pub const HEX_COLOR_PATTERN: &str = "^#[0-9A-Fa-f]{6}$";

/// The `on_overflow` choices, the default first.
pub const OVERFLOW_CHOICES: &[&str] = &["split", "truncate"];

/// What the host's secret placeholders start with; such a value is only real on the way out.
pub const SECRET_PLACEHOLDER: &str = "herald-secret-";
/// How a flow refers to a secret, before the host resolves it.
const SECRET_REFERENCE: &str = "{{secrets.";

/// The shape of an ISO 8601 duration, for forms; `throttle` is what decides.
pub const DURATION_PATTERN: &str = r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$";

/// Parses the `throttle` input, an ISO 8601 duration such as `PT5M`, into milliseconds.
pub fn throttle(text: &str) -> Result<u64, Issue> {
    let invalid =
        || Issue::new("throttle", format!("`throttle` must be an ISO 8601 duration such as `PT5M`, not `{text}`"));
    let duration: std::time::Duration = iso8601::duration(text.trim()).map_err(|_| invalid())?.into();
    u64::try_from(duration.as_millis()).map_err(|_| invalid())
}

/// The colour of the bar beside the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Color {
    /// One of Slack's named colours, in lower case.
    Named(&'static str),
    /// `#RRGGBB`.
    Hex(String),
}

impl Color {
    /// Parses `good`, `warning`, `danger` (any case) or `#RRGGBB`.
    pub fn parse(text: &str) -> Result<Color, Issue> {
        let text = text.trim();
        if let Some(name) = COLOR_NAMES.iter().find(|name| name.eq_ignore_ascii_case(text)) {
            return Ok(Color::Named(name));
        }
        let hex = text.strip_prefix('#').unwrap_or_default();
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(Color::Hex(text.to_owned()));
        }
        Err(Issue::new(
            "color",
            format!("`color` must be `good`, `warning`, `danger` or a hex colour such as `#36a64f`, not `{text}`"),
        ))
    }

    /// The value of an attachment's `color`.
    pub fn as_str(&self) -> &str {
        match self {
            Color::Named(name) => name,
            Color::Hex(hex) => hex,
        }
    }
}

/// What to do with a message over Slack's limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Several messages, the later ones in the thread of the first: nothing is lost.
    #[default]
    Split,
    /// One message, cut with a visible marker.
    Truncate,
}

impl Overflow {
    /// Parses `split` or `truncate`.
    pub fn parse(text: &str) -> Result<Overflow, Issue> {
        match text.trim().to_ascii_lowercase().as_str() {
            "split" => Ok(Overflow::Split),
            "truncate" => Ok(Overflow::Truncate),
            other => {
                Err(Issue::new("on_overflow", format!("`on_overflow` must be `split` or `truncate`, not `{other}`")))
            }
        }
    }
}

/// Reads a boolean input: a JSON boolean, or the text `true`/`false` a literal arrives as.
pub fn flag(name: &str, value: &Value) -> Result<Option<bool>, Issue> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(flag) => Ok(Some(*flag)),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) if text.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(text) if text.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        _ => Err(Issue::new(name, format!("`{name}` must be `true` or `false`, not {value}"))),
    }
}

/// Someone a message mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mentionee {
    /// A user id, `U…` or `W…`.
    User(String),
    /// An e-mail address, looked up with `users.lookupByEmail`.
    Email(String),
    /// `@Real Name`: the user whose full name this is, looked up with `users.list`.
    Name(String),
}

impl std::fmt::Display for Mentionee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mentionee::User(id) | Mentionee::Email(id) => f.write_str(id),
            Mentionee::Name(name) => write!(f, "@{name}"),
        }
    }
}

/// Splits the value of an input naming people (`mention`, `users`; comma-separated, or a
/// list) into people, each checked.
pub fn people(input: &str, items: &[String]) -> Result<Vec<Mentionee>, Issue> {
    items
        .iter()
        .flat_map(|item| item.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            if is_email(item) {
                Ok(Mentionee::Email(item.to_owned()))
            } else if is_slack_id(item, "UW") {
                Ok(Mentionee::User(item.to_owned()))
            } else if let Some(name) = real_name(item) {
                Ok(Mentionee::Name(name.to_owned()))
            } else {
                Err(Issue::new(
                    input,
                    format!(
                        "`{input}` lists `{item}`, which is not a user id (`U…`), an e-mail address or \
                         `@` and a full name"
                    ),
                ))
            }
        })
        .collect()
}

/// The shape of a `webhook_url`: a whole secret reference, or Slack's incoming-webhook URL.
/// The host holds a value that is not a secret to it, so a designer cannot point a webhook,
/// and what the step sends, anywhere else.
pub const WEBHOOK_URL_PATTERN: &str =
    r"^(\{\{\s*secrets\.[A-Za-z0-9_-]+\s*\}\}|https://hooks\.slack\.com/services/[A-Za-z0-9_/-]+)$";

/// The shape of a `token`: a whole secret reference (herald's, or Camunda's legacy
/// `secrets.NAME`), or a Slack token (`xoxb-…`, `xoxp-…`, a rotating `xoxe.xoxb-…`). The host
/// also refuses to reveal a secret of this shape as data, where a message could carry it.
pub const TOKEN_PATTERN: &str = r"^(\{\{\s*secrets\.[A-Za-z0-9_-]+\s*\}\}|secrets\.[A-Z][A-Z0-9_]*|xox[a-z]*[.-]\S+)$";

/// The issue of a credential input (`token`, `webhook_url`) still holding a secret
/// reference when a step is sent: the host was to resolve it (into the value, or a
/// placeholder its egress resolves), and sending it as it is would only fail at Slack.
pub fn unresolved_reference(input: &str, value: &str) -> Option<Issue> {
    let braced = value.match_indices("{{").any(|(at, _)| value[at + 2..].trim_start().starts_with("secrets."));
    let legacy = value.trim().strip_prefix("secrets.").is_some_and(|name| !name.is_empty());
    (braced || legacy).then(|| {
        Issue::new(
            input,
            format!(
                "`{input}` is a secret reference (`{}`) that was not resolved before the step was sent",
                value.trim()
            ),
        )
    })
}

/// Checks a `webhook_url`: an http(s) URL, or a secret placeholder the host makes real.
pub fn webhook_url(url: &str) -> Result<String, Issue> {
    let url = url.trim();
    // A placeholder is not a URL by itself; only the host's egress hook knows the real one.
    // At design time the reference itself (`{{secrets.NAME}}`) stands where it will go.
    if url.contains(SECRET_PLACEHOLDER) || url.contains(SECRET_REFERENCE) {
        return Ok(url.to_owned());
    }
    let valid = ["https://", "http://"].iter().any(|scheme| {
        url.strip_prefix(scheme).and_then(|rest| rest.split('/').next()).is_some_and(|host| !host.is_empty())
    }) && !url.contains(char::is_whitespace);
    if valid {
        Ok(url.to_owned())
    } else {
        Err(Issue::new(
            "webhook_url",
            "`webhook_url` must be an incoming-webhook URL such as \
             `https://hooks.slack.com/services/T…/B…/…`, best as a secret: \
             `{{secrets.SLACK_WEBHOOK_URL}}`",
        ))
    }
}

/// The full name in `@Real Name`, as Slack shows it in a profile.
pub fn real_name(text: &str) -> Option<&str> {
    text.trim().strip_prefix('@').map(str::trim).filter(|name| !name.is_empty())
}

/// Whether `text` looks like an e-mail address: an `@` with a dot after it.
pub fn is_email(text: &str) -> bool {
    text.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace))
}

/// Whether `text` is a Slack id starting with one of `prefixes` (ids are upper case
/// letters and digits; channel names never are).
pub fn is_slack_id(text: &str, prefixes: &str) -> bool {
    text.len() >= 9
        && text.starts_with(|c| prefixes.contains(c))
        && text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_accept_booleans_and_their_text() {
        assert_eq!(flag("x", &json!(true)).unwrap(), Some(true));
        assert_eq!(flag("x", &json!(" False ")).unwrap(), Some(false));
        assert_eq!(flag("x", &json!("")).unwrap(), None);
        assert_eq!(flag("x", &json!(null)).unwrap(), None);
        assert!(flag("unfurl_links", &json!("yes")).unwrap_err().message.contains("`true` or `false`"));
    }

    #[test]
    fn colors_are_names_or_hex() {
        assert_eq!(Color::parse("Danger").unwrap(), Color::Named("danger"));
        assert_eq!(Color::parse("#36a64f").unwrap().as_str(), "#36a64f");
        assert!(Color::parse("red").is_err());
        assert!(Color::parse("#36a64").is_err());
    }

    #[test]
    fn overflow_defaults_to_split() {
        assert_eq!(Overflow::default(), Overflow::Split);
        assert_eq!(Overflow::parse("TRUNCATE").unwrap(), Overflow::Truncate);
        assert!(Overflow::parse("drop").is_err());
    }

    #[test]
    fn people_are_ids_emails_or_full_names() {
        let items = vec!["U0123456789, ada@example.com".to_owned(), " ".to_owned(), "@Ada Lovelace".to_owned()];
        assert_eq!(
            people("users", &items).unwrap(),
            [
                Mentionee::User("U0123456789".into()),
                Mentionee::Email("ada@example.com".into()),
                Mentionee::Name("Ada Lovelace".into())
            ]
        );
        let issue = people("users", &["ada".to_owned()]).unwrap_err();
        assert_eq!(issue.field, "users");
        assert!(issue.message.contains("`users` lists `ada`, which is not a user id"), "{}", issue.message);
        assert!(people("users", &["@ ".to_owned()]).is_err());
    }

    #[test]
    fn webhook_urls_are_http_or_placeholders() {
        assert!(webhook_url("https://hooks.slack.com/services/T1/B1/x").is_ok());
        assert!(webhook_url("herald-secret-0123abcd").is_ok());
        assert!(webhook_url("{{secrets.SLACK_WEBHOOK}}").is_ok());
    }

    #[test]
    fn throttle_is_an_iso_duration() {
        assert_eq!(throttle("PT5M").unwrap(), 300_000);
        assert_eq!(throttle("PT0.5S").unwrap(), 500);
        assert_eq!(throttle("five minutes").unwrap_err().field, "throttle");
        assert!(webhook_url("hooks.slack.com/services").is_err());
        assert!(webhook_url("https:///x").is_err());
    }

    #[test]
    fn ids_and_emails_are_recognised() {
        assert!(is_email("ada@example.com"));
        assert!(!is_email("ada@localhost"));
        assert!(is_slack_id("C0123456789", "CGD"));
        assert!(!is_slack_id("general", "CGD"));
        assert!(!is_slack_id("Cgeneral12", "CGD"));
    }

    #[test]
    fn a_secret_reference_left_in_a_credential_is_an_issue_naming_the_input() {
        let issue = unresolved_reference("token", "{{secrets.SLACK_TOKEN}}").unwrap();
        assert_eq!(issue.field, "token");
        assert!(issue.message.contains("was not resolved"), "{}", issue.message);
        assert!(unresolved_reference("token", "{{ secrets.SLACK_TOKEN }}").is_some());
        assert!(unresolved_reference("token", " secrets.SLACK_TOKEN").is_some());
        assert!(unresolved_reference("token", "herald-secret-0123").is_none());
        assert!(unresolved_reference("token", "xoxb-1").is_none());
    }
}
