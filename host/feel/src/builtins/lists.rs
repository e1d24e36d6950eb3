//! List functions. Equality walks values, and every value it compares counts as a step, so
//! `distinct values` and friends on hostile lists run out of steps rather than time.

use std::cmp::Ordering;

use super::{Builtin, between, boolean, elements, exactly, integer, one};
use crate::ast::Arithmetic;
use crate::compare::{equals, order};
use crate::error::FeelError;
use crate::eval::{Evaluator, position};
use crate::number;
use crate::value::Val;

const ANY: usize = usize::MAX;

pub(super) static BUILTINS: &[Builtin] = &[
    exactly("list contains", 2, |ev, a| {
        let Some(items) = a[0].items() else { return Ok(Val::Null) };
        Ok(Val::Bool(index_of(ev, &items, &a[1])?.is_some()))
    }),
    one("count", |_, a| Ok(a[0].len().map_or(Val::Null, Val::count))),
    one("is empty", |_, a| Ok(boolean(a[0].len().map(|n| n == 0)))),
    between("min", 1, ANY, |_, a| Ok(extreme(a, Ordering::Less))),
    between("max", 1, ANY, |_, a| Ok(extreme(a, Ordering::Greater))),
    between("sum", 1, ANY, |_, a| Ok(fold(&elements(a), Arithmetic::Add).unwrap_or(Val::Null))),
    between("product", 1, ANY, |_, a| Ok(fold(&elements(a), Arithmetic::Multiply).unwrap_or(Val::Null))),
    between("mean", 1, ANY, |_, a| {
        let items = elements(a);
        let Some(total) = fold(&items, Arithmetic::Add) else { return Ok(Val::Null) };
        Ok(divide(&total, items.len()))
    }),
    between("median", 1, ANY, |_, a| {
        let Some(mut numbers) = floats(&elements(a)) else { return Ok(Val::Null) };
        if numbers.is_empty() {
            return Ok(Val::Null);
        }
        numbers.sort_by(f64::total_cmp);
        let middle = numbers.len() / 2;
        let median =
            if numbers.len() % 2 == 1 { numbers[middle] } else { (numbers[middle - 1] + numbers[middle]) / 2.0 };
        Ok(Val::from_json_owned(number::float(median)))
    }),
    between("stddev", 1, ANY, |_, a| {
        let Some(numbers) = floats(&elements(a)) else { return Ok(Val::Null) };
        if numbers.len() < 2 {
            return Ok(Val::Null);
        }
        let n = numbers.len() as f64;
        let mean = numbers.iter().sum::<f64>() / n;
        let variance = numbers.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Ok(Val::from_json_owned(number::float(variance.sqrt())))
    }),
    between("mode", 1, ANY, mode),
    between("all", 1, ANY, |_, a| Ok(all_or_any(&elements(a), false))),
    between("any", 1, ANY, |_, a| Ok(all_or_any(&elements(a), true))),
    between("sublist", 2, 3, |_, a| {
        let (Some(items), Some(start)) = (a[0].items(), integer(&a[1])) else { return Ok(Val::Null) };
        let Some(from) = position(&start.into(), items.len()) else { return Ok(Val::Null) };
        let length = match a.get(2) {
            None => items.len() - from,
            Some(length) => match integer(length).and_then(|n| usize::try_from(n).ok()) {
                Some(length) => length,
                None => return Ok(Val::Null),
            },
        };
        Ok(Val::list(items.into_iter().skip(from).take(length).collect()))
    }),
    between("append", 1, ANY, |_, a| {
        let Some(mut items) = a[0].items() else { return Ok(Val::Null) };
        items.extend_from_slice(&a[1..]);
        Ok(Val::list(items))
    }),
    between("concatenate", 1, ANY, |_, a| Ok(concatenate(a).map_or(Val::Null, Val::list))),
    exactly("insert before", 3, |_, a| {
        let (Some(mut items), Some(at)) = (a[0].items(), integer(&a[1])) else { return Ok(Val::Null) };
        // Inserting before the element at `at`; one past the end (negative: the end) is not allowed.
        let Some(at) = position(&at.into(), items.len()) else { return Ok(Val::Null) };
        items.insert(at, a[2].clone());
        Ok(Val::list(items))
    }),
    exactly("remove", 2, |_, a| {
        let (Some(mut items), Some(at)) = (a[0].items(), integer(&a[1])) else { return Ok(Val::Null) };
        let Some(at) = position(&at.into(), items.len()) else { return Ok(Val::Null) };
        items.remove(at);
        Ok(Val::list(items))
    }),
    one("reverse", |_, a| Ok(a[0].items().map_or(Val::Null, |items| Val::list(items.into_iter().rev().collect())))),
    exactly("index of", 2, |ev, a| {
        let Some(items) = a[0].items() else { return Ok(Val::Null) };
        let mut positions = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if equals(ev, item, &a[1])? == Some(true) {
                positions.push(Val::count(i + 1));
            }
        }
        Ok(Val::list(positions))
    }),
    between("union", 1, ANY, |ev, a| match concatenate(a) {
        Some(items) => Ok(Val::list(distinct(ev, items)?)),
        None => Ok(Val::Null),
    }),
    one("distinct values", |ev, a| match a[0].items() {
        Some(items) => Ok(Val::list(distinct(ev, items)?)),
        None => Ok(Val::Null),
    }),
    one("duplicate values", |ev, a| {
        let Some(items) = a[0].items() else { return Ok(Val::Null) };
        let mut seen: Vec<Val<'_>> = Vec::new();
        let mut duplicates: Vec<Val<'_>> = Vec::new();
        for item in items {
            if index_of(ev, &seen, &item)?.is_some() {
                if index_of(ev, &duplicates, &item)?.is_none() {
                    duplicates.push(item);
                }
            } else {
                seen.push(item);
            }
        }
        Ok(Val::list(duplicates))
    }),
    one("flatten", flatten),
    exactly("sort", 2, sort),
    exactly("partition", 2, |_, a| {
        let (Some(items), Some(size)) = (a[0].items(), integer(&a[1]).and_then(|n| usize::try_from(n).ok())) else {
            return Ok(Val::Null);
        };
        if size == 0 {
            return Ok(Val::Null);
        }
        Ok(Val::list(items.chunks(size).map(|chunk| Val::list(chunk.to_vec())).collect()))
    }),
    exactly("list replace", 3, |ev, a| {
        let Some(mut items) = a[0].items() else { return Ok(Val::Null) };
        match &a[1] {
            // `list replace(list, function(item, newItem) …, newItem)`: every element it holds for.
            Val::Function(matches) => {
                for item in &mut items {
                    let hit = ev.call(matches, vec![item.clone(), a[2].clone()], "list replace", 0)?;
                    if hit.as_bool() == Some(true) {
                        *item = a[2].clone();
                    }
                }
            }
            at => {
                let Some(at) = integer(at).and_then(|at| position(&at.into(), items.len())) else {
                    return Ok(Val::Null);
                };
                items[at] = a[2].clone();
            }
        }
        Ok(Val::list(items))
    }),
];

/// The 0-based position of the first element equal to `wanted`.
fn index_of<'a>(ev: &Evaluator<'a>, items: &[Val<'a>], wanted: &Val<'a>) -> Result<Option<usize>, FeelError> {
    for (i, item) in items.iter().enumerate() {
        if equals(ev, item, wanted)? == Some(true) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// The elements without repeats, first occurrences kept in order.
fn distinct<'a>(ev: &Evaluator<'a>, items: Vec<Val<'a>>) -> Result<Vec<Val<'a>>, FeelError> {
    let mut kept = Vec::new();
    for item in items {
        if index_of(ev, &kept, &item)?.is_none() {
            kept.push(item);
        }
    }
    Ok(kept)
}

/// The elements of every argument, which must all be lists.
fn concatenate<'a>(a: &[Val<'a>]) -> Option<Vec<Val<'a>>> {
    let mut all = Vec::new();
    for list in a {
        all.extend(list.items()?);
    }
    Some(all)
}

/// The numbers combined with `op`; `None` for no elements or any non-number.
fn fold<'a>(items: &[Val<'a>], op: Arithmetic) -> Option<Val<'a>> {
    let mut total: Option<Val<'a>> = None;
    for item in items {
        let n = item.as_number()?;
        total = Some(match total {
            None => Val::Number(n.clone()),
            Some(Val::Number(t)) => Val::from_json_owned(number::arithmetic(op, &t, n)),
            Some(_) => return None,
        });
    }
    total
}

fn divide<'a>(total: &Val<'a>, count: usize) -> Val<'a> {
    match total {
        Val::Number(t) => Val::from_json_owned(number::arithmetic(Arithmetic::Divide, t, &(count as u64).into())),
        _ => Val::Null,
    }
}

/// The numbers as floats; `None` when any element is not a number.
fn floats(items: &[Val<'_>]) -> Option<Vec<f64>> {
    items.iter().map(|item| item.as_number()?.as_f64()).collect()
}

/// The least (`Less`) or greatest (`Greater`) element; null for an empty list or incomparable
/// elements.
fn extreme<'a>(a: &[Val<'a>], wanted: Ordering) -> Val<'a> {
    let mut best: Option<Val<'a>> = None;
    for item in elements(a) {
        let ordering = order(&item, best.as_ref().unwrap_or(&item));
        match ordering {
            None => return Val::Null,
            Some(ordering) if best.is_none() || ordering == wanted => best = Some(item),
            Some(_) => {}
        }
    }
    best.unwrap_or(Val::Null)
}

/// `all` (`any` when `any`): three-valued conjunction (disjunction) of booleans.
fn all_or_any<'a>(items: &[Val<'a>], any: bool) -> Val<'a> {
    let mut undecided = false;
    for item in items {
        match item.as_bool() {
            Some(b) if b == any => return Val::Bool(any),
            Some(_) => {}
            None => undecided = true,
        }
    }
    if undecided { Val::Null } else { Val::Bool(!any) }
}

/// The most frequent numbers, ascending.
fn mode<'a>(ev: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    let items = elements(a);
    if items.iter().any(|item| item.as_number().is_none()) {
        return Ok(Val::Null);
    }
    let mut counts: Vec<(Val<'a>, usize)> = Vec::new();
    for item in items {
        ev.step()?;
        match counts.iter_mut().find(|(seen, _)| order(seen, &item) == Some(Ordering::Equal)) {
            Some((_, count)) => *count += 1,
            None => counts.push((item, 1)),
        }
    }
    let most = counts.iter().map(|(_, count)| *count).max().unwrap_or(0);
    let mut modes: Vec<Val<'a>> = counts.into_iter().filter(|(_, count)| *count == most).map(|(v, _)| v).collect();
    modes.sort_by(|x, y| order(x, y).unwrap_or(Ordering::Equal));
    Ok(Val::list(modes))
}

/// The elements of nested lists, in order, at any depth; each element counts as a step, since
/// shared lists can make a small value flatten into a huge one.
fn flatten<'a>(ev: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    let Some(items) = a[0].items() else { return Ok(Val::Null) };
    let mut flat = Vec::new();
    let mut pending: Vec<Val<'a>> = items.into_iter().rev().collect();
    while let Some(item) = pending.pop() {
        ev.step()?;
        match item.items() {
            Some(inner) => pending.extend(inner.into_iter().rev()),
            None => flat.push(item),
        }
    }
    ev.build(flat.len() * 8)?;
    Ok(Val::list(flat))
}

/// `sort(list, precedes)`: a stable merge sort by a function `(a, b)` that is true when `a`
/// comes first. Written out rather than `slice::sort_by`, which may panic when the order is not
/// total, and a FEEL function need not be.
fn sort<'a>(ev: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    let (Some(mut items), Val::Function(precedes)) = (a[0].items(), &a[1]) else { return Ok(Val::Null) };
    let mut width = 1;
    while width < items.len() {
        let mut merged = Vec::with_capacity(items.len());
        for chunk in items.chunks(2 * width) {
            let (left, right) = chunk.split_at(width.min(chunk.len()));
            let (mut i, mut j) = (0, 0);
            while i < left.len() && j < right.len() {
                // Take from the right only when it strictly precedes, so equal elements keep
                // their order.
                let first = ev.call(precedes, vec![right[j].clone(), left[i].clone()], "sort", 0)?;
                if first.as_bool() == Some(true) {
                    merged.push(right[j].clone());
                    j += 1;
                } else {
                    merged.push(left[i].clone());
                    i += 1;
                }
            }
            merged.extend_from_slice(&left[i..]);
            merged.extend_from_slice(&right[j..]);
        }
        items = merged;
        width *= 2;
    }
    Ok(Val::list(items))
}
