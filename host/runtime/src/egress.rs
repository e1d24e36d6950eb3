//! The egress policy: which destinations a component may call, and the one place where
//! secret placeholders become real values (headers, or a whole URL; never the body) and
//! where values a reply carries back become placeholders again.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use super::http_client::{HttpClient, Timeouts};
use super::limits::{Limits, Stop, Tripwire};
use herald_secrets::{Vault, contains_placeholder};

/// The most of a reply the host reads before a component sees it: every reply is read
/// whole, so that a secret it repeats is swapped back for its placeholder.
pub const REPLY_LIMIT: usize = 16 << 20;

/// Where a request goes: scheme, host and port, as the policy compares them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of `uri`, lower-cased, the port made explicit; `None` without a scheme
    /// and host, or for a scheme that is neither `http` nor `https`.
    pub fn of(uri: &http::Uri) -> Option<Self> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        let host = uri.host()?.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        Some(Self { scheme, host, port: uri.port_u16().unwrap_or(default_port) })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default_port = if self.scheme == "https" { 443 } else { 80 };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        if self.port == default_port {
            write!(f, "{}://{host}", self.scheme)
        } else {
            write!(f, "{}://{host}:{}", self.scheme, self.port)
        }
    }
}

/// The destinations components may call.
#[derive(Debug, Clone)]
pub struct EgressPolicy {
    allowed: BTreeSet<Origin>,
    /// Fields of JSON replies whose URL, handed out by an allowed server, the component may
    /// request once (Slack's `upload_url`).
    url_fields: Vec<String>,
}

impl EgressPolicy {
    /// The origin (scheme, host and port) of each configured URL (e.g. `SLACK_API_URL`):
    /// plain http only where such a URL says so. Each connector adds the hosts it declares.
    pub fn configured(urls: &[String]) -> Self {
        let allowed = urls.iter().filter_map(|url| Origin::of(&url.parse::<http::Uri>().ok()?)).collect();
        Self { allowed, url_fields: Vec::new() }
    }

    /// This policy and the hosts a connector declares, over https on port 443; `None` when
    /// a declared host is not a bare host name (a scheme, port, path or user part).
    pub fn with_hosts(&self, hosts: &[String]) -> Option<Self> {
        let mut allowed = self.allowed.clone();
        for host in hosts {
            let bare = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            if !bare {
                return None;
            }
            allowed.insert(Origin { scheme: "https".into(), host: host.to_ascii_lowercase(), port: 443 });
        }
        Some(Self { allowed, url_fields: self.url_fields.clone() })
    }

    /// This policy, where the URL an allowed server hands out in one of `fields` of a JSON
    /// reply may be requested once, by the step that received it.
    pub fn with_url_fields(self, fields: &[String]) -> Self {
        Self { url_fields: fields.to_vec(), ..self }
    }

    /// The URLs a reply `body` from `from` hands out for one request each: the declared
    /// fields at the top of a JSON object, with the scheme of the server that gave them (no
    /// plain http from an https server).
    fn handed_out(&self, from: &Origin, body: &[u8]) -> Vec<http::Uri> {
        // Every reply passes here: only one that names a declared field is parsed.
        let names_a_field = |field: &String| {
            let quoted = format!("\"{field}\"");
            body.windows(quoted.len()).any(|window| window == quoted.as_bytes())
        };
        if !self.url_fields.iter().any(names_a_field) {
            return Vec::new();
        }
        let Ok(serde_json::Value::Object(reply)) = serde_json::from_slice(body) else {
            return Vec::new();
        };
        self.url_fields
            .iter()
            .filter_map(|field| reply.get(field)?.as_str()?.parse::<http::Uri>().ok())
            .filter(|uri| Origin::of(uri).is_some_and(|origin| origin.scheme == from.scheme))
            .collect()
    }

    /// Whether requests to `origin` are allowed.
    pub fn allows(&self, origin: &Origin) -> bool {
        self.allowed.contains(origin)
    }

    /// The allowed destinations, for error messages.
    pub fn allowed(&self) -> impl Iterator<Item = String> + '_ {
        self.allowed.iter().map(ToString::to_string)
    }
}

/// The `wasi:http` hooks of one step: enforce the policy and the timeouts, reveal secrets,
/// record what stopped a request.
pub struct EgressHooks {
    policy: Arc<EgressPolicy>,
    /// URLs allowed servers handed out to this step, each good for one request.
    granted: Arc<Mutex<Vec<http::Uri>>>,
    vault: Vault,
    tripwire: Tripwire,
    limits: Limits,
    client: HttpClient,
}

impl EgressHooks {
    /// Hooks enforcing `policy` and `limits`' timeouts, revealing `vault`'s secrets, sending
    /// through `client`, recording a denied destination or a timeout in `tripwire`.
    pub fn new(
        policy: Arc<EgressPolicy>,
        vault: Vault,
        tripwire: Tripwire,
        limits: Limits,
        client: HttpClient,
    ) -> Self {
        Self { policy, granted: Arc::default(), vault, tripwire, limits, client }
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

    /// Records a denied destination and refuses the request.
    fn deny(&self, host: String) -> HttpError {
        tracing::warn!(%host, "outgoing request denied by the egress policy");
        self.tripwire.trip(Stop::Egress { host });
        HttpError::HttpRequestDenied
    }

    /// Uses up the grant of exactly this URL, if an allowed server handed it out.
    fn take_grant(&self, uri: &http::Uri) -> bool {
        let mut granted = self.granted.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = granted.iter().position(|url| url == uri);
        found.map(|at| granted.swap_remove(at)).is_some()
    }

    /// Reveals secrets and checks the final destination: a secret goes into a URL only as
    /// the whole URL, so no value can change where a request goes; the scheme, host and port
    /// of the URL that is sent must be allowed.
    fn prepare(&self, request: &mut http::Request<WasiBody>) -> Result<(), HttpError> {
        // A secret can be a whole URL (an incoming webhook): the component could only put its
        // placeholder where the host goes, so the secret replaces the whole URL.
        if let Some(url) = request.uri().host().and_then(|host| self.vault.reveal_exact(host)) {
            let uri: http::Uri = url.parse().map_err(|_| HttpError::HttpRequestUriInvalid)?;
            let authority = uri.authority().ok_or(HttpError::HttpRequestUriInvalid)?.as_str();
            let host_header = authority.parse().map_err(|_| HttpError::HttpRequestUriInvalid)?;
            request.headers_mut().insert(http::header::HOST, host_header);
            *request.uri_mut() = uri;
        } else if contains_placeholder(&request.uri().to_string()) {
            // Inside a URL a value could move its host (`http://SECRET@host/`) or leave in a
            // query string: refused, whatever the value.
            let shown = Origin::of(request.uri()).map_or_else(|| "a URL".to_owned(), |origin| origin.to_string());
            return Err(self.deny(format!("{shown} (with a secret inside the URL)")));
        }
        match Origin::of(request.uri()) {
            Some(origin) if self.policy.allows(&origin) => {}
            Some(_) if self.take_grant(request.uri()) => {}
            Some(origin) => return Err(self.deny(origin.to_string())),
            None => return Err(self.deny(request.uri().host().unwrap_or_default().to_owned())),
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

/// Reads a reply whole (up to `REPLY_LIMIT`) and swaps every secret value it carries, in
/// its headers or its body, back for the secret's placeholder, so that nothing a component
/// receives, and so nothing it returns, holds a secret.
async fn conceal_reply(
    vault: &Vault,
    response: http::Response<WasiBody>,
    between_bytes_timeout: impl Fn(),
) -> Result<http::Response<WasiBody>, HttpError> {
    let (mut parts, body) = response.into_parts();
    let mut body = match Limited::new(body, REPLY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => return Err(HttpError::HttpResponseBodySize(None)),
        Err(err) => {
            let err = err
                .downcast::<HttpError>()
                .map_or_else(|other| HttpError::InternalError(Some(other.to_string())), |err| *err);
            if matches!(err, HttpError::ConnectionReadTimeout) {
                between_bytes_timeout();
            }
            return Err(err);
        }
    };
    for value in parts.headers.values_mut() {
        if let Some(swapped) = vault.conceal_values(value.as_bytes()) {
            *value = http::HeaderValue::from_bytes(&swapped).map_err(|_| HttpError::HttpProtocolError)?;
        }
    }
    if let Some(swapped) = vault.conceal_values(&body) {
        body = Bytes::from(swapped);
        // A placeholder is not as long as the value it stands for.
        if parts.headers.contains_key(http::header::CONTENT_LENGTH) {
            parts.headers.insert(http::header::CONTENT_LENGTH, body.len().into());
        }
    }
    Ok(http::Response::from_parts(parts, Full::new(body).map_err(|never| match never {}).boxed_unsync()))
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
        // host:port, never a URL's user part.
        let host = request
            .uri()
            .authority()
            .map(|a| a.as_str().rsplit('@').next().unwrap_or_default().to_owned())
            .unwrap_or_default();
        let tripwire = self.tripwire.clone();
        let timed_out = move |phase: &'static str, after: Duration| {
            tripwire.trip(Stop::Timeout { phase, host: host.clone(), after });
        };
        let client = self.client.clone();
        let vault = self.vault.clone();
        let (policy, granted) = (self.policy.clone(), self.granted.clone());
        // Only a server the policy allows hands out URLs: not one reached through a grant.
        let from = Origin::of(request.uri()).filter(|origin| self.policy.allows(origin));
        Box::new(async move {
            let response = client.send(request, timeouts).await.inspect_err(|err| match err {
                HttpError::ConnectionTimeout => timed_out("connect", connect),
                HttpError::ConnectionReadTimeout => timed_out("first byte", timeouts.first_byte),
                _ => {}
            })?;
            let mut response =
                conceal_reply(&vault, response, || timed_out("between bytes", timeouts.between_bytes)).await?;
            if let Some(from) = from.filter(|_| !policy.url_fields.is_empty()) {
                let (parts, body) = response.into_parts();
                // The body is already whole in memory: collecting it again copies nothing.
                let body = body.collect().await?.to_bytes();
                let handed_out = policy.handed_out(&from, &body);
                granted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(handed_out);
                response =
                    http::Response::from_parts(parts, Full::new(body).map_err(|never| match never {}).boxed_unsync());
            }
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

    /// The hosts the Slack connector declares.
    const SLACK_HOSTS: [&str; 2] = ["slack.com", "hooks.slack.com"];

    /// What herald's runtime allows the Slack connector with these configured URLs.
    fn slack_and(urls: &[String]) -> EgressPolicy {
        EgressPolicy::configured(urls).with_hosts(&SLACK_HOSTS.map(str::to_owned)).unwrap()
    }

    #[test]
    fn declared_hosts_must_be_bare_host_names() {
        let base = EgressPolicy::configured(&[]);
        for bad in ["", "https://slack.com", "slack.com:8443", "slack.com/api", "user@slack.com", "*.slack.com"] {
            assert!(base.with_hosts(&[bad.to_owned()]).is_none(), "{bad}");
        }
        let policy = base.with_hosts(&["Files.Slack.com".to_owned()]).unwrap();
        assert!(policy.allows(&origin("https://files.slack.com/upload")));
        assert!(!policy.allows(&origin("http://files.slack.com/upload")), "https only");
        assert!(!policy.allows(&origin("https://slack.com/api")), "only what is declared");
    }

    fn hooks(vault: &Vault) -> (EgressHooks, Tripwire) {
        let policy = Arc::new(slack_and(&["http://127.0.0.1:9/api/".to_owned()]));
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

    fn origin(url: &str) -> Origin {
        Origin::of(&url.parse().unwrap()).unwrap()
    }

    #[test]
    fn the_policy_lists_slack_and_the_configured_origins_for_its_errors() {
        let policy = slack_and(&["http://127.0.0.1:9/api/".to_owned()]);
        let listed: Vec<String> = policy.allowed().collect();
        let mut expected: Vec<String> = SLACK_HOSTS.iter().map(|host| format!("https://{host}")).collect();
        expected.push("http://127.0.0.1:9".to_owned());
        expected.sort();
        assert_eq!(listed, expected);
    }

    /// A reply body that sends `first`, then fails with `error`.
    struct Failing {
        first: Option<Bytes>,
        error: Option<HttpError>,
    }

    impl hyper::body::Body for Failing {
        type Data = Bytes;
        type Error = HttpError;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, HttpError>>> {
            let next = match self.first.take() {
                Some(data) => Some(Ok(hyper::body::Frame::data(data))),
                None => self.error.take().map(Err),
            };
            std::task::Poll::Ready(next)
        }
    }

    fn reply(
        body: impl hyper::body::Body<Data = Bytes, Error = HttpError> + Send + 'static,
    ) -> http::Response<WasiBody> {
        http::Response::new(body.boxed_unsync())
    }

    #[tokio::test]
    async fn a_reply_past_its_limit_is_refused_and_a_stalled_one_names_the_between_bytes_timeout() {
        let vault = Vault::with_values(HashMap::new());
        let stalls = std::sync::atomic::AtomicU32::new(0);
        let stalled = || {
            stalls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        };

        let huge = Full::new(Bytes::from(vec![b'x'; REPLY_LIMIT + 1])).map_err(|never| match never {});
        let refused = conceal_reply(&vault, reply(huge), stalled).await;
        assert!(matches!(refused, Err(HttpError::HttpResponseBodySize(None))), "{refused:?}");

        let cut =
            Failing { first: Some(Bytes::from_static(b"{\"ok\"")), error: Some(HttpError::ConnectionReadTimeout) };
        let timed_out = conceal_reply(&vault, reply(cut), stalled).await;
        assert!(matches!(timed_out, Err(HttpError::ConnectionReadTimeout)), "{timed_out:?}");
        assert_eq!(stalls.load(std::sync::atomic::Ordering::Relaxed), 1, "only the stalled reply is a timeout");

        let reset = Failing { first: None, error: Some(HttpError::ConnectionTerminated) };
        let failed = conceal_reply(&vault, reply(reset), stalled).await;
        assert!(matches!(failed, Err(HttpError::ConnectionTerminated)), "{failed:?}");
        assert_eq!(stalls.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_server_that_never_accepts_is_stopped_by_the_connect_timeout_which_names_itself() {
        // A listener whose accept queue is full drops new connections' SYNs: connecting
        // hangs until the connect timeout.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let mut queued = Vec::new();
        while let Ok(stream) = std::net::TcpStream::connect_timeout(&address, Duration::from_millis(200)) {
            queued.push(stream);
            assert!(queued.len() < 10_000, "the accept queue never filled");
        }
        let url = format!("http://{address}/api/");
        let policy = Arc::new(slack_and(std::slice::from_ref(&url)));
        let limits = Limits { connect: Duration::from_millis(300), ..Limits::default() };
        let tripwire = Tripwire::default();
        let vault = Vault::with_values(HashMap::new());
        let mut hooks = EgressHooks::new(policy, vault, tripwire.clone(), limits, HttpClient::new(limits.connect));
        let io = Box::new(std::future::ready(Ok(()))) as Box<dyn Future<Output = Result<(), HttpError>> + Send>;
        let sent = Box::into_pin(hooks.send_request(request(&format!("{url}chat.postMessage"), "x", "{}"), None, io));
        assert!(matches!(sent.await, Err(HttpError::ConnectionTimeout)));
        match tripwire.take() {
            Some(Stop::Timeout { phase, host, after }) => {
                assert_eq!((phase, host.as_str(), after), ("connect", address.to_string().as_str(), limits.connect));
            }
            other => panic!("the connect timeout is recorded, not {other:?}"),
        }
        drop(queued);
    }

    #[tokio::test]
    async fn secrets_are_revealed_in_headers_but_never_in_the_body() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-real".to_owned())]));
        let placeholder = vault.conceal("{{secrets.TOKEN}}").unwrap();
        let (hooks, denied) = hooks(&vault);
        let mut req = request(
            "http://127.0.0.1:9/api/chat.postMessage",
            &format!("Bearer {placeholder}"),
            &format!("{{\"text\":\"{placeholder}\"}}"),
        );
        hooks.prepare(&mut req).unwrap();
        assert_eq!(req.headers()["authorization"], "Bearer xoxb-real");
        assert!(req.headers()["authorization"].is_sensitive());
        let body = req.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, format!("{{\"text\":\"{placeholder}\"}}").as_bytes());
        assert!(denied_host(&denied).is_none());
    }

    #[test]
    fn a_secret_inside_a_url_is_refused_whatever_its_value() {
        // The value would move the request to 127.0.0.2 if it were swapped in.
        let vault = Vault::with_values(HashMap::from([("EVIL".to_owned(), "127.0.0.2:18082/#".to_owned())]));
        let evil = vault.conceal("{{secrets.EVIL}}").unwrap();
        let (hooks, denied) = hooks(&vault);
        let mut req = request(&format!("http://{evil}@127.0.0.1:9/api/chat.postMessage"), "x", "{}");
        assert!(matches!(hooks.prepare(&mut req), Err(HttpError::HttpRequestDenied)));
        assert_eq!(denied_host(&denied).as_deref(), Some("http://127.0.0.1:9 (with a secret inside the URL)"));
        assert!(req.uri().to_string().contains(&evil), "nothing was revealed: {}", req.uri());
        let mut req = request(&format!("http://127.0.0.1:9/api/chat.postMessage?channel=C1&text={evil}"), "x", "{}");
        assert!(matches!(hooks.prepare(&mut req), Err(HttpError::HttpRequestDenied)));
        assert_eq!(denied_host(&denied).as_deref(), Some("http://127.0.0.1:9 (with a secret inside the URL)"));
    }

    #[test]
    fn a_secret_that_is_a_whole_url_replaces_the_url_and_is_checked_like_any_destination() {
        let vault = Vault::with_values(HashMap::from([
            ("HOOK".to_owned(), "http://127.0.0.1:9/services/T1/B2/abc".to_owned()),
            ("BAD_HOOK".to_owned(), "https://collector.example/services/x".to_owned()),
            ("PLAIN_HOOK".to_owned(), "http://hooks.slack.com/services/x".to_owned()),
            ("PORT_HOOK".to_owned(), "http://127.0.0.1:10/services/x".to_owned()),
        ]));
        let (hooks, denied) = hooks(&vault);
        let hook = vault.conceal("{{secrets.HOOK}}").unwrap();
        let mut req = request(&format!("https://{hook}/"), "x", "{}");
        hooks.prepare(&mut req).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9/services/T1/B2/abc");
        assert_eq!(req.headers()["host"], "127.0.0.1:9");

        for (name, shown) in [
            ("BAD_HOOK", "https://collector.example"),
            ("PLAIN_HOOK", "http://hooks.slack.com"),
            ("PORT_HOOK", "http://127.0.0.1:10"),
        ] {
            let bad = vault.conceal(&format!("{{{{secrets.{name}}}}}")).unwrap();
            let mut req = request(&format!("https://{bad}/"), "x", "{}");
            assert!(matches!(hooks.prepare(&mut req), Err(HttpError::HttpRequestDenied)), "{name}");
            assert_eq!(denied_host(&denied).as_deref(), Some(shown));
        }
    }

    #[test]
    fn other_hosts_are_denied_and_recorded_without_revealing_anything() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-real".to_owned())]));
        let placeholder = vault.conceal("{{secrets.TOKEN}}").unwrap();
        let (hooks, denied) = hooks(&vault);
        let mut req = request("https://collector.example/steal", &format!("Bearer {placeholder}"), "");
        assert!(matches!(hooks.prepare(&mut req), Err(HttpError::HttpRequestDenied)));
        assert_eq!(denied_host(&denied).as_deref(), Some("https://collector.example"));
        assert_eq!(req.headers()["authorization"], format!("Bearer {placeholder}").as_str());
    }

    #[tokio::test]
    async fn a_reply_that_repeats_a_secret_carries_its_placeholder_instead() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-real".to_owned())]));
        let placeholder = vault.conceal("{{secrets.TOKEN}}").unwrap();
        let sent: &[u8] = br#"{"ok":false,"error":"invalid_auth","token":"xoxb-real"}"#;
        let body = Full::new(Bytes::from_static(sent)).map_err(|never| match never {}).boxed_unsync();
        let reply = http::Response::builder()
            .header("x-echo", "Bearer xoxb-real")
            .header("content-length", sent.len())
            .body(body)
            .unwrap();
        let reply = conceal_reply(&vault, reply, || {}).await.unwrap();
        assert_eq!(reply.headers()["x-echo"], format!("Bearer {placeholder}").as_str());
        let length = reply.headers()["content-length"].to_str().unwrap().to_owned();
        let body = reply.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, format!(r#"{{"ok":false,"error":"invalid_auth","token":"{placeholder}"}}"#).as_bytes());
        assert_eq!(length, body.len().to_string());
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
    fn slack_hosts_over_https_and_the_api_url_origin_are_allowed() {
        let policy = slack_and(&["http://127.0.0.1:4321/api/".to_owned()]);
        assert!(policy.allows(&origin("https://slack.com/api/chat.postMessage")));
        assert!(policy.allows(&origin("https://HOOKS.slack.com:443/services/x")));
        assert!(policy.allows(&origin("http://127.0.0.1:4321/api/x")));
        for denied in [
            "http://slack.com/api/",
            "https://slack.com:8443/api/",
            "http://127.0.0.1:4322/api/",
            "https://127.0.0.1:4321/api/",
            "https://evil.example/",
            "https://slack.com.evil.example/",
        ] {
            assert!(!policy.allows(&origin(denied)), "{denied}");
        }
    }

    #[tokio::test]
    async fn a_url_an_allowed_server_hands_out_may_be_requested_once() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = format!("http://{}/api/", listener.local_addr().unwrap());
        let upload = "http://127.0.0.2:9/upload/v1/abc";
        let body = format!(
            r#"{{"ok":true,"upload_url":"{upload}","file_id":"F1","permalink":"http://127.0.0.2:9/elsewhere"}}"#
        );
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut head = [0; 4096];
            let _ = stream.read(&mut head).await.unwrap();
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(reply.as_bytes()).await.unwrap();
        });
        let policy = slack_and(std::slice::from_ref(&api)).with_url_fields(&["upload_url".to_owned()]);
        let tripwire = Tripwire::default();
        let vault = Vault::with_values(HashMap::new());
        let client = HttpClient::new(Limits::default().connect);
        let mut hooks = EgressHooks::new(Arc::new(policy), vault, tripwire.clone(), Limits::default(), client);
        let allowed = |hooks: &EgressHooks, url: &str| hooks.prepare(&mut request(url, "", "")).is_ok();
        assert!(!allowed(&hooks, upload), "not before a server hands it out");
        let io = Box::new(std::future::ready(Ok(()))) as Box<dyn Future<Output = Result<(), HttpError>> + Send>;
        let asked = request(&format!("{api}files.getUploadURLExternal"), "", "");
        let (reply, _) = Box::into_pin(hooks.send_request(asked, None, io)).await.unwrap();
        // The component still reads the reply whole.
        let read = reply.into_body().collect().await.unwrap().to_bytes();
        assert!(read.starts_with(br#"{"ok":true,"upload_url""#));
        assert!(!allowed(&hooks, "http://127.0.0.2:9/elsewhere"), "only the declared field");
        assert!(!allowed(&hooks, "http://127.0.0.2:9/upload/v1/other"), "only that URL");
        assert!(allowed(&hooks, upload), "handed out: allowed");
        assert!(!allowed(&hooks, upload), "once");
        assert!(denied_host(&tripwire).is_some());
    }

    #[test]
    fn an_https_server_hands_out_no_plain_http_url() {
        let policy = slack_and(&[]).with_url_fields(&["upload_url".to_owned()]);
        let from = origin("https://slack.com/api");
        let handed = |body: &str| policy.handed_out(&from, body.as_bytes());
        assert_eq!(handed(r#"{"upload_url": "https://files.slack.com/upload/v1/x"}"#).len(), 1);
        assert!(handed(r#"{"upload_url": "http://files.slack.com/upload/v1/x"}"#).is_empty());
        assert!(handed(r#"{"nested": {"upload_url": "https://files.slack.com/x"}}"#).is_empty());
        assert!(handed(r#"["https://files.slack.com/x"]"#).is_empty());
        assert!(slack_and(&[]).handed_out(&from, br#"{"upload_url": "https://files.slack.com/x"}"#).is_empty());
    }
}
