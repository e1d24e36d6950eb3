//! Process variables from `--vars FILE.json` and `--var key=value`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Map, Value};

use herald_executor::{MAX_VARIABLE_BYTES, MAX_VARIABLE_DEPTH, check_variables, insert_path};

/// The options that give a run its process variables.
#[derive(Debug, Args)]
pub struct VariableArgs {
    /// A JSON file with the process variables (an object).
    #[arg(long, value_name = "FILE.json")]
    vars: Option<PathBuf>,
    /// One variable, key=value (JSON or plain text; dotted keys nest); repeatable.
    #[arg(long = "var", value_name = "KEY=VALUE")]
    var: Vec<String>,
    /// Starts one instance per line of this file, each line a JSON object of variables
    /// (`--var` applies on top of each).
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "vars")]
    vars_jsonl: Option<PathBuf>,
}

impl VariableArgs {
    /// Whether these options start many instances (`--vars-jsonl`).
    pub fn is_bulk(&self) -> bool {
        self.vars_jsonl.is_some()
    }

    /// The variables of each instance to start: one map, or one per line of `--vars-jsonl`.
    pub fn load(&self) -> anyhow::Result<Vec<Map<String, Value>>> {
        let Some(path) = &self.vars_jsonl else {
            return Ok(vec![load(self.vars.as_deref(), &self.var)?]);
        };
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut instances = Vec::new();
        let text = without_bom(&text);
        for (index, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
            if line.len() > MAX_VARIABLE_BYTES {
                bail!("{}:{}:1: {}", path.display(), index + 1, too_big(line.len()));
            }
            let mut variables = match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(map)) => map,
                Ok(_) => bail!("{}:{}:1: each line must hold a JSON object", path.display(), index + 1),
                Err(err) => bail!("{}:{}:{}: invalid JSON: {err}", path.display(), index + 1, err.column()),
            };
            apply_pairs(&mut variables, &self.var)?;
            check_variables(&variables).with_context(|| format!("{}:{}", path.display(), index + 1))?;
            instances.push(variables);
        }
        if instances.is_empty() {
            bail!("{}: no instances to start: the file has no lines", path.display());
        }
        Ok(instances)
    }
}

/// Reads the variables file (a JSON object), then applies each `key=value` on top.
///
/// A value that parses as JSON is taken as JSON (`--var amount=12500`), anything else as a
/// string; dotted keys set nested fields (`--var customer.name=ACME`).
fn load(file: Option<&Path>, pairs: &[String]) -> anyhow::Result<Map<String, Value>> {
    let mut variables = match file {
        None => Map::new(),
        Some(path) => {
            let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
            if size > MAX_VARIABLE_BYTES as u64 {
                bail!("{}: {}", path.display(), too_big(usize::try_from(size).unwrap_or(usize::MAX)));
            }
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            match serde_json::from_str::<Value>(without_bom(&text)) {
                Ok(Value::Object(map)) => map,
                Ok(_) => bail!("{}:1:1: the variables file must hold a JSON object", path.display()),
                Err(err) => bail!("{}:{}:{}: invalid JSON: {err}", path.display(), err.line(), err.column()),
            }
        }
    };
    apply_pairs(&mut variables, pairs)?;
    check_variables(&variables).context(file.map_or_else(|| "--var".to_owned(), |path| path.display().to_string()))?;
    Ok(variables)
}

/// The text without the byte order mark some editors put first; JSON has none.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn too_big(bytes: usize) -> String {
    format!(
        "the variables are {:.1} MiB; an instance takes at most {} MiB of variables (each step hands them to the connector)",
        bytes as f64 / f64::from(1 << 20),
        MAX_VARIABLE_BYTES >> 20
    )
}

/// Sets each `key=value` in `variables`.
fn apply_pairs(variables: &mut Map<String, Value>, pairs: &[String]) -> anyhow::Result<()> {
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            bail!("--var expects key=value, got `{pair}`");
        };
        // Refused before it is built: a path of any length would nest as deep.
        if key.split('.').count() > MAX_VARIABLE_DEPTH {
            let start: String = key.chars().take(40).collect();
            bail!(
                "--var: the key `{start}…` nests deeper than {MAX_VARIABLE_DEPTH} levels, the most an instance's variables may"
            );
        }
        let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
        insert_path(variables, key, value);
    }
    Ok(())
}
