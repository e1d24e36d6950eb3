//! Conversion functions: `string`, `number`, `context`, `to json` and `from json` (the date,
//! time and duration constructors are with the temporal functions).

use serde_json::{Value, json};

use super::check;
use crate::tests::eval;

/// Each function with the examples of Camunda's reference, by position and by name, and the
/// null cases.
pub(super) fn cases() -> Vec<(&'static str, Value)> {
    vec![
        ("string(1.1)", json!("1.1")),
        (r#"string(date("2012-12-25"))"#, json!("2012-12-25")),
        ("string(1)", json!("1")),
        ("string(10000 + 1)", json!("10001")),
        ("string(true)", json!("true")),
        (r#"string("s")"#, json!("s")),
        ("string(null)", Value::Null),
        // Lists, contexts, ranges and functions as Camunda writes them.
        (r#"string([1, "a"])"#, json!(r#"[1, "a"]"#)),
        (r#"string({a: 1, b: "x"})"#, json!(r#"{a:1, b:"x"}"#)),
        ("string([1..10))", json!("[1..10)")),
        ("string(function(a, b) a + b)", json!("function(a, b)")),
        (r#"string(duration("P1DT2H"))"#, json!("P1DT2H")),
        (r#"string(duration("PT0S"))"#, json!("P0D")),
        (r#"string(@"2018-04-29T09:30:00@Europe/Berlin")"#, json!("2018-04-29T09:30:00@Europe/Berlin")),
        (r#"string(@"10:30:11@Australia/Melbourne")"#, json!("10:30:11@Australia/Melbourne")),
        (r#"string(from: @"2018-04-29T09:30:00+02:00")"#, json!("2018-04-29T09:30:00+02:00")),
        (r#"number("1500.5")"#, json!(1500.5)),
        (r#"number("12")"#, json!(12)),
        (r#"number("-3")"#, json!(-3)),
        (r#"number("2.50")"#, json!(2.5)),
        (r#"number("1e5")"#, json!(100000)),
        (r#"number(".5")"#, json!(0.5)),
        (r#"number("abc")"#, Value::Null),
        (r#"number(" 1")"#, Value::Null),
        (r#"number("")"#, Value::Null),
        ("number(7)", Value::Null),
        ("number(true)", Value::Null),
        ("number(null)", Value::Null),
        (r#"number("1,500", ",")"#, json!(1500)),
        (r#"number("1 500.5", " ", ".")"#, json!(1500.5)),
        (r#"number("1.500,5", ".", ",")"#, json!(1500.5)),
        (r#"number("1,5", ",", ",")"#, Value::Null),
        (r#"number("1_5", "_")"#, Value::Null),
        (r#"number("1 5", null, " ")"#, Value::Null),
        (r#"number(from: "1.000.000,01", grouping separator: ".", decimal separator: ",")"#, json!(1000000.01)),
        (r#"context([{"key":"a", "value":1}, {"key":"b", "value":2}])"#, json!({"a": 1, "b": 2})),
        (r#"context([{key: "a", value: 1}, {key: "a", value: 2}])"#, json!({"a": 2})),
        ("context([{key: 1, value: 1}])", Value::Null),
        (r#"context([{key: "a"}])"#, Value::Null),
        (r#"context({key: "a", value: 1})"#, Value::Null),
        ("context(get entries(invoice)) = invoice", json!(true)),
        (r#"context(entries: [{key: "a", value: null}])"#, json!({"a": null})),
        (r#"to json({a: 1, b: 2})"#, json!(r#"{"a":1,"b":2}"#)),
        ("to json(true)", json!("true")),
        (r#"to json(@"2023-06-14")"#, json!(r#""2023-06-14""#)),
        (r#"to json(@"2025-11-24T10:00:00@Europe/Berlin")"#, json!(r#""2025-11-24T10:00:00+01:00[Europe/Berlin]""#)),
        (r#"to json(@"P3Y")"#, json!(r#""P3Y""#)),
        (r#"to json({a: 1, b: [true, null], c: "x"})"#, json!(r#"{"a":1,"b":[true,null],"c":"x"}"#)),
        ("to json(null)", json!("null")),
        ("to json([1..10))", json!(r#""[1..10)""#)),
        ("to json(function(a) a)", json!(r#""function(a)""#)),
        ("to json(value: [1])", json!("[1]")),
        (r#"from json("{\"a\": 1, \"b\": 2}")"#, json!({"a": 1, "b": 2})),
        (r#"from json("true")"#, json!(true)),
        (r#"from json("\"2023-06-14\"")"#, json!("2023-06-14")),
        (r#"from json("{\"a\": [1, 2.5, null]}")"#, json!({"a": [1, 2.5, null]})),
        (r#"from json("nope")"#, Value::Null),
        ("from json(1)", Value::Null),
        (r#"from json(json: "[1]")"#, json!([1])),
    ]
}

#[test]
fn conversion_functions() {
    check(&cases());
    assert!(eval(r#"number("12")"#).is_i64());
}
