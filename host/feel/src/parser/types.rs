//! The types `instance of` and typed parameters name: the built-in ones and the generic
//! `list<T>`, `context<k: T, …>`, `range<T>` and `function<T, …> -> T`.

use super::Parser;
use crate::ast::TypeName;
use crate::error::FeelError;
use crate::lexer::TokenKind;
use crate::value::Kind;

/// The type names `instance of` knows, longest first so `date and time` wins over `date`.
const TYPE_NAMES: &[(&str, TypeName)] = &[
    ("years and months duration", TypeName::Kind(Kind::YearsMonthsDuration)),
    ("days and time duration", TypeName::Kind(Kind::DaysTimeDuration)),
    ("date and time", TypeName::Kind(Kind::DateTime)),
    ("number", TypeName::Kind(Kind::Number)),
    ("string", TypeName::Kind(Kind::String)),
    ("boolean", TypeName::Kind(Kind::Boolean)),
    ("date", TypeName::Kind(Kind::Date)),
    ("time", TypeName::Kind(Kind::Time)),
    ("list", TypeName::Kind(Kind::List)),
    ("context", TypeName::Kind(Kind::Context)),
    ("function", TypeName::Kind(Kind::Function)),
    ("range", TypeName::Kind(Kind::Range)),
    ("null", TypeName::Kind(Kind::Null)),
    ("Null", TypeName::Kind(Kind::Null)),
    ("Any", TypeName::Any),
];

impl Parser<'_, '_> {
    /// A type name after `instance of`: a built-in type, or `list<T>`, `context<k: T, …>`,
    /// `range<T>` or `function<T, …> -> T`.
    #[inline(never)]
    pub(super) fn type_name(&mut self) -> Result<TypeName, FeelError> {
        let outer = self.nesting;
        self.deepen()?;
        let type_name = self.type_name_inner();
        self.nesting = outer;
        type_name
    }

    fn type_name_inner(&mut self) -> Result<TypeName, FeelError> {
        let text = self.peek().text;
        let generic = self.tokens.get(self.position + 1).is_some_and(|t| t.kind == TokenKind::Less);
        if generic && matches!(text, "list" | "range" | "context" | "function") {
            self.position += 2;
            let type_name = match text {
                "list" => TypeName::List(Box::new(self.type_name()?)),
                "range" => TypeName::Range(Box::new(self.type_name()?)),
                "context" => TypeName::Context(self.context_type_entries()?),
                _ => {
                    let mut parameters = Vec::new();
                    while self.peek().kind != TokenKind::Greater {
                        parameters.push(self.type_name()?);
                        if self.peek().kind == TokenKind::Comma {
                            self.advance();
                        }
                    }
                    self.advance();
                    self.expect(&TokenKind::Minus, || "expected `->` after `function<…>`".to_owned())?;
                    self.expect(&TokenKind::Greater, || "expected `->` after `function<…>`".to_owned())?;
                    return Ok(TypeName::Function(parameters, Box::new(self.type_name()?)));
                }
            };
            self.expect(&TokenKind::Greater, || "expected `>` to close the type".to_owned())?;
            return Ok(type_name);
        }
        for (name, type_name) in TYPE_NAMES {
            let words: Vec<&str> = name.split(' ').collect();
            let spelled = words
                .iter()
                .enumerate()
                .all(|(i, word)| self.tokens.get(self.position + i).is_some_and(|t| t.text == *word));
            if spelled {
                self.position += words.len();
                return Ok(type_name.clone());
            }
        }
        Err(FeelError::syntax(self.peek().column, "expected a type name after `instance of`"))
    }

    /// `k: T, …` up to the `>` of `context<…>`.
    fn context_type_entries(&mut self) -> Result<Vec<(String, TypeName)>, FeelError> {
        let mut entries = Vec::new();
        while self.peek().kind != TokenKind::Greater {
            let key = self.context_key()?;
            self.expect(&TokenKind::Colon, || "expected `:` after the entry's name".to_owned())?;
            entries.push((key, self.type_name()?));
            match self.peek().kind {
                TokenKind::Comma => {
                    self.advance();
                }
                TokenKind::Greater => {}
                _ => return Err(FeelError::syntax(self.peek().column, "expected `,` or `>` in `context<…>`")),
            }
        }
        Ok(entries)
    }
}
