//! Dates, times, date-times and durations: their constructors and calendar functions. `now()`
//! and `today()` read the caller's [`Context`](crate::Context), never the system clock.

use jiff::civil::{Date, Time};
use jiff::tz::{Offset, TimeZone};

use super::{Builtin, between, exactly, integer, one};
use crate::temporal::{self, Temporal};
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    one("date", |_, a| {
        Ok(temporal_or_null(match &a[0] {
            Val::Temporal(t) => t.date().map(Temporal::Date),
            other => other.as_str().and_then(temporal::parse_date).map(Temporal::Date),
        }))
    }),
    exactly("date", 3, |_, a| {
        let date = || Date::new(small(&a[0])?, small(&a[1])?, small(&a[2])?).ok();
        Ok(temporal_or_null(date().map(Temporal::Date)))
    }),
    one("time", |_, a| {
        Ok(temporal_or_null(match &a[0] {
            Val::Temporal(Temporal::LocalDateTime(dt)) => Some(Temporal::Time(dt.time(), None)),
            Val::Temporal(Temporal::DateTime(z)) => Some(Temporal::Time(z.time(), Some(z.offset()))),
            Val::Temporal(Temporal::Date(_)) => Some(Temporal::Time(Time::midnight(), None)),
            Val::Temporal(t @ Temporal::Time(..)) => Some(t.clone()),
            other => other.as_str().and_then(temporal::parse_time),
        }))
    }),
    between("time", 3, 4, |_, a| {
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
            Some(Temporal::Time(time, offset))
        };
        Ok(temporal_or_null(time()))
    }),
    one("date and time", |_, a| {
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
    exactly("date and time", 2, |_, a| {
        let combined = || match (&a[0], &a[1]) {
            (Val::Temporal(Temporal::DateTime(z)), zone) => {
                Some(Temporal::zoned(z.with_time_zone(temporal::time_zone(zone.as_str()?)?)))
            }
            (Val::Temporal(date), Val::Temporal(Temporal::Time(time, offset))) => {
                let dt = date.date()?.to_datetime(*time);
                Some(match offset {
                    None => Temporal::LocalDateTime(dt),
                    Some(offset) => Temporal::zoned(dt.to_zoned(TimeZone::fixed(*offset)).ok()?),
                })
            }
            _ => None,
        };
        Ok(temporal_or_null(combined()))
    }),
    one("duration", |_, a| Ok(temporal_or_null(a[0].as_str().and_then(temporal::parse_duration)))),
    exactly("years and months duration", 2, |_, a| {
        let months = match (&a[0], &a[1]) {
            (Val::Temporal(from), Val::Temporal(to)) => temporal::months_between(from, to),
            _ => None,
        };
        Ok(temporal_or_null(months.map(Temporal::YearsMonths)))
    }),
    exactly("now", 0, |ev, _| {
        let context = ev.context("now")?;
        Ok(temporal_or_null(temporal::instant(context.now_millis, context.offset_seconds).map(Temporal::zoned)))
    }),
    exactly("today", 0, |ev, _| {
        let context = ev.context("today")?;
        let now = temporal::instant(context.now_millis, context.offset_seconds);
        Ok(temporal_or_null(now.map(|now| Temporal::Date(now.date()))))
    }),
    one("day of week", |_, a| {
        Ok(date_of(&a[0]).map_or(Val::Null, |d| Val::string(WEEKDAYS[d.weekday().to_monday_zero_offset() as usize])))
    }),
    one("day of year", |_, a| Ok(date_of(&a[0]).map_or(Val::Null, |d| Val::count(d.day_of_year() as usize)))),
    one("week of year", |_, a| Ok(date_of(&a[0]).map_or(Val::Null, |d| Val::count(d.iso_week_date().week() as usize)))),
    one(
        "month of year",
        |_, a| Ok(date_of(&a[0]).map_or(Val::Null, |d| Val::string(MONTHS[(d.month() - 1) as usize]))),
    ),
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
