//! The Slack Web API and incoming webhooks: the HTTP client, its error table, the message
//! bodies and limits, destinations, the shared cache, the ledger of what an execution
//! posted and the lookup of what it may have posted, and the operations besides posting.

pub mod cache;
pub mod client;
pub mod destination;
pub mod errors;
pub mod files;
pub mod history;
pub mod ledger;
pub mod limits;
pub mod message;
pub mod operations;
pub mod webhook;
