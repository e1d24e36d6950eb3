//! herald's end-to-end tests, one binary: the real `herald` binary runs real flows through
//! the real components against the Slack sandbox on loopback, and each test asserts what
//! the sandbox received and what herald saved and printed.

mod support;

mod camunda;
mod designer;
mod durability;
mod flows;
mod sandbox;
mod slack;
