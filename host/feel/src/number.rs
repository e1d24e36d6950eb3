//! FEEL numbers on JSON numbers: integers stay exact `i64`s while they fit, everything else is
//! `f64`, and whole results come back as JSON integers so `10000 + 1` stays `10001`.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::ast::Arithmetic;

/// 2^53: below it every whole `f64` is exactly representable as an `i64`.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// A JSON number split by whether it can take the exact integer path.
#[derive(Clone, Copy)]
enum Num {
    Integer(i64),
    Float(f64),
}

impl Num {
    fn of(number: &Number) -> Self {
        match number.as_i64() {
            Some(integer) => Self::Integer(integer),
            // Without serde_json's arbitrary_precision every number is representable as f64.
            None => Self::Float(number.as_f64().unwrap_or(f64::NAN)),
        }
    }

    fn to_f64(self) -> f64 {
        match self {
            Self::Integer(integer) => integer as f64,
            Self::Float(float) => float,
        }
    }
}

/// Parses number text: `-`? digits (`.` digits)? with an optional exponent (`1.2e3`), where
/// either the digits before or after the point may be missing (`.5`, `5.`), or `None` when it is
/// not a number.
pub(super) fn parse(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if whole.len() + fraction.len() == 0 || !digits(whole) || !digits(fraction) || !exponent_ok {
        return None;
    }
    Some(match text.parse::<i64>() {
        Ok(integer) => Value::from(integer),
        Err(_) => float(text.parse().ok()?),
    })
}

/// A float as a JSON value: whole numbers become integers, non-finite ones null.
pub(super) fn float(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < EXACT_INTEGER_LIMIT {
        Value::from(x as i64)
    } else {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// A computed float as a JSON value, rounded to 15 significant digits like the results of
/// arithmetic (so `modulo(10.1, 4.5)` is 1.1, not 1.0999999999999996).
pub(super) fn real(x: f64) -> Value {
    float(if x.fract() == 0.0 { x } else { significant_digits(x) })
}

/// `a op b`; null on division by zero.
pub(super) fn arithmetic(op: Arithmetic, a: &Number, b: &Number) -> Value {
    let (a, b) = (Num::of(a), Num::of(b));
    if let (Num::Integer(x), Num::Integer(y)) = (a, b)
        && let Some(exact) = integer_arithmetic(op, x, y)
    {
        return Value::from(exact);
    }
    let (x, y) = (a.to_f64(), b.to_f64());
    let result = match op {
        Arithmetic::Add => x + y,
        Arithmetic::Subtract => x - y,
        Arithmetic::Multiply => x * y,
        Arithmetic::Divide if y == 0.0 => return Value::Null,
        Arithmetic::Divide => x / y,
        Arithmetic::Power => x.powf(y),
    };
    // Whole results (and every f64 from 2^53 up) carry no decimal noise worth rounding away.
    float(if result.fract() == 0.0 { result } else { significant_digits(result) })
}

/// The exact result when both operands are integers and it is one too (no overflow, no remainder).
fn integer_arithmetic(op: Arithmetic, x: i64, y: i64) -> Option<i64> {
    match op {
        Arithmetic::Add => x.checked_add(y),
        Arithmetic::Subtract => x.checked_sub(y),
        Arithmetic::Multiply => x.checked_mul(y),
        Arithmetic::Divide => (y != 0 && x.checked_rem(y) == Some(0)).then(|| x.checked_div(y)).flatten(),
        Arithmetic::Power => u32::try_from(y).ok().and_then(|y| x.checked_pow(y)),
    }
}

/// Rounds to 15 significant digits, which hides binary artefacts such as
/// 0.1 + 0.2 = 0.30000000000000004 the way FEEL's decimal arithmetic would.
fn significant_digits(x: f64) -> f64 {
    format!("{x:.14e}").parse().unwrap_or(x)
}

/// Applies a one-operand function, exactly on integers when `integer` can, else as a float.
pub(super) fn unary(n: &Number, integer: impl Fn(i64) -> Option<i64>, real: impl Fn(f64) -> f64) -> Value {
    match Num::of(n) {
        Num::Integer(i) => integer(i).map_or_else(|| float(real(i as f64)), Value::from),
        Num::Float(x) => float(real(x)),
    }
}

/// `-n`.
pub(super) fn negate(n: &Number) -> Value {
    unary(n, i64::checked_neg, |x| -x)
}

/// Orders two numbers numerically, so `1 = 1.0`.
pub(super) fn compare(a: &Number, b: &Number) -> Option<Ordering> {
    match (Num::of(a), Num::of(b)) {
        (Num::Integer(x), Num::Integer(y)) => Some(x.cmp(&y)),
        (a, b) => a.to_f64().partial_cmp(&b.to_f64()),
    }
}
