//! Context functions, with `put` and `put all`, the names Camunda used before.

use serde_json::{Value, json};

use super::check;

/// Each function with the examples of Camunda's reference, by position and by name, and the
/// null cases.
pub(super) fn cases() -> Vec<(&'static str, Value)> {
    vec![
        (r#"get value({foo: 123}, "foo")"#, json!(123)),
        (r#"get value({a: 1}, "b")"#, Value::Null),
        (r#"get value(invoice, "currency")"#, json!("EUR")),
        (r#"get value({x:1, y: {z:0}}, ["y", "z"])"#, json!(0)),
        (r#"get value({x: {y: {z:0}}}, ["x", "y"])"#, json!({"z": 0})),
        (r#"get value({a: {b: 3}}, ["b"])"#, Value::Null),
        (r#"get value({a: 1}, [])"#, Value::Null),
        (r#"get value(1, "a")"#, Value::Null),
        (r#"get value(context: {a: 1}, key: "a")"#, json!(1)),
        (r#"get value(m: {a: 1}, key: "a")"#, json!(1)),
        (r#"get value(context: {a: {b: 2}}, keys: ["a", "b"])"#, json!(2)),
        ("get entries({foo: 123})", json!([{"key": "foo", "value": 123}])),
        ("get entries({a: 1, b: 2})", json!([{"key": "a", "value": 1}, {"key": "b", "value": 2}])),
        ("get entries(post.author)", json!([{"key": "name", "value": "Ada"}])),
        ("get entries({})", json!([])),
        ("get entries(1)", Value::Null),
        ("get entries(context: {a: 1}).key", json!(["a"])),
        ("get entries(m: {a: 1}).value", json!([1])),
        (r#"context put({x:1}, "y", 2)"#, json!({"x": 1, "y": 2})),
        (r#"context put({a: 1}, "a", 2)"#, json!({"a": 2})),
        (r#"context put({x:1}, ["y"], 2)"#, json!({"x": 1, "y": 2})),
        (r#"context put({x:1, y: {z:0}}, ["y", "z"], 2)"#, json!({"x": 1, "y": {"z": 2}})),
        (r#"context put({x:1}, ["y", "z"], 2)"#, json!({"x": 1, "y": {"z": 2}})),
        (r#"context put({a: {b: 1}}, ["a", "c"], 2)"#, json!({"a": {"b": 1, "c": 2}})),
        (r#"context put(1, "a", 2)"#, Value::Null),
        ("context put({}, [], 2)", Value::Null),
        (r#"context put(context: {}, key: "a", value: 1)"#, json!({"a": 1})),
        (r#"context put(context: {x: 1}, keys: ["y", "z"], value: 2)"#, json!({"x": 1, "y": {"z": 2}})),
        (r#"put({x: 1}, "y", 2)"#, json!({"x": 1, "y": 2})),
        (r#"put(context: {}, key: "a", value: 1)"#, json!({"a": 1})),
        ("context merge([{x:1}, {y:2}])", json!({"x": 1, "y": 2})),
        ("context merge([{x:1, y: 0}, {y:2}])", json!({"x": 1, "y": 2})),
        ("context merge({a: 1}, {b: 2})", json!({"a": 1, "b": 2})),
        ("context merge([{a: 1}, 2])", Value::Null),
        ("context merge(contexts: [{a: 1}, {a: 2}])", json!({"a": 2})),
        ("put all([{x: 1}, {y: 2}])", json!({"x": 1, "y": 2})),
        ("put all(contexts: [{x: 1}])", json!({"x": 1})),
    ]
}

#[test]
fn context_functions() {
    check(&cases());
}
