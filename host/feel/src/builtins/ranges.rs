//! The range functions (`before`, `overlaps`, `includes`, …) and `range(from)`. A point counts
//! as the range `[p..p]`, so each relation is written once, for two ranges; a missing bound is
//! unbounded.

use std::cmp::Ordering;
use std::rc::Rc;

use super::{Builtin, boolean, builtin};
use crate::ast::{Arguments, Expr};
use crate::compare::order;
use crate::temporal::{self, Temporal};
use crate::value::{Range, Val};
use crate::{number, parser};

pub(super) static BUILTINS: &[Builtin] = &[
    builtin("before", "point1|point|range1, point2|range|range2", |_, a| Ok(relate(a, false, before))),
    builtin("after", "point1|point|range1, point2|range|range2", |_, a| Ok(relate(a, true, before))),
    builtin("meets", "range1, range2", |_, a| Ok(relate(a, false, meets))),
    builtin("met by", "range1, range2", |_, a| Ok(relate(a, true, meets))),
    builtin("overlaps", "range1, range2", |_, a| Ok(relate(a, false, overlaps))),
    builtin("overlaps before", "range1, range2", |_, a| Ok(relate(a, false, overlaps_before))),
    builtin("overlaps after", "range1, range2", |_, a| Ok(relate(a, true, overlaps_before))),
    builtin("finishes", "point|range1, range|range2", |_, a| Ok(relate(a, false, finishes))),
    builtin("finished by", "range|range1, point|range2", |_, a| Ok(relate(a, true, finishes))),
    builtin("includes", "range|range1, point|range2", |_, a| Ok(relate(a, false, includes))),
    builtin("during", "point|range1, range|range2", |_, a| Ok(relate(a, true, includes))),
    builtin("starts", "point|range1, range|range2", |_, a| Ok(relate(a, false, starts))),
    builtin("started by", "range|range1, point|range2", |_, a| Ok(relate(a, true, starts))),
    builtin("coincides", "point1|range1, point2|range2", |_, a| Ok(relate(a, false, coincides))),
    // `range(from)` (DMN 1.5): the range a string writes, `"[1..10)"`.
    builtin("range", "from", |_, a| Ok(a[0].as_str().and_then(parse_range).map_or(Val::Null, Val::Range))),
];

/// The range `text` writes as an interval (`[1..10)`, `]a..b]`), with bounds that are literals
/// (`1`, `"a"`, `@"2024-01-01"`, or `date("2024-01-01")` and the like), of one type and in
/// ascending order; `None` otherwise.
fn parse_range(text: &str) -> Option<Rc<Range<'static>>> {
    if !text.trim_start().starts_with(['[', '(', ']']) {
        return None;
    }
    let Ok(Expr::Range { start, start_closed, end, end_closed }) = parser::parse(text, None) else { return None };
    let bound = |bound: Option<Box<Expr>>| match bound {
        Some(bound) => constant(&bound).map(Some),
        None => Some(None),
    };
    let (start, end) = (bound(start)?, bound(end)?);
    if let (Some(start), Some(end)) = (&start, &end)
        && !order(start, end)?.is_le()
    {
        return None;
    }
    if start.iter().chain(&end).any(|bound| bound.is_null()) {
        return None;
    }
    Some(Rc::new(Range { start, start_closed, end, end_closed }))
}

/// The value of a literal, or of a date, time or duration function applied to a string
/// literal; `None` for anything else.
fn constant(expr: &Expr) -> Option<Val<'static>> {
    Some(match expr {
        Expr::Literal(value) => Val::from_json_owned(value.clone()),
        Expr::Temporal(value) => Val::Temporal(value.clone()?),
        Expr::Negate(operand) => match constant(operand)? {
            Val::Number(n) => Val::from_json_owned(number::negate(&n)),
            _ => return None,
        },
        Expr::Call { name, arguments: Arguments::Positional(arguments), .. } => {
            let [Expr::Literal(serde_json::Value::String(text))] = arguments.as_slice() else { return None };
            Val::Temporal(match name.as_str() {
                "date" => Temporal::Date(temporal::parse_date(text)?),
                "time" => temporal::parse_time(text)?,
                "date and time" => temporal::parse_date_time(text)?,
                "duration" => temporal::parse_duration(text)?,
                _ => return None,
            })
        }
        _ => return None,
    })
}

/// An end of an interval: a value, or unbounded below or above.
#[derive(Clone, Copy)]
enum Bound<'v, 'a> {
    Below,
    At(&'v Val<'a>),
    Above,
}

struct Interval<'v, 'a> {
    start: Bound<'v, 'a>,
    start_closed: bool,
    end: Bound<'v, 'a>,
    end_closed: bool,
}

impl<'v, 'a> Interval<'v, 'a> {
    fn of(value: &'v Val<'a>) -> Option<Self> {
        Some(match value {
            Val::Null => return None,
            Val::Range(range) => Interval {
                start: range.start.as_ref().map_or(Bound::Below, Bound::At),
                start_closed: range.start_closed,
                end: range.end.as_ref().map_or(Bound::Above, Bound::At),
                end_closed: range.end_closed,
            },
            // As in Camunda, a point is a number, a date, a time or a duration.
            point if point.as_temporal().is_some() || point.as_number().is_some() => {
                Interval { start: Bound::At(point), start_closed: true, end: Bound::At(point), end_closed: true }
            }
            _ => return None,
        })
    }
}

/// Orders two bounds; `None` when their values are incomparable.
fn cmp(a: Bound<'_, '_>, b: Bound<'_, '_>) -> Option<Ordering> {
    Some(match (a, b) {
        (Bound::At(x), Bound::At(y)) => order(x, y)?,
        (Bound::Below, Bound::Below) | (Bound::Above, Bound::Above) => Ordering::Equal,
        (Bound::Below, _) | (_, Bound::Above) => Ordering::Less,
        (Bound::Above, _) | (_, Bound::Below) => Ordering::Greater,
    })
}

/// Applies `relation` to the two arguments (swapped when `swap`); null when either is null or
/// their bounds are incomparable.
fn relate<'a>(
    a: &[Val<'a>],
    swap: bool,
    relation: fn(&Interval<'_, '_>, &Interval<'_, '_>) -> Option<bool>,
) -> Val<'a> {
    let (Some(x), Some(y)) = (Interval::of(&a[0]), Interval::of(&a[1])) else { return Val::Null };
    boolean(if swap { relation(&y, &x) } else { relation(&x, &y) })
}

fn before(x: &Interval<'_, '_>, y: &Interval<'_, '_>) -> Option<bool> {
    let o = cmp(x.end, y.start)?;
    Some(o.is_lt() || (o.is_eq() && !(x.end_closed && y.start_closed)))
}

fn meets(x: &Interval<'_, '_>, y: &Interval<'_, '_>) -> Option<bool> {
    Some(x.end_closed && y.start_closed && cmp(x.end, y.start)?.is_eq())
}

fn overlaps(x: &Interval<'_, '_>, y: &Interval<'_, '_>) -> Option<bool> {
    let (a, b) = (cmp(x.end, y.start)?, cmp(x.start, y.end)?);
    let reaches = a.is_gt() || (a.is_eq() && x.end_closed && y.start_closed);
    let starts_before_end = b.is_lt() || (b.is_eq() && x.start_closed && y.end_closed);
    Some(reaches && starts_before_end)
}

fn overlaps_before(x: &Interval<'_, '_>, y: &Interval<'_, '_>) -> Option<bool> {
    let (s, e, se) = (cmp(x.start, y.start)?, cmp(x.end, y.end)?, cmp(x.end, y.start)?);
    let starts_first = s.is_lt() || (s.is_eq() && x.start_closed && !y.start_closed);
    let reaches = se.is_gt() || (se.is_eq() && x.end_closed && y.start_closed);
    let ends_first = e.is_lt() || (e.is_eq() && (!x.end_closed || y.end_closed));
    Some(starts_first && reaches && ends_first)
}

fn finishes(x: &Interval<'_, '_>, y: &Interval<'_, '_>) -> Option<bool> {
    let (e, s) = (cmp(x.end, y.end)?, cmp(x.start, y.start)?);
    let starts_within = s.is_gt() || (s.is_eq() && (!x.start_closed || y.start_closed));
    Some(x.end_closed == y.end_closed && e.is_eq() && starts_within)
}

fn includes(x: &Interval<'_, '_>, y: &Interval<'_, '_>) -> Option<bool> {
    let (s, e) = (cmp(x.start, y.start)?, cmp(x.end, y.end)?);
    let from = s.is_lt() || (s.is_eq() && (x.start_closed || !y.start_closed));
    let to = e.is_gt() || (e.is_eq() && (x.end_closed || !y.end_closed));
    Some(from && to)
}

fn starts(x: &Interval<'_, '_>, y: &Interval<'_, '_>) -> Option<bool> {
    let (s, e) = (cmp(x.start, y.start)?, cmp(x.end, y.end)?);
    let ends_within = e.is_lt() || (e.is_eq() && (!x.end_closed || y.end_closed));
    Some(x.start_closed == y.start_closed && s.is_eq() && ends_within)
}

fn coincides(x: &Interval<'_, '_>, y: &Interval<'_, '_>) -> Option<bool> {
    Some(
        cmp(x.start, y.start)?.is_eq()
            && cmp(x.end, y.end)?.is_eq()
            && x.start_closed == y.start_closed
            && x.end_closed == y.end_closed,
    )
}
