//! One HTTP POST over `wasi:http`, with as few host calls as it takes: the headers in one
//! list, the body in a few large writes, one wait for the reply, and only the one header
//! the connector reads. Every call is a trip into the host, and a notification is mostly
//! calls.

use std::time::Duration;

use http::Uri;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::{InputStream, StreamError};

/// The most a blocking write may carry at once (`wasi:io`'s limit).
const WRITE_CHUNK: usize = 4096;
/// The most one read asks for.
const READ_CHUNK: u64 = 64 * 1024;

/// How long a request may take, phase by phase.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To open the connection.
    pub connect: Duration,
    /// From the request to the first byte of the reply.
    pub first_byte: Duration,
    /// Between two parts of the reply.
    pub between_bytes: Duration,
}

/// What the server answered.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `Retry-After` header, when there is one.
    pub retry_after: Option<String>,
    /// The whole body.
    pub body: Vec<u8>,
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL is not an absolute `http` or `https` URL.
    #[error("`{0}` is not an absolute http(s) URL")]
    InvalidUrl(String),
    /// A header's value cannot go in a request, e.g. it holds a line break.
    #[error("a request header is not a valid HTTP header value")]
    InvalidHeaders,
    /// The host or the network failed the request.
    #[error("{0}")]
    Failed(ErrorCode),
    /// The host refused an operation on the request or its reply.
    #[error("the host refused to {0}")]
    Refused(&'static str),
}

impl HttpError {
    /// Whether the request may have reached the server although no answer came back. Only
    /// a failure that comes before anything goes out (a bad URL, no route, a refused
    /// connection or handshake, the host's egress policy) says it did not.
    pub fn may_have_arrived(&self) -> bool {
        match self {
            HttpError::InvalidUrl(_) | HttpError::InvalidHeaders => false,
            HttpError::Failed(code) => !matches!(
                code,
                ErrorCode::DnsTimeout
                    | ErrorCode::DnsError(_)
                    | ErrorCode::DestinationNotFound
                    | ErrorCode::DestinationUnavailable
                    | ErrorCode::DestinationIpProhibited
                    | ErrorCode::DestinationIpUnroutable
                    | ErrorCode::ConnectionRefused
                    | ErrorCode::ConnectionTimeout
                    | ErrorCode::TlsProtocolError
                    | ErrorCode::TlsCertificateError
                    | ErrorCode::TlsAlertReceived(_)
                    | ErrorCode::HttpRequestDenied
                    | ErrorCode::HttpRequestMethodInvalid
                    | ErrorCode::HttpRequestUriInvalid
                    | ErrorCode::HttpRequestUriTooLong
                    | ErrorCode::HttpRequestHeaderSectionSize(_)
                    | ErrorCode::HttpRequestHeaderSize(_)
            ),
            // Refusals come from the host's side of a request already handed over.
            HttpError::Refused(_) => true,
        }
    }
}

/// POSTs `body` to `url` with `headers` (a `content-length` is added) and reads the reply.
pub fn post(url: &str, headers: &[(&'static str, &str)], body: &[u8], timeouts: Timeouts) -> Result<Reply, HttpError> {
    let uri = url
        .parse::<Uri>()
        .ok()
        .filter(|uri| matches!(uri.scheme_str(), Some("http" | "https")) && uri.authority().is_some())
        .ok_or_else(|| HttpError::InvalidUrl(url.to_owned()))?;
    let length = body.len().to_string();
    let mut list: Vec<(String, Vec<u8>)> =
        headers.iter().map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec())).collect();
    list.push(("content-length".to_owned(), length.into_bytes()));
    let fields = Fields::from_list(&list).map_err(|_| HttpError::InvalidHeaders)?;
    let request = OutgoingRequest::new(fields);
    let refused = |what| move |()| HttpError::Refused(what);
    request.set_method(&Method::Post).map_err(refused("set the method"))?;
    let scheme = if uri.scheme_str() == Some("https") { Scheme::Https } else { Scheme::Http };
    request.set_scheme(Some(&scheme)).map_err(refused("set the scheme"))?;
    let authority = uri.authority().map(|a| a.as_str());
    request.set_authority(authority).map_err(refused("set the authority"))?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    request.set_path_with_query(Some(path)).map_err(refused("set the path"))?;
    let outgoing = request.body().map_err(refused("open the request body"))?;
    let options = RequestOptions::new();
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    // A host that does not support a timeout keeps its own: not a reason to fail.
    let _ = options.set_connect_timeout(Some(nanos(timeouts.connect)));
    let _ = options.set_first_byte_timeout(Some(nanos(timeouts.first_byte)));
    let _ = options.set_between_bytes_timeout(Some(nanos(timeouts.between_bytes)));
    // Sent first, so the host streams the body out as it is written.
    let pending = outgoing_handler::handle(request, Some(options)).map_err(HttpError::Failed)?;
    let sent =
        write_all(&outgoing, body).and_then(|()| OutgoingBody::finish(outgoing, None).map_err(HttpError::Failed));
    pending.subscribe().block();
    // A server may answer before it has read the whole body (a 413, say): its answer
    // explains more than the failed write.
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(HttpError::Failed(code)),
        Some(Err(())) | None => return Err(sent.err().unwrap_or(HttpError::Refused("give the reply"))),
    };
    let status = response.status();
    let retry_after =
        response.headers().get("retry-after").first().map(|value| String::from_utf8_lossy(value).into_owned());
    let incoming = response.consume().map_err(refused("give the reply body"))?;
    let body = {
        let stream = incoming.stream().map_err(refused("give the reply body"))?;
        read_all(&stream)?
    };
    drop(IncomingBody::finish(incoming));
    Ok(Reply { status, retry_after, body })
}

/// Writes `body` into the request body, in chunks a blocking write may take.
fn write_all(outgoing: &OutgoingBody, body: &[u8]) -> Result<(), HttpError> {
    let what = "write the request body";
    let stream = outgoing.write().map_err(|()| HttpError::Refused(what))?;
    for chunk in body.chunks(WRITE_CHUNK) {
        stream.blocking_write_and_flush(chunk).map_err(|error| stream_error(error, what))?;
    }
    Ok(())
}

/// Reads `stream` to its end.
fn read_all(stream: &InputStream) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(READ_CHUNK) {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return Ok(body),
            Err(error) => return Err(stream_error(error, "read the reply body")),
        }
    }
}

/// The error of a failed stream operation: the HTTP error behind it when there is one.
fn stream_error(error: StreamError, what: &'static str) -> HttpError {
    match error {
        StreamError::LastOperationFailed(io) => match wasip2::http::types::http_error_code(&io) {
            Some(code) => HttpError::Failed(code),
            None => HttpError::Refused(what),
        },
        StreamError::Closed => HttpError::Refused(what),
    }
}
