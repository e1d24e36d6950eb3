//! FEEL's dates, times, date-times and the two kinds of duration: parsing their ISO-8601 text,
//! writing it back as Camunda does, comparing them and doing calendar arithmetic (with jiff).

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Span, Timestamp, Zoned};

use super::value::Kind;

/// A temporal value.
#[derive(Debug, Clone)]
pub(super) enum Temporal {
    Date(Date),
    /// A time of day, with the UTC offset it is at when it has one, and the time zone that
    /// offset is taken from when the time names one (`10:00:00@Europe/Paris`).
    Time(Time, Option<Offset>, Option<TimeZone>),
    /// A date and time without a zone or offset.
    LocalDateTime(DateTime),
    /// A date and time at a UTC offset or in an IANA time zone.
    DateTime(Box<Zoned>),
    /// A days-and-time duration (`P1DT2H`), exact to the nanosecond.
    Duration(SignedDuration),
    /// A years-and-months duration (`P1Y2M`), in months.
    YearsMonths(i64),
}

const SECONDS_PER_DAY: i64 = 86_400;

impl Temporal {
    /// The value's FEEL type.
    pub(super) fn kind(&self) -> Kind {
        match self {
            Temporal::Date(_) => Kind::Date,
            Temporal::Time(..) => Kind::Time,
            Temporal::LocalDateTime(_) | Temporal::DateTime(_) => Kind::DateTime,
            Temporal::Duration(_) => Kind::DaysTimeDuration,
            Temporal::YearsMonths(_) => Kind::YearsMonthsDuration,
        }
    }

    /// A zoned date-time.
    pub(super) fn zoned(zoned: Zoned) -> Self {
        Temporal::DateTime(Box::new(zoned))
    }

    /// Parses what `@"…"` may hold: a date, a time, a date-time or a duration.
    pub(super) fn parse_any(text: &str) -> Option<Self> {
        if text.starts_with('P') || text.starts_with("-P") {
            parse_duration(text)
        } else if text.contains('T') {
            parse_date_time(text)
        } else if text.contains(':') {
            parse_time(text)
        } else {
            parse_date(text).map(Temporal::Date)
        }
    }

    /// The date part of a date or date-time.
    pub(super) fn date(&self) -> Option<Date> {
        match self {
            Temporal::Date(date) => Some(*date),
            Temporal::LocalDateTime(dt) => Some(dt.date()),
            Temporal::DateTime(zoned) => Some(zoned.date()),
            _ => None,
        }
    }

    /// A named property (`.year`, `.hour`, `.days`, …), or `None` when the value has no such one.
    pub(super) fn property(&self, name: &str) -> Option<Property> {
        let (date, time, offset, zone) = match self {
            Temporal::Date(date) => (Some(*date), None, None, None),
            Temporal::Time(time, offset, zone) => {
                (None, Some(*time), *offset, zone.as_ref().and_then(TimeZone::iana_name))
            }
            Temporal::LocalDateTime(dt) => (Some(dt.date()), Some(dt.time()), None, None),
            Temporal::DateTime(zoned) => {
                (Some(zoned.date()), Some(zoned.time()), Some(zoned.offset()), zoned.time_zone().iana_name())
            }
            Temporal::Duration(duration) => return duration_property(*duration, name),
            Temporal::YearsMonths(months) => {
                return Some(Property::Number(match name {
                    "years" => months / 12,
                    "months" => months % 12,
                    _ => return None,
                }));
            }
        };
        let number = |n: i64| Some(Property::Number(n));
        match (name, date, time) {
            ("year", Some(date), _) => number(date.year().into()),
            ("month", Some(date), _) => number(date.month().into()),
            ("day", Some(date), _) => number(date.day().into()),
            ("weekday", Some(date), _) => number(date.weekday().to_monday_one_offset().into()),
            ("hour", _, Some(time)) => number(time.hour().into()),
            ("minute", _, Some(time)) => number(time.minute().into()),
            ("second", _, Some(time)) => number(time.second().into()),
            ("time offset", _, Some(_)) => Some(offset.map_or(Property::Null, |offset| {
                Property::Temporal(Temporal::Duration(SignedDuration::from_secs(offset.seconds().into())))
            })),
            ("timezone", _, Some(_)) => Some(zone.map_or(Property::Null, |zone| Property::Text(zone.to_owned()))),
            _ => None,
        }
    }
}

/// A property's value, for the evaluator to turn into one of its own.
pub(super) enum Property {
    Null,
    Number(i64),
    Text(String),
    Temporal(Temporal),
}

fn duration_property(duration: SignedDuration, name: &str) -> Option<Property> {
    let seconds = duration.as_secs();
    Some(Property::Number(match name {
        "days" => seconds / SECONDS_PER_DAY,
        "hours" => seconds % SECONDS_PER_DAY / 3600,
        "minutes" => seconds % 3600 / 60,
        "seconds" => seconds % 60,
        _ => return None,
    }))
}

/// `yyyy-MM-dd`, the year maybe negative (`-0044-03-15`). Years beyond four digits are valid
/// FEEL but out of the calendar's range, so none.
pub(super) fn parse_date(text: &str) -> Option<Date> {
    let (negative, unsigned) = text.strip_prefix('-').map_or((false, text), |rest| (true, rest));
    let bytes = unsigned.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(&unsigned[0..4])? as i16;
    Date::new(if negative { -year } else { year }, digits(&unsigned[5..7])? as i8, digits(&unsigned[8..10])? as i8).ok()
}

/// The value of a run of ASCII digits (at most 9 of them).
fn digits(text: &str) -> Option<i32> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `HH:mm`, `HH:mm:ss` or `HH:mm:ss.fff`.
fn parse_local_time(text: &str) -> Option<Time> {
    let mut parts = text.splitn(3, ':');
    let hour = two_digits(parts.next()?)?;
    let minute = two_digits(parts.next()?)?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let second = two_digits(whole)?;
            let nanos = if fraction.is_empty() && !seconds.contains('.') {
                0
            } else {
                if fraction.len() > 9 {
                    return None;
                }
                digits(fraction)? * 10i32.pow(9 - fraction.len() as u32)
            };
            (second, nanos)
        }
    };
    Time::new(hour as i8, minute as i8, second as i8, nanos).ok()
}

fn two_digits(text: &str) -> Option<i32> {
    (text.len() == 2).then(|| digits(text)).flatten()
}

/// A time's zone suffix: `Z`, `±HH:mm`, or `@Zone/Name`.
enum Zone {
    None,
    Offset(Offset),
    Named(TimeZone),
}

/// Splits `text` into what comes before a zone suffix and the zone.
fn split_zone(text: &str) -> Option<(&str, Zone)> {
    if let Some((before, name)) = text.split_once('@') {
        return Some((before, Zone::Named(time_zone(name)?)));
    }
    // `+02:00[Europe/Berlin]`, as ISO-8601 writes a zone: the zone decides.
    if let Some((before, name)) = text.strip_suffix(']').and_then(|text| text.split_once('[')) {
        let (before, _) = split_zone(before)?;
        return Some((before, Zone::Named(time_zone(name)?)));
    }
    if let Some(before) = text.strip_suffix('Z') {
        return Some((before, Zone::Offset(Offset::UTC)));
    }
    // An offset starts at the last `+` or `-` after the time's first colon.
    let colon = text.find(':')?;
    if let Some(sign) = text[colon..].rfind(['+', '-']).map(|i| i + colon) {
        return Some((&text[..sign], Zone::Offset(parse_offset(&text[sign..])?)));
    }
    Some((text, Zone::None))
}

/// `+HH:mm`, `-HH:mm` or `+HH:mm:ss`.
pub(super) fn parse_offset(text: &str) -> Option<Offset> {
    let negative = text.starts_with('-');
    let rest = text.strip_prefix(['+', '-'])?;
    let mut parts = rest.splitn(3, ':');
    let hours = two_digits(parts.next()?)?;
    let minutes = parts.next().map_or(Some(0), two_digits)?;
    let seconds = parts.next().map_or(Some(0), two_digits)?;
    let total = hours * 3600 + minutes * 60 + seconds;
    // As in Java (and so Camunda), offsets reach 18 hours at most.
    if total > 18 * 3600 {
        return None;
    }
    Offset::from_seconds(if negative { -total } else { total }).ok()
}

/// A time zone by IANA name or as an offset (`+02:00`, `Z`, `UTC`).
pub(super) fn time_zone(name: &str) -> Option<TimeZone> {
    if name == "Z" {
        return Some(TimeZone::UTC);
    }
    if let Some(offset) = parse_offset(name) {
        return Some(TimeZone::fixed(offset));
    }
    jiff::tz::db().get(name).ok()
}

/// `HH:mm:ss` with an optional zone, and as in Camunda an optional leading `T`.
pub(super) fn parse_time(text: &str) -> Option<Temporal> {
    let (local, zone) = split_zone(text.strip_prefix('T').unwrap_or(text))?;
    let time = parse_local_time(local)?;
    Some(match zone {
        Zone::None => Temporal::Time(time, None, None),
        Zone::Offset(offset) => Temporal::Time(time, Some(offset), None),
        // A zone's offset depends on the date; a time has none, so take the zone's rules of
        // 1970 (Camunda takes today's standard offset).
        Zone::Named(tz) => Temporal::Time(time, Some(tz.to_offset(Timestamp::UNIX_EPOCH)), Some(tz)),
    })
}

/// `yyyy-MM-ddTHH:mm:ss` with an optional zone (`Z`, `+01:00`, `+01:00[Europe/Paris]`,
/// `@Europe/Paris`).
pub(super) fn parse_date_time(text: &str) -> Option<Temporal> {
    let (date, time) = text.split_once('T')?;
    let date = parse_date(date)?;
    let (local, zone) = split_zone(time)?;
    let dt = date.to_datetime(parse_local_time(local)?);
    Some(match zone {
        Zone::None => Temporal::LocalDateTime(dt),
        Zone::Offset(offset) => Temporal::zoned(dt.to_zoned(TimeZone::fixed(offset)).ok()?),
        Zone::Named(tz) => Temporal::zoned(dt.to_zoned(tz).ok()?),
    })
}

/// `P1Y2M` (years and months) or `P1DT2H3M4.5S` (days and time), optionally negative.
pub(super) fn parse_duration(text: &str) -> Option<Temporal> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let rest = rest.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (rest, None),
    };
    let (mut months, mut seconds, mut nanos) = (0i64, 0i64, 0i64);
    let (mut has_months, mut has_time, mut any) = (false, false, false);
    for (value, unit) in fields(date_part)? {
        let value: i64 = value.parse().ok()?;
        any = true;
        match unit {
            'Y' => (months, has_months) = (months.checked_add(value.checked_mul(12)?)?, true),
            'M' => (months, has_months) = (months.checked_add(value)?, true),
            'W' => (seconds, has_time) = (seconds.checked_add(value.checked_mul(7 * SECONDS_PER_DAY)?)?, true),
            'D' => (seconds, has_time) = (seconds.checked_add(value.checked_mul(SECONDS_PER_DAY)?)?, true),
            _ => return None,
        }
    }
    for (value, unit) in fields(time_part.unwrap_or(""))? {
        any = true;
        has_time = true;
        if unit == 'S' {
            let (negative, value) = value.strip_prefix('-').map_or((false, value), |value| (true, value));
            let sign = if negative { -1 } else { 1 };
            let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
            seconds = seconds.checked_add(sign * whole.parse::<i64>().ok()?)?;
            if !fraction.is_empty() {
                let fraction = &fraction[..fraction.len().min(9)];
                nanos = sign * i64::from(digits(fraction)?) * 10i64.pow(9 - fraction.len() as u32);
            }
            continue;
        }
        let value: i64 = value.parse().ok()?;
        let unit_seconds = match unit {
            'H' => 3600,
            'M' => 60,
            _ => return None,
        };
        seconds = seconds.checked_add(value.checked_mul(unit_seconds)?)?;
    }
    let sign = if negative { -1 } else { 1 };
    match (any, has_months, has_time) {
        (true, true, false) => Some(Temporal::YearsMonths(sign * months)),
        (true, false, true) => Some(Temporal::Duration(SignedDuration::new(sign * seconds, (sign * nanos) as i32))),
        _ => None,
    }
}

/// Splits `1Y2M` into `[("1", 'Y'), ("2", 'M')]`; `None` when it is not such a run. As in
/// Java's (and so Camunda's) durations, a field may be negative (`PT1H-30M`).
fn fields(text: &str) -> Option<Vec<(&str, char)>> {
    let mut fields = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphabetic() {
            let value = &text[start..i];
            let unsigned = value.strip_prefix('-').unwrap_or(value);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return None;
            }
            fields.push((value, c));
            start = i + 1;
        }
    }
    (start == text.len()).then_some(fields)
}

impl fmt::Display for Temporal {
    /// ISO-8601 as Camunda writes it: `2020-04-06`, `08:00:00`, `08:00:00+02:00`,
    /// `2020-04-06T08:00:00`, `2020-04-06T08:00:00Z`, `2020-04-06T08:00:00+02:00[Europe/Berlin]`,
    /// `P1DT2H`, `P1Y2M`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Temporal::Date(date) => write_date(f, *date),
            Temporal::Time(time, offset, _) => {
                write_time(f, *time)?;
                offset.map_or(Ok(()), |offset| write_offset(f, offset))
            }
            Temporal::LocalDateTime(dt) => {
                write_date(f, dt.date())?;
                f.write_str("T")?;
                write_time(f, dt.time())
            }
            Temporal::DateTime(zoned) => {
                write_date(f, zoned.date())?;
                f.write_str("T")?;
                write_time(f, zoned.time())?;
                write_offset(f, zoned.offset())?;
                match zoned.time_zone().iana_name() {
                    Some(name) if name != "UTC" => write!(f, "[{name}]"),
                    _ => Ok(()),
                }
            }
            Temporal::Duration(duration) => write_duration(f, *duration),
            Temporal::YearsMonths(months) => {
                let sign = if *months < 0 { "-" } else { "" };
                let (years, months) = (months.unsigned_abs() / 12, months.unsigned_abs() % 12);
                match (years, months) {
                    (0, 0) => f.write_str("P0Y"),
                    (0, months) => write!(f, "{sign}P{months}M"),
                    (years, 0) => write!(f, "{sign}P{years}Y"),
                    (years, months) => write!(f, "{sign}P{years}Y{months}M"),
                }
            }
        }
    }
}

impl Temporal {
    /// The text FEEL's `string()` gives, as Camunda writes it: ISO-8601 but for a time or
    /// date-time in a named zone, written `…@Europe/Berlin`, and a zero duration, `P0D`.
    pub(super) fn feel_string(&self) -> String {
        fn zone_name(zone: Option<&TimeZone>) -> Option<&str> {
            zone.and_then(TimeZone::iana_name).filter(|name| *name != "UTC")
        }
        match self {
            Temporal::Time(time, _, zone) => match zone_name(zone.as_ref()) {
                Some(name) => format!("{}@{name}", Temporal::Time(*time, None, None)),
                None => self.to_string(),
            },
            Temporal::DateTime(zoned) => match zone_name(Some(zoned.time_zone())) {
                Some(name) => format!("{}@{name}", Temporal::LocalDateTime(zoned.datetime())),
                None => self.to_string(),
            },
            Temporal::Duration(duration) if duration.is_zero() => "P0D".to_owned(),
            _ => self.to_string(),
        }
    }
}

fn write_date(f: &mut fmt::Formatter<'_>, date: Date) -> fmt::Result {
    let sign = if date.year() < 0 { "-" } else { "" };
    write!(f, "{sign}{:04}-{:02}-{:02}", date.year().unsigned_abs(), date.month(), date.day())
}

fn write_time(f: &mut fmt::Formatter<'_>, time: Time) -> fmt::Result {
    write!(f, "{:02}:{:02}:{:02}", time.hour(), time.minute(), time.second())?;
    write_fraction(f, time.subsec_nanosecond())
}

/// `.5`, `.25`, …: the nanoseconds without trailing zeros, if any.
fn write_fraction(f: &mut fmt::Formatter<'_>, nanos: i32) -> fmt::Result {
    if nanos == 0 {
        return Ok(());
    }
    let digits = format!("{:09}", nanos.unsigned_abs());
    write!(f, ".{}", digits.trim_end_matches('0'))
}

fn write_offset(f: &mut fmt::Formatter<'_>, offset: Offset) -> fmt::Result {
    let seconds = offset.seconds();
    if seconds == 0 {
        return f.write_str("Z");
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    write!(f, "{sign}{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)?;
    match seconds % 60 {
        0 => Ok(()),
        rest => write!(f, ":{rest:02}"),
    }
}

fn write_duration(f: &mut fmt::Formatter<'_>, duration: SignedDuration) -> fmt::Result {
    if duration.is_zero() {
        return f.write_str("PT0S");
    }
    if duration.is_negative() {
        f.write_str("-")?;
    }
    let seconds = duration.as_secs().unsigned_abs();
    let nanos = duration.subsec_nanos().abs();
    let (days, hours, minutes, secs) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60);
    f.write_str("P")?;
    if days > 0 {
        write!(f, "{days}D")?;
    }
    if hours == 0 && minutes == 0 && secs == 0 && nanos == 0 {
        return Ok(());
    }
    f.write_str("T")?;
    if hours > 0 {
        write!(f, "{hours}H")?;
    }
    if minutes > 0 {
        write!(f, "{minutes}M")?;
    }
    if secs > 0 || nanos > 0 {
        write!(f, "{secs}")?;
        write_fraction(f, nanos)?;
        f.write_str("S")?;
    }
    Ok(())
}

/// Orders two values of the same temporal type; anything else is unordered. Zoned date-times
/// compare by the instant they denote; times with offsets by the UTC time they denote.
pub(super) fn compare(left: &Temporal, right: &Temporal) -> Option<Ordering> {
    use Temporal as T;
    Some(match (left, right) {
        (T::Date(a), T::Date(b)) => a.cmp(b),
        (T::Time(a, None, _), T::Time(b, None, _)) => a.cmp(b),
        (T::Time(a, Some(x), _), T::Time(b, Some(y), _)) => {
            let utc = |time: &Time, offset: &Offset| {
                i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second())
                    - i64::from(offset.seconds())
            };
            utc(a, x).cmp(&utc(b, y)).then(a.subsec_nanosecond().cmp(&b.subsec_nanosecond()))
        }
        (T::LocalDateTime(a), T::LocalDateTime(b)) => a.cmp(b),
        (T::DateTime(a), T::DateTime(b)) => a.timestamp().cmp(&b.timestamp()),
        (T::Duration(a), T::Duration(b)) => a.cmp(b),
        (T::YearsMonths(a), T::YearsMonths(b)) => a.cmp(b),
        _ => return None,
    })
}

/// `left + right` (or `left - right` when `negate`): a date, time or date-time moved by a
/// duration, or the sum of two durations of one kind. `None` when undefined or out of range.
pub(super) fn add(left: &Temporal, right: &Temporal, negate: bool) -> Option<Temporal> {
    use Temporal as T;
    let sign: i64 = if negate { -1 } else { 1 };
    Some(match (left, right) {
        (T::Duration(a), T::Duration(b)) => T::Duration(a.checked_add(b.checked_mul(sign as i32)?)?),
        (T::YearsMonths(a), T::YearsMonths(b)) => T::YearsMonths(a.checked_add(b.checked_mul(sign)?)?),
        (T::Date(date), T::Duration(d)) => {
            T::Date(date.to_datetime(Time::midnight()).checked_add(d.checked_mul(sign as i32)?).ok()?.date())
        }
        (T::Date(date), T::YearsMonths(m)) => T::Date(date.checked_add(months(sign * m)?).ok()?),
        (T::Time(time, offset, zone), T::Duration(d)) => {
            T::Time(time.wrapping_add(d.checked_mul(sign as i32)?), *offset, zone.clone())
        }
        (T::LocalDateTime(dt), T::Duration(d)) => T::LocalDateTime(dt.checked_add(d.checked_mul(sign as i32)?).ok()?),
        (T::LocalDateTime(dt), T::YearsMonths(m)) => T::LocalDateTime(dt.checked_add(months(sign * m)?).ok()?),
        (T::DateTime(z), T::Duration(d)) => T::zoned(z.checked_add(d.checked_mul(sign as i32)?).ok()?),
        (T::DateTime(z), T::YearsMonths(m)) => T::zoned(z.checked_add(months(sign * m)?).ok()?),
        // Addition commutes: a duration plus a date is the date moved.
        (T::Duration(_) | T::YearsMonths(_), T::Date(_) | T::Time(..) | T::LocalDateTime(_) | T::DateTime(_))
            if !negate =>
        {
            return add(right, left, false);
        }
        _ => return None,
    })
}

fn months(n: i64) -> Option<Span> {
    Span::new().try_months(n).ok()
}

/// `left - right` for two points in time of one type: the days-and-time duration between them.
pub(super) fn between(left: &Temporal, right: &Temporal) -> Option<Temporal> {
    use Temporal as T;
    Some(T::Duration(match (left, right) {
        (T::Date(a), T::Date(b)) => a.duration_since(*b),
        (T::Time(a, None, _), T::Time(b, None, _)) => a.duration_since(*b),
        (T::Time(a, Some(x), _), T::Time(b, Some(y), _)) => a
            .duration_since(*b)
            .checked_sub(SignedDuration::from_secs(i64::from(x.seconds()) - i64::from(y.seconds())))?,
        (T::LocalDateTime(a), T::LocalDateTime(b)) => a.duration_since(*b),
        (T::DateTime(a), T::DateTime(b)) => a.duration_since(b),
        _ => return None,
    }))
}

/// Whole months from `from` to `to`, counted on the calendar between their dates, whatever
/// their times of day (for `years and months duration`, as Camunda counts them).
pub(super) fn months_between(from: &Temporal, to: &Temporal) -> Option<i64> {
    let (a, b) = (from.date()?, to.date()?);
    let span = a.until((jiff::Unit::Month, b)).ok()?;
    Some(i64::from(span.get_years()) * 12 + i64::from(span.get_months()))
}

/// `duration * factor`, or `None` when out of range.
pub(super) fn scale(value: &Temporal, factor: f64) -> Option<Temporal> {
    match value {
        Temporal::Duration(d) => {
            SignedDuration::try_from_secs_f64(d.as_secs_f64() * factor).ok().map(Temporal::Duration)
        }
        Temporal::YearsMonths(m) => {
            let scaled = (*m as f64 * factor).trunc();
            (scaled.abs() < 1e15).then_some(Temporal::YearsMonths(scaled as i64))
        }
        _ => None,
    }
}

/// `left / right` for two durations of one kind.
pub(super) fn ratio(left: &Temporal, right: &Temporal) -> Option<f64> {
    let (a, b) = match (left, right) {
        (Temporal::Duration(a), Temporal::Duration(b)) => (a.as_secs_f64(), b.as_secs_f64()),
        (Temporal::YearsMonths(a), Temporal::YearsMonths(b)) => (*a as f64, *b as f64),
        _ => return None,
    };
    (b != 0.0).then_some(a / b)
}

/// The instant `millis` after the Unix epoch at a UTC offset of `offset_seconds`.
pub(super) fn instant(millis: i64, offset_seconds: i32) -> Option<Zoned> {
    let timestamp = Timestamp::from_millisecond(millis).ok()?;
    Some(timestamp.to_zoned(TimeZone::fixed(Offset::from_seconds(offset_seconds).ok()?)))
}
