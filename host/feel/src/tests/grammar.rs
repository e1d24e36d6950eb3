//! The grammar beyond paths and operators: iteration (with `partial`), quantifiers, ranges and
//! unary tests, `between`, `in`, `instance of` with generic types, inline functions and named
//! arguments, names of several words, number literals and `**`.

use serde_json::{Value, json};

use super::{check_all, eval_with, evaluation_error, syntax_error};
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
        // `partial`: the results so far.
        ("for i in 0..4 return if i = 0 then 1 else i * partial[-1]", json!([1, 1, 2, 6, 24])),
        ("for x in [3, 4] return count(partial)", json!([0, 1])),
        ("for x in [1, 2, 3] return count(partial) + x", json!([1, 3, 5])),
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
        // As in Camunda, a list holds the value when an element equals it, or is the value.
        ("true in [false, 2, 3]", json!(false)),
        ("[1, 2] in [[1, 2, 3], [1, 2]]", json!(true)),
        ("[1, 2] in [1, 2]", json!(true)),
        // A test that is true passes whatever the value.
        ("5 in (1 < 2)", json!(true)),
        ("false in (false)", json!(true)),
        // A range with a null bound is none: it decides nothing.
        ("5 in (null..10]", Value::Null),
        ("5 in [1..null]", Value::Null),
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
        // `[` ends a range open at its end, as `)` does.
        ("[1..10[ = [1..10)", json!(true)),
        ("]1..10[ = (1..10)", json!(true)),
        ("[1..10[.end included", json!(false)),
        ("10 in [1..10[", json!(false)),
        ("[[1..10[, 2]", json!([{"start": 1, "startIncluded": true, "end": 10, "endIncluded": false}, 2])),
        // A unary comparison written as an expression is a range with no start or no end.
        ("(< 10).end", json!(10)),
        ("(< 10).start", Value::Null),
        ("(<= 10).end included", json!(true)),
        ("(> 5).start included", json!(false)),
        ("(>= 5).start included", json!(true)),
        ("(< 10) = (< 10)", json!(true)),
        ("7 in (< 10)", json!(true)),
        // As in Camunda, null bounds or bounds of two types make no range.
        ("[null..10]", Value::Null),
        ("[1..\"b\"]", Value::Null),
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
        ("[1, 2] instance of list<number>", json!(true)),
        ("[1, \"a\"] instance of list<number>", json!(false)),
        ("[] instance of list<string>", json!(true)),
        ("[[1], [2]] instance of list<list<number>>", json!(true)),
        ("1 instance of list<number>", json!(false)),
        ("{a: 1, b: \"x\"} instance of context<a: number>", json!(true)),
        ("{a: 1, b: \"x\"} instance of context<a: number, b: number>", json!(false)),
        ("{a: null} instance of context<a: string>", json!(true)),
        ("{b: 1} instance of context<a: number>", json!(false)),
        ("[1..5] instance of range<number>", json!(true)),
        ("[@\"2020-01-01\"..@\"2020-02-01\"] instance of range<date>", json!(true)),
        ("[1..5] instance of range<string>", json!(false)),
        ("(function(a, b) a) instance of function<number, number> -> number", json!(true)),
        ("(function(a) a) instance of function<Any, Any> -> Any", json!(false)),
        ("null instance of list<Any>", json!(false)),
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
fn function_definitions_and_invocations() {
    check_all(&[
        // Parameters may declare types, which are read and, as in Camunda, not checked.
        ("(function(a: number, b: string) [a, b])(1, 2)", json!([1, 2])),
        ("(function(xs: list<number>) count(xs))([1, 2])", json!(2)),
        // A function a call returns can be called in turn.
        ("{make: function(k) function(x) x * k}.make(3)(5)", json!(15)),
        ("{f: function() function(a) a + 1}.f()(1)", json!(2)),
        // Named arguments, in any order, for functions defined in FEEL and for built-ins.
        ("{f: function(a, b) a - b}.f(b: 1, a: 10)", json!(9)),
        (
            "{f: function(first name, last name) last name + \", \" + first name}.f(last name: \"Hopper\", first name: \"Grace\")",
            json!("Hopper, Grace"),
        ),
        ("substring(start position: 2, string: \"abc\")", json!("bc")),
        ("{g: function(x) x}.g(x: [1..2]).end", json!(2)),
    ]);
    assert_eq!(
        syntax_error("f(a: 1, 2)").1,
        "expected a parameter name and `:` (a call names all its arguments or none)"
    );
    assert_eq!(syntax_error("f(a: 1, a: 2)"), (9, "argument `a` is given twice".to_owned()));
}

#[test]
fn names_of_several_words() {
    let variables = json!({"first name": "Grace", "order total": 12, "decision A 2.1": "x", "a-b": 3});
    for (source, expected) in [
        ("first name", json!("Grace")),
        ("upper case(first name)", json!("GRACE")),
        ("order total * 2", json!(24)),
        ("decision A 2.1", json!("x")),
        ("`a-b`", json!(3)),
        ("a-b", Value::Null),
        ("{full name: first name}.full name", json!("Grace")),
        ("{first name: \"Ada\", greeting: \"Hi \" + first name}.greeting", json!("Hi Ada")),
        ("for first name in [\"a\"] return first name", json!(["a"])),
        // As in Camunda, a context key is whatever precedes its `:`, as written.
        ("{foo+bar: 1}", json!({"foo+bar": 1})),
        ("{foo   bar: 2}.`foo   bar`", json!(2)),
        ("{`a b`: 1}.`a b`", json!(1)),
        ("{1: \"one\"}", json!({"1": "one"})),
    ] {
        assert_eq!(eval_with(source, &variables), expected, "{source}");
    }
}

#[test]
fn number_literals() {
    check_all(&[
        (".5", json!(0.5)),
        ("-.25", json!(-0.25)),
        ("1.5e3", json!(1500)),
        ("12300 = 1.23e4", json!(true)),
        ("1E-2", json!(0.01)),
        ("2e+2", json!(200)),
        ("[.5, -.5]", json!([0.5, -0.5])),
    ]);
    // A `.` after a value is a path step, not a number.
    assert_eq!(syntax_error("a.1"), (3, "expected a name after `.`".to_owned()));
}

#[test]
fn a_filter_sees_an_elements_entries_before_the_element() {
    check_all(&[
        ("[{item: 1}, {item: 2}, {item: 3}][item >= 2]", json!([{"item": 2}, {"item": 3}])),
        ("[1, 2, 3][item >= 2]", json!([2, 3])),
        ("[{a: 1}, {a: 2}][item.a = 2]", json!([{"a": 2}])),
    ]);
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
        ("[1..2", 6, "expected `]`, `)` or `[` to close the range"),
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
