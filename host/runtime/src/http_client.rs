//! Outgoing HTTP for every component call: one pooled keep-alive client (HTTP/1.1, TLS
//! sessions resumed) shared by all instances, so a thousand steps to Slack reuse a few
//! connections instead of opening one each; with the host's timeouts on every request.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use wasmtime_wasi_http::{Error as HttpError, WasiBody};

/// How long an idle connection stays open for the next request.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The shared client; clones share its connection pool.
#[derive(Clone)]
pub struct HttpClient {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, WasiBody>,
}

/// The timeouts of one request.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From sending the request to the first byte of the reply (connecting included).
    pub first_byte: Duration,
    /// Between two parts of the reply's body.
    pub between_bytes: Duration,
}

impl HttpClient {
    /// A client that gives up connecting after `connect_timeout`.
    pub fn new(connect_timeout: Duration) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.into() };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring supports rustls's default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(IDLE_TIMEOUT).build(https);
        Self { client }
    }

    /// Sends `request` on a pooled connection (a new one when none is idle).
    pub async fn send(
        &self,
        request: http::Request<WasiBody>,
        timeouts: Timeouts,
    ) -> Result<http::Response<WasiBody>, HttpError> {
        let response = match tokio::time::timeout(timeouts.first_byte, self.client.request(request)).await {
            Err(_) => return Err(HttpError::ConnectionReadTimeout),
            Ok(Err(err)) => return Err(classify(&err)),
            Ok(Ok(response)) => response,
        };
        Ok(response.map(|body| TimedBody::new(body, timeouts.between_bytes).boxed_unsync()))
    }
}

/// The wasi:http error for a failed request.
fn classify(err: &hyper_util::client::legacy::Error) -> HttpError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::TimedOut => HttpError::ConnectionTimeout,
                std::io::ErrorKind::ConnectionRefused => HttpError::ConnectionRefused,
                _ => HttpError::InternalError(Some(err.to_string())),
            };
        }
        source = cause.source();
    }
    if err.is_connect() {
        return HttpError::DestinationUnavailable;
    }
    HttpError::InternalError(Some(err.to_string()))
}

/// A reply body that fails when the server pauses longer than `gap` between two parts.
struct TimedBody {
    inner: Incoming,
    gap: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl TimedBody {
    fn new(inner: Incoming, gap: Duration) -> Self {
        Self { inner, gap, deadline: Box::pin(tokio::time::sleep(gap)) }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = tokio::time::Instant::now() + self.gap;
                self.deadline.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(HttpError::from(err)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(HttpError::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
