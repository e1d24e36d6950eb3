//! `for`, `some` and `every`: every combination of the iteration variables' values, run through
//! without recursion, and `partial`.

use std::cmp::Ordering;
use std::rc::Rc;

use serde_json::Number;

use super::{Binding, Evaluator, MAX_VALUE_DEPTH, nested_too_deep, whole};
use crate::ast::{Domain, Expr};
use crate::error::FeelError;
use crate::value::{Range, Val};

impl<'a> Evaluator<'a> {
    /// `for … return body`. When the body mentions `partial`, it sees the results so far under
    /// that name; such a body can nest each result in the one before, so the depth of what it
    /// returns is measured (each value looked at counting as a step) and held to
    /// [`MAX_VALUE_DEPTH`].
    #[inline(never)]
    pub(super) fn for_each(
        &self,
        iterations: &'a [(String, Domain)],
        body: &'a Expr,
        frame: usize,
    ) -> Result<Val<'a>, FeelError> {
        let partial = body.descendants().iter().any(|expr| matches!(expr, Expr::Name(name) if name == "partial"));
        let mut results: Rc<Vec<Val<'a>>> = Rc::new(Vec::new());
        let complete = self.iterate(iterations, frame, |inner| {
            if !partial {
                let value = self.eval(body, inner)?;
                Rc::make_mut(&mut results).push(value);
                return Ok(true);
            }
            let mark = self.frames.borrow().len();
            let functions = self.functions_made.get();
            let scope = self.push(Binding::Entries(vec![(Rc::from("partial"), Val::List(results.clone()))]), inner);
            let value = self.eval(body, scope)?;
            self.release(mark, functions);
            if self.depth_of(&value)? > MAX_VALUE_DEPTH {
                return Err(nested_too_deep());
            }
            // Unshared once the scope is released; still shared (and so copied) only when a
            // function defined in the body keeps the scope, or the value holds the list.
            if Rc::strong_count(&results) > 1 {
                self.build(results.len() * 8)?;
            }
            Rc::make_mut(&mut results).push(value);
            Ok(true)
        })?;
        if complete { self.made(Val::List(results)) } else { Ok(Val::Null) }
    }

    /// How deeply `value` nests lists, contexts and ranges (a scalar is 0); every value looked at
    /// counts as a step.
    fn depth_of(&self, value: &Val<'a>) -> Result<usize, FeelError> {
        let mut deepest = 0;
        let mut pending = vec![(value.clone(), 0)];
        while let Some((value, level)) = pending.pop() {
            self.step()?;
            deepest = deepest.max(level);
            let inner: Vec<Val<'a>> = match &value {
                Val::List(items) => items.to_vec(),
                Val::Context(entries) => entries.iter().map(|(_, entry)| entry.clone()).collect(),
                Val::Range(range) => range.start.iter().chain(&range.end).cloned().collect(),
                // JSON from the variables nests no deeper than its parser allows.
                Val::Json(serde_json::Value::Array(_) | serde_json::Value::Object(_)) => {
                    deepest = deepest.max(level + 1);
                    Vec::new()
                }
                _ => Vec::new(),
            };
            pending.extend(inner.into_iter().map(|inner| (inner, level + 1)));
        }
        Ok(deepest)
    }

    /// `some` is true once any condition is true, `every` false once any is false; otherwise the
    /// other answer, or null when some condition was not a boolean.
    #[inline(never)]
    pub(super) fn quantified(
        &self,
        every: bool,
        iterations: &'a [(String, Domain)],
        condition: &'a Expr,
        frame: usize,
    ) -> Result<Val<'a>, FeelError> {
        let decisive = !every;
        let mut undecided = false;
        let mut decided = false;
        let complete = self.iterate(iterations, frame, |inner| {
            match self.eval(condition, inner)?.as_bool() {
                Some(b) if b == decisive => decided = true,
                Some(_) => {}
                None => undecided = true,
            }
            Ok(!decided)
        })?;
        Ok(match (complete, decided, undecided) {
            (false, _, _) => Val::Null,
            (true, true, _) => Val::Bool(decisive),
            (true, false, false) => Val::Bool(!decisive),
            (true, false, true) => Val::Null,
        })
    }

    /// Runs `visit` in a scope for every combination of the iteration variables, in order,
    /// until it returns false. Returns false when a domain is not a list or a range of whole
    /// numbers (the whole expression is then null). Iterative, so many iteration contexts do not
    /// deepen the stack.
    fn iterate(
        &self,
        iterations: &'a [(String, Domain)],
        frame: usize,
        mut visit: impl FnMut(usize) -> Result<bool, FeelError>,
    ) -> Result<bool, FeelError> {
        let Some(first) = iterations.first() else {
            return Ok(true);
        };
        let mark = self.frames.borrow().len();
        let functions = self.functions_made.get();
        let Some(cursor) = self.cursor(&first.1, frame)? else {
            return Ok(false);
        };
        // One open cursor per iteration context entered, with the frame its bindings extend.
        let mut open = vec![(cursor, frame)];
        while let Some(level) = open.len().checked_sub(1) {
            let (cursor, parent) = &mut open[level];
            let parent = *parent;
            let Some(value) = cursor.next() else {
                open.pop();
                continue;
            };
            self.step()?;
            let name = Rc::from(iterations[level].0.as_str());
            let inner = self.push(Binding::Entries(vec![(name, value)]), parent);
            if let Some((_, domain)) = iterations.get(level + 1) {
                let Some(cursor) = self.cursor(domain, inner)? else {
                    return Ok(false);
                };
                open.push((cursor, inner));
                continue;
            }
            if !visit(inner)? {
                break;
            }
            // The innermost frame is done with; outer ones stay while their cursors run.
            self.release(inner, functions);
        }
        self.release(mark, functions);
        Ok(true)
    }

    fn cursor(&self, domain: &'a Domain, frame: usize) -> Result<Option<Cursor<'a>>, FeelError> {
        Ok(match domain {
            Domain::List(list) => match self.eval(list, frame)? {
                Val::Range(range) => Cursor::of_range(&range),
                value => value.items().map(|items| Cursor::List(items.into_iter())),
            },
            Domain::Numbers(from, to) => {
                let from = self.eval(from, frame)?;
                let to = self.eval(to, frame)?;
                match (whole(&from), whole(&to)) {
                    (Some(from), Some(to)) => Some(Cursor::Numbers { next: Some(from), last: to }),
                    _ => None,
                }
            }
        })
    }
}

/// Where an iteration variable stands in its domain.
enum Cursor<'a> {
    List(std::vec::IntoIter<Val<'a>>),
    /// Whole numbers from `next` to `last`, up or down; `next` is `None` once past `last`.
    Numbers {
        next: Option<i64>,
        last: i64,
    },
}

impl<'a> Cursor<'a> {
    /// The whole numbers in a range with whole-number bounds.
    fn of_range(range: &Range<'a>) -> Option<Self> {
        let first = whole(range.start.as_ref()?)?;
        let last = whole(range.end.as_ref()?)?;
        let up = first <= last;
        let step = |x: i64, forward: bool| if forward == up { x.checked_add(1) } else { x.checked_sub(1) };
        let next = if range.start_closed { Some(first) } else { step(first, true) };
        let last = if range.end_closed { Some(last) } else { step(last, false) };
        let (next, last) = (next?, last?);
        let empty = if up { next > last } else { next < last };
        Some(Cursor::Numbers { next: (!empty).then_some(next), last })
    }

    fn next(&mut self) -> Option<Val<'a>> {
        match self {
            Cursor::List(items) => items.next(),
            Cursor::Numbers { next, last } => {
                let current = (*next)?;
                *next = match current.cmp(last) {
                    Ordering::Less => current.checked_add(1),
                    Ordering::Greater => current.checked_sub(1),
                    Ordering::Equal => None,
                };
                Some(Val::Number(Number::from(current)))
            }
        }
    }
}
