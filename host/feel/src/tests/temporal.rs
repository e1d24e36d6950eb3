//! Dates, times, date-times and durations: literals, constructors, properties, comparison,
//! arithmetic, the calendar functions, and `now()`/`today()` from the caller's context.

use serde_json::{Value, json};

use super::{check_all, eval_in};
use crate::{Expression, FeelError};

#[test]
fn literals_and_constructors_write_iso_8601() {
    check_all(&[
        ("@\"2020-04-06\"", json!("2020-04-06")),
        ("date(\"2020-04-06\")", json!("2020-04-06")),
        ("date(2020, 4, 6)", json!("2020-04-06")),
        ("date(@\"2020-04-06T08:00:00\")", json!("2020-04-06")),
        ("@\"2024-06-31\"", Value::Null),
        ("date(\"2024-02-30\")", Value::Null),
        ("date(\"06.04.2020\")", Value::Null),
        ("date(2020, 13, 1)", Value::Null),
        ("date(1)", Value::Null),
        ("@\"08:00:00\"", json!("08:00:00")),
        ("@\"13:30\"", json!("13:30:00")),
        ("@\"08:00:00.5\"", json!("08:00:00.5")),
        ("time(\"08:00:00+02:00\")", json!("08:00:00+02:00")),
        ("time(\"08:00:00Z\")", json!("08:00:00Z")),
        ("time(8, 30, 0)", json!("08:30:00")),
        ("time(8, 30, 0, duration(\"PT1H\"))", json!("08:30:00+01:00")),
        ("time(@\"2020-04-06T08:00:00+02:00\")", json!("08:00:00+02:00")),
        ("time(\"25:00:00\")", Value::Null),
        ("@\"2020-04-06T08:00:00\"", json!("2020-04-06T08:00:00")),
        ("@\"2020-04-06T08:00:00Z\"", json!("2020-04-06T08:00:00Z")),
        ("@\"2020-04-06T08:00:00+02:00\"", json!("2020-04-06T08:00:00+02:00")),
        ("@\"2020-04-06T08:00:00@Europe/Berlin\"", json!("2020-04-06T08:00:00+02:00[Europe/Berlin]")),
        ("@\"2020-01-06T08:00:00@Europe/Berlin\"", json!("2020-01-06T08:00:00+01:00[Europe/Berlin]")),
        ("@\"2020-04-06T08:00:00@Nowhere/City\"", Value::Null),
        ("date and time(\"2020-04-06T08:00:00\")", json!("2020-04-06T08:00:00")),
        ("date and time(date(\"2020-04-06\"), time(\"08:00:00\"))", json!("2020-04-06T08:00:00")),
        ("date and time(date(\"2020-04-06\"), time(\"08:00:00+01:00\"))", json!("2020-04-06T08:00:00+01:00")),
        (
            "date and time(@\"2020-04-06T08:00:00Z\", \"Europe/Berlin\")",
            json!("2020-04-06T10:00:00+02:00[Europe/Berlin]"),
        ),
        ("date and time(\"2020-04-06\")", json!("2020-04-06T00:00:00")),
        ("date and time(\"x\")", Value::Null),
        ("@\"P1DT2H\"", json!("P1DT2H")),
        ("duration(\"PT36H\")", json!("P1DT12H")),
        ("duration(\"P2W\")", json!("P14D")),
        ("duration(\"PT0.5S\")", json!("PT0.5S")),
        ("duration(\"-PT90M\")", json!("-PT1H30M")),
        ("duration(\"PT0S\")", json!("PT0S")),
        ("duration(\"P1Y2M\")", json!("P1Y2M")),
        ("duration(\"P14M\")", json!("P1Y2M")),
        ("duration(\"P1Y2D\")", Value::Null),
        ("duration(\"P\")", Value::Null),
        ("duration(\"1D\")", Value::Null),
        ("years and months duration(date(\"2011-12-22\"), date(\"2013-08-24\"))", json!("P1Y8M")),
        ("years and months duration(date(\"2013-08-24\"), date(\"2011-12-22\"))", json!("-P1Y8M")),
    ]);
}

#[test]
fn properties() {
    check_all(&[
        ("@\"2020-04-06\".year", json!(2020)),
        ("@\"2020-04-06\".month", json!(4)),
        ("@\"2020-04-06\".day", json!(6)),
        ("@\"2020-04-06\".weekday", json!(1)),
        ("@\"2020-04-06\".hour", Value::Null),
        ("@\"08:15:30\".hour", json!(8)),
        ("@\"08:15:30\".minute", json!(15)),
        ("@\"08:15:30\".second", json!(30)),
        ("@\"08:15:30\".time offset", Value::Null),
        ("@\"08:15:30+02:00\".time offset", json!("PT2H")),
        ("@\"2020-04-06T08:15:30@Europe/Paris\".timezone", json!("Europe/Paris")),
        ("@\"2020-04-06T08:15:30@Europe/Paris\".year", json!(2020)),
        ("@\"2020-04-06T08:15:30\".minute", json!(15)),
        ("@\"P1DT2H3M4S\".days", json!(1)),
        ("@\"P1DT2H3M4S\".hours", json!(2)),
        ("@\"P1DT2H3M4S\".minutes", json!(3)),
        ("@\"P1DT2H3M4S\".seconds", json!(4)),
        ("@\"P2Y3M\".years", json!(2)),
        ("@\"P2Y3M\".months", json!(3)),
        ("@\"P2Y3M\".days", Value::Null),
    ]);
}

#[test]
fn comparison() {
    check_all(&[
        ("@\"2020-04-06\" < @\"2020-04-07\"", json!(true)),
        ("@\"2020-04-06\" = date(2020, 4, 6)", json!(true)),
        ("@\"2020-04-06\" = @\"2020-04-06T00:00:00\"", Value::Null),
        ("@\"08:00:00\" > @\"07:59:59\"", json!(true)),
        ("@\"10:00:00+02:00\" = @\"08:00:00Z\"", json!(true)),
        ("@\"2020-04-06T10:00:00+02:00\" = @\"2020-04-06T08:00:00Z\"", json!(true)),
        ("@\"2020-04-06T10:00:00@Europe/Berlin\" = @\"2020-04-06T08:00:00Z\"", json!(true)),
        ("@\"2020-04-06T10:00:00\" < @\"2020-04-06T11:00:00\"", json!(true)),
        ("@\"PT1H\" < @\"PT90M\"", json!(true)),
        ("@\"P1D\" = @\"PT24H\"", json!(true)),
        ("@\"P1Y\" = @\"P12M\"", json!(true)),
        ("@\"P1Y\" > @\"P1D\"", Value::Null),
        ("@\"2020-04-06\" between @\"2020-01-01\" and @\"2020-12-31\"", json!(true)),
        ("@\"2020-04-06\" in [@\"2020-01-01\"..@\"2020-12-31\"]", json!(true)),
        ("@\"2020-04-06\" < \"2020-04-07\"", Value::Null),
    ]);
}

#[test]
fn arithmetic() {
    check_all(&[
        ("@\"2020-04-06\" + @\"P1D\"", json!("2020-04-07")),
        ("@\"2020-04-06\" - @\"P1D\"", json!("2020-04-05")),
        ("@\"2020-01-31\" + @\"P1M\"", json!("2020-02-29")),
        ("@\"P1D\" + @\"2020-04-06\"", json!("2020-04-07")),
        ("@\"2020-04-06\" - @\"2020-04-01\"", json!("P5D")),
        ("@\"08:00:00\" + @\"PT1H\"", json!("09:00:00")),
        ("@\"23:00:00\" + @\"PT2H\"", json!("01:00:00")),
        ("@\"10:00:00\" - @\"08:30:00\"", json!("PT1H30M")),
        ("@\"2020-04-06T08:00:00\" + @\"PT25H\"", json!("2020-04-07T09:00:00")),
        ("@\"2020-04-06T08:00:00\" + @\"P1Y\"", json!("2021-04-06T08:00:00")),
        ("@\"2020-04-06T08:00:00Z\" + @\"PT1H\"", json!("2020-04-06T09:00:00Z")),
        ("@\"2020-03-28T12:00:00@Europe/Berlin\" + @\"P1D\"", json!("2020-03-29T13:00:00+02:00[Europe/Berlin]")),
        ("@\"2020-04-06T10:00:00Z\" - @\"2020-04-06T08:00:00Z\"", json!("PT2H")),
        ("@\"2020-04-06T10:00:00\" - @\"2020-04-06T08:00:00Z\"", Value::Null),
        ("@\"P1D\" + @\"PT12H\"", json!("P1DT12H")),
        ("@\"P1Y\" - @\"P2M\"", json!("P10M")),
        ("@\"P1D\" + @\"P1M\"", Value::Null),
        ("@\"PT1H\" * 2", json!("PT2H")),
        ("2 * @\"PT1H\"", json!("PT2H")),
        ("@\"PT1H\" / 2", json!("PT30M")),
        ("@\"P1D\" / @\"PT1H\"", json!(24)),
        ("@\"P1Y\" * 2", json!("P2Y")),
        ("@\"P1Y\" / @\"P1M\"", json!(12)),
        ("-@\"PT1H\"", json!("-PT1H")),
        ("@\"2020-04-06\" + 1", Value::Null),
        ("@\"2020-04-06\" + @\"2020-04-06\"", Value::Null),
    ]);
}

#[test]
fn now_and_today_read_the_callers_clock() {
    // The test context's clock reads 2024-05-01T10:00:00Z at UTC+02:00.
    assert_eq!(eval_in("now()"), json!("2024-05-01T12:00:00+02:00"));
    assert_eq!(eval_in("today()"), json!("2024-05-01"));
    assert_eq!(eval_in("now() > @\"2024-01-01T00:00:00Z\""), json!(true));
    assert_eq!(eval_in("today() - @\"2024-04-01\""), json!("P30D"));
    assert_eq!(eval_in("now().hour"), json!(12));
    for function in ["now", "today"] {
        let error = Expression::parse(&format!("{function}()")).unwrap().evaluate(&json!({})).unwrap_err();
        assert_eq!(error, FeelError::NeedsContext { function: function.to_owned() });
        assert_eq!(
            error.to_string(),
            format!(
                "FEEL evaluation error: `{function}()` needs the time and a random source: evaluate with a Context"
            )
        );
    }
}
