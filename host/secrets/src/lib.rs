//! Secrets referenced as `{{secrets.NAME}}`: the component sees an opaque placeholder, and
//! only the egress hook swaps the real value in, into the headers of requests to allowed
//! destinations (or as a whole URL), and swaps it back out of their replies.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Environment variables whose names start with this are secrets a flow may name.
pub const SECRET_PREFIX: &str = "SLACK_";

/// The environment variable that lists further secrets, comma-separated.
pub const SECRET_LIST: &str = "HERALD_SECRETS";

/// What every placeholder starts with; 32 lower-case hex digits follow.
const PLACEHOLDER_PREFIX: &str = "herald-secret-";

/// The length of a placeholder's random part.
const PLACEHOLDER_DIGITS: usize = 32;

/// What printed output shows where a placeholder stood.
pub const MASK: &str = "[secret]";

/// Why a secret reference could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The flow names a secret that is not set.
    #[error("the secret `{0}` is not set: export {0}=… (or put it in a file read with --env-file)")]
    Missing(String),
    /// The flow names an environment variable that is not one of the secrets.
    #[error(
        "`{0}` is not a secret flows may use: secrets are the environment variables whose names start with `SLACK_` and those listed in HERALD_SECRETS (HERALD_SECRETS={0} makes it one)"
    )]
    NotASecret(String),
    /// The flow uses a credential as data, where a message could carry it.
    #[error(
        "the secret `{0}` is a credential, which goes only in a credential input (such as `token`) and never in a message; only other secrets (a channel name, say) may be used as data"
    )]
    Credential(String),
}

/// The secret values known to this process and the placeholders handed out for them.
#[derive(Debug, Clone, Default)]
pub struct Vault {
    inner: Arc<Mutex<VaultInner>>,
}

#[derive(Debug, Default)]
struct VaultInner {
    values: HashMap<String, String>,
    /// Names that are secrets without the prefix (`HERALD_SECRETS`).
    listed: Vec<String>,
    /// placeholder → secret name
    placeholders: HashMap<String, String>,
}

impl Vault {
    /// A vault over the secrets of the process environment: the variables named `SLACK_…`
    /// and those `HERALD_SECRETS` lists; no other variable is reachable from a flow.
    pub fn from_environment() -> Self {
        Self::from_variables(std::env::vars())
    }

    /// A vault over the secrets among `variables`, by the rule of [`Vault::from_environment`].
    pub fn from_variables(variables: impl Iterator<Item = (String, String)>) -> Self {
        let variables: HashMap<String, String> = variables.collect();
        let listed: Vec<String> = variables
            .get(SECRET_LIST)
            .map(String::as_str)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();
        let values = variables.into_iter().filter(|(name, _)| is_secret(name, &listed)).collect();
        let inner = VaultInner { values, listed, placeholders: HashMap::new() };
        Self { inner: Arc::new(Mutex::new(inner)) }
    }

    /// A vault over exactly these secrets.
    pub fn with_values(values: HashMap<String, String>) -> Self {
        let listed = values.keys().cloned().collect();
        let inner = VaultInner { values, listed, placeholders: HashMap::new() };
        Self { inner: Arc::new(Mutex::new(inner)) }
    }

    /// Sets a secret's value (the sandbox sets its own token this way).
    pub fn insert(&self, name: &str, value: &str) {
        self.lock().values.insert(name.to_owned(), value.to_owned());
    }

    /// Whether a secret has a value.
    pub fn contains(&self, name: &str) -> bool {
        self.lock().values.contains_key(name)
    }

    /// Whether the secret `name` is set to `value`.
    pub fn has_value(&self, name: &str, value: &str) -> bool {
        self.lock().values.get(name).is_some_and(|v| v == value)
    }

    /// Replaces every `{{secrets.NAME}}` in `text` by NAME's placeholder.
    pub fn conceal(&self, text: &str) -> Result<String, SecretError> {
        substitute(text, |name| self.placeholder(name))
    }

    /// Replaces every secret reference in `text` by the secret's value, for use as data:
    /// refused ([`SecretError::Credential`]) for a secret that `is_credential(name, value)`
    /// says is a credential.
    pub fn resolve_data(&self, text: &str, is_credential: impl Fn(&str, &str) -> bool) -> Result<String, SecretError> {
        substitute(text, |name| {
            let value = self.value(name)?;
            if is_credential(name, &value) { Err(SecretError::Credential(name.to_owned())) } else { Ok(value) }
        })
    }

    /// Replaces every placeholder in `text` by its secret's value.
    pub fn reveal(&self, text: &str) -> String {
        let inner = self.lock();
        let mut out = text.to_owned();
        for (placeholder, name) in &inner.placeholders {
            if out.contains(placeholder.as_str()) {
                out = out.replace(placeholder.as_str(), &inner.values[name]);
            }
        }
        out
    }

    /// The value behind `text` when `text` is exactly one placeholder.
    pub fn reveal_exact(&self, text: &str) -> Option<String> {
        let inner = self.lock();
        inner.placeholders.get(text).map(|name| inner.values[name].clone())
    }

    /// `bytes` with every value handed out as a placeholder (as it is, or escaped as in a
    /// JSON string) swapped back for its placeholder; `None` when none occurs.
    pub fn conceal_values(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        let inner = self.lock();
        let mut out: Option<Vec<u8>> = None;
        for (placeholder, name) in &inner.placeholders {
            let value = &inner.values[name];
            for form in value_forms(value) {
                let current = out.as_deref().unwrap_or(bytes);
                if let Some(swapped) = replace_all(current, form.as_bytes(), placeholder.as_bytes()) {
                    out = Some(swapped);
                }
            }
        }
        out
    }

    /// The value of the secret `name`, or why there is none.
    fn value(&self, name: &str) -> Result<String, SecretError> {
        let inner = self.lock();
        match inner.values.get(name) {
            Some(value) => Ok(value.clone()),
            None if is_secret(name, &inner.listed) => Err(SecretError::Missing(name.to_owned())),
            None => Err(SecretError::NotASecret(name.to_owned())),
        }
    }

    fn placeholder(&self, name: &str) -> Result<String, SecretError> {
        self.value(name)?;
        let mut inner = self.lock();
        if let Some((placeholder, _)) = inner.placeholders.iter().find(|(_, n)| *n == name) {
            return Ok(placeholder.clone());
        }
        // Random, so a component cannot guess another secret's placeholder; header-safe.
        let placeholder = format!("{PLACEHOLDER_PREFIX}{}", uuid::Uuid::new_v4().simple());
        inner.placeholders.insert(placeholder.clone(), name.to_owned());
        Ok(placeholder)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VaultInner> {
        // A panic while holding the lock leaves plain maps behind: still consistent.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether the environment variable `name` is a secret a flow may name.
fn is_secret(name: &str, listed: &[String]) -> bool {
    name.starts_with(SECRET_PREFIX) || listed.iter().any(|listed| listed == name)
}

/// The forms in which a reply may carry `value`: as it is, and escaped in a JSON string
/// (with and without `/` escaped), longest first. An empty value has none.
fn value_forms(value: &str) -> Vec<String> {
    if value.is_empty() {
        return Vec::new();
    }
    let json = serde_json::to_string(value).expect("a string serializes");
    let json = json[1..json.len() - 1].to_owned();
    let mut forms = vec![json.replace('/', "\\/"), json, value.to_owned()];
    forms.dedup();
    forms
}

/// `haystack` with every `needle` replaced by `with`; `None` when there is none.
fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Option<Vec<u8>> {
    let first = haystack.windows(needle.len()).position(|window| window == needle)?;
    let mut out = Vec::with_capacity(haystack.len());
    out.extend_from_slice(&haystack[..first]);
    out.extend_from_slice(with);
    let mut rest = &haystack[first + needle.len()..];
    while let Some(at) = rest.windows(needle.len()).position(|window| window == needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// Where the next placeholder in `text` starts and ends.
fn next_placeholder(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(at) = text[from..].find(PLACEHOLDER_PREFIX).map(|i| i + from) {
        let digits = at + PLACEHOLDER_PREFIX.len();
        let end = digits + PLACEHOLDER_DIGITS;
        let hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
        if text.as_bytes().get(digits..end).is_some_and(|d| d.iter().all(hex)) {
            return Some((at, end));
        }
        from = digits;
    }
    None
}

/// Whether `text` is one placeholder and nothing else.
pub fn is_placeholder(text: &str) -> bool {
    next_placeholder(text) == Some((0, text.len()))
}

/// Words that mark a secret's name as a credential's (`SLACK_BOT_TOKEN`,
/// `SLACK_SIGNING_SECRET`, `OPENAI_API_KEY`): such a secret is never used as data.
const CREDENTIAL_WORDS: [&str; 6] = ["TOKEN", "SECRET", "PASSWORD", "KEY", "WEBHOOK", "CREDENTIAL"];

/// Whether the secret's name says it holds a credential (see [`CREDENTIAL_WORDS`]).
pub fn names_a_credential(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    CREDENTIAL_WORDS.iter().any(|word| name.contains(word))
}

/// Whether `text` holds a placeholder.
pub fn contains_placeholder(text: &str) -> bool {
    next_placeholder(text).is_some()
}

/// `text` with every placeholder shown as [`MASK`]. Placeholders are the only form in
/// which a secret can reach anything herald keeps or prints: values are swapped back out
/// of every reply before a component sees it.
pub fn mask(text: &str) -> Cow<'_, str> {
    let Some((start, end)) = next_placeholder(text) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.push_str(MASK);
    let mut rest = &text[end..];
    while let Some((start, end)) = next_placeholder(rest) {
        out.push_str(&rest[..start]);
        out.push_str(MASK);
        rest = &rest[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The names of the secrets `text` refers to, in order.
pub fn referenced_names(text: &str) -> Vec<&str> {
    if let Some(name) = legacy_reference(text) {
        return vec![name];
    }
    let mut names = Vec::new();
    let mut rest = text;
    while let Some((_, name, after)) = next_reference(rest) {
        names.push(name);
        rest = after;
    }
    names
}

/// The secret `text` names when it is one reference and nothing else (spaces aside).
pub fn whole_reference(text: &str) -> Option<&str> {
    if let Some(name) = legacy_reference(text) {
        return Some(name);
    }
    match next_reference(text.trim()) {
        Some(("", name, "")) => Some(name),
        _ => None,
    }
}

/// `text` with each secret reference replaced by what `value` gives for its name. A reference
/// is `{{ secrets.NAME }}` anywhere in the text, or Camunda's legacy form, `secrets.NAME` as
/// the whole text.
fn substitute<E>(text: &str, mut value: impl FnMut(&str) -> Result<String, E>) -> Result<String, E> {
    if let Some(name) = legacy_reference(text) {
        return value(name);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, name, after)) = next_reference(rest) {
        out.push_str(before);
        out.push_str(&value(name)?);
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}

/// Finds the next `{{ secrets.NAME }}`: the text before it, NAME, and the text after it.
fn next_reference(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let close = text[open..].find("}}").map(|i| i + open)?;
        let inner = text[open + 2..close].trim();
        if let Some(name) = inner.strip_prefix("secrets.")
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Some((&text[..open], name, &text[close + 2..]));
        }
        from = open + 2;
    }
    None
}

/// NAME, when `text` is Camunda's legacy reference `secrets.NAME` and nothing else. Only an
/// environment-style name (capitals, digits, `_`) counts, so that prose such as `secrets.md`
/// stays text.
fn legacy_reference(text: &str) -> Option<&str> {
    let name = text.trim().strip_prefix("secrets.")?;
    let mut chars = name.chars();
    let starts_with_capital = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    let rest_fits = chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    (starts_with_capital && rest_fits).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::with_values(HashMap::from([("SLACK_BOT_TOKEN".to_owned(), "xoxb-real".to_owned())]))
    }

    #[test]
    fn conceal_hands_out_a_placeholder_and_reveal_swaps_it_back() {
        let vault = vault();
        let concealed = vault.conceal("Bearer {{ secrets.SLACK_BOT_TOKEN }}").unwrap();
        assert!(!concealed.contains("xoxb-real"));
        assert!(concealed.starts_with("Bearer herald-secret-"));
        assert_eq!(vault.reveal(&concealed), "Bearer xoxb-real");
        // The same secret keeps its placeholder.
        assert_eq!(vault.conceal("{{secrets.SLACK_BOT_TOKEN}}").unwrap(), concealed["Bearer ".len()..]);
    }

    #[test]
    fn a_missing_secret_is_named() {
        let err = vault().conceal("{{secrets.SLACK_NOPE}}").unwrap_err();
        assert_eq!(err, SecretError::Missing("SLACK_NOPE".into()));
        assert!(err.to_string().contains("export SLACK_NOPE="));
    }

    #[test]
    fn only_slack_variables_and_listed_ones_are_secrets() {
        let variables = [
            ("HERALD_SECRETS", "HERALD_TEST_LISTED, OTHER_UNSET"),
            ("HERALD_TEST_LISTED", "listed-value"),
            ("HERALD_TEST_UNLISTED", "unlisted-value"),
            ("HOME", "/home/someone"),
        ];
        let vault = Vault::from_variables(variables.into_iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
        assert!(vault.conceal("{{secrets.HERALD_TEST_LISTED}}").is_ok());
        let err = vault.conceal("{{secrets.HERALD_TEST_UNLISTED}}").unwrap_err();
        assert_eq!(err, SecretError::NotASecret("HERALD_TEST_UNLISTED".into()));
        assert!(err.to_string().contains("start with `SLACK_`"), "{err}");
        assert_eq!(vault.conceal("{{secrets.HOME}}").unwrap_err(), SecretError::NotASecret("HOME".into()));
        assert_eq!(vault.conceal("{{secrets.OTHER_UNSET}}").unwrap_err(), SecretError::Missing("OTHER_UNSET".into()));
        assert_eq!(
            vault.conceal("{{secrets.SLACK_UNSET_HERE}}").unwrap_err(),
            SecretError::Missing("SLACK_UNSET_HERE".into())
        );
    }

    #[test]
    fn other_templates_are_left_alone() {
        let vault = vault();
        assert_eq!(vault.conceal("Hi {{ customer.name }}").unwrap(), "Hi {{ customer.name }}");
    }

    #[test]
    fn values_that_come_back_become_their_placeholders_again() {
        let vault = Vault::with_values(HashMap::from([
            ("SLACK_BOT_TOKEN".to_owned(), "xoxb-real".to_owned()),
            ("SLACK_HOOK".to_owned(), "https://hooks.example/a\"b".to_owned()),
            ("SLACK_UNUSED".to_owned(), "never-handed-out".to_owned()),
        ]));
        let token = vault.conceal("{{secrets.SLACK_BOT_TOKEN}}").unwrap();
        let hook = vault.conceal("{{secrets.SLACK_HOOK}}").unwrap();
        let reply =
            r#"{"error":"xoxb-real xoxb-real","url":"https:\/\/hooks.example\/a\"b","other":"never-handed-out"}"#;
        let swapped = String::from_utf8(vault.conceal_values(reply.as_bytes()).unwrap()).unwrap();
        assert_eq!(swapped, format!(r#"{{"error":"{token} {token}","url":"{hook}","other":"never-handed-out"}}"#));
        assert_eq!(vault.conceal_values(b"nothing to see"), None);
    }

    #[test]
    fn placeholders_are_masked_and_nothing_else() {
        let vault = vault();
        let token = vault.conceal("{{secrets.SLACK_BOT_TOKEN}}").unwrap();
        assert_eq!(mask(&format!("a {token}, b {token}.")), "a [secret], b [secret].");
        // A value equal to the secret is not the secret's placeholder: no oracle.
        assert_eq!(mask("xoxb-real herald-secret-short"), "xoxb-real herald-secret-short");
        assert!(contains_placeholder(&format!("http://{token}@host/")));
    }

    #[test]
    fn a_value_set_later_is_a_secret_like_the_others() {
        let vault = vault();
        assert!(!vault.contains("SLACK_SANDBOX_TOKEN"));
        vault.insert("SLACK_SANDBOX_TOKEN", "xoxb-sandbox");
        assert!(vault.contains("SLACK_SANDBOX_TOKEN") && vault.contains("SLACK_BOT_TOKEN"));
        let placeholder = vault.conceal("{{secrets.SLACK_SANDBOX_TOKEN}}").unwrap();
        assert_eq!(vault.reveal_exact(&placeholder).as_deref(), Some("xoxb-sandbox"));
    }

    #[test]
    fn only_a_placeholder_on_its_own_reveals_exactly() {
        let vault = vault();
        let token = vault.conceal("{{secrets.SLACK_BOT_TOKEN}}").unwrap();
        assert_eq!(vault.reveal_exact(&token).as_deref(), Some("xoxb-real"));
        assert_eq!(vault.reveal_exact(&format!("https://{token}")), None);
        assert_eq!(vault.reveal_exact("herald-secret-00000000000000000000000000000000"), None);
    }

    #[test]
    fn a_placeholder_after_a_lookalike_is_still_found() {
        let vault = vault();
        let token = vault.conceal("{{secrets.SLACK_BOT_TOKEN}}").unwrap();
        assert_eq!(mask(&format!("herald-secret-short then {token}")), "herald-secret-short then [secret]");
        assert!(!contains_placeholder("herald-secret-short, and no placeholder"));
    }

    #[test]
    fn references_are_found_after_other_braces_and_only_with_valid_names() {
        assert_eq!(referenced_names("Hi {{ name }}, {{secrets.A}} and {{ secrets.my-key }}"), ["A", "my-key"]);
        // A literal `{{` just before a reference.
        assert_eq!(referenced_names("abc{{{{secrets.B}}"), ["B"]);
        assert!(referenced_names("{{secrets.not valid}} {{secrets.}} {{secrets.a/b}}").is_empty());
    }

    #[test]
    fn a_whole_reference_is_one_reference_and_nothing_else() {
        assert_eq!(whole_reference(" {{ secrets.A }} "), Some("A"));
        assert_eq!(whole_reference("http://{{secrets.A}}@host/"), None);
        assert_eq!(whole_reference("{{secrets.A}}{{secrets.B}}"), None);
    }

    #[test]
    fn the_legacy_form_is_a_whole_value_with_an_environment_style_name() {
        let vault = vault();
        let concealed = vault.conceal(" secrets.SLACK_BOT_TOKEN ").unwrap();
        assert!(is_placeholder(&concealed), "{concealed}");
        assert_eq!(vault.reveal(&concealed), "xoxb-real");
        assert_eq!(whole_reference("secrets.SLACK_BOT_TOKEN"), Some("SLACK_BOT_TOKEN"));
        assert_eq!(referenced_names("secrets.SLACK_BOT_TOKEN"), ["SLACK_BOT_TOKEN"]);
        // Inside a longer text, or with a name that is not environment-style, it is prose.
        for prose in ["see secrets.SLACK_BOT_TOKEN", "secrets.md", "secrets.Slack", "secrets.", "secrets.A B"] {
            assert_eq!(vault.conceal(prose).unwrap(), prose);
            assert!(referenced_names(prose).is_empty(), "{prose}");
            assert_eq!(whole_reference(prose), None, "{prose}");
        }
        // A braced reference followed by the legacy form's text: only the braced one counts.
        let concealed = vault.conceal("{{secrets.SLACK_BOT_TOKEN}} secrets.SLACK_BOT_TOKEN").unwrap();
        assert!(concealed.ends_with(" secrets.SLACK_BOT_TOKEN"), "{concealed}");
    }

    #[test]
    fn data_use_reveals_a_value_unless_it_is_a_credential() {
        let vault = Vault::with_values(HashMap::from([
            ("SLACK_CHANNEL".to_owned(), "#ops".to_owned()),
            ("SLACK_BOT_TOKEN".to_owned(), "xoxb-real".to_owned()),
        ]));
        let by_name = |name: &str, _: &str| names_a_credential(name);
        assert_eq!(vault.resolve_data("to {{secrets.SLACK_CHANNEL}}!", by_name).unwrap(), "to #ops!");
        assert_eq!(vault.resolve_data("secrets.SLACK_CHANNEL", by_name).unwrap(), "#ops");
        let err = vault.resolve_data("{{secrets.SLACK_BOT_TOKEN}}", by_name).unwrap_err();
        assert_eq!(err, SecretError::Credential("SLACK_BOT_TOKEN".into()));
        // The caller's rule sees the value too.
        let by_value = |_: &str, value: &str| value.starts_with('#');
        assert!(vault.resolve_data("{{secrets.SLACK_CHANNEL}}", by_value).is_err());
        assert_eq!(
            vault.resolve_data("{{secrets.SLACK_NOPE}}", by_name),
            Err(SecretError::Missing("SLACK_NOPE".into()))
        );
        // Nothing was handed out as a placeholder.
        assert!(vault.conceal_values(b"#ops xoxb-real").is_none());
    }

    #[test]
    fn credential_names_and_whole_placeholders() {
        for name in ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "slack_api_key", "SLACK_WEBHOOK_URL", "DB_PASSWORD"] {
            assert!(names_a_credential(name), "{name}");
        }
        for name in ["SLACK_CHANNEL", "SLACK_THREAD", "SLACK_TEAM"] {
            assert!(!names_a_credential(name), "{name}");
        }
        let placeholder = vault().conceal("{{secrets.SLACK_BOT_TOKEN}}").unwrap();
        assert!(is_placeholder(&placeholder));
        assert!(!is_placeholder(&format!("x{placeholder}")));
        assert!(!is_placeholder(&format!("{placeholder} ")));
        assert!(!is_placeholder("herald-secret-"));
    }
}
