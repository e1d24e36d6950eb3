//! `instance of`: whether a value is of a type, generic ones (`list<number>`) included.

use super::Evaluator;
use crate::ast::TypeName;
use crate::error::FeelError;
use crate::value::{Kind, Val};

impl<'a> Evaluator<'a> {
    /// Whether `value` is of type `type_name`; each element or entry looked at counts as a step.
    pub(super) fn conforms(&self, value: &Val<'a>, type_name: &TypeName) -> Result<bool, FeelError> {
        self.step()?;
        Ok(match type_name {
            TypeName::Any => !value.is_null(),
            TypeName::Kind(kind) => value.kind() == *kind,
            TypeName::List(element) => match value.items() {
                Some(items) => {
                    for item in &items {
                        if !self.conforms_or_null(item, element)? {
                            return Ok(false);
                        }
                    }
                    true
                }
                None => false,
            },
            TypeName::Context(entries) => {
                if value.kind() != Kind::Context {
                    return Ok(false);
                }
                for (key, entry_type) in entries {
                    match value.get(key) {
                        Some(entry) if self.conforms_or_null(&entry, entry_type)? => {}
                        _ => return Ok(false),
                    }
                }
                true
            }
            TypeName::Function(parameters, _) => {
                matches!(value, Val::Function(function) if function.parameters.len() == parameters.len())
            }
            TypeName::Range(bound) => match value {
                Val::Range(range) => {
                    for end in [&range.start, &range.end].into_iter().flatten() {
                        if !self.conforms_or_null(end, bound)? {
                            return Ok(false);
                        }
                    }
                    true
                }
                _ => false,
            },
        })
    }

    /// Whether an element, entry or bound conforms to its type: inside a list, context or range,
    /// null conforms to any type.
    fn conforms_or_null(&self, value: &Val<'a>, type_name: &TypeName) -> Result<bool, FeelError> {
        Ok(value.is_null() || self.conforms(value, type_name)?)
    }
}
