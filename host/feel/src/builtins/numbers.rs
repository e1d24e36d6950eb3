//! Number functions. Rounding works on a number's shortest decimal form, so `round half up(2.675,
//! 2)` is 2.68 as in FEEL's decimal arithmetic, although 2.675 is a little less as an `f64`.

use serde_json::Number;

use super::{Builtin, between, boolean, exactly, integer, one};
use crate::number;
use crate::temporal::Temporal;
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    one("abs", |_, a| {
        Ok(match &a[0] {
            Val::Number(n) => Val::from_json_owned(number::unary(n, i64::checked_abs, f64::abs)),
            Val::Temporal(Temporal::Duration(d)) => Val::Temporal(Temporal::Duration(d.abs())),
            Val::Temporal(Temporal::YearsMonths(m)) => Val::Temporal(Temporal::YearsMonths(m.abs())),
            _ => Val::Null,
        })
    }),
    between("floor", 1, 2, |_, a| Ok(rounded(a, Mode::Floor))),
    between("ceiling", 1, 2, |_, a| Ok(rounded(a, Mode::Ceiling))),
    exactly("decimal", 2, |_, a| Ok(rounded(a, Mode::HalfEven))),
    exactly("round up", 2, |_, a| Ok(rounded(a, Mode::Up))),
    exactly("round down", 2, |_, a| Ok(rounded(a, Mode::Down))),
    exactly("round half up", 2, |_, a| Ok(rounded(a, Mode::HalfUp))),
    exactly("round half down", 2, |_, a| Ok(rounded(a, Mode::HalfDown))),
    exactly("modulo", 2, |_, a| {
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
    one("sqrt", |_, a| Ok(real(&a[0], |x| (x >= 0.0).then(|| x.sqrt())))),
    one("log", |_, a| Ok(real(&a[0], |x| (x > 0.0).then(|| x.ln())))),
    one("exp", |_, a| Ok(real(&a[0], |x| Some(x.exp())))),
    one("odd", |_, a| Ok(boolean(whole_number(&a[0]).map(|n| n % 2 != 0)))),
    one("even", |_, a| Ok(boolean(whole_number(&a[0]).map(|n| n % 2 == 0)))),
    exactly("random number", 0, |ev, _| {
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
    value.as_number()?;
    integer(value)
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
}

/// `f(n)` or `f(n, scale)`: `n` rounded to `scale` decimal places (0 when not given).
fn rounded<'a>(a: &[Val<'a>], mode: Mode) -> Val<'a> {
    let Some(n) = a[0].as_number() else { return Val::Null };
    let scale = match a.get(1) {
        None => 0,
        Some(scale) => match integer(scale) {
            Some(scale) if (-1000..=1000).contains(&scale) => scale,
            _ => return Val::Null,
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
    let keep = point + scale;
    if keep >= digits.len() as i64 {
        return Some(serde_json::Value::Number(n.clone()));
    }
    // Dropping more than all digits: the leading dropped ones are zeros.
    let (kept, dropped): (Vec<u8>, Vec<u8>) = if keep < 0 {
        (Vec::new(), std::iter::repeat_n(0, keep.unsigned_abs() as usize).chain(digits.drain(..)).collect())
    } else {
        let dropped = digits.split_off(keep as usize);
        (digits, dropped)
    };
    let rest_nonzero = dropped.iter().any(|&d| d != 0);
    let first = dropped.first().copied().unwrap_or(0);
    let after_first_nonzero = dropped.iter().skip(1).any(|&d| d != 0);
    let last_odd = kept.last().is_some_and(|d| d % 2 == 1);
    let raise = match mode {
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
