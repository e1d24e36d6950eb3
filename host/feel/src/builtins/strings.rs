//! String functions. Patterns are XPath-style regular expressions, matched in linear time with a
//! size limit, so a hostile pattern costs bounded time and memory.

use regex::{Regex, RegexBuilder};

use super::{Builtin, between, boolean, exactly, integer, one};
use crate::error::FeelError;
use crate::eval::Evaluator;
use crate::value::Val;

/// How large a compiled pattern may grow (the regex crate's default is 10 MiB; patterns in
/// process models are small).
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

pub(super) static BUILTINS: &[Builtin] = &[
    one("string length", |_, a| Ok(a[0].as_str().map_or(Val::Null, |s| Val::count(s.chars().count())))),
    one("upper case", |_, a| Ok(text(&a[0], str::to_uppercase))),
    one("lower case", |_, a| Ok(text(&a[0], str::to_lowercase))),
    one("trim", |_, a| Ok(text(&a[0], |s| s.trim().to_owned()))),
    one("is blank", |_, a| Ok(boolean(a[0].as_str().map(|s| s.trim().is_empty())))),
    exactly("contains", 2, |_, a| Ok(texts(a, |s, t| s.contains(t)))),
    exactly("starts with", 2, |_, a| Ok(texts(a, |s, t| s.starts_with(t)))),
    exactly("ends with", 2, |_, a| Ok(texts(a, |s, t| s.ends_with(t)))),
    between("substring", 2, 3, |_, a| Ok(substring(a))),
    exactly("substring before", 2, |_, a| {
        Ok(pair(a).map_or(Val::Null, |(s, t)| Val::string(s.find(t).map_or("", |i| &s[..i]))))
    }),
    exactly("substring after", 2, |_, a| {
        Ok(pair(a).map_or(Val::Null, |(s, t)| Val::string(s.find(t).map_or("", |i| &s[i + t.len()..]))))
    }),
    between("matches", 2, 3, |_, a| {
        let (Some(input), Some(re)) = (a[0].as_str(), pattern(&a[1], a.get(2))) else {
            return Ok(Val::Null);
        };
        Ok(Val::Bool(re.is_match(input)))
    }),
    between("replace", 3, 4, replace),
    exactly("split", 2, |ev, a| {
        let (Some(input), Some(re)) = (a[0].as_str(), pattern(&a[1], None)) else {
            return Ok(Val::Null);
        };
        ev.build(input.len())?;
        Ok(Val::list(re.split(input).map(Val::string).collect()))
    }),
    exactly("extract", 2, |ev, a| {
        let (Some(input), Some(re)) = (a[0].as_str(), pattern(&a[1], None)) else {
            return Ok(Val::Null);
        };
        ev.build(input.len())?;
        Ok(Val::list(re.find_iter(input).map(|m| Val::string(m.as_str())).collect()))
    }),
    between("string join", 1, 4, string_join),
    exactly("uuid", 0, |ev, _| {
        let (high, low) = (ev.random("uuid")?, ev.random("uuid")?);
        // Version 4 (random) and the RFC 4122 variant, as any random UUID has.
        let high = (high & !0xF000) | 0x4000;
        let low = (low & !(0b11 << 62)) | (0b10 << 62);
        let hex = format!("{high:016x}{low:016x}");
        Ok(Val::string(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])))
    }),
    one("to base64", |_, a| Ok(a[0].as_str().map_or(Val::Null, |s| Val::string(base64(s.as_bytes()))))),
];

fn text<'a>(value: &Val<'a>, f: fn(&str) -> String) -> Val<'a> {
    value.as_str().map_or(Val::Null, |s| Val::string(f(s)))
}

fn pair<'v>(a: &'v [Val<'_>]) -> Option<(&'v str, &'v str)> {
    Some((a[0].as_str()?, a[1].as_str()?))
}

fn texts<'a>(a: &[Val<'a>], test: fn(&str, &str) -> bool) -> Val<'a> {
    boolean(pair(a).map(|(s, t)| test(s, t)))
}

/// `substring(string, start position, length?)`: 1-based, a negative start counts from the end.
fn substring<'a>(a: &[Val<'a>]) -> Val<'a> {
    let (Some(s), Some(start)) = (a[0].as_str(), integer(&a[1])) else {
        return Val::Null;
    };
    let length = match a.get(2) {
        None => usize::MAX,
        Some(length) => match integer(length).and_then(|n| usize::try_from(n).ok()) {
            Some(length) => length,
            None => return Val::Null,
        },
    };
    if start == 0 {
        return Val::Null;
    }
    let chars = i64::try_from(s.chars().count()).unwrap_or(i64::MAX);
    let from = if start > 0 { start - 1 } else { chars + start }.clamp(0, chars);
    Val::string(s.chars().skip(usize::try_from(from).unwrap_or(usize::MAX)).take(length).collect::<String>())
}

/// Compiles a pattern with XPath flags (`i` case-insensitive, `s` dot matches newlines, `m`
/// multi-line, `x` ignore whitespace, `q` literal); `None` when either is not valid.
fn pattern(pattern: &Val<'_>, flags: Option<&Val<'_>>) -> Option<Regex> {
    let pattern = pattern.as_str()?;
    let flags = match flags {
        None => "",
        Some(flags) => flags.as_str()?,
    };
    let literal;
    let source = if flags.contains('q') {
        literal = regex::escape(pattern);
        &literal
    } else {
        pattern
    };
    let mut builder = RegexBuilder::new(source);
    builder.size_limit(PATTERN_SIZE_LIMIT).dfa_size_limit(PATTERN_SIZE_LIMIT);
    for flag in flags.chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            's' => builder.dot_matches_new_line(true),
            'm' => builder.multi_line(true),
            'x' => builder.ignore_whitespace(true),
            'q' => &mut builder,
            _ => return None,
        };
    }
    builder.build().ok()
}

/// `replace(input, pattern, replacement, flags?)`: every match replaced; `$1` in the
/// replacement is the first group.
fn replace<'a>(ev: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    let (Some(input), Some(re), Some(replacement)) = (a[0].as_str(), pattern(&a[1], a.get(3)), a[2].as_str()) else {
        return Ok(Val::Null);
    };
    let Some(replacement) = rust_replacement(replacement) else {
        return Ok(Val::Null);
    };
    // Counted before it is made: every match may add the replacement.
    let matches = re.find_iter(input).count();
    ev.build(input.len().saturating_add(matches.saturating_mul(replacement.len() + input.len().min(1 << 10))))?;
    Ok(Val::string(re.replace_all(input, replacement.as_str()).into_owned()))
}

/// An XPath replacement (`$1`, `\$`, `\\`) in the regex crate's syntax (`${1}`, `$$`, `\`);
/// `None` for a lone `$` or `\`.
fn rust_replacement(xpath: &str) -> Option<String> {
    let mut out = String::with_capacity(xpath.len());
    let mut chars = xpath.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                '$' => out.push_str("$$"),
                '\\' => out.push('\\'),
                _ => return None,
            },
            '$' => {
                let mut group = String::new();
                while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                    group.push(digit);
                }
                if group.is_empty() {
                    return None;
                }
                out.push_str(&format!("${{{group}}}"));
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// `string join(list, delimiter?, prefix?, suffix?)`: the strings of the list joined; nulls are
/// skipped, and any other non-string makes the result null.
fn string_join<'a>(ev: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    let Some(items) = a[0].items() else {
        return Ok(Val::Null);
    };
    let mut parts = Vec::with_capacity(a.len() - 1);
    for part in &a[1..] {
        match part {
            Val::Null => parts.push(""),
            other => match other.as_str() {
                Some(s) => parts.push(s),
                None => return Ok(Val::Null),
            },
        }
    }
    let (delimiter, prefix, suffix) = (
        parts.first().copied().unwrap_or(""),
        parts.get(1).copied().unwrap_or(""),
        parts.get(2).copied().unwrap_or(""),
    );
    let mut strings = Vec::with_capacity(items.len());
    for item in &items {
        match item {
            Val::Null => {}
            other => match other.as_str() {
                Some(s) => strings.push(s),
                None => return Ok(Val::Null),
            },
        }
    }
    // Counted before it is made: a list may hold one large string many times.
    let total =
        strings.iter().map(|s| s.len() + delimiter.len()).fold(prefix.len() + suffix.len(), usize::saturating_add);
    ev.build(total)?;
    Ok(Val::string(format!("{prefix}{}{suffix}", strings.join(delimiter))))
}

/// Standard Base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
