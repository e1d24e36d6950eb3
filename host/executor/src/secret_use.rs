//! Which secrets a flow's inputs may use as data. A secret a credential input names becomes a
//! placeholder the component never sees; a secret named anywhere else is revealed to the
//! component, so it must not be a credential (SECURITY.md, "Secrets in inputs").

use std::collections::{BTreeSet, HashMap};

use herald_bpmn::{ElementKind, Process, Source};
use herald_runtime::{Connector, Credential};
use herald_secrets::{Vault, names_a_credential, referenced_names};

/// The secrets a flow uses as credentials, and the shapes its connectors declare for them:
/// what is never revealed as data.
#[derive(Debug, Clone, Default)]
pub struct CredentialSecrets {
    /// Secrets named by a credential input of one of the flow's tasks, or by its default.
    names: BTreeSet<String>,
    /// The credential inputs of the flow's connectors that declare a shape.
    shapes: Vec<Credential>,
}

impl CredentialSecrets {
    /// Those of `process`, whose tasks run on `connectors`.
    pub fn of(process: &Process, connectors: &HashMap<String, Connector>) -> Self {
        let mut secrets = CredentialSecrets::default();
        for element in &process.elements {
            let ElementKind::ServiceTask(task) = &element.kind else {
                continue;
            };
            let Some(connector) = connectors.get(task.connector()) else {
                continue;
            };
            for credential in connector.credentials() {
                // The last mapping of an input is the one that counts, as in `configuration`.
                match task.inputs.iter().rfind(|input| input.target == credential.name) {
                    Some(input) => secrets.names.extend(named_secrets(&input.source)),
                    None => {
                        let default = connector.config_defaults().get(&credential.name).and_then(|v| v.as_str());
                        secrets.names.extend(default.into_iter().flat_map(referenced_names).map(str::to_owned));
                    }
                }
                if credential.pattern().is_some() && !secrets.shapes.iter().any(|c| c.pattern() == credential.pattern())
                {
                    secrets.shapes.push(credential.clone());
                }
            }
        }
        secrets
    }

    /// Credential secrets of these names and shapes, for tests.
    #[cfg(test)]
    pub(crate) fn new(names: &[&str], shapes: Vec<Credential>) -> Self {
        CredentialSecrets { names: names.iter().map(|name| (*name).to_owned()).collect(), shapes }
    }

    /// Whether the secret `name`, whose value is `value`, is a credential: its name says so
    /// ([`names_a_credential`]), a credential input of the flow names it, its value has a
    /// credential's declared shape, or it is the value of a secret the flow uses as one.
    pub fn includes(&self, vault: &Vault, name: &str, value: &str) -> bool {
        self.includes_name(name)
            || self.shapes.iter().any(|credential| credential.fits(value))
            || self.names.iter().any(|credential| vault.has_value(credential, value))
    }

    /// Whether `name` is a credential by what is known before any value is read: its name,
    /// or a credential input of the flow naming it.
    pub fn includes_name(&self, name: &str) -> bool {
        names_a_credential(name) || self.names.contains(name)
    }
}

/// The secrets an input's source names: in a literal, or in the string literals of a FEEL
/// expression (never in the data an expression reads).
pub fn named_secrets(source: &Source) -> Vec<String> {
    match source {
        Source::Literal(text) => referenced_names(text).into_iter().map(str::to_owned).collect(),
        Source::Expression(expression) => {
            expression.string_literals().flat_map(referenced_names).map(str::to_owned).collect()
        }
    }
}
