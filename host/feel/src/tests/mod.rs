//! End-to-end tests of parsing and evaluation through the public API.

use serde_json::{Value, json};

mod bounds;
mod builtins;
mod grammar;
mod temporal;

use super::{Context, Expression, FeelError, is_true};

fn variables() -> Value {
    json!({
        "invoice": {"amount": 1200, "currency": "EUR", "lines": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 5}]},
        "post": {"ts": "2024-05-01T10:00:00Z", "author": {"name": "Ada"}},
        "items": [10, 20, 30],
        "orders": [{"id": 1, "amount": 50}, {"id": 2, "amount": 150}, {"id": 3, "amount": 300}],
        "name": "Grace",
        "count": 3,
        "price": 2.5,
        "flag": true,
        "off": false,
        "nothing": null,
        "n": 2,
        "headers": {"content-type": "text/plain"},
        "text": "Hello, World",
    })
}

fn eval_with(source: &str, variables: &Value) -> Value {
    let expression = Expression::parse(source).unwrap_or_else(|error| panic!("{source:?}: {error}"));
    expression.evaluate(variables).unwrap_or_else(|error| panic!("{source:?}: {error}"))
}

fn eval(source: &str) -> Value {
    eval_with(source, &variables())
}

fn syntax_error(source: &str) -> (usize, String) {
    match Expression::parse(source) {
        Err(FeelError::Syntax { column, message }) => (column, message),
        other => panic!("{source:?}: expected a syntax error, got {other:?}"),
    }
}

fn evaluation_error(source: &str) -> String {
    let expression = Expression::parse(source).unwrap_or_else(|error| panic!("{source:?}: {error}"));
    match expression.evaluate(&variables()) {
        Err(FeelError::Evaluation { message }) => message,
        other => panic!("{source:?}: expected an evaluation error, got {other:?}"),
    }
}

/// A fixed clock and seed: 2024-05-01T10:00:00Z seen at UTC+02:00.
fn context() -> Context {
    Context { now_millis: 1_714_557_600_000, offset_seconds: 7200, seed: 42 }
}

fn eval_in(source: &str) -> Value {
    let expression = Expression::parse(source).unwrap_or_else(|error| panic!("{source:?}: {error}"));
    expression.evaluate_in(&variables(), &context()).unwrap_or_else(|error| panic!("{source:?}: {error}"))
}

fn check_all(cases: &[(&str, Value)]) {
    for (source, expected) in cases {
        assert_eq!(&eval(source), expected, "{source}");
    }
}

#[test]
fn literals() {
    check_all(&[
        ("42", json!(42)),
        ("0", json!(0)),
        ("2.5", json!(2.5)),
        ("0.125", json!(0.125)),
        ("-7", json!(-7)),
        ("-0.5", json!(-0.5)),
        ("\"hello\"", json!("hello")),
        ("\"\"", json!("")),
        (r#""say \"hi\"""#, json!("say \"hi\"")),
        (r#""back\\slash""#, json!("back\\slash")),
        (r#""line\nbreak\ttab\r""#, json!("line\nbreak\ttab\r")),
        (r#""it\'s""#, json!("it's")),
        (r#""\u00e9t\u00E9""#, json!("été")),
        (r#""a\qb\d""#, json!("a\\qb\\d")),
        ("\"naïve ünïcode\"", json!("naïve ünïcode")),
        ("true", json!(true)),
        ("false", json!(false)),
        ("null", Value::Null),
    ]);
}

#[test]
fn whole_decimals_are_integers_and_huge_integers_are_floats() {
    let one = eval("1.0");
    assert_eq!(one, json!(1));
    assert!(one.is_i64());
    assert_eq!(eval("99999999999999999999"), json!(1e20));
    assert_eq!(eval("9007199254740993"), json!(9007199254740993_i64));
}

#[test]
fn integers_stay_integral() {
    let sum = eval("10000 + 1");
    assert_eq!(sum, json!(10001));
    assert!(sum.is_i64(), "{sum:?}");
    check_all(&[
        ("10 / 4", json!(2.5)),
        ("10 / 5", json!(2)),
        ("2.5 * 2", json!(5)),
        ("7 - 10", json!(-3)),
        ("3 * 4", json!(12)),
        ("1 / 3", json!(0.333333333333333)),
        ("0.1 + 0.2", json!(0.3)),
        ("1.1 * 3", json!(3.3)),
        ("invoice.amount + 0.5", json!(1200.5)),
        ("price * 4", json!(10)),
        ("9223372036854775807 + 1", json!(9.223372036854776e18)),
        ("-9223372036854775807 - 1", json!(i64::MIN)),
        ("1 / 0", Value::Null),
        ("1.5 / 0", Value::Null),
        ("0 / 0", Value::Null),
    ]);
    assert!(eval("10 / 5").is_i64());
    assert!(eval("2.5 * 2").is_i64());
}

#[test]
fn arithmetic_operators_and_precedence() {
    check_all(&[
        ("1 + 2", json!(3)),
        ("5 - 8", json!(-3)),
        ("6 * 7", json!(42)),
        ("9 / 2", json!(4.5)),
        ("1 + 2 * 3", json!(7)),
        ("(1 + 2) * 3", json!(9)),
        ("10 - 4 - 3", json!(3)),
        ("100 / 10 / 5", json!(2)),
        ("2 * 3 + 4 * 5", json!(26)),
        ("-2 * 3", json!(-6)),
        ("-(2 + 3)", json!(-5)),
        ("- - 5", json!(5)),
        ("2 - -3", json!(5)),
        ("2--3", json!(5)),
        ("-n", json!(-2)),
        ("-price", json!(-2.5)),
        ("((((1))))", json!(1)),
        ("1 + 2 < 4", json!(true)),
        ("2 * 3 = 6", json!(true)),
    ]);
}

#[test]
fn arithmetic_with_null_or_mismatched_types_is_null() {
    check_all(&[
        ("1 + null", Value::Null),
        ("null * 2", Value::Null),
        ("missing - 1", Value::Null),
        ("-null", Value::Null),
        ("-\"a\"", Value::Null),
        ("\"a\" + 1", Value::Null),
        ("1 + \"a\"", Value::Null),
        ("\"a\" - \"b\"", Value::Null),
        ("\"a\" * 2", Value::Null),
        ("true + 1", Value::Null),
        ("[1] + [2]", Value::Null),
    ]);
}

#[test]
fn string_concatenation() {
    check_all(&[
        ("\"Hello, \" + name", json!("Hello, Grace")),
        ("\"a\" + \"b\" + \"c\"", json!("abc")),
        ("name + \"\"", json!("Grace")),
        ("\"total: \" + string(invoice.amount)", json!("total: 1200")),
    ]);
}

#[test]
fn comparisons() {
    check_all(&[
        ("1 = 1", json!(true)),
        ("1 = 2", json!(false)),
        ("1 != 2", json!(true)),
        ("1 != 1", json!(false)),
        ("1 < 2", json!(true)),
        ("2 < 1", json!(false)),
        ("2 <= 2", json!(true)),
        ("3 <= 2", json!(false)),
        ("3 > 2", json!(true)),
        ("2 > 3", json!(false)),
        ("2 >= 2", json!(true)),
        ("1 >= 2", json!(false)),
        ("1 = 1.0", json!(true)),
        ("2.5 > 2", json!(true)),
        ("invoice.amount > 1000", json!(true)),
        ("invoice.amount >= 1200.0", json!(true)),
        ("\"a\" < \"b\"", json!(true)),
        ("\"b\" <= \"a\"", json!(false)),
        ("\"abc\" = \"abc\"", json!(true)),
        ("name != \"Grace\"", json!(false)),
        ("true = true", json!(true)),
        ("flag != off", json!(true)),
        ("true < false", Value::Null),
        ("[1, 2] = [1, 2]", json!(true)),
        ("[1, 2] = [1, 2.0]", json!(true)),
        ("[1, 2] = [2, 1]", json!(false)),
        ("[1] = [1, 2]", json!(false)),
        ("{a: 1, b: \"x\"} = {b: \"x\", a: 1}", json!(true)),
        ("{a: 1} = {a: 2}", json!(false)),
        ("{a: 1} = {b: 1}", json!(false)),
        ("1 < 2 = true", json!(true)),
    ]);
}

#[test]
fn comparisons_with_null_and_mismatched_types() {
    check_all(&[
        ("null = null", json!(true)),
        ("null != null", json!(false)),
        ("nothing = null", json!(true)),
        ("missing = null", json!(true)),
        ("missing.deep.path = null", json!(true)),
        ("1 = null", json!(false)),
        ("null != 1", json!(true)),
        ("\"\" = null", json!(false)),
        ("1 < null", Value::Null),
        ("null >= 1", Value::Null),
        ("missing > 10", Value::Null),
        ("\"1\" = 1", Value::Null),
        ("\"1\" != 1", Value::Null),
        ("1 < \"2\"", Value::Null),
        ("true = 1", Value::Null),
        ("[1, \"a\"] = [1, 2]", json!(false)),
        ("[3, \"a\"] = [1, 2]", json!(false)),
    ]);
}

#[test]
fn three_valued_logic() {
    let t = json!(true);
    let f = json!(false);
    let n = Value::Null;
    let table = [
        ("true", "true", &t, &t),
        ("true", "false", &f, &t),
        ("true", "null", &n, &t),
        ("false", "true", &f, &t),
        ("false", "false", &f, &f),
        ("false", "null", &f, &n),
        ("null", "true", &n, &t),
        ("null", "false", &f, &n),
        ("null", "null", &n, &n),
    ];
    for (left, right, and, or) in table {
        assert_eq!(&eval(&format!("{left} and {right}")), and, "{left} and {right}");
        assert_eq!(&eval(&format!("{left} or {right}")), or, "{left} or {right}");
    }
    check_all(&[
        ("1 and true", Value::Null),
        ("\"yes\" or false", Value::Null),
        ("\"yes\" or true", json!(true)),
        ("missing and false", json!(false)),
        ("true or false and false", json!(true)),
        ("false and true or true", json!(true)),
        ("(true or false) and false", json!(false)),
        ("1 < 2 and 3 < 4", json!(true)),
        ("invoice.amount > 1000 and invoice.currency = \"EUR\"", json!(true)),
        ("nothing != null and nothing.x > 1", json!(false)),
    ]);
}

#[test]
fn not_function() {
    check_all(&[
        ("not(true)", json!(false)),
        ("not(false)", json!(true)),
        ("not(null)", Value::Null),
        ("not(\"x\")", Value::Null),
        ("not(1 > 2)", json!(true)),
        ("not(not(flag))", json!(true)),
    ]);
}

#[test]
fn names_and_paths() {
    check_all(&[
        ("name", json!("Grace")),
        ("invoice.amount", json!(1200)),
        ("post.ts", json!("2024-05-01T10:00:00Z")),
        ("post.author.name", json!("Ada")),
        ("invoice . currency", json!("EUR")),
        ("missing", Value::Null),
        ("missing.field", Value::Null),
        ("nothing.field", Value::Null),
        ("post.missing.deeper", Value::Null),
        ("name.length", Value::Null),
        ("count.x", Value::Null),
        ("invoice.lines.sku", json!(["a", "b"])),
        ("[{a: 1}, {b: 2}].a", json!([1, null])),
        ("{a: {b: 7}}.a.b", json!(7)),
        ("{a: 1}.b", Value::Null),
        ("`count`", json!(3)),
        ("headers.`content-type`", json!("text/plain")),
        ("`my var`", Value::Null),
        ("_underscore", Value::Null),
    ]);
}

#[test]
fn variables_that_are_not_an_object_mean_no_variables() {
    for variables in [json!(5), json!([1, 2]), Value::Null, json!("name")] {
        assert_eq!(eval_with("name", &variables), Value::Null);
        assert_eq!(eval_with("1 + 1", &variables), json!(2));
    }
}

#[test]
fn list_and_context_literals() {
    check_all(&[
        ("[1, 2]", json!([1, 2])),
        ("[]", json!([])),
        ("[1, \"two\", [3], null, n]", json!([1, "two", [3], null, 2])),
        ("[1 + 1, name]", json!([2, "Grace"])),
        ("{a: 1, \"b c\": 2}", json!({"a": 1, "b c": 2})),
        ("{}", json!({})),
        ("{first name: \"Ada\"}", json!({"first name": "Ada"})),
        ("{a: {b: [1, {c: true}]}}", json!({"a": {"b": [1, {"c": true}]}})),
        ("{a: 1, b: a + 1, c: b * 10}", json!({"a": 1, "b": 2, "c": 20})),
        ("{total: invoice.amount, who: name}", json!({"total": 1200, "who": "Grace"})),
        ("{name: \"inner\", copy: name}", json!({"name": "inner", "copy": "inner"})),
    ]);
}

#[test]
fn indexing() {
    check_all(&[
        ("items[1]", json!(10)),
        ("items[3]", json!(30)),
        ("items[-1]", json!(30)),
        ("items[-3]", json!(10)),
        ("items[0]", Value::Null),
        ("items[4]", Value::Null),
        ("items[-4]", Value::Null),
        ("items[n]", json!(20)),
        ("items[1 + 1]", json!(20)),
        ("items[1.5]", Value::Null),
        ("[1, 2, 3][2]", json!(2)),
        ("[[1, 2], [3, 4]][2][1]", json!(3)),
        ("orders[2].amount", json!(150)),
        ("invoice.lines[-1].sku", json!("b")),
        ("name[1]", Value::Null),
        ("missing[1]", Value::Null),
        ("[][1]", Value::Null),
    ]);
}

#[test]
fn filters() {
    check_all(&[
        ("orders[amount > 100]", json!([{"id": 2, "amount": 150}, {"id": 3, "amount": 300}])),
        ("orders[amount > 100].id", json!([2, 3])),
        ("orders[item.amount < 100].id", json!([1])),
        ("orders[amount > invoice.amount]", json!([])),
        ("[1, 2, 3, 4][item > 2]", json!([3, 4])),
        ("[1, 2, 3, 4][item > n]", json!([3, 4])),
        ("items[true]", json!([10, 20, 30])),
        ("items[false]", json!([])),
        ("items[\"x\"]", json!([])),
        ("count(orders[amount >= 150])", json!(2)),
        ("orders[amount > 100][1].id", json!(2)),
    ]);
}

#[test]
fn if_then_else() {
    check_all(&[
        ("if true then 1 else 2", json!(1)),
        ("if false then 1 else 2", json!(2)),
        ("if null then 1 else 2", json!(2)),
        ("if missing then 1 else 2", json!(2)),
        ("if 1 then \"yes\" else \"no\"", json!("no")),
        ("if invoice.amount > 1000 then \"big\" else \"small\"", json!("big")),
        ("if count = 3 then if flag then \"a\" else \"b\" else \"c\"", json!("a")),
        ("if off then 1 else if flag then 2 else 3", json!(2)),
        ("1 + if flag then 10 else 20", json!(11)),
        ("if flag then 1 else 2 + 3", json!(1)),
        ("if off then 1 else 2 + 3", json!(5)),
        ("(if flag then 1 else 2) + 3", json!(4)),
        ("if flag then {a: 1} else null", json!({"a": 1})),
    ]);
}

#[test]
fn unknown_functions_and_wrong_arity_are_evaluation_errors() {
    assert_eq!(evaluation_error("foo(1)"), "unknown function `foo` at column 1");
    assert_eq!(evaluation_error("1 + no such thing(1)"), "unknown function `no such thing` at column 5");
    assert_eq!(evaluation_error("contains(\"a\")"), "function `contains` at column 1 takes 2 arguments, not 1");
    assert_eq!(evaluation_error("count()"), "function `count` at column 1 takes 1 argument, not 0");
    // Errors inside lists, contexts, filters and branches propagate.
    evaluation_error("[1, foo()]");
    evaluation_error("{a: foo()}");
    evaluation_error("items[foo()]");
    evaluation_error("if flag then foo() else 1");
    // An error message reads well through Display.
    let error = Expression::parse("foo()").unwrap().evaluate(&Value::Null).unwrap_err();
    assert_eq!(error.to_string(), "FEEL evaluation error: unknown function `foo` at column 1");
}

#[test]
fn untaken_branches_are_not_evaluated() {
    assert_eq!(eval("if flag then 1 else foo()"), json!(1));
    assert_eq!(eval("false and foo()"), json!(false));
    assert_eq!(eval("true or foo()"), json!(true));
}

#[test]
fn comments_and_whitespace() {
    check_all(&[
        ("1 + /* two */ 2 // trailing", json!(3)),
        ("// only a comment\n 5", json!(5)),
        ("\n\t 1\n+\n2 ", json!(3)),
        ("3 / /* not a comment end */ 3", json!(1)),
    ]);
}

#[test]
fn is_true_accepts_only_json_true() {
    assert!(is_true(&json!(true)));
    for value in [json!(false), Value::Null, json!(1), json!("true"), json!([true]), json!({})] {
        assert!(!is_true(&value), "{value}");
    }
}

#[test]
fn typical_bpmn_expressions() {
    let vars = json!({"approved": true, "order": {"total": 250.75, "customer": {"tier": "gold"}}});
    assert_eq!(eval_with("approved = true", &vars), json!(true));
    assert_eq!(eval_with("order.total > 100 and order.customer.tier = \"gold\"", &vars), json!(true));
    assert_eq!(eval_with("order.total * 2", &vars), json!(501.5));
    assert_eq!(
        eval_with("{message: \"Order of \" + string(order.total), vip: order.customer.tier = \"gold\"}", &vars),
        json!({"message": "Order of 250.75", "vip": true})
    );
    assert_eq!(eval_with("not(approved)", &vars), json!(false));
}

#[test]
fn parsed_expressions_are_reusable_and_cloneable() {
    let expression = Expression::parse("x * 2").unwrap();
    let copy = expression.clone();
    assert_eq!(expression.evaluate(&json!({"x": 2})).unwrap(), json!(4));
    assert_eq!(copy.evaluate(&json!({"x": 21})).unwrap(), json!(42));
    assert!(format!("{expression:?}").contains("Multiply"));
}

#[test]
fn syntax_errors_name_the_problem_and_its_column() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "unexpected end of expression"),
        ("   ", 4, "unexpected end of expression"),
        ("1 +", 4, "unexpected end of expression"),
        ("1 + )", 5, "unexpected `)`"),
        (")", 1, "unexpected `)`"),
        ("a \"b\"", 3, "unexpected `\"b\"`"),
        ("1 2", 3, "unexpected `2`"),
        ("* 2", 1, "unexpected `*`"),
        ("1 *** 2", 5, "unexpected `*`"),
        ("then", 1, "unexpected `then`"),
        ("if x > 1 1 else 2", 10, "expected `then` after the condition"),
        ("if x then 1", 12, "expected `else` after the `then` branch"),
        ("if x then 1 2", 13, "expected `else` after the `then` branch"),
        ("\"abc", 1, "unterminated string"),
        ("1 + \"abc", 5, "unterminated string"),
        ("\"abc\\", 5, "unterminated string"),
        ("\"\\u12\"", 2, "`\\u` must be followed by 4 hex digits of a character"),
        ("\"\\u+123\"", 2, "`\\u` must be followed by 4 hex digits of a character"),
        ("\"\\uD800\"", 2, "`\\u` starts a UTF-16 pair that is not completed"),
        ("\"\\uDC00\"", 2, "the escape is no character"),
        ("(1 + 2", 7, "expected `)` to close the `(` at column 1"),
        ("f(1 2)", 5, "expected `,` or `)` to close the `(` at column 2"),
        ("f(1,)", 5, "unexpected `)`"),
        ("[1, 2", 6, "expected `,` or `]` to close the `[` at column 1"),
        ("[1, 2,]", 7, "unexpected `]`"),
        ("items[1", 8, "expected `]` to close the `[` at column 6"),
        ("{a: 1", 6, "expected `,` or `}` to close the `{` at column 1"),
        ("{a 1}", 5, "expected `:` after the context key"),
        ("{a: 1, a: 2}", 8, "duplicate context key `a`"),
        ("{a: 1, \"a\": 2}", 8, "duplicate context key `a`"),
        ("a.1", 3, "expected a name after `.`"),
        ("a.", 3, "expected a name after `.`"),
        ("1 # 2", 3, "unexpected character `#`"),
        ("!flag", 1, "unexpected character `!`"),
        ("a == b", 4, "unexpected `=`"),
        ("/* open", 1, "unterminated comment"),
        ("`abc", 1, "unterminated name"),
        // Columns count characters, not bytes.
        ("\"é\" + )", 7, "unexpected `)`"),
        ("ünïcödé #", 9, "unexpected character `#`"),
    ];
    for &(source, column, message) in cases {
        assert_eq!(syntax_error(source), (column, message.to_owned()), "{source:?}");
    }
}

#[test]
fn syntax_errors_display_with_their_column() {
    let error = Expression::parse("a )").unwrap_err();
    assert_eq!(error.to_string(), "FEEL syntax error at column 3: unexpected `)`");
}

#[test]
fn long_flat_chains_do_not_count_as_nesting() {
    check_all(&[
        (&format!("0{}", " + 1".repeat(100_000)), json!(100_000)),
        (&format!("1{}", " * 1".repeat(100_000)), json!(1)),
        (&format!("1{}", " + 2 * 3".repeat(50_000)), json!(300_001)),
        (&format!("true{}", " and true".repeat(100_000)), json!(true)),
        (&format!("false{}", " or false".repeat(100_000)), json!(false)),
        (&format!("1 < 2{}", " = true".repeat(1_000)), json!(true)),
        (&format!("post{}", ".author".repeat(100_000)), Value::Null),
        (&format!("items{}", "[1]".repeat(100_000)), Value::Null),
        (&format!("count([{}])", vec!["1"; 100_000].join(", ")), json!(100_000)),
    ]);
}

#[test]
fn hostile_nesting_is_a_syntax_error_not_a_stack_overflow() {
    let hostile = [
        format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        "(".repeat(100_000),
        "[".repeat(100_000),
        "{a:".repeat(100_000),
        "-".repeat(100_000) + "1",
        "not(".repeat(100_000),
        "if true then ".repeat(100_000),
        "items[".repeat(100_000),
        format!("{}1", "1 + (".repeat(100_000)),
        format!("{}1", "a[b.c + ".repeat(100_000)),
    ];
    for source in &hostile {
        let (_, message) = syntax_error(source);
        assert_eq!(message, "expression is nested more than 128 levels deep", "{}", &source[..20]);
    }
}

#[test]
fn nested_filters_run_out_of_steps_instead_of_time() {
    // Each level filters a 3-element list, re-evaluating the level inside once per element.
    let source = format!("{}1{}", "items[".repeat(60), "]".repeat(60));
    assert_eq!(evaluation_error(&source), "expression needs more than 1000000 evaluation steps");
    // A large but honest filter stays within the budget.
    let big = json!({"xs": (0..100_000).collect::<Vec<_>>()});
    assert_eq!(eval_with("count(xs[item >= 50000])", &big), json!(50_000));
}

#[test]
fn values_that_double_run_out_of_room_instead_of_memory() {
    // Six doublings of 1 MiB build 126 MiB, by concatenation or by copying into lists.
    let big = json!({"s": "x".repeat(1 << 20)});
    let doubling = |entry: &dyn Fn(char) -> String| {
        let entries: Vec<String> = ('b'..='g').map(|name| format!("{name}: {}", entry(name))).collect();
        format!("{{a: s, {}}}", entries.join(", "))
    };
    let previous = |name: char| char::from(name as u8 - 1);
    let sources = [
        doubling(&|name| format!("{0} + {0}", previous(name))),
        doubling(&|name| format!("[{0}, {0}]", previous(name))),
    ];
    for source in &sources {
        let error = Expression::parse(source).unwrap().evaluate(&big).unwrap_err();
        assert_eq!(
            error.to_string(),
            "FEEL evaluation error: expression builds more than 32 MiB of values",
            "{source}"
        );
    }
    // Copying all of a large value once is within the budget.
    assert_eq!(eval_with("{a: s, b: [s]}", &big)["b"][0], big["s"]);
    // So is a result of half the budget: building it and writing it out are not counted
    // twice.
    let eight = json!({"s": "x".repeat(8 << 20)});
    assert_eq!(eval_with("{s: s + s}", &eight)["s"].as_str().map(str::len), Some(16 << 20));
}

#[test]
fn nesting_up_to_the_cap_evaluates_on_a_small_stack() {
    let nested = |open: &str, close: &str, depth: usize| format!("{}1{}", open.repeat(depth), close.repeat(depth));
    // The outermost expression is one level, so 127 parentheses reach the cap and 128 pass it.
    assert_eq!(
        syntax_error(&nested("(", ")", 128)),
        (129, "expression is nested more than 128 levels deep".to_owned())
    );
    let deepest = [
        nested("(", ")", 127),
        nested("[", "]", 127),
        nested("{a: ", "}", 127),
        nested("abs(", ")", 127),
        nested("not(", ")", 127),
        nested("if true then ", " else 0", 127),
        nested("[1][", "]", 127),
        nested("-", "", 127),
    ];
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            for source in &deepest {
                let expression = Expression::parse(source).unwrap_or_else(|error| panic!("{source}: {error}"));
                expression.evaluate(&variables()).unwrap();
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn string_literals_are_listed_and_rewritten_but_the_data_they_meet_is_not() {
    let expression = Expression::parse(r#""Bearer " + "{{x}}" + name + string(@"2024-01-01")"#).unwrap();
    let mut literals: Vec<&str> = expression.string_literals().collect();
    literals.sort_unstable();
    // The text of a temporal literal is not a string literal.
    assert_eq!(literals, ["Bearer ", "{{x}}"]);
    let rewritten = expression.with_literals(|text| (text == "{{x}}").then(|| "abc".to_owned()));
    let variables = json!({"name": "{{x}}"});
    assert_eq!(rewritten.evaluate(&variables).unwrap(), json!("Bearer abc{{x}}2024-01-01"));
    // The original is unchanged.
    assert_eq!(expression.evaluate(&variables).unwrap(), json!("Bearer {{x}}{{x}}2024-01-01"));
}
