//! String functions. Patterns are XPath-style regular expressions, matched in linear time with a
//! size limit, so a hostile pattern costs bounded time and memory.

use regex::{Regex, RegexBuilder};

use super::{Builtin, boolean, builtin, integer};
use crate::error::FeelError;
use crate::eval::Evaluator;
use crate::value::Val;

/// How large a compiled pattern may grow (the regex crate's default is 10 MiB; patterns in
/// process models are small).
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

pub(super) static BUILTINS: &[Builtin] = &[
    builtin("string length", "string", |_, a| Ok(a[0].as_str().map_or(Val::Null, |s| Val::count(s.chars().count())))),
    builtin("upper case", "string", |_, a| Ok(text(&a[0], str::to_uppercase))),
    builtin("lower case", "string", |_, a| Ok(text(&a[0], str::to_lowercase))),
    builtin("trim", "string", |_, a| Ok(text(&a[0], |s| s.trim().to_owned()))),
    builtin("is blank", "string", |_, a| Ok(boolean(a[0].as_str().map(|s| s.trim().is_empty())))),
    builtin("contains", "string, match", |_, a| Ok(texts(a, |s, t| s.contains(t)))),
    builtin("starts with", "string, match", |_, a| Ok(texts(a, |s, t| s.starts_with(t)))),
    builtin("ends with", "string, match", |_, a| Ok(texts(a, |s, t| s.ends_with(t)))),
    builtin("substring", "string, start position, length?", |_, a| Ok(substring(a))),
    builtin("substring before", "string, match", |_, a| {
        Ok(pair(a).map_or(Val::Null, |(s, t)| Val::string(s.find(t).map_or("", |i| &s[..i]))))
    }),
    builtin("substring after", "string, match", |_, a| {
        Ok(pair(a).map_or(Val::Null, |(s, t)| Val::string(s.find(t).map_or("", |i| &s[i + t.len()..]))))
    }),
    builtin("matches", "input, pattern, flags?", |_, a| {
        let (Some(input), Some(re)) = (a[0].as_str(), pattern(&a[1], a.get(2))) else {
            return Ok(Val::Null);
        };
        Ok(Val::Bool(re.is_match(input)))
    }),
    builtin("replace", "input, pattern, replacement, flags?", replace),
    builtin("split", "string, delimiter", |ev, a| {
        let (Some(input), Some(re)) = (a[0].as_str(), pattern(&a[1], None)) else {
            return Ok(Val::Null);
        };
        ev.build(input.len())?;
        Ok(Val::list(re.split(input).map(Val::string).collect()))
    }),
    builtin("extract", "input, pattern", |ev, a| {
        let (Some(input), Some(re)) = (a[0].as_str(), pattern(&a[1], None)) else {
            return Ok(Val::Null);
        };
        ev.build(input.len())?;
        Ok(Val::list(re.find_iter(input).map(|m| Val::string(m.as_str())).collect()))
    }),
    builtin("string join", "list, delimiter?", string_join),
    builtin("string join", "list, delimiter, prefix, suffix", string_join),
    builtin("uuid", "", |ev, _| {
        let (high, low) = (ev.random("uuid")?, ev.random("uuid")?);
        // Version 4 (random) and the RFC 4122 variant, as any random UUID has.
        let high = (high & !0xF000) | 0x4000;
        let low = (low & !(0b11 << 62)) | (0b10 << 62);
        let hex = format!("{high:016x}{low:016x}");
        Ok(Val::string(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])))
    }),
    builtin("to base64", "value", |_, a| Ok(a[0].as_str().map_or(Val::Null, |s| Val::string(base64(s.as_bytes()))))),
    // Text that is no Base64 is null; bytes that are no UTF-8 read as U+FFFD, as in Camunda.
    builtin("from base64", "value", |_, a| {
        Ok(a[0].as_str().and_then(from_base64).map_or(Val::Null, |bytes| Val::string(String::from_utf8_lossy(&bytes))))
    }),
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
    // As in Camunda, position 0 counts from the end, where nothing follows.
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
    // As in Java's patterns (and so Camunda's), `.` matches no `\r` and `$` ends a `\r\n` line.
    builder.size_limit(PATTERN_SIZE_LIMIT).dfa_size_limit(PATTERN_SIZE_LIMIT).crlf(true);
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

/// The standard Base64 alphabet.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The bytes standard, padded Base64 text (Java's `Base64.getDecoder()`) encodes.
fn from_base64(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (index, chunk) in bytes.chunks(4).enumerate() {
        let last = index + 1 == bytes.len() / 4;
        let padding = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &b in &chunk[..4 - padding] {
            let value = ALPHABET.iter().position(|&a| a == b)?;
            n = n << 6 | value as u32;
        }
        n <<= 6 * padding as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Some(out)
}

/// Standard Base64 with padding.
fn base64(bytes: &[u8]) -> String {
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
