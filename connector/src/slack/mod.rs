//! The Slack Web API and incoming webhooks: the HTTP client, its error table, the message
//! bodies and limits, destinations, the instance cache and the history of earlier posts.

pub mod cache;
pub mod client;
pub mod destination;
pub mod errors;
pub mod history;
pub mod limits;
pub mod message;
pub mod webhook;
