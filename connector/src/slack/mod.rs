//! The Slack Web API: the HTTP client, its error table and the message body.

pub mod client;
pub mod errors;
pub mod message;
