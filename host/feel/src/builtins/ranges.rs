//! The range functions (`before`, `overlaps`, `includes`, …). A point counts as the range
//! `[p..p]`, so each relation is written once, for two ranges; a missing bound is unbounded.

use std::cmp::Ordering;

use super::{Builtin, boolean, exactly};
use crate::compare::order;
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    exactly("before", 2, |_, a| Ok(relate(a, false, before))),
    exactly("after", 2, |_, a| Ok(relate(a, true, before))),
    exactly("meets", 2, |_, a| Ok(relate(a, false, meets))),
    exactly("met by", 2, |_, a| Ok(relate(a, true, meets))),
    exactly("overlaps", 2, |_, a| Ok(relate(a, false, overlaps))),
    exactly("overlaps before", 2, |_, a| Ok(relate(a, false, overlaps_before))),
    exactly("overlaps after", 2, |_, a| Ok(relate(a, true, overlaps_before))),
    exactly("finishes", 2, |_, a| Ok(relate(a, false, finishes))),
    exactly("finished by", 2, |_, a| Ok(relate(a, true, finishes))),
    exactly("includes", 2, |_, a| Ok(relate(a, false, includes))),
    exactly("during", 2, |_, a| Ok(relate(a, true, includes))),
    exactly("starts", 2, |_, a| Ok(relate(a, false, starts))),
    exactly("started by", 2, |_, a| Ok(relate(a, true, starts))),
    exactly("coincides", 2, |_, a| Ok(relate(a, false, coincides))),
];

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
            point => Interval { start: Bound::At(point), start_closed: true, end: Bound::At(point), end_closed: true },
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
