//! A connector that does what a hostile or broken component would, chosen by its
//! `behaviour` input, so herald's tests can prove the sandbox stops each: another host, a
//! raw socket, the filesystem, an endless loop, unbounded memory, a server that never
//! answers. `ambient` reports what the component can see of its host (environment
//! variables, directories, a file by relative path). `ok` behaves: it GETs each URL of its
//! target in turn, if any, and succeeds.

use std::hint::black_box;

use exports::herald::connector::connector::Guest;
use herald::connector::types::{
    ConfigIssue, ConnectionReport, ConnectorError, ConnectorInfo, Failure, SendFailure, SendRequest, StepResult,
};
use serde_json::{Value, json};
use wstd::http::{Body, Client, Method, Request};

wit_bindgen::generate!({ path: "../../wit", world: "notification-connector" });

struct Hostile;

impl Guest for Hostile {
    fn describe() -> ConnectorInfo {
        let schema = json!({
            "type": "object",
            "properties": {
                "behaviour": {"type": "string", "enum": ["ok", "other-host", "raw-socket", "filesystem", "ambient", "spin", "allocate", "hang"]},
                "target": {"type": "string", "description": "the URL, address or path the behaviour reaches for; for `spin` and `allocate`, a URL to GET first, so a server sees when they started; for `ok`, URLs to GET one after the other"},
            },
        });
        ConnectorInfo {
            name: "hostile".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "misbehaves on request".into(),
            config_schema: schema.to_string(),
            output_schema: "{}".into(),
            // None: it reaches only what the host was configured with, or tries others.
            hosts: Vec::new(),
            url_fields: Vec::new(),
        }
    }

    fn validate(_config: String) -> Vec<ConfigIssue> {
        Vec::new()
    }

    fn state_key(_request: SendRequest) -> Result<Option<String>, ConnectorError> {
        Ok(None)
    }

    fn send(request: SendRequest) -> Result<StepResult, SendFailure> {
        // What it may have sent is no business of these tests: a failure reports nothing.
        behave(&request).map_err(|error| SendFailure { error, progress: None, in_doubt: false, cache: None })
    }

    fn test_connection(_config: String) -> Result<ConnectionReport, ConnectorError> {
        Ok(ConnectionReport { checks: Vec::new() })
    }
}

/// Does what the step's `behaviour` input asks for.
fn behave(request: &SendRequest) -> Result<StepResult, ConnectorError> {
    let config: Value = serde_json::from_str(&request.config).unwrap_or_default();
    let target = config["target"].as_str().unwrap_or_default().to_owned();
    let output = match config["behaviour"].as_str().unwrap_or_default() {
        "ok" => {
            for url in target.split_whitespace() {
                fetch(url)?;
            }
            json!({"ok": true})
        }
        "other-host" | "hang" => json!({"status": fetch(&target)?}),
        "raw-socket" => {
            let stream = std::net::TcpStream::connect(&target).map_err(|e| rejected("socket", e))?;
            json!({"connected": stream.peer_addr().map(|a| a.to_string()).unwrap_or_default()})
        }
        "filesystem" => json!({"content": std::fs::read_to_string(&target).map_err(|e| rejected("filesystem", e))?}),
        "ambient" => {
            let env: serde_json::Map<String, Value> = std::env::vars().map(|(k, v)| (k, v.into())).collect();
            let preopens: Vec<String> =
                wasip2::filesystem::preopens::get_directories().into_iter().map(|(_, name)| name).collect();
            let file = std::fs::read_to_string(&target).unwrap_or_else(|e| format!("unreadable: {e}"));
            json!({"env": env, "preopens": preopens, "file": file})
        }
        "spin" => {
            announce(&target)?;
            let mut n = 0u64;
            loop {
                n = black_box(n.wrapping_add(1));
            }
        }
        "allocate" => {
            announce(&target)?;
            let mut hoard = Vec::new();
            loop {
                hoard.push(vec![7u8; 1 << 20]);
                black_box(&hoard);
            }
        }
        other => return Err(rejected("behaviour", format!("unknown behaviour `{other}`"))),
    };
    Ok(StepResult { output: output.to_string(), state: None, cache: None, deliver_at: None })
}

/// GETs `url` with no timeouts of its own, and returns the status.
fn fetch(url: &str) -> Result<u16, ConnectorError> {
    wstd::runtime::block_on(async {
        let mut request = Request::new(Body::empty());
        *request.method_mut() = Method::GET;
        *request.uri_mut() = url.parse().map_err(|e| rejected("url", e))?;
        let response = Client::new().send(request).await.map_err(|e| {
            ConnectorError::Transient(Failure {
                code: "http".into(),
                message: format!("{url}: {e}"),
                hint: String::new(),
            })
        })?;
        Ok(response.status().as_u16())
    })
}

/// GETs `url`, unless it is empty.
fn announce(url: &str) -> Result<(), ConnectorError> {
    if !url.is_empty() {
        fetch(url)?;
    }
    Ok(())
}

fn rejected(code: &str, error: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::Rejected(Failure { code: code.into(), message: error.to_string(), hint: String::new() })
}

export!(Hostile);
