//! Camunda's built-in functions: for each, the documented examples and the null cases.

use serde_json::{Value, json};

use super::{check_all, context, eval, eval_in, evaluation_error};
use crate::{Expression, FeelError};

#[test]
fn string_functions() {
    check_all(&[
        ("substring before(\"foobar\", \"bar\")", json!("foo")),
        ("substring before(\"foobar\", \"xyz\")", json!("")),
        ("substring before(1, \"x\")", Value::Null),
        ("substring after(\"foobar\", \"ob\")", json!("ar")),
        ("substring after(\"\", \"a\")", json!("")),
        ("substring after(\"foo\", null)", Value::Null),
        ("matches(\"foobar\", \"^fo*b\")", json!(true)),
        ("matches(\"foobar\", \"^x\")", json!(false)),
        ("matches(\"FooBar\", \"foo\", \"i\")", json!(true)),
        ("matches(\"a.c\", \".\", \"q\")", json!(true)),
        ("matches(\"abc\", \".\", \"q\")", json!(false)),
        ("matches(\"a\", \"(\")", Value::Null),
        ("matches(\"a\", \"a\", \"z\")", Value::Null),
        ("matches(1, \"a\")", Value::Null),
        ("replace(\"abcd\", \"(ab)|(a)\", \"[1=$1][2=$2]\")", json!("[1=ab][2=]cd")),
        ("replace(\"0123456789\", \"(\\d{3})(\\d{3})(\\d{4})\", \"($1) $2-$3\")", json!("(012) 345-6789")),
        ("replace(\"Abc\", \"a\", \"x\", \"i\")", json!("xbc")),
        ("replace(\"a.b.c\", \".\", \"-\", \"q\")", json!("a-b-c")),
        ("replace(\"abc\", \"b\", \"\\$\")", json!("a$c")),
        ("replace(\"abc\", \"b\", \"$\")", Value::Null),
        ("replace(\"abc\", 1, \"x\")", Value::Null),
        ("split(\"John Doe\", \"\\s\")", json!(["John", "Doe"])),
        ("split(\"a;b;c;;\", \";\")", json!(["a", "b", "c", "", ""])),
        ("split(\"a1b22c\", \"\\d+\")", json!(["a", "b", "c"])),
        ("split(1, \",\")", Value::Null),
        ("extract(\"references are 1234, 1256, 1378\", \"12[0-9]*\")", json!(["1234", "1256"])),
        ("trim(\"  hello world  \")", json!("hello world")),
        ("trim(\"hello\")", json!("hello")),
        ("trim(1)", Value::Null),
        ("is blank(\"\")", json!(true)),
        ("is blank(\"  \")", json!(true)),
        ("is blank(\"hello\")", json!(false)),
        ("is blank(null)", Value::Null),
        ("string join([\"a\", \"b\", \"c\"])", json!("abc")),
        ("string join([\"a\", \"b\", \"c\"], \", \")", json!("a, b, c")),
        ("string join([\"a\", \"b\", \"c\"], \", \", \"[\", \"]\")", json!("[a, b, c]")),
        ("string join([\"a\", null, \"c\"], \"-\")", json!("a-c")),
        ("string join([], \",\")", json!("")),
        ("string join([\"a\", 1])", Value::Null),
        ("string join(\"a\")", Value::Null),
        ("string join([\"a\"], 1)", Value::Null),
        ("to base64(\"FEEL\")", json!("RkVFTA==")),
        ("to base64(\"ab\")", json!("YWI=")),
        ("to base64(\"\")", json!("")),
        ("to base64(1)", Value::Null),
        ("string length(\"\")", json!(0)),
    ]);
}

#[test]
fn list_functions() {
    check_all(&[
        ("is empty([])", json!(true)),
        ("is empty([1])", json!(false)),
        ("is empty(1)", Value::Null),
        ("append([1], 2, 3)", json!([1, 2, 3])),
        ("append([], null)", json!([null])),
        ("append(1, 2)", Value::Null),
        ("distinct values([1, 2, 3, 2, 1])", json!([1, 2, 3])),
        ("distinct values([1, 1.0, \"1\", [1], [1]])", json!([1, "1", [1]])),
        ("distinct values(1)", Value::Null),
        ("duplicate values([1, 2, 3, 2, 1, 1])", json!([2, 1])),
        ("duplicate values([1, 2])", json!([])),
        ("index of([1, 2, 3, 2], 2)", json!([2, 4])),
        ("index of([1, 2], 5)", json!([])),
        ("index of(1, 1)", Value::Null),
        ("sublist([1, 2, 3], 2)", json!([2, 3])),
        ("sublist([1, 2, 3], 1, 2)", json!([1, 2])),
        ("sublist([1, 2, 3], -1)", json!([3])),
        ("sublist([1, 2, 3], 0)", Value::Null),
        ("sublist([1, 2, 3], 4)", Value::Null),
        ("concatenate([1, 2], [3])", json!([1, 2, 3])),
        ("concatenate([1], [2], [])", json!([1, 2])),
        ("concatenate([1], 2)", Value::Null),
        ("insert before([1, 3], 2, 2)", json!([1, 2, 3])),
        ("insert before([1, 3], -1, 2)", json!([1, 2, 3])),
        ("insert before([1, 3], 5, 2)", Value::Null),
        ("remove([1, 2, 3], 2)", json!([1, 3])),
        ("remove([1, 2, 3], -1)", json!([1, 2])),
        ("remove([1, 2, 3], 4)", Value::Null),
        ("reverse([1, 2, 3])", json!([3, 2, 1])),
        ("reverse(\"abc\")", Value::Null),
        ("union([1, 2], [2, 3])", json!([1, 2, 3])),
        ("union([1], \"x\")", Value::Null),
        ("flatten([[1, 2], [[3]], 4])", json!([1, 2, 3, 4])),
        ("flatten([])", json!([])),
        ("flatten(1)", Value::Null),
        ("product([2, 3, 4])", json!(24)),
        ("product(2, 3, 4)", json!(24)),
        ("product([])", Value::Null),
        ("product([2, \"a\"])", Value::Null),
        ("mean([1, 2, 3])", json!(2)),
        ("mean(1, 2, 3, 4)", json!(2.5)),
        ("mean([])", Value::Null),
        ("mean([1, \"a\"])", Value::Null),
        ("median(8, 2, 5, 3, 4)", json!(4)),
        ("median([6, 1, 2, 3])", json!(2.5)),
        ("median([])", Value::Null),
        ("stddev(2, 4, 7, 5)", json!(2.0816659994661326)),
        ("stddev([47])", Value::Null),
        ("stddev([1, \"a\"])", Value::Null),
        ("mode(6, 3, 9, 6, 6)", json!([6])),
        ("mode([6, 1, 9, 6, 1])", json!([1, 6])),
        ("mode([])", json!([])),
        ("mode([1, \"a\"])", Value::Null),
        ("all([true, true])", json!(true)),
        ("all([true, false])", json!(false)),
        ("all([true, null])", Value::Null),
        ("all([false, null])", json!(false)),
        ("all([])", json!(true)),
        ("all(true, true)", json!(true)),
        ("any([false, true])", json!(true)),
        ("any([false, false])", json!(false)),
        ("any([false, null])", Value::Null),
        ("any([])", json!(false)),
        ("sort([3, 1, 4, 2], function(x, y) x < y)", json!([1, 2, 3, 4])),
        ("sort([3, 1, 4, 2], function(x, y) x > y)", json!([4, 3, 2, 1])),
        ("sort(orders, function(a, b) a.amount > b.amount).id", json!([3, 2, 1])),
        ("sort([], function(x, y) x < y)", json!([])),
        ("sort([3, null, 1], function(x, y) x < y)", json!([1, 3, null])),
        ("sort([1, 2], 1)", Value::Null),
        ("partition([1, 2, 3, 4, 5], 2)", json!([[1, 2], [3, 4], [5]])),
        ("partition([], 2)", json!([])),
        ("partition([1], 0)", Value::Null),
        ("list replace([1, 2, 3], 2, 7)", json!([1, 7, 3])),
        ("list replace([1, 2, 3], -1, 7)", json!([1, 2, 7])),
        ("list replace([1, 2, 3], 5, 7)", Value::Null),
        ("list replace([2, 4, 7, 8], function(item, newItem) item < newItem, 5)", json!([5, 5, 7, 8])),
        ("list contains([[1], {a: 1}], {a: 1})", json!(true)),
        ("min([])", Value::Null),
    ]);
}

#[test]
fn number_functions() {
    check_all(&[
        ("decimal(1/3, 2)", json!(0.33)),
        ("decimal(1.5, 0)", json!(2)),
        ("decimal(2.5, 0)", json!(2)),
        ("decimal(-2.5, 0)", json!(-2)),
        ("decimal(1.125, 2)", json!(1.12)),
        ("decimal(1.135, 2)", json!(1.14)),
        ("decimal(\"1\", 2)", Value::Null),
        ("floor(1.5)", json!(1)),
        ("floor(-1.56, 1)", json!(-1.6)),
        ("floor(1.56, 1)", json!(1.5)),
        ("ceiling(-1.56, 1)", json!(-1.5)),
        ("ceiling(1.51, 1)", json!(1.6)),
        ("round up(5.5, 0)", json!(6)),
        ("round up(-5.5, 0)", json!(-6)),
        ("round up(1.121, 2)", json!(1.13)),
        ("round up(-1.126, 2)", json!(-1.13)),
        ("round down(5.5, 0)", json!(5)),
        ("round down(-5.5, 0)", json!(-5)),
        ("round down(1.121, 2)", json!(1.12)),
        ("round down(-1.126, 2)", json!(-1.12)),
        ("round half up(5.5, 0)", json!(6)),
        ("round half up(-5.5, 0)", json!(-6)),
        ("round half up(1.121, 2)", json!(1.12)),
        ("round half up(-1.126, 2)", json!(-1.13)),
        ("round half up(2.675, 2)", json!(2.68)),
        ("round half up(0.5, 0)", json!(1)),
        ("round half up(0.05, 0)", json!(0)),
        ("round half up(9.95, 1)", json!(10)),
        ("round half up(1234, -2)", json!(1200)),
        ("round half up(1250, -2)", json!(1300)),
        ("round half up(50, -3)", json!(0)),
        ("round half up(500, -3)", json!(1000)),
        ("round half up(7, 2)", json!(7)),
        ("round half down(5.5, 0)", json!(5)),
        ("round half down(-5.5, 0)", json!(-5)),
        ("round half down(1.121, 2)", json!(1.12)),
        ("round half down(-1.126, 2)", json!(-1.13)),
        ("round half down(5.51, 0)", json!(6)),
        ("round half up(null, 0)", Value::Null),
        ("round half up(1.5, 1.5)", Value::Null),
        ("modulo(12, 5)", json!(2)),
        ("modulo(-12, 5)", json!(3)),
        ("modulo(12, -5)", json!(-3)),
        ("modulo(-12, -5)", json!(-2)),
        ("modulo(10.1, 4.5)", json!(1.1)),
        ("modulo(-10.1, 4.5)", json!(3.4)),
        ("modulo(10, 0)", Value::Null),
        ("sqrt(16)", json!(4)),
        ("sqrt(-1)", Value::Null),
        ("log(10)", json!(std::f64::consts::LN_10)),
        ("log(0)", Value::Null),
        ("exp(5)", json!(148.4131591025766)),
        ("odd(5)", json!(true)),
        ("odd(2)", json!(false)),
        ("odd(2.5)", Value::Null),
        ("even(2)", json!(true)),
        ("even(-3)", json!(false)),
        ("abs(-duration(\"P1D\")) = duration(\"P1D\")", json!(true)),
    ]);
}

#[test]
fn boolean_and_context_functions() {
    check_all(&[
        ("is(1, 1)", json!(true)),
        ("is(1, \"1\")", json!(false)),
        ("is(@\"2020-01-01\", @\"2020-01-01\")", json!(true)),
        ("assert(5, 5 > 1)", json!(5)),
        ("get value({a: 1}, \"a\")", json!(1)),
        ("get value({a: 1}, \"b\")", Value::Null),
        ("get value(invoice, \"currency\")", json!("EUR")),
        ("get value({a: {b: 2}}, [\"a\", \"b\"])", json!(2)),
        ("get value(1, \"a\")", Value::Null),
        ("get entries({a: 1, b: 2})", json!([{"key": "a", "value": 1}, {"key": "b", "value": 2}])),
        ("get entries(post.author)", json!([{"key": "name", "value": "Ada"}])),
        ("get entries(1)", Value::Null),
        ("context put({a: 1}, \"b\", 2)", json!({"a": 1, "b": 2})),
        ("context put({a: 1}, \"a\", 2)", json!({"a": 2})),
        ("context put({a: {b: 1}}, [\"a\", \"c\"], 2)", json!({"a": {"b": 1, "c": 2}})),
        ("context put({}, [\"a\", \"b\"], 1)", json!({"a": {"b": 1}})),
        ("context put(1, \"a\", 2)", Value::Null),
        ("context put({}, [], 2)", Value::Null),
        ("context merge([{a: 1}, {b: 2}])", json!({"a": 1, "b": 2})),
        ("context merge([{a: 1}, {a: 2, c: 3}])", json!({"a": 2, "c": 3})),
        ("context merge({a: 1}, {b: 2})", json!({"a": 1, "b": 2})),
        ("context merge([{a: 1}, 2])", Value::Null),
        ("context([{key: \"a\", value: 1}, {key: \"b\", value: 2}])", json!({"a": 1, "b": 2})),
        ("context([{key: 1, value: 1}])", Value::Null),
        ("context(get entries(invoice)) = invoice", json!(true)),
    ]);
    assert_eq!(evaluation_error("assert(1, 1 > 2)"), "assertion failed: the condition is not true");
    assert_eq!(evaluation_error("assert(1, false, \"too small\")"), "assertion failed: too small");
}

#[test]
fn conversion_functions() {
    check_all(&[
        ("number(\"1,500\", \",\")", json!(1500)),
        ("number(\"1 500.5\", \" \", \".\")", json!(1500.5)),
        ("number(\"1.500,5\", \".\", \",\")", json!(1500.5)),
        ("number(\"1,5\", \",\", \",\")", Value::Null),
        ("number(\"1_5\", \"_\")", Value::Null),
        ("to json({a: 1, b: [true, null], c: \"x\"})", json!("{\"a\":1,\"b\":[true,null],\"c\":\"x\"}")),
        ("to json(\"a\")", json!("\"a\"")),
        ("to json(null)", json!("null")),
        ("to json(@\"2020-01-01\")", json!("\"2020-01-01\"")),
        ("from json(\"{\\\"a\\\": [1, 2.5, null]}\")", json!({"a": [1, 2.5, null]})),
        ("from json(\"1\")", json!(1)),
        ("from json(\"nope\")", Value::Null),
        ("from json(1)", Value::Null),
        ("string(@\"2020-01-01\")", json!("2020-01-01")),
        ("string(duration(\"P1DT2H\"))", json!("P1DT2H")),
    ]);
}

#[test]
fn uuid_and_random_numbers_come_from_the_context_seed() {
    let uuid = eval_in("uuid()");
    let text = uuid.as_str().unwrap();
    assert_eq!(text.len(), 36);
    assert_eq!(&text[14..15], "4", "version 4: {text}");
    assert!("89ab".contains(&text[19..20]), "RFC 4122 variant: {text}");
    assert_eq!(eval_in("uuid()"), uuid, "the same seed gives the same value");
    assert_eq!(eval_in("uuid() = uuid()"), json!(false), "two draws differ");
    let other = Expression::parse("uuid()").unwrap();
    let reseeded = crate::Context { seed: 43, ..context() };
    assert_ne!(other.evaluate_in(&json!({}), &reseeded).unwrap(), uuid);
    let random = eval_in("random number()");
    let x = random.as_f64().unwrap();
    assert!((0.0..1.0).contains(&x), "{x}");
    assert_eq!(eval_in("random number()"), random);
    for function in ["uuid", "random number"] {
        let error = Expression::parse(&format!("{function}()")).unwrap().evaluate(&json!({})).unwrap_err();
        assert_eq!(error, FeelError::NeedsContext { function: function.to_owned() });
    }
}

#[test]
fn builtins_take_their_documented_argument_counts() {
    assert_eq!(evaluation_error("round half up(1)"), "function `round half up` at column 1 takes 2 arguments, not 1");
    assert_eq!(evaluation_error("date(1, 2)"), "function `date` at column 1 takes 1 argument, not 2");
    assert_eq!(evaluation_error("uuid(1)"), "function `uuid` at column 1 takes 0 arguments, not 1");
    assert_eq!(eval("floor(1.55, 1)"), json!(1.5));
}
