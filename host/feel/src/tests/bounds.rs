//! The bounds on what an evaluation may cost: recursion ends with an error before the stack
//! does, iteration runs in linear time or runs out of steps, and values are held in size and
//! depth.

use serde_json::json;

use super::{eval, eval_with, evaluation_error};
use crate::Expression;

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

/// Evaluates `source` on a thread with the 2 MiB stack the engine's threads have, so a stack
/// overflow would abort the test rather than pass unseen on a larger main stack.
fn on_a_small_stack(source: &'static str) -> Result<serde_json::Value, crate::FeelError> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || Expression::parse(source).unwrap().evaluate(&json!({})))
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn a_deeply_recursive_call_by_path_is_an_error() {
    let error = on_a_small_stack("{f: function(n) if n = 0 then 0 else f(n-1)}.f(100000)").unwrap_err();
    assert!(error.to_string().contains("recurses more than 256 levels deep"), "{error}");
    // Recursion within the bound works: about 80 levels of a function that multiplies.
    assert_eq!(
        on_a_small_stack("{fact: function(n) if n <= 1 then 1 else n * fact(n - 1)}.fact(20)").unwrap(),
        json!(2_432_902_008_176_640_000_i64)
    );
}

#[test]
fn partial_runs_in_linear_time_and_cannot_nest_values_without_end() {
    let started = std::time::Instant::now();
    assert_eq!(eval("count(for i in 1..20000 return if i = 1 then 1 else partial[-1] + 1)"), json!(20_000));
    assert_eq!(eval("(for i in 1..20000 return if i = 1 then 1 else partial[-1] + 1)[-1]"), json!(20_000));
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    // Each result holding the one before nests one level deeper.
    for source in ["for i in 1..100000 return [partial[-1]]", "for i in 1..100000 return {p: partial}"] {
        let error = on_a_small_stack(source).unwrap_err();
        assert!(
            error.to_string().contains("nested more than 256 levels deep")
                || error.to_string().contains("evaluation steps"),
            "{source}: {error}"
        );
    }
    assert_eq!(eval("count(for i in 1..200 return [partial[-1]])"), json!(200));
}

#[test]
fn context_put_cannot_nest_values_without_end() {
    let error = on_a_small_stack(r#"context put({}, for i in 1..100000 return "a", 1)"#).unwrap_err();
    assert_eq!(error.to_string(), "FEEL evaluation error: expression builds values nested more than 256 levels deep");
    assert_eq!(eval(r#"count(get entries(context put({}, for i in 1..200 return "a", 1)))"#), json!(1));
}

#[test]
fn deep_values_are_written_out_and_compared_on_a_small_stack() {
    let nested = "{f: function(n) if n = 0 then [] else [f(n - 1)], r: f(80)}.r";
    let deep =
        "{f: function(n) if n = 0 then [] else [f(n - 1)], a: f(80), b: f(80), r: [string(a), a = b, to json(a)]}.r";
    assert!(on_a_small_stack(nested).is_ok());
    let value = on_a_small_stack(deep).unwrap();
    assert_eq!(value[1], json!(true));
    let big = json!({"n": 3});
    assert_eq!(eval_with("for i in 1..n return partial", &big), json!([[], [[]], [[], [[]]]]));
    assert_eq!(
        evaluation_error("string(for i in 1..1000000 return i)"),
        "expression needs more than 1000000 evaluation steps"
    );
}
