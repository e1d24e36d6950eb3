//! Any text as a message template (text, Block Kit JSON, and the other templated inputs),
//! rendered over process variables: a message or input issues, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let variables = r#"{"invoice": {"number": "INV-1", "amount": 12500}, "customer": {"name": "Bright & Co <Berlin>"}, "items": [1, 2], "quote": "\"", "none": null}"#;
    for input in ["text", "blocks", "channel", "thread", "update_key", "mention"] {
        let config = serde_json::json!({"channel": "#general", "text": "fallback", input: text}).to_string();
        herald_slack::fuzzing::render(&config, variables, &[]);
    }
    // The same text as data an expression computed.
    let config = serde_json::json!({"channel": "#general", "text": text}).to_string();
    herald_slack::fuzzing::render(&config, variables, &["text".to_owned()]);
});
