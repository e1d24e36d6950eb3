//! The floor: the same messages through a plain hyper client with keep-alive, at the same
//! concurrency, run as `herald-bench native` in a process of its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Posts `messages` to `channel` through `api_url`, `concurrency` at a time; prints the wall
/// time and the latencies as JSON, as the Python client does.
pub async fn run(api_url: &str, token: &str, channel: &str, messages: usize, concurrency: usize) -> anyhow::Result<()> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let url: http::Uri = format!("{}/chat.postMessage", api_url.trim_end_matches('/')).parse()?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, next) = (client.clone(), url.clone(), Arc::clone(&next));
        let (token, channel) = (token.to_owned(), channel.to_owned());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < messages {
                let body = serde_json::json!({"channel": channel, "text": "native message"}).to_string();
                let request = http::Request::post(url.clone())
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json; charset=utf-8")
                    .body(Full::new(Bytes::from(body)))?;
                let sent = Instant::now();
                let reply = client.request(request).await?.into_body().collect().await?.to_bytes();
                let reply: serde_json::Value = serde_json::from_slice(&reply)?;
                anyhow::ensure!(reply["ok"] == true, "Slack said {reply}");
                latencies.push(sent.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let wall = started.elapsed();
    let seconds: Vec<f64> = latencies.iter().map(Duration::as_secs_f64).collect();
    println!("{}", serde_json::json!({"wall": wall.as_secs_f64(), "latencies": seconds}));
    Ok(())
}
