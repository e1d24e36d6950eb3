//! `between`, ranges as values, and `in` with its unary tests.

use std::cmp::Ordering;
use std::rc::Rc;

use super::{Binding, Evaluator};
use crate::ast::{Expr, Test};
use crate::compare::{equals, order};
use crate::error::FeelError;
use crate::value::{Kind, Range, Val};

impl<'a> Evaluator<'a> {
    #[inline(never)]
    pub(super) fn between(
        &self,
        value: &'a Expr,
        low: &'a Expr,
        high: &'a Expr,
        frame: usize,
    ) -> Result<Val<'a>, FeelError> {
        let value = self.eval(value, frame)?;
        let low = self.eval(low, frame)?;
        let high = self.eval(high, frame)?;
        let above = order(&value, &low).map(Ordering::is_ge);
        let below = order(&value, &high).map(Ordering::is_le);
        Ok(match (above, below) {
            (Some(false), _) | (_, Some(false)) => Val::Bool(false),
            (Some(true), Some(true)) => Val::Bool(true),
            _ => Val::Null,
        })
    }

    #[inline(never)]
    pub(super) fn range(
        &self,
        start: Option<&'a Expr>,
        start_closed: bool,
        end: Option<&'a Expr>,
        end_closed: bool,
        frame: usize,
    ) -> Result<Val<'a>, FeelError> {
        let start = start.map(|start| self.eval(start, frame)).transpose()?;
        let end = end.map(|end| self.eval(end, frame)).transpose()?;
        // As in Camunda, a bound that is null, or bounds of two kinds, make no range.
        let kinds: Vec<Kind> = start.iter().chain(&end).map(Val::kind).collect();
        if kinds.contains(&Kind::Null) || kinds.windows(2).any(|pair| pair[0] != pair[1]) {
            return Ok(Val::Null);
        }
        Ok(Val::Range(Rc::new(Range { start, start_closed, end, end_closed })))
    }

    /// Whether `value` passes any of `tests`; `None` when none passes and some could not be decided.
    pub(super) fn any_test(&self, value: &Val<'a>, tests: &'a [Test], frame: usize) -> Result<Option<bool>, FeelError> {
        let mut undecided = false;
        for test in tests {
            match self.test(value, test, frame)? {
                Some(true) => return Ok(Some(true)),
                Some(false) => {}
                None => undecided = true,
            }
        }
        Ok(if undecided { None } else { Some(false) })
    }

    fn test(&self, value: &Val<'a>, test: &'a Test, frame: usize) -> Result<Option<bool>, FeelError> {
        Ok(match test {
            Test::Compare(comparison, operand) => {
                let operand = self.eval(operand, frame)?;
                self.compare(*comparison, value, &operand)?.as_bool()
            }
            Test::Not(tests) => self.any_test(value, tests, frame)?.map(|passed| !passed),
            Test::Matches { expr, mentions_question } => {
                let inner = self.push(Binding::Entries(vec![(Rc::from("?"), value.clone())]), frame);
                let expected = self.eval(expr, inner)?;
                match expected {
                    Val::Bool(b) if *mentions_question => Some(b),
                    // As in Camunda, a test that is true passes whatever the value.
                    Val::Bool(true) => Some(true),
                    Val::Range(range) => self.in_range(value, &range),
                    // A range that could not be made (a null bound) decides nothing.
                    Val::Null if matches!(expr, Expr::Range { .. }) => None,
                    _ => match expected.items() {
                        // As in Camunda, a list holds the value when an element equals it (or,
                        // beyond Camunda, is a range that includes it); otherwise it does not.
                        Some(items) => {
                            if value.kind() == Kind::List && equals(self, value, &expected)? == Some(true) {
                                return Ok(Some(true));
                            }
                            for item in items {
                                let hit = match &item {
                                    Val::Range(range) => self.in_range(value, range),
                                    _ => equals(self, value, &item)?,
                                };
                                if hit == Some(true) {
                                    return Ok(Some(true));
                                }
                            }
                            Some(false)
                        }
                        None => equals(self, value, &expected)?,
                    },
                }
            }
        })
    }

    /// Whether `value` lies in `range`; `None` when it cannot be compared with a bound.
    fn in_range(&self, value: &Val<'a>, range: &Range<'a>) -> Option<bool> {
        let after_start = match &range.start {
            None => true,
            Some(start) => {
                let ordering = order(value, start)?;
                ordering.is_gt() || (range.start_closed && ordering.is_eq())
            }
        };
        let before_end = match &range.end {
            None => true,
            Some(end) => {
                let ordering = order(value, end)?;
                ordering.is_lt() || (range.end_closed && ordering.is_eq())
            }
        };
        Some(after_start && before_end)
    }
}
