//! Secrets referenced as `{{secrets.NAME}}`: the component sees an opaque placeholder, and
//! only the egress hook swaps the real value back in, into the URL and headers of requests to
//! allowed hosts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Why a secret reference could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The flow names a secret that is neither in the environment nor in `.env`.
    #[error("the secret `{0}` is not set: export {0}=… or add it to a .env file")]
    Missing(String),
}

/// The secret values known to this process and the placeholders handed out for them.
#[derive(Debug, Clone, Default)]
pub struct Vault {
    inner: Arc<Mutex<VaultInner>>,
}

#[derive(Debug, Default)]
struct VaultInner {
    values: HashMap<String, String>,
    /// placeholder → secret name
    placeholders: HashMap<String, String>,
}

impl Vault {
    /// A vault over the process environment (the CLI has already merged a `.env` file in).
    pub fn from_environment() -> Self {
        Self::with_values(std::env::vars().collect())
    }

    /// A vault over exactly these values.
    pub fn with_values(values: HashMap<String, String>) -> Self {
        let inner = VaultInner { values, placeholders: HashMap::new() };
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

    /// Replaces every `{{secrets.NAME}}` in `text` by NAME's placeholder.
    pub fn conceal(&self, text: &str) -> Result<String, SecretError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some((before, name, after)) = next_reference(rest) {
            out.push_str(before);
            out.push_str(&self.placeholder(name)?);
            rest = after;
        }
        out.push_str(rest);
        Ok(out)
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

    /// Replaces every secret value that was handed out as a placeholder by `***`, so that
    /// nothing herald prints can carry one.
    pub fn redact(&self, text: &str) -> String {
        let inner = self.lock();
        let mut out = text.to_owned();
        for name in inner.placeholders.values() {
            let value = &inner.values[name];
            if !value.is_empty() && out.contains(value.as_str()) {
                out = out.replace(value.as_str(), "***");
            }
        }
        out
    }

    fn placeholder(&self, name: &str) -> Result<String, SecretError> {
        let mut inner = self.lock();
        if !inner.values.contains_key(name) {
            return Err(SecretError::Missing(name.to_owned()));
        }
        if let Some((placeholder, _)) = inner.placeholders.iter().find(|(_, n)| *n == name) {
            return Ok(placeholder.clone());
        }
        // Random, so a component cannot guess another secret's placeholder; header-safe.
        let placeholder = format!("herald-secret-{}", uuid::Uuid::new_v4().simple());
        inner.placeholders.insert(placeholder.clone(), name.to_owned());
        Ok(placeholder)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VaultInner> {
        // A panic while holding the lock leaves plain maps behind: still consistent.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Finds the next `{{ secrets.NAME }}`: the text before it, NAME, and the text after it.
/// The names of the secrets `text` refers to, in order.
pub fn referenced_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some((_, name, after)) = next_reference(rest) {
        names.push(name);
        rest = after;
    }
    names
}

fn next_reference(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let close = text[open..].find("}}").map(|i| i + open)?;
        let inner = text[open + 2..close].trim();
        if let Some(name) = inner.strip_prefix("secrets.") {
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if valid {
                return Some((&text[..open], name, &text[close + 2..]));
            }
        }
        from = open + 2;
    }
    None
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
        let err = vault().conceal("{{secrets.NOPE}}").unwrap_err();
        assert_eq!(err, SecretError::Missing("NOPE".into()));
        assert!(err.to_string().contains("export NOPE="));
    }

    #[test]
    fn other_templates_are_left_alone() {
        let vault = vault();
        assert_eq!(vault.conceal("Hi {{ customer.name }}").unwrap(), "Hi {{ customer.name }}");
    }

    #[test]
    fn redact_hides_values_that_were_handed_out() {
        let vault = vault();
        vault.conceal("{{secrets.SLACK_BOT_TOKEN}}").unwrap();
        assert_eq!(vault.redact("token xoxb-real leaked"), "token *** leaked");
    }
}
