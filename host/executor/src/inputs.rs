//! Turns a task's `zeebe:input` mappings into the connector's configuration object.

use serde_json::{Map, Value};

use herald_bpmn::{InputMapping, Source};
use herald_core::StepError;
use herald_engine::insert_path;
use herald_runtime::Credential;
use std::borrow::Cow;

use herald_feel::Expression;
use herald_secrets::{SecretError, Vault, contains_placeholder, is_placeholder, referenced_names, whole_reference};

use super::secret_use::{CredentialSecrets, named_secrets};

/// A connector's configuration for one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    /// The inputs by name.
    pub inputs: Map<String, Value>,
    /// The top-level inputs an expression computed: data, never to be rendered as templates.
    pub computed: Vec<String>,
}

/// What is wrong with where `input` names a secret, or with the shape of a credential it
/// gives: a credential input is one whole secret or a value of the shape its connector
/// declares; any other input may name only secrets that are not credentials.
pub fn credential_issue(
    input: &InputMapping,
    credentials: &[Credential],
    credential_secrets: &CredentialSecrets,
) -> Option<String> {
    let top = input.target.split('.').next().unwrap_or_default();
    let Some(credential) = credentials.iter().find(|c| c.name == top) else {
        let name = named_secrets(&input.source).into_iter().find(|name| credential_secrets.includes_name(name))?;
        return Some(format!(
            "input `{}` names the secret `{name}`, a credential: credentials go only in credential inputs ({}) and are never sent in a message",
            input.target,
            credentials.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", "),
        ));
    };
    let Source::Literal(text) = &input.source else {
        return None;
    };
    if whole_reference(text).is_some() {
        return None;
    }
    if let Some(name) = referenced_names(text).into_iter().next() {
        return Some(longer_value(&input.target, name));
    }
    shape_issue(credential, &input.target, text)
}

fn longer_value(target: &str, name: &str) -> String {
    format!(
        "input `{target}` names the secret `{name}` inside a longer value; a credential input is one whole secret (`{{{{secrets.{name}}}}}`) or a value without secrets"
    )
}

/// Why `value` of the credential input `target` does not have its declared shape. A blank
/// value is the connector's to report.
fn shape_issue(credential: &Credential, target: &str, value: &str) -> Option<String> {
    let pattern = credential.pattern().filter(|_| !value.trim().is_empty() && !credential.fits(value))?;
    Some(format!(
        "input `{target}` must be a secret (`{{{{secrets.NAME}}}}`) or match `{pattern}`, the shape its connector declares"
    ))
}

/// The secrets a step's inputs may use, and how.
pub struct Secrets<'a> {
    /// Their values.
    pub vault: &'a Vault,
    /// Those the flow uses as credentials.
    pub credentials: &'a CredentialSecrets,
}

impl Secrets<'_> {
    /// `text` with its secret references resolved: placeholders in a credential input,
    /// values (of secrets that are not credentials) anywhere else.
    fn resolve(&self, text: &str, in_credential: bool) -> Result<String, SecretError> {
        if in_credential {
            self.vault.conceal(text)
        } else {
            self.vault.resolve_data(text, |name, value| self.credentials.includes(self.vault, name, value))
        }
    }
}

/// Evaluates FEEL sources, keeps literals, fills the connector's schema defaults, and
/// resolves the secret references the designer wrote (in literals, in FEEL string literals
/// and in defaults; never in the data an expression reads): a placeholder in a credential
/// input, the value elsewhere.
pub fn configuration(
    inputs: &[InputMapping],
    variables: &Map<String, Value>,
    defaults: &Map<String, Value>,
    credentials: &[Credential],
    secrets: &Secrets<'_>,
    context: &herald_feel::Context,
) -> Result<Configuration, StepError> {
    if let Some(message) = inputs.iter().find_map(|input| credential_issue(input, credentials, secrets.credentials)) {
        return Err(StepError::Input { message });
    }
    // Made only when an expression needs it: literals do not read the variables. As in
    // Zeebe, an expression sees the inputs mapped before it, over the process variables.
    let mut scope: Option<Value> = None;
    let mut config = Map::new();
    let mut computed = Vec::new();
    let failed = |target: &str, err: SecretError| StepError::Input { message: format!("input `{target}`: {err}") };
    for input in inputs {
        let top = input.target.split('.').next().unwrap_or_default().to_owned();
        let credential = credentials.iter().find(|c| c.name == top);
        let value = match &input.source {
            Source::Literal(text) => {
                computed.retain(|name| *name != top);
                Value::String(secrets.resolve(text, credential.is_some()).map_err(|err| failed(&input.target, err))?)
            }
            Source::Expression(expression) => {
                if !computed.contains(&top) {
                    computed.push(top.clone());
                }
                let expression = resolved(expression, |text| secrets.resolve(text, credential.is_some()))
                    .map_err(|err| failed(&input.target, err))?;
                let scope = scope.get_or_insert_with(|| {
                    let mut local = variables.clone();
                    local.extend(config.iter().map(|(name, value)| (name.clone(), value.clone())));
                    Value::Object(local)
                });
                let value = expression
                    .evaluate_in(scope, context)
                    .map_err(|err| StepError::Input { message: format!("input `{}`: {err}", input.target) })?;
                if let (Some(credential), Some(text)) = (credential, value.as_str()) {
                    computed_credential_issue(credential, &input.target, text)
                        .map_or(Ok(()), |message| Err(StepError::Input { message }))?;
                }
                value
            }
        };
        insert_path(&mut config, &input.target, value);
        if let Some(Value::Object(local)) = &mut scope {
            local.insert(top.clone(), config[&top].clone());
        }
    }
    for (name, default) in defaults {
        if !config.contains_key(name) {
            let value = match default {
                Value::String(text) => {
                    let in_credential = credentials.iter().any(|c| c.name == *name);
                    Value::String(secrets.resolve(text, in_credential).map_err(|err| failed(name, err))?)
                }
                other => other.clone(),
            };
            config.insert(name.clone(), value);
        }
    }
    Ok(Configuration { inputs: config, computed })
}

/// `expression` with the secret references in its string literals resolved by `resolve`;
/// borrowed as it is when it has none.
fn resolved(
    expression: &Expression,
    resolve: impl Fn(&str) -> Result<String, SecretError>,
) -> Result<Cow<'_, Expression>, SecretError> {
    if !expression.string_literals().any(|text| !referenced_names(text).is_empty()) {
        return Ok(Cow::Borrowed(expression));
    }
    let mut failure = None;
    let rewritten = expression.with_literals(|text| match resolve(text) {
        Ok(resolved) => Some(resolved),
        Err(err) => {
            failure.get_or_insert(err);
            None
        }
    });
    failure.map_or(Ok(Cow::Owned(rewritten)), Err)
}

/// What is wrong with the value an expression computed for a credential input: one whole
/// placeholder (a secret the expression named) is right; a placeholder inside a longer value
/// is not; anything else has the declared shape.
fn computed_credential_issue(credential: &Credential, target: &str, value: &str) -> Option<String> {
    if is_placeholder(value) {
        return None;
    }
    if contains_placeholder(value) {
        return Some(format!(
            "input `{target}` computes a value with a secret inside; a credential input is one whole secret (`=\"{{{{secrets.NAME}}}}\"`) or a value without secrets"
        ));
    }
    shape_issue(credential, target, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_bpmn::Position;
    use herald_feel::Expression;
    use serde_json::json;
    use std::collections::HashMap;

    const AT: Position = Position { line: 1, column: 1 };

    fn credential(name: &str) -> Credential {
        Credential::new(name, None).unwrap()
    }

    /// [`configuration`] at a fixed time.
    fn configure(
        inputs: &[InputMapping],
        variables: &Map<String, Value>,
        defaults: &Map<String, Value>,
        credentials: &[Credential],
        vault: &Vault,
    ) -> Result<Configuration, StepError> {
        let secrets = Secrets { vault, credentials: &CredentialSecrets::default() };
        configuration(inputs, variables, defaults, credentials, &secrets, &herald_engine::feel_context("test", 0))
    }
    #[test]
    fn literals_expressions_nested_targets_defaults_and_secrets() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-1".to_owned())]));
        let inputs = vec![
            InputMapping { target: "channel".into(), source: Source::Literal("#billing".into()), position: AT },
            InputMapping {
                target: "data.amount".into(),
                source: Source::Expression(Expression::parse("amount * 2").unwrap()),
                position: AT,
            },
        ];
        let variables = json!({"amount": 21}).as_object().unwrap().clone();
        let defaults = json!({"token": "{{secrets.TOKEN}}", "channel": "#general"}).as_object().unwrap().clone();
        let config = configure(&inputs, &variables, &defaults, &[credential("token")], &vault).unwrap();
        assert_eq!(config.computed, ["data"]);
        let config = config.inputs;
        assert_eq!(config["channel"], "#billing");
        assert_eq!(config["data"], json!({"amount": 42}));
        let token = config["token"].as_str().unwrap();
        assert!(token.starts_with("herald-secret-"), "{token}");
        assert_eq!(vault.reveal(token), "xoxb-1");
    }

    #[test]
    fn computed_data_is_never_taken_for_a_secret_reference() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-1".to_owned())]));
        let inputs = vec![InputMapping {
            target: "text".into(),
            source: Source::Expression(Expression::parse("note").unwrap()),
            position: AT,
        }];
        let variables = json!({"note": "{{secrets.TOKEN}}"}).as_object().unwrap().clone();
        let config = configure(&inputs, &variables, &Map::new(), &[], &vault).unwrap();
        assert_eq!(config.inputs["text"], "{{secrets.TOKEN}}");
        assert_eq!(config.computed, ["text"]);
    }

    #[test]
    fn a_missing_secret_fails_the_inputs() {
        let vault = Vault::with_values(HashMap::new());
        let inputs = vec![InputMapping {
            target: "token".into(),
            source: Source::Literal("{{secrets.NONE}}".into()),
            position: AT,
        }];
        let err = configure(&inputs, &Map::new(), &Map::new(), &[credential("token")], &vault).unwrap_err();
        assert!(matches!(err, StepError::Input { ref message } if message.contains("NONE")), "{err:?}");
    }

    #[test]
    fn a_secret_outside_a_credential_input_is_refused() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-1".to_owned())]));
        let inputs = vec![InputMapping {
            target: "text".into(),
            source: Source::Literal("hi {{secrets.TOKEN}}".into()),
            position: AT,
        }];
        let err = configure(&inputs, &Map::new(), &Map::new(), &[credential("token")], &vault).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot compute the inputs: input `text` names the secret `TOKEN`, a credential: credentials go only in credential inputs (`token`) and are never sent in a message"
        );
    }

    #[test]
    fn a_credential_is_a_whole_secret_or_has_its_declared_shape() {
        let vault = Vault::with_values(HashMap::from([("OTHER".to_owned(), "any-value".to_owned())]));
        let hook = Credential::new("webhook_url", Some("^https://hooks\\.example/services/")).unwrap();
        let literal = |text: &str| {
            vec![InputMapping { target: "webhook_url".into(), source: Source::Literal(text.into()), position: AT }]
        };
        let run =
            |inputs: &[InputMapping]| configure(inputs, &Map::new(), &Map::new(), std::slice::from_ref(&hook), &vault);
        assert!(run(&literal("{{secrets.OTHER}}")).is_ok());
        assert!(run(&literal("https://hooks.example/services/T1/B1/x")).is_ok());
        let err = run(&literal("https://hooks.example/services/x?text={{secrets.OTHER}}")).unwrap_err();
        assert!(err.to_string().contains("names the secret `OTHER` inside a longer value"), "{err}");
        let err = run(&literal("http://{{secrets.OTHER}}@hooks.example/services/x")).unwrap_err();
        assert!(err.to_string().contains("inside a longer value"), "{err}");
        let err = run(&literal("https://slack.example/api/chat.postMessage?channel=C1")).unwrap_err();
        assert!(
            err.to_string()
                .contains("must be a secret (`{{secrets.NAME}}`) or match `^https://hooks\\.example/services/`"),
            "{err}"
        );
        let computed = vec![InputMapping {
            target: "webhook_url".into(),
            source: Source::Expression(Expression::parse("\"http://elsewhere.example/\"").unwrap()),
            position: AT,
        }];
        assert!(run(&computed).unwrap_err().to_string().contains("the shape its connector declares"));
    }

    fn feel(target: &str, source: &str) -> InputMapping {
        InputMapping {
            target: target.into(),
            source: Source::Expression(Expression::parse(source).unwrap()),
            position: AT,
        }
    }

    fn literal(target: &str, text: &str) -> InputMapping {
        InputMapping { target: target.into(), source: Source::Literal(text.into()), position: AT }
    }

    #[test]
    fn secrets_in_feel_literals_and_the_legacy_form_resolve_as_camunda_resolves_them() {
        let vault = Vault::with_values(HashMap::from([
            ("SLACK_CAMUNDA".to_owned(), "xoxb-camunda".to_owned()),
            ("SLACK_CHANNEL".to_owned(), "ops".to_owned()),
        ]));
        let flow = CredentialSecrets::new(&["SLACK_CAMUNDA"], Vec::new());
        let secrets = Secrets { vault: &vault, credentials: &flow };
        let inputs = [
            feel("token", r#""{{secrets.SLACK_CAMUNDA}}""#),
            feel("channel", r##""#" + "{{secrets.SLACK_CHANNEL}}""##),
            literal("text", "for secrets.SLACK_CHANNEL"),
            literal("thread", "secrets.SLACK_CHANNEL"),
            // Data the expression reads is never searched for references.
            feel("username", "who"),
        ];
        let variables = json!({"who": "{{secrets.SLACK_CHANNEL}}"}).as_object().unwrap().clone();
        let context = herald_engine::feel_context("test", 0);
        let config =
            configuration(&inputs, &variables, &Map::new(), &[credential("token")], &secrets, &context).unwrap().inputs;
        // The credential stays a placeholder: the component never sees the token.
        let token = config["token"].as_str().unwrap();
        assert!(herald_secrets::is_placeholder(token), "{token}");
        assert_eq!(vault.reveal(token), "xoxb-camunda");
        // A secret used as data is its value.
        assert_eq!(config["channel"], "#ops");
        assert_eq!(config["text"], "for secrets.SLACK_CHANNEL");
        assert_eq!(config["thread"], "ops");
        assert_eq!(config["username"], "{{secrets.SLACK_CHANNEL}}");
        // A legacy reference in the credential input is a placeholder too.
        let inputs = [literal("token", "secrets.SLACK_CAMUNDA")];
        let config = configuration(&inputs, &Map::new(), &Map::new(), &[credential("token")], &secrets, &context)
            .unwrap()
            .inputs;
        assert_eq!(vault.reveal(config["token"].as_str().unwrap()), "xoxb-camunda");
    }

    #[test]
    fn no_credential_is_ever_resolved_as_data() {
        let hook = Credential::new("webhook_url", Some("^https://hooks\\.example/")).unwrap();
        let vault = Vault::with_values(HashMap::from([
            ("SLACK_CAMUNDA".to_owned(), "xoxb-camunda".to_owned()),
            ("SLACK_ALIAS".to_owned(), "xoxb-camunda".to_owned()),
            ("SLACK_HOOK".to_owned(), "https://hooks.example/T1/B1/x".to_owned()),
            ("SLACK_BOT_TOKEN".to_owned(), "xoxb-bot".to_owned()),
        ]));
        let flow = CredentialSecrets::new(&["SLACK_CAMUNDA"], vec![hook.clone()]);
        let secrets = Secrets { vault: &vault, credentials: &flow };
        let context = herald_engine::feel_context("test", 0);
        let credentials = [credential("token"), hook];
        let refused = |input: InputMapping| {
            configuration(&[input], &Map::new(), &Map::new(), &credentials, &secrets, &context).unwrap_err().to_string()
        };
        let a_credential =
            |name: &str, message: &str| message.contains(&format!("`{name}`")) && message.contains("a credential");
        // Named by a credential input of the flow, in a literal or in FEEL.
        let message = refused(literal("text", "{{secrets.SLACK_CAMUNDA}}"));
        assert!(a_credential("SLACK_CAMUNDA", &message), "{message}");
        let message = refused(feel("text", r#""t: {{secrets.SLACK_CAMUNDA}}""#));
        assert!(a_credential("SLACK_CAMUNDA", &message), "{message}");
        // The same value under another name.
        let message = refused(feel("channel", r#""{{secrets.SLACK_ALIAS}}""#));
        assert!(a_credential("SLACK_ALIAS", &message), "{message}");
        // A value of a credential's declared shape.
        let message = refused(literal("text", "see {{secrets.SLACK_HOOK}}"));
        assert!(a_credential("SLACK_HOOK", &message), "{message}");
        // A name that says so, though this flow does not use it as one.
        let message = refused(literal("text", "secrets.SLACK_BOT_TOKEN"));
        assert!(a_credential("SLACK_BOT_TOKEN", &message), "{message}");
        // A credential input computed with a secret inside a longer value.
        assert!(refused(feel("token", r#""Bearer {{secrets.SLACK_CAMUNDA}}""#)).contains("with a secret inside"));
    }
}
