//! `not`, the null helpers, `assert`, `is`, and Camunda's helpers for connectors and AI agents.

use serde_json::{Value, json};

use super::check;
use crate::tests::evaluation_error;

/// Each function with the examples of Camunda's reference, by position and by name, and the
/// null cases.
pub(super) fn cases() -> Vec<(&'static str, Value)> {
    vec![
        ("not(true)", json!(false)),
        ("not(false)", json!(true)),
        ("not(null)", Value::Null),
        ("not(1)", Value::Null),
        ("not(negand: false)", json!(true)),
        ("is defined(1)", json!(true)),
        ("is defined(null)", json!(false)),
        ("is defined(missing)", json!(false)),
        ("is defined(missing.x)", json!(false)),
        ("is defined(name)", json!(true)),
        ("is defined(nothing)", json!(false)),
        ("is defined(post.author)", json!(true)),
        ("is defined(post.nope)", json!(false)),
        ("is defined(false)", json!(true)),
        ("is defined(value: 1)", json!(true)),
        (r#"get or else("this", "default")"#, json!("this")),
        (r#"get or else(null, "default")"#, json!("default")),
        ("get or else(null, null)", Value::Null),
        (r#"get or else(missing, "default")"#, json!("default")),
        (r#"get or else(name, "default")"#, json!("Grace")),
        (r#"get or else(default: "d", value: null)"#, json!("d")),
        ("assert(5, 5 > 1)", json!(5)),
        ("assert(count, count >= 0)", json!(3)),
        (r#"assert(name, name != null, "'name' should not be null")"#, json!("Grace")),
        ("assert(value: 2, condition: true)", json!(2)),
        ("is(1, 1)", json!(true)),
        ("is(1, 1.0)", json!(true)),
        (r#"is(1, "1")"#, json!(false)),
        ("is(null, null)", json!(true)),
        (r#"is(@"2020-01-01", @"2020-01-01")"#, json!(true)),
        // Equal, but not the same: the offsets differ.
        (r#"is(@"10:00:00+01:00", @"09:00:00Z")"#, json!(false)),
        (r#"@"10:00:00+01:00" = @"09:00:00Z""#, json!(true)),
        (r#"is(@"2020-01-01", @"2020-01-01T00:00:00")"#, json!(false)),
        ("is(value1: [1], value2: [1])", json!(true)),
        ("fromAi(name)", json!("Grace")),
        (r#"fromAi(name, "The user's name")"#, json!("Grace")),
        (r#"fromAi(count, "How many", "number")"#, json!(3)),
        (r#"fromAi(name, "The name", "string", {enum: ["Grace", "Ada"]})"#, json!("Grace")),
        (r#"fromAi(name, null, "string", null, {required: false})"#, json!("Grace")),
        (r#"fromAi(value: name, type: "string")"#, json!("Grace")),
        (
            r#"bpmnError("E1", "Broken")"#,
            json!({"errorType": "bpmnError", "code": "E1", "message": "Broken", "variables": {}}),
        ),
        (
            r#"bpmnError("E1", "Broken", {retry: false})"#,
            json!({"errorType": "bpmnError", "code": "E1", "message": "Broken", "variables": {"retry": false}}),
        ),
        (
            r#"bpmnError(code: "E2", message: "m")"#,
            json!({"errorType": "bpmnError", "code": "E2", "message": "m", "variables": {}}),
        ),
        (r#"jobError("Failed")"#, json!({"errorType": "jobError", "message": "Failed"})),
        (r#"jobError("Failed", {}, 3, @"PT1M")"#, json!({"errorType": "jobError", "message": "Failed"})),
    ]
}

#[test]
fn boolean_functions() {
    check(&cases());
}

#[test]
fn a_failed_assertion_fails_the_evaluation() {
    assert_eq!(evaluation_error("assert(1, 1 > 2)"), "assertion failed: the condition is not true");
    assert_eq!(evaluation_error("assert(1, null)"), "assertion failed: the condition is not true");
    assert_eq!(
        evaluation_error(r#"assert(-1, -1 >= 0, "'x' should be positive")"#),
        "assertion failed: 'x' should be positive"
    );
}
