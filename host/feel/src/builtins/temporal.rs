//! Dates, times, date-times and durations: their constructors and calendar functions. `now()`
//! and `today()` read the caller's [`Context`](crate::Context), never the system clock.

use jiff::civil::{Date, Time};
use jiff::tz::{Offset, TimeZone};

use super::{Builtin, builtin, integer};
use crate::temporal::{self, Temporal};
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    builtin("date", "from", |_, a| {
        Ok(temporal_or_null(match &a[0] {
            Val::Temporal(t) => t.date().map(Temporal::Date),
            other => other.as_str().and_then(temporal::parse_date).map(Temporal::Date),
        }))
    }),
    builtin("date", "year, month, day", |_, a| {
        let date = || Date::new(small(&a[0])?, small(&a[1])?, small(&a[2])?).ok();
        Ok(temporal_or_null(date().map(Temporal::Date)))
    }),
    builtin("time", "from", |_, a| {
        Ok(temporal_or_null(match &a[0] {
            Val::Temporal(Temporal::LocalDateTime(dt)) => Some(Temporal::Time(dt.time(), None, None)),
            Val::Temporal(Temporal::DateTime(z)) => {
                let zone = z.time_zone().iana_name().is_some().then(|| z.time_zone().clone());
                Some(Temporal::Time(z.time(), Some(z.offset()), zone))
            }
            // As in Camunda: a date's time is midnight UTC.
            Val::Temporal(Temporal::Date(_)) => Some(Temporal::Time(Time::midnight(), Some(Offset::UTC), None)),
            Val::Temporal(t @ Temporal::Time(..)) => Some(t.clone()),
            other => other.as_str().and_then(temporal::parse_time),
        }))
    }),
    builtin("time", "hour, minute, second, offset?", |_, a| {
        let time = || {
            let seconds = a[2].as_number()?.as_f64()?;
            let nanos = (seconds.fract() * 1e9).round() as i32;
            let time = Time::new(small(&a[0])?, small(&a[1])?, seconds.trunc() as i8, nanos).ok()?;
            let offset = match a.get(3) {
                None | Some(Val::Null) => None,
                Some(Val::Temporal(Temporal::Duration(d))) => {
                    Some(Offset::from_seconds(d.as_secs().try_into().ok()?).ok()?)
                }
                Some(_) => return None,
            };
            Some(Temporal::Time(time, offset, None))
        };
        Ok(temporal_or_null(time()))
    }),
    builtin("date and time", "from", |_, a| {
        Ok(temporal_or_null(match &a[0] {
            Val::Temporal(t @ (Temporal::LocalDateTime(_) | Temporal::DateTime(_))) => Some(t.clone()),
            Val::Temporal(Temporal::Date(d)) => Some(Temporal::LocalDateTime(d.to_datetime(Time::midnight()))),
            other => other.as_str().and_then(|s| {
                temporal::parse_date_time(s).or_else(|| {
                    temporal::parse_date(s).map(|d| Temporal::LocalDateTime(d.to_datetime(Time::midnight())))
                })
            }),
        }))
    }),
    // `date and time(date, time)`, or `date and time(date-time, time zone)` to see an instant
    // in another zone.
    builtin("date and time", "date, time", |_, a| {
        let combined = || match (&a[0], &a[1]) {
            // `date and time(date and time, timezone)`: the same instant in that zone, or a local
            // date-time placed in it.
            (Val::Temporal(Temporal::DateTime(z)), zone) if zone.as_str().is_some() => {
                Some(Temporal::zoned(z.with_time_zone(temporal::time_zone(zone.as_str()?)?)))
            }
            (Val::Temporal(Temporal::LocalDateTime(dt)), zone) if zone.as_str().is_some() => {
                Some(Temporal::zoned(dt.to_zoned(temporal::time_zone(zone.as_str()?)?).ok()?))
            }
            (Val::Temporal(date), Val::Temporal(Temporal::Time(time, offset, zone))) => {
                let dt = date.date()?.to_datetime(*time);
                Some(match (offset, zone) {
                    (_, Some(zone)) => Temporal::zoned(dt.to_zoned(zone.clone()).ok()?),
                    (None, None) => Temporal::LocalDateTime(dt),
                    (Some(offset), None) => Temporal::zoned(dt.to_zoned(TimeZone::fixed(*offset)).ok()?),
                })
            }
            _ => None,
        };
        Ok(temporal_or_null(combined()))
    }),
    builtin("duration", "from", |_, a| Ok(temporal_or_null(a[0].as_str().and_then(temporal::parse_duration)))),
    builtin("years and months duration", "from, to", |_, a| {
        let months = match (&a[0], &a[1]) {
            (Val::Temporal(from), Val::Temporal(to)) => temporal::months_between(from, to),
            _ => None,
        };
        Ok(temporal_or_null(months.map(Temporal::YearsMonths)))
    }),
    builtin("now", "", |ev, _| {
        let context = ev.context("now")?;
        Ok(temporal_or_null(temporal::instant(context.now_millis, context.offset_seconds).map(Temporal::zoned)))
    }),
    builtin("today", "", |ev, _| {
        let context = ev.context("today")?;
        let now = temporal::instant(context.now_millis, context.offset_seconds);
        Ok(temporal_or_null(now.map(|now| Temporal::Date(now.date()))))
    }),
    builtin("day of week", "date", |_, a| {
        Ok(date_of(&a[0]).map_or(Val::Null, |d| Val::string(WEEKDAYS[d.weekday().to_monday_zero_offset() as usize])))
    }),
    builtin("day of year", "date", |_, a| {
        Ok(date_of(&a[0]).map_or(Val::Null, |d| Val::count(d.day_of_year() as usize)))
    }),
    builtin("week of year", "date", |_, a| {
        Ok(date_of(&a[0]).map_or(Val::Null, |d| Val::count(d.iso_week_date().week() as usize)))
    }),
    builtin("month of year", "date", |_, a| {
        Ok(date_of(&a[0]).map_or(Val::Null, |d| Val::string(MONTHS[(d.month() - 1) as usize])))
    }),
    builtin("last day of month", "date", |_, a| {
        Ok(temporal_or_null(date_of(&a[0]).map(|d| Temporal::Date(d.last_of_month()))))
    }),
];

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn temporal_or_null<'a>(value: Option<Temporal>) -> Val<'a> {
    value.map_or(Val::Null, Val::Temporal)
}

/// The date of a date or date-time.
fn date_of(value: &Val<'_>) -> Option<Date> {
    value.as_temporal()?.date()
}

/// A whole number that fits a calendar field.
fn small<T: TryFrom<i64>>(value: &Val<'_>) -> Option<T> {
    T::try_from(integer(value)?).ok()
}
