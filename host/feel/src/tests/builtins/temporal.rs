//! The date, time and duration constructors and the temporal functions.

use serde_json::{Value, json};

use super::check;

/// Each function with the examples of Camunda's reference, by position and by name, and the
/// null cases. The test context's clock reads 2024-05-01T10:00:00Z at UTC+02:00.
pub(super) fn cases() -> Vec<(&'static str, Value)> {
    vec![
        (r#"date("2018-04-29")"#, json!("2018-04-29")),
        (r#"date(date and time("2012-12-25T11:00:00"))"#, json!("2012-12-25")),
        (r#"date(@"2020-04-06T08:00:00+02:00")"#, json!("2020-04-06")),
        (r#"date("-0044-03-15")"#, json!("-0044-03-15")),
        (r#"date("2024-06-31")"#, Value::Null),
        (r#"date("06.04.2020")"#, Value::Null),
        ("date(1)", Value::Null),
        (r#"date(from: "2020-01-02")"#, json!("2020-01-02")),
        ("date(2012, 12, 25)", json!("2012-12-25")),
        ("date(2024, 6, 31)", Value::Null),
        ("date(2020, 13, 1)", Value::Null),
        ("date(year: 2020, month: 2, day: 29)", json!("2020-02-29")),
        (r#"time("12:00:00")"#, json!("12:00:00")),
        (r#"time("T23:59:00")"#, json!("23:59:00")),
        (r#"time(date and time("2012-12-25T11:00:00"))"#, json!("11:00:00")),
        (r#"time("08:00:00+02:00")"#, json!("08:00:00+02:00")),
        (r#"time("08:00:00@Europe/Paris")"#, json!("08:00:00+01:00")),
        (r#"string(time(@"2017-08-10T10:20:00@Europe/Paris"))"#, json!("10:20:00@Europe/Paris")),
        // As in Camunda, a date's time is midnight UTC.
        (r#"time(date("2020-04-06"))"#, json!("00:00:00Z")),
        (r#"time("25:00:00")"#, Value::Null),
        (r#"time("13:20:00+19:00")"#, Value::Null),
        (r#"time(from: "10:00")"#, json!("10:00:00")),
        ("time(23, 59, 0)", json!("23:59:00")),
        ("time(8, 30, 1.5)", json!("08:30:01.5")),
        (r#"time(14, 30, 0, duration("PT1H"))"#, json!("14:30:00+01:00")),
        (r#"time(11, 59, 45, duration("-PT2H45M55S"))"#, json!("11:59:45-02:45:55")),
        ("time(14, 30, 0, null)", json!("14:30:00")),
        ("time(24, 0, 0)", Value::Null),
        ("time(hour: 9, minute: 5, second: 0)", json!("09:05:00")),
        (r#"date and time("2018-04-29T09:30:00")"#, json!("2018-04-29T09:30:00")),
        (r#"date and time("2018-04-29T09:30:00+02:00")"#, json!("2018-04-29T09:30:00+02:00")),
        (r#"date and time("2018-04-29T09:30:00@Europe/Berlin")"#, json!("2018-04-29T09:30:00+02:00[Europe/Berlin]")),
        (
            r#"date and time("2018-04-29T09:30:00+02:00[Europe/Berlin]")"#,
            json!("2018-04-29T09:30:00+02:00[Europe/Berlin]"),
        ),
        (r#"date and time("2020-04-06")"#, json!("2020-04-06T00:00:00")),
        (r#"date and time("2024-06-31T10:00:00")"#, Value::Null),
        (r#"date and time("x")"#, Value::Null),
        (r#"date and time(date("2012-12-24"),time("T23:59:00"))"#, json!("2012-12-24T23:59:00")),
        (r#"date and time(date and time("2012-12-25T11:00:00"),time("T23:59:00"))"#, json!("2012-12-25T23:59:00")),
        (r#"date and time(date("2020-04-06"), time("08:00:00+01:00"))"#, json!("2020-04-06T08:00:00+01:00")),
        (
            r#"string(date and time(@"2020-07-31T14:27:30@Europe/Berlin", "America/Los_Angeles"))"#,
            json!("2020-07-31T05:27:30@America/Los_Angeles"),
        ),
        (r#"date and time(@"2020-07-31T14:27:30", "Z")"#, json!("2020-07-31T14:27:30Z")),
        (r#"date and time(@"2020-04-06T08:00:00Z", "Nowhere/City")"#, Value::Null),
        (r#"date and time(from: "2020-01-02T03:04:05")"#, json!("2020-01-02T03:04:05")),
        (r#"date and time(date: date("2020-01-02"), time: time("03:04:05"))"#, json!("2020-01-02T03:04:05")),
        (r#"duration("P5D")"#, json!("P5D")),
        (r#"duration("P32Y")"#, json!("P32Y")),
        (r#"duration("PT36H")"#, json!("P1DT12H")),
        (r#"duration("P2W")"#, json!("P14D")),
        (r#"duration("PT0.5S")"#, json!("PT0.5S")),
        (r#"duration("-PT90M")"#, json!("-PT1H30M")),
        (r#"duration("P14M")"#, json!("P1Y2M")),
        // As in Java's durations, fields may be negative.
        (r#"duration("PT-5M")"#, json!("-PT5M")),
        (r#"duration("PT1H-30M")"#, json!("PT30M")),
        (r#"duration("P1Y-2M")"#, json!("P10M")),
        (r#"duration("P1Y2D")"#, Value::Null),
        (r#"duration("P")"#, Value::Null),
        (r#"duration("1D")"#, Value::Null),
        (r#"duration(from: "PT1M")"#, json!("PT1M")),
        (r#"years and months duration(date("2011-12-22"), date("2013-08-24"))"#, json!("P1Y8M")),
        (r#"years and months duration(date("2013-08-24"), date("2011-12-22"))"#, json!("-P1Y8M")),
        // Whole months between the dates, whatever the times of day.
        (
            r#"years and months duration(date and time("2014-12-31T23:59:59"), date and time("2019-10-01T12:32:59"))"#,
            json!("P4Y9M"),
        ),
        (r#"years and months duration(date("2020-01-01"), "2021-01-01")"#, Value::Null),
        (r#"years and months duration(from: @"2020-01-15", to: @"2020-03-14")"#, json!("P1M")),
        ("now()", json!("2024-05-01T12:00:00+02:00")),
        (r#"now() > @"2024-01-01T00:00:00Z""#, json!(true)),
        ("today()", json!("2024-05-01")),
        (r#"today() - @"2024-04-01""#, json!("P30D")),
        (r#"day of week(date("2019-09-17"))"#, json!("Tuesday")),
        (r#"day of week(date and time("2019-09-17T12:00:00"))"#, json!("Tuesday")),
        (r#"day of week("2019-09-17")"#, Value::Null),
        (r#"day of week(date: @"2024-05-05")"#, json!("Sunday")),
        (r#"day of year(date("2019-09-17"))"#, json!(260)),
        (r#"day of year(date: @"2024-12-31")"#, json!(366)),
        (r#"week of year(date("2019-09-17"))"#, json!(38)),
        (r#"week of year(date("2021-01-01"))"#, json!(53)),
        (r#"week of year(date: @"2024-01-01")"#, json!(1)),
        (r#"month of year(date("2019-09-17"))"#, json!("September")),
        (r#"month of year(date: @"2024-01-31T10:00:00")"#, json!("January")),
        (r#"last day of month(date("2022-10-01"))"#, json!("2022-10-31")),
        (r#"last day of month(date and time("2022-10-16T12:00:00"))"#, json!("2022-10-31")),
        (r#"last day of month(date("2024-02-10"))"#, json!("2024-02-29")),
        (r#"last day of month("2024-02-10")"#, Value::Null),
        (r#"last day of month(date: @"2023-02-10")"#, json!("2023-02-28")),
        (r#"abs(duration("-PT5H"))"#, json!("PT5H")),
        (r#"abs(duration("PT5H"))"#, json!("PT5H")),
        (r#"abs(duration("-P2M"))"#, json!("P2M")),
    ]
}

#[test]
fn temporal_functions() {
    check(&cases());
}
