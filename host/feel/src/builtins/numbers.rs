//! Number functions. Rounding works on a number's shortest decimal form, so `round half up(2.675,
//! 2)` is 2.68 as in FEEL's decimal arithmetic, although 2.675 is a little less as an `f64`.

use serde_json::Number;

use super::{Builtin, boolean, builtin, integer};
use crate::number;
use crate::temporal::Temporal;
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    builtin("abs", "n|number", |_, a| {
        Ok(match &a[0] {
            Val::Number(n) => Val::from_json_owned(number::unary(n, i64::checked_abs, f64::abs)),
            Val::Temporal(Temporal::Duration(d)) => Val::Temporal(Temporal::Duration(d.abs())),
            Val::Temporal(Temporal::YearsMonths(m)) => Val::Temporal(Temporal::YearsMonths(m.abs())),
            _ => Val::Null,
        })
    }),
    builtin("floor", "n, scale?", |_, a| Ok(rounded(a, Mode::Floor))),
    builtin("ceiling", "n, scale?", |_, a| Ok(rounded(a, Mode::Ceiling))),
    // `decimal(n, scale, mode)`: Camunda's rounding modes by their Java names, in any case.
    builtin("decimal", "n, scale, mode?", |_, a| {
        let mode = match a.get(2).map(Val::as_str) {
            None => Mode::HalfEven,
            Some(Some(mode)) => match mode.to_ascii_uppercase().as_str() {
                "UP" => Mode::Up,
                "DOWN" => Mode::Down,
                "CEILING" => Mode::Ceiling,
                "FLOOR" => Mode::Floor,
                "HALF_UP" => Mode::HalfUp,
                "HALF_DOWN" => Mode::HalfDown,
                "HALF_EVEN" => Mode::HalfEven,
                "UNNECESSARY" => Mode::Unnecessary,
                _ => return Ok(Val::Null),
            },
            Some(None) => return Ok(Val::Null),
        };
        Ok(rounded(&a[..2], mode))
    }),
    builtin("round up", "n, scale?", |_, a| Ok(rounded(a, Mode::Up))),
    builtin("round down", "n, scale?", |_, a| Ok(rounded(a, Mode::Down))),
    builtin("round half up", "n, scale?", |_, a| Ok(rounded(a, Mode::HalfUp))),
    builtin("round half down", "n, scale?", |_, a| Ok(rounded(a, Mode::HalfDown))),
    builtin("modulo", "dividend, divisor", |_, a| {
        let (Some(x), Some(y)) = (a[0].as_number(), a[1].as_number()) else { return Ok(Val::Null) };
        // The remainder takes the divisor's sign: modulo(-12, 5) is 3.
        if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
            return Ok(x.checked_rem(y).map_or(Val::Null, |r| {
                Val::Number(Number::from(if r != 0 && (r < 0) != (y < 0) { r + y } else { r }))
            }));
        }
        let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
        Ok(if y == 0.0 { Val::Null } else { Val::from_json_owned(number::real(x - y * (x / y).floor())) })
    }),
    builtin("sqrt", "number", |_, a| Ok(real(&a[0], |x| (x >= 0.0).then(|| x.sqrt())))),
    builtin("log", "number", |_, a| Ok(real(&a[0], |x| (x > 0.0).then(|| x.ln())))),
    builtin("exp", "number", |_, a| Ok(real(&a[0], |x| Some(x.exp())))),
    // As in Camunda, a number with a fraction is neither odd nor even.
    builtin("odd", "number", |_, a| {
        Ok(boolean(a[0].as_number().map(|_| whole_number(&a[0]).is_some_and(|n| n % 2 != 0))))
    }),
    builtin("even", "number", |_, a| {
        Ok(boolean(a[0].as_number().map(|_| whole_number(&a[0]).is_some_and(|n| n % 2 == 0))))
    }),
    builtin("random number", "", |ev, _| {
        let bits = ev.random("random number")?;
        // The top 53 bits as a fraction in [0, 1).
        Ok(float((bits >> 11) as f64 / (1u64 << 53) as f64))
    }),
];

fn float<'a>(x: f64) -> Val<'a> {
    Val::from_json_owned(number::float(x))
}

fn real<'a>(value: &Val<'a>, f: impl Fn(f64) -> Option<f64>) -> Val<'a> {
    value.as_number().and_then(Number::as_f64).and_then(f).map_or(Val::Null, float)
}

/// A number without a fractional part, as an integer.
fn whole_number(value: &Val<'_>) -> Option<i64> {
    crate::eval::whole(value)
}

/// How to round away the digits past the scale.
#[derive(Clone, Copy)]
enum Mode {
    Floor,
    Ceiling,
    /// Away from zero.
    Up,
    /// Toward zero.
    Down,
    HalfUp,
    HalfDown,
    HalfEven,
    /// No rounding: a number with digits past the scale has none (null).
    Unnecessary,
}

/// `f(n)` or `f(n, scale)`: `n` rounded to `scale` decimal places (0 when not given).
fn rounded<'a>(a: &[Val<'a>], mode: Mode) -> Val<'a> {
    let Some(n) = a[0].as_number() else { return Val::Null };
    let scale = match a.get(1) {
        None => 0,
        Some(scale) => match integer(scale) {
            Some(scale) => scale,
            None => return Val::Null,
        },
    };
    round(n, scale, mode).map_or(Val::Null, Val::from_json_owned)
}

/// Rounds the decimal digits of `n`. `n` is `0.d₁d₂… × 10^point`; the digits from
/// `point + scale` on are dropped, and the kept ones raised by one unit when `mode` says so.
fn round(n: &Number, scale: i64, mode: Mode) -> Option<serde_json::Value> {
    let text = match n.as_i64() {
        Some(i) => format!("{i:e}"),
        None => format!("{:e}", n.as_f64()?),
    };
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent: i64 = exponent.parse().ok()?;
    let negative = mantissa.starts_with('-');
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    let point = exponent + 1;
    let keep = point.saturating_add(scale);
    if keep >= digits.len() as i64 {
        return Some(serde_json::Value::Number(n.clone()));
    }
    // Dropping more than all digits: the leading dropped ones are zeros.
    let (kept, first, after_first_nonzero) = if keep < 0 {
        (Vec::new(), 0, digits.iter().any(|&d| d != 0))
    } else {
        let dropped = digits.split_off(keep as usize);
        (digits, dropped[0], dropped[1..].iter().any(|&d| d != 0))
    };
    let rest_nonzero = first != 0 || after_first_nonzero;
    let last_odd = kept.last().is_some_and(|d| d % 2 == 1);
    let raise = match mode {
        Mode::Unnecessary if rest_nonzero => return None,
        Mode::Unnecessary => false,
        Mode::Floor => negative && rest_nonzero,
        Mode::Ceiling => !negative && rest_nonzero,
        Mode::Up => rest_nonzero,
        Mode::Down => false,
        Mode::HalfUp => first >= 5,
        Mode::HalfDown => first > 5 || (first == 5 && after_first_nonzero),
        Mode::HalfEven => first > 5 || (first == 5 && (after_first_nonzero || last_odd)),
    };
    let mut kept = kept;
    if raise {
        // Add one to the last kept digit, carrying; a carry out of the first adds a digit.
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, 1);
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    if kept.is_empty() {
        return Some(serde_json::Value::from(0));
    }
    let digits: String = kept.iter().map(|d| char::from(b'0' + d)).collect();
    let sign = if negative { "-" } else { "" };
    // The kept digits count units of 10^-scale.
    let text = format!("{sign}{digits}e{}", -scale);
    let value: f64 = text.parse().ok()?;
    Some(number::float(value))
}
