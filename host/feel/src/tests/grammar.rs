//! The grammar beyond paths and operators: iteration, quantifiers, ranges and unary tests,
//! `between`, `instance of`, inline functions, `**`, and the bounds on what they may cost.

use serde_json::{Value, json};

use super::{check_all, eval, eval_with, evaluation_error, syntax_error};
use crate::Expression;

#[test]
fn for_expressions() {
    check_all(&[
        ("for x in [1, 2, 3] return x * 2", json!([2, 4, 6])),
        ("for x in items return x + 1", json!([11, 21, 31])),
        ("for i in 1..3 return i", json!([1, 2, 3])),
        ("for i in 3..1 return i", json!([3, 2, 1])),
        ("for i in 1..1 return i", json!([1])),
        ("for i in [1..3] return i", json!([1, 2, 3])),
        ("for i in (1..3) return i", json!([2])),
        ("for x in [1, 2], y in [10, 20] return x + y", json!([11, 21, 12, 22])),
        ("for x in [1, 2], y in x..2 return [x, y]", json!([[1, 1], [1, 2], [2, 2]])),
        ("for o in orders return o.id", json!([1, 2, 3])),
        ("for x in [] return x", json!([])),
        ("for x in null return x", Value::Null),
        ("for i in 1..\"a\" return i", Value::Null),
        ("sum(for x in orders return x.amount)", json!(500)),
        ("for s in [\"a\"] return upper case(s)", json!(["A"])),
    ]);
}

#[test]
fn quantified_expressions() {
    check_all(&[
        ("some x in [1, 2, 3] satisfies x > 2", json!(true)),
        ("some x in [1, 2, 3] satisfies x > 3", json!(false)),
        ("every x in [1, 2, 3] satisfies x > 0", json!(true)),
        ("every x in [1, 2, 3] satisfies x > 1", json!(false)),
        ("some x in [] satisfies x > 0", json!(false)),
        ("every x in [] satisfies x > 0", json!(true)),
        ("some o in orders satisfies o.amount > 200", json!(true)),
        ("every x in [1, 2], y in [3, 4] satisfies x < y", json!(true)),
        ("some x in [1, \"a\"] satisfies x > 0", json!(true)),
        ("every x in [1, \"a\"] satisfies x > 0", Value::Null),
        ("some x in null satisfies x", Value::Null),
    ]);
}

#[test]
fn between_and_in() {
    check_all(&[
        ("5 between 1 and 10", json!(true)),
        ("1 between 1 and 10", json!(true)),
        ("10 between 1 and 10", json!(true)),
        ("11 between 1 and 10", json!(false)),
        ("\"b\" between \"a\" and \"c\"", json!(true)),
        ("5 between 1 and \"x\"", Value::Null),
        ("0 between 1 and \"x\"", json!(false)),
        ("5 between 1 and 10 and true", json!(true)),
        ("5 in [1..10]", json!(true)),
        ("1 in (1..10]", json!(false)),
        ("10 in [1..10)", json!(false)),
        ("10 in [1..10]", json!(true)),
        ("1 in ]1..10]", json!(false)),
        ("2 in (1, 2, 3)", json!(true)),
        ("4 in (1, 2, 3)", json!(false)),
        ("2 in [1, 2, 3]", json!(true)),
        ("5 in < 10", json!(true)),
        ("5 in >= 6", json!(false)),
        ("5 in (< 2, > 4)", json!(true)),
        ("5 in (< 2, > 6)", json!(false)),
        ("5 in != 5", json!(false)),
        ("5 in = 5", json!(true)),
        ("5 in not(1, 2)", json!(true)),
        ("2 in not(1, 2)", json!(false)),
        ("5 in not([1..10])", json!(false)),
        ("\"b\" in (\"a\", \"b\")", json!(true)),
        ("5 in (? > 3)", json!(true)),
        ("5 in ? < 3", json!(false)),
        ("5 in n + 3", json!(true)),
        ("null in (1, 2)", json!(false)),
        ("\"a\" in < 10", Value::Null),
        ("5 in [1..10] and 11 in [1..10]", json!(false)),
        ("5 in ([1..3], [4..6])", json!(true)),
    ]);
}

#[test]
fn ranges_as_values() {
    check_all(&[
        ("[1..10].start", json!(1)),
        ("[1..10].end", json!(10)),
        ("(1..10].start included", json!(false)),
        ("[1..10].end included", json!(true)),
        ("[1..10] = [1..10]", json!(true)),
        ("[1..10] = [1..10)", json!(false)),
        ("[1..3]", json!({"start": 1, "startIncluded": true, "end": 3, "endIncluded": true})),
    ]);
}

#[test]
fn instance_of() {
    check_all(&[
        ("1 instance of number", json!(true)),
        ("\"a\" instance of number", json!(false)),
        ("\"a\" instance of string", json!(true)),
        ("true instance of boolean", json!(true)),
        ("[1] instance of list", json!(true)),
        ("items instance of list", json!(true)),
        ("{a: 1} instance of context", json!(true)),
        ("invoice instance of context", json!(true)),
        ("null instance of Any", json!(false)),
        ("1 instance of Any", json!(true)),
        ("null instance of null", json!(true)),
        ("@\"2020-01-01\" instance of date", json!(true)),
        ("@\"2020-01-01T10:00:00\" instance of date and time", json!(true)),
        ("@\"2020-01-01T10:00:00\" instance of date", json!(false)),
        ("@\"10:00:00\" instance of time", json!(true)),
        ("@\"P1D\" instance of days and time duration", json!(true)),
        ("@\"P1Y\" instance of years and months duration", json!(true)),
        ("(function(x) x) instance of function", json!(true)),
        ("[1..2] instance of range", json!(true)),
        ("1 instance of number and true", json!(true)),
    ]);
    assert_eq!(syntax_error("1 instance of thing"), (15, "expected a type name after `instance of`".to_owned()));
}

#[test]
fn inline_functions() {
    check_all(&[
        ("(function(a, b) a + b)(1, 2)", json!(3)),
        ("{add: function(a, b) a + b, r: add(2, 3)}.r", json!(5)),
        ("{f: function(x) x * n, r: f(10)}.r", json!(20)),
        ("{f: function() 7}.f()", json!(7)),
        ("{double: function(x) x * 2}.double(4)", json!(8)),
        ("{k: 3, f: function(x) x + k}.f(1)", json!(4)),
        ("{make: function(k) function(x) x + k, add2: make(2), r: add2(5)}.r", json!(7)),
        ("{fac: function(n) if n <= 1 then 1 else n * fac(n - 1), r: fac(10)}.r", json!(3_628_800)),
        ("{f: function(x) x}.f", Value::Null),
        ("for f in [function(x) x + 1, function(x) x * 10] return f(5)", json!([6, 50])),
        ("sort([3, 1, 2], function(a, b) a < b)", json!([1, 2, 3])),
    ]);
    assert_eq!(evaluation_error("{f: function(a, b) a}.f(1)"), "function `f` at column 24 takes 2 arguments, not 1");
    assert_eq!(evaluation_error("{f: 1}.f(1)"), "the value called at column 9 is not a function");
    assert_eq!(
        evaluation_error("{f: function(a) a, r: f(1, 2)}"),
        "function `f` at column 23 takes 1 arguments, not 2"
    );
}

#[test]
fn power() {
    check_all(&[
        ("2 ** 10", json!(1024)),
        ("2 ** -1", json!(0.5)),
        ("4 ** 0.5", json!(2)),
        ("2 * 3 ** 2", json!(18)),
        ("2 ** \"a\"", Value::Null),
    ]);
}

#[test]
fn a_recursive_function_ends_with_an_error_not_a_stack_overflow() {
    // The default 2 MiB thread stack is what the engine's threads have.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            for source in [
                "{f: function(n) f(n + 1), r: f(0)}.r",
                "{f: function(n) 1 + f(n), r: f(0)}.r",
                "{f: function(n) [f(n)], r: f(0)}.r",
                "{f: function(n) if n > 0 then f(n - 1) else 0, r: f(100000)}.r",
            ] {
                let error = Expression::parse(source).unwrap().evaluate(&json!({})).unwrap_err();
                assert!(error.to_string().contains("recurses more than 256 levels deep"), "{source}: {error}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn large_iterations_run_in_linear_time_or_run_out_of_steps() {
    let started = std::time::Instant::now();
    assert_eq!(eval("count(for i in 1..20000 return i * 2)"), json!(20_000));
    assert_eq!(eval("sum(for i in 1..20000 return i)"), json!(200_010_000));
    assert_eq!(eval("every i in 1..20000 satisfies i > 0"), json!(true));
    let big = json!({"xs": (0..20_000).collect::<Vec<_>>()});
    assert_eq!(eval_with("count(for x in xs return x)", &big), json!(20_000));
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    for source in [
        "for i in 1..1000000000 return i",
        "for i in 1..100000, j in 1..100000 return 1",
        "some i in 1..1000000000 satisfies i < 0",
        "{f: function(n) for i in 1..1000 return n, r: for i in 1..1000 return f(i)}",
    ] {
        assert_eq!(evaluation_error(source), "expression needs more than 1000000 evaluation steps", "{source}");
    }
}

#[test]
fn shared_values_cannot_make_equality_or_output_explode() {
    // Each entry holds the previous one twice; shared, it is small, but written out or compared
    // element by element it doubles 40 times.
    let entries: Vec<String> = (1..=40).map(|i| format!("e{i}: [e{}, e{}]", i - 1, i - 1)).collect();
    let doubling = format!("{{e0: 1, {}}}", entries.join(", "));
    assert_eq!(
        evaluation_error(&doubling),
        "expression builds more than 32 MiB of values",
        "writing it out is counted"
    );
    let compared = format!("{}.e40 = {}.e40", doubling, doubling);
    assert_eq!(evaluation_error(&compared), "expression needs more than 1000000 evaluation steps");
    let flattened = format!("count(flatten({}.e40))", doubling);
    assert_eq!(evaluation_error(&flattened), "expression needs more than 1000000 evaluation steps");
    let distinct = format!("count(distinct values([{0}.e40, {0}.e40]))", doubling);
    assert_eq!(evaluation_error(&distinct), "expression needs more than 1000000 evaluation steps");
    let joined = "string join(for i in 1..100000 return s)";
    let big = json!({"s": "x".repeat(1 << 10)});
    let error = Expression::parse(joined).unwrap().evaluate(&big).unwrap_err();
    assert_eq!(error.to_string(), "FEEL evaluation error: expression builds more than 32 MiB of values");
}

#[test]
fn syntax_errors_of_the_new_constructs() {
    let cases: &[(&str, usize, &str)] = &[
        ("for x in [1] x", 14, "expected `return` after the iteration contexts"),
        ("for in [1] return 1", 5, "expected the name of an iteration variable"),
        ("for x [1] return 1", 7, "expected `in` after the iteration variable"),
        ("some x in [1] x", 15, "expected `satisfies` after the iteration contexts"),
        ("1 between 2", 12, "expected `and` in `between … and …`"),
        ("1 instance number", 12, "expected `of` after `instance`"),
        ("function x", 10, "expected `(` after `function`"),
        ("function(1) 1", 10, "expected a parameter name"),
        ("[1..2", 6, "expected `]` or `)` to close the range"),
        ("@1", 2, "expected a string after `@`"),
        ("]1", 1, "unexpected `]`"),
        ("1 in (1, 2", 11, "expected `,` or `)` to close the `(` at column 6"),
    ];
    for &(source, column, message) in cases {
        assert_eq!(syntax_error(source), (column, message.to_owned()), "{source:?}");
    }
}

#[test]
fn unknown_functions_are_found_without_evaluating() {
    let unknown = |source: &str| Expression::parse(source).unwrap().unknown_functions();
    assert_eq!(unknown("upper case(x) + foo(1) + bar() + foo(2)"), ["foo", "bar"]);
    assert_eq!(unknown("{f: function(x) x, r: f(1)}.r"), Vec::<String>::new());
    assert_eq!(unknown("(function(g) g(1))(function(x) x)"), Vec::<String>::new());
    assert_eq!(unknown("if false then nope(1) else date(\"2020-01-01\")"), ["nope"]);
    assert_eq!(unknown("for x in [1] return x(1)"), Vec::<String>::new());
    assert!(unknown("string join([\"a\"], \",\") + get or else(a, b) + now()").is_empty());
}
