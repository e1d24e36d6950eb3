//! Any text as a FEEL expression, evaluated over variables of every JSON type: a value or
//! an error, never a panic or a stack overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(expression) = herald_feel::Expression::parse(text) else { return };
    let variables = serde_json::json!({
        "amount": 12500, "rate": 0.19, "name": "Ada", "ok": true, "none": null,
        "items": [1, "two", [3], {"four": 4}], "customer": {"name": "Bright & Co", "tags": ["a"]},
    });
    let _ = expression.evaluate(&variables);
});
