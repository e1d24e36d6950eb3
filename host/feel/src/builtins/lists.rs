//! List functions. Equality walks values, and every value it compares counts as a step, so
//! `distinct values` and friends on hostile lists run out of steps rather than time.

use std::cmp::Ordering;

use super::{Builtin, boolean, builtin, elements, integer};
use crate::ast::Arithmetic;
use crate::compare::{equals, order};
use crate::error::FeelError;
use crate::eval::{Evaluator, Passed};
use crate::number;
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    builtin("list contains", "list, element", |ev, a| {
        let Some(items) = a[0].items() else { return Ok(Val::Null) };
        Ok(Val::Bool(index_of(ev, &items, &a[1])?.is_some()))
    }),
    builtin("count", "list", |_, a| Ok(a[0].len().map_or(Val::Null, Val::count))),
    builtin("is empty", "list", |_, a| Ok(boolean(a[0].len().map(|n| n == 0)))),
    builtin("min", "list+", |_, a| Ok(extreme(a, Ordering::Less))),
    builtin("max", "list+", |_, a| Ok(extreme(a, Ordering::Greater))),
    builtin("sum", "list+", |_, a| Ok(fold(&elements(a), Arithmetic::Add).unwrap_or(Val::Null))),
    builtin("product", "list+", |_, a| Ok(fold(&elements(a), Arithmetic::Multiply).unwrap_or(Val::Null))),
    builtin("mean", "list+", |_, a| {
        let items = elements(a);
        let Some(total) = fold(&items, Arithmetic::Add) else { return Ok(Val::Null) };
        Ok(divide(&total, items.len()))
    }),
    builtin("median", "list+", |_, a| {
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
    builtin("stddev", "list+", |_, a| {
        let Some(numbers) = floats(&elements(a)) else { return Ok(Val::Null) };
        if numbers.len() < 2 {
            return Ok(Val::Null);
        }
        let n = numbers.len() as f64;
        let mean = numbers.iter().sum::<f64>() / n;
        let variance = numbers.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Ok(Val::from_json_owned(number::float(variance.sqrt())))
    }),
    builtin("mode", "list+", mode),
    builtin("all", "list+", |_, a| Ok(all_or_any(&elements(a), false))),
    builtin("any", "list+", |_, a| Ok(all_or_any(&elements(a), true))),
    // The names Camunda used before `all` and `any`.
    builtin("and", "list+", |_, a| Ok(all_or_any(&elements(a), false))),
    builtin("or", "list+", |_, a| Ok(all_or_any(&elements(a), true))),
    builtin("sublist", "list, start position|start, length?", |_, a| {
        let (Some(items), Some(start)) = (a[0].items(), integer(&a[1])) else { return Ok(Val::Null) };
        let Some(from) = list_index(start, items.len()) else { return Ok(Val::Null) };
        let until = match a.get(2) {
            None => i64::MAX,
            Some(length) => match integer(length) {
                Some(length) => from.saturating_add(length),
                None => return Ok(Val::Null),
            },
        };
        Ok(Val::list(slice(&items, from, until).to_vec()))
    }),
    builtin("append", "list, items*", |_, a| {
        let Some(mut items) = a[0].items() else { return Ok(Val::Null) };
        items.extend_from_slice(&a[1..]);
        Ok(Val::list(items))
    }),
    builtin("concatenate", "lists+", |_, a| Ok(Val::list(concatenate(a)))),
    // As in Camunda, a position past either end inserts at that end.
    builtin("insert before", "list, position, newItem", |_, a| {
        let (Some(items), Some(at)) = (a[0].items(), integer(&a[1])) else { return Ok(Val::Null) };
        let Some(at) = list_index(at, items.len()) else { return Ok(Val::Null) };
        let mut inserted = slice(&items, 0, at).to_vec();
        inserted.push(a[2].clone());
        inserted.extend_from_slice(slice(&items, at, i64::MAX));
        Ok(Val::list(inserted))
    }),
    // As in Camunda, a position past either end removes nothing.
    builtin("remove", "list, position", |_, a| {
        let (Some(items), Some(at)) = (a[0].items(), integer(&a[1])) else { return Ok(Val::Null) };
        let Some(at) = list_index(at, items.len()) else { return Ok(Val::Null) };
        let mut kept = slice(&items, 0, at).to_vec();
        kept.extend_from_slice(slice(&items, at.saturating_add(1), i64::MAX));
        Ok(Val::list(kept))
    }),
    builtin("reverse", "list", |_, a| {
        Ok(a[0].items().map_or(Val::Null, |items| Val::list(items.into_iter().rev().collect())))
    }),
    builtin("index of", "list, match", |ev, a| {
        let Some(items) = a[0].items() else { return Ok(Val::Null) };
        let mut positions = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if equals(ev, item, &a[1])? == Some(true) {
                positions.push(Val::count(i + 1));
            }
        }
        Ok(Val::list(positions))
    }),
    builtin("union", "lists+", |ev, a| Ok(Val::list(distinct(ev, concatenate(a))?))),
    builtin("distinct values", "list", |ev, a| match a[0].items() {
        Some(items) => Ok(Val::list(distinct(ev, items)?)),
        None => Ok(Val::Null),
    }),
    // The values that occur more than once, in the order of their first occurrence.
    builtin("duplicate values", "list", |ev, a| {
        let Some(items) = a[0].items() else { return Ok(Val::Null) };
        let mut duplicates: Vec<Val<'_>> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if index_of(ev, &items[i + 1..], item)?.is_some() && index_of(ev, &duplicates, item)?.is_none() {
                duplicates.push(item.clone());
            }
        }
        Ok(Val::list(duplicates))
    }),
    builtin("flatten", "list", flatten),
    builtin("sort", "list, precedes", sort),
    builtin("partition", "list, size", |_, a| {
        let (Some(items), Some(size)) = (a[0].items(), integer(&a[1]).and_then(|n| usize::try_from(n).ok())) else {
            return Ok(Val::Null);
        };
        if size == 0 {
            return Ok(Val::Null);
        }
        Ok(Val::list(items.chunks(size).map(|chunk| Val::list(chunk.to_vec())).collect()))
    }),
    builtin("list replace", "list, position|match, newItem", |ev, a| {
        let Some(mut items) = a[0].items() else { return Ok(Val::Null) };
        match &a[1] {
            // `list replace(list, function(item, newItem) …, newItem)`: every element it holds for;
            // a function that gives no boolean makes the result null.
            Val::Function(matches) => {
                if matches.parameters.len() != 2 {
                    return Ok(Val::Null);
                }
                for item in &mut items {
                    let hit =
                        ev.call(matches, Passed::Positional(vec![item.clone(), a[2].clone()]), "list replace", 0)?;
                    match hit.as_bool() {
                        Some(true) => *item = a[2].clone(),
                        Some(false) => {}
                        None => return Ok(Val::Null),
                    }
                }
            }
            at => {
                let at = integer(at).and_then(|at| list_index(at, items.len()));
                let Some(at) = at.and_then(|at| usize::try_from(at).ok()).filter(|&at| at < items.len()) else {
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

/// The elements of every list given, in order.
fn concatenate<'a>(a: &[Val<'a>]) -> Vec<Val<'a>> {
    // As in Camunda, an argument that is no list counts as a list of itself.
    let mut all = Vec::new();
    for list in elements(a) {
        match list.items() {
            Some(items) => all.extend(items),
            None => all.push(list),
        }
    }
    all
}

/// The 0-based index of FEEL position `position` (1-based, negative from the end) in a list of
/// `len`, which may lie outside the list; `None` for position 0, which is none.
fn list_index(position: i64, len: usize) -> Option<i64> {
    let len = i64::try_from(len).ok()?;
    match position {
        0 => None,
        p if p > 0 => Some(p - 1),
        p => Some(len.saturating_add(p)),
    }
}

/// The elements from index `from` up to `until`, clamped to the list as Scala's `slice` is.
fn slice<'v, 'a>(items: &'v [Val<'a>], from: i64, until: i64) -> &'v [Val<'a>] {
    let clamp = |i: i64| usize::try_from(i.max(0)).unwrap_or(usize::MAX).min(items.len());
    let (from, until) = (clamp(from), clamp(until));
    if until <= from { &[] } else { &items[from..until] }
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
    if precedes.parameters.len() != 2 {
        return Ok(Val::Null);
    }
    let mut width = 1;
    while width < items.len() {
        let mut merged = Vec::with_capacity(items.len());
        for chunk in items.chunks(2 * width) {
            let (left, right) = chunk.split_at(width.min(chunk.len()));
            let (mut i, mut j) = (0, 0);
            while i < left.len() && j < right.len() {
                // Take from the right only when it strictly precedes, so equal elements keep
                // their order.
                let first =
                    ev.call(precedes, Passed::Positional(vec![right[j].clone(), left[i].clone()]), "sort", 0)?;
                // As in Camunda, an order that is not a boolean sorts nothing.
                let Some(first) = first.as_bool() else { return Ok(Val::Null) };
                if first {
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
