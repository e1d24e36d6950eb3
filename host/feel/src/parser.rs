//! A Pratt parser from tokens to the syntax tree.

use std::collections::HashSet;

use serde_json::Value;

use super::ast::{Arithmetic, BinaryOp, Comparison, Expr, Step};
use super::builtins;
use super::error::FeelError;
use super::lexer::{Token, TokenKind, tokenize};

/// How tall the syntax tree may grow. Parsing, evaluating and dropping the tree recurse once per
/// level, so hostile input must not make it arbitrarily deep; a level costs up to about 7 KiB of
/// stack in a debug build, so 128 levels stay well inside a 2 MiB thread stack.
const MAX_NESTING: usize = 128;

/// Parses a whole expression; trailing tokens are an error.
pub(super) fn parse(source: &str) -> Result<Expr, FeelError> {
    let mut parser = Parser { tokens: tokenize(source)?, position: 0, nesting: 0 };
    let expr = parser.expression()?;
    match parser.peek().kind {
        TokenKind::End => Ok(expr),
        _ => Err(parser.peek().unexpected()),
    }
}

struct Parser<'s> {
    /// Always ends with [`TokenKind::End`], which `advance` never moves past.
    tokens: Vec<Token<'s>>,
    position: usize,
    /// The height the tree being built can reach: one per open sub-expression plus one per
    /// node already wrapped around the current one (`a.b + c` wraps `a` twice).
    nesting: usize,
}

impl<'s> Parser<'s> {
    fn peek(&self) -> &Token<'s> {
        &self.tokens[self.position]
    }

    fn advance(&mut self) -> Token<'s> {
        let token = self.tokens[self.position].clone();
        if token.kind != TokenKind::End {
            self.position += 1;
        }
        token
    }

    /// Consumes a token of `kind`, or fails with `message` at the current token.
    fn expect(&mut self, kind: &TokenKind, message: impl FnOnce() -> String) -> Result<(), FeelError> {
        if &self.peek().kind == kind {
            self.advance();
            Ok(())
        } else {
            Err(FeelError::syntax(self.peek().column, message()))
        }
    }

    /// Accounts for one more level of tree height.
    fn deepen(&mut self) -> Result<(), FeelError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(FeelError::syntax(
                self.peek().column,
                format!("expression is nested more than {MAX_NESTING} levels deep"),
            ));
        }
        Ok(())
    }

    fn expression(&mut self) -> Result<Expr, FeelError> {
        self.binary(0)
    }

    /// Parses operands joined by infix operators that bind tighter than `min_power`.
    fn binary(&mut self, min_power: u8) -> Result<Expr, FeelError> {
        let outer = self.nesting;
        self.deepen()?;
        let mut left = self.unary()?;
        // Operators of equal power extend one flat chain; a weaker one (tighter ones were taken
        // by the operands) starts a new chain with the one so far as its first operand.
        while let Some((_, power)) = binary_operator(&self.peek().kind)
            && power > min_power
        {
            let mut rest = Vec::new();
            while let Some((op, next_power)) = binary_operator(&self.peek().kind)
                && next_power == power
            {
                self.advance();
                rest.push((op, self.binary(power)?));
            }
            self.deepen()?;
            left = Expr::Binary { first: Box::new(left), rest };
        }
        self.nesting = outer;
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FeelError> {
        if self.peek().kind == TokenKind::Minus {
            self.advance();
            self.deepen()?;
            return Ok(Expr::Negate(Box::new(self.unary()?)));
        }
        let primary = self.primary()?;
        self.access(primary)
    }

    /// Collects any `.name` and `[…]` steps that follow `target`.
    fn access(&mut self, target: Expr) -> Result<Expr, FeelError> {
        let mut steps = Vec::new();
        loop {
            match self.peek().kind {
                TokenKind::Dot => {
                    self.advance();
                    let TokenKind::Name(name) = self.peek().kind.clone() else {
                        return Err(FeelError::syntax(self.peek().column, "expected a name after `.`"));
                    };
                    self.advance();
                    steps.push(Step::Field(name));
                }
                TokenKind::LeftBracket => {
                    let open = self.advance();
                    let selector = self.expression()?;
                    self.expect(&TokenKind::RightBracket, || closing_message(&open, false))?;
                    steps.push(Step::Select(selector));
                }
                _ => break,
            }
        }
        if steps.is_empty() {
            return Ok(target);
        }
        self.deepen()?;
        Ok(Expr::Access(Box::new(target), steps))
    }

    fn primary(&mut self) -> Result<Expr, FeelError> {
        let token = self.advance();
        Ok(match token.kind {
            TokenKind::Number(number) => Expr::Literal(number),
            TokenKind::String(string) => Expr::Literal(Value::String(string)),
            TokenKind::True => Expr::Literal(Value::Bool(true)),
            TokenKind::False => Expr::Literal(Value::Bool(false)),
            TokenKind::Null => Expr::Literal(Value::Null),
            TokenKind::Name(name) => self.name_or_call(name, token.column)?,
            TokenKind::LeftParen => {
                let inner = self.expression()?;
                self.expect(&TokenKind::RightParen, || closing_message(&token, false))?;
                inner
            }
            TokenKind::LeftBracket => Expr::List(self.delimited(&token, &TokenKind::RightBracket, Self::expression)?),
            TokenKind::LeftBrace => self.context(&token)?,
            TokenKind::If => self.conditional()?,
            _ => return Err(token.unexpected()),
        })
    }

    /// A variable, or a call when `(` follows. Function names can be several words (`upper case`),
    /// and a built-in's words may even be keywords (`get or else`).
    fn name_or_call(&mut self, first: String, column: usize) -> Result<Expr, FeelError> {
        let more = match self.builtin_name_rest(&first) {
            Some(rest) => rest,
            None => self.words(),
        };
        if self.tokens[self.position + more.len()].kind != TokenKind::LeftParen {
            return Ok(Expr::Name(first));
        }
        self.position += more.len();
        let open = self.advance();
        let name = std::iter::once(first).chain(more).collect::<Vec<_>>().join(" ");
        let arguments = self.delimited(&open, &TokenKind::RightParen, Self::expression)?;
        Ok(Expr::Call { name, column, arguments })
    }

    /// The remaining words of a built-in whose name starts with `first` and is spelled out by
    /// the tokens from the current one, up to a `(`.
    fn builtin_name_rest(&self, first: &str) -> Option<Vec<String>> {
        builtins::names().find_map(|name| {
            let mut words = name.split(' ');
            if words.next() != Some(first) {
                return None;
            }
            let rest: Vec<String> = words.map(str::to_owned).collect();
            let spelled = rest
                .iter()
                .enumerate()
                .all(|(i, word)| self.tokens[self.position..].get(i).is_some_and(|t| t.text == word));
            let called = self.tokens.get(self.position + rest.len()).is_some_and(|t| t.kind == TokenKind::LeftParen);
            (spelled && called).then_some(rest)
        })
    }

    /// The names that follow from the current token on, without consuming them.
    fn words(&self) -> Vec<String> {
        self.tokens[self.position..]
            .iter()
            .map_while(|token| match &token.kind {
                TokenKind::Name(word) => Some(word.clone()),
                _ => None,
            })
            .collect()
    }

    /// Parses `item, item, …` up to the `close` token matching `open`; the list may be empty.
    fn delimited<T>(
        &mut self,
        open: &Token<'s>,
        close: &TokenKind,
        mut item: impl FnMut(&mut Self) -> Result<T, FeelError>,
    ) -> Result<Vec<T>, FeelError> {
        let mut items = Vec::new();
        if &self.peek().kind == close {
            self.advance();
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            match &self.peek().kind {
                TokenKind::Comma => {
                    self.advance();
                }
                kind if kind == close => {
                    self.advance();
                    return Ok(items);
                }
                _ => {
                    return Err(FeelError::syntax(self.peek().column, closing_message(open, true)));
                }
            }
        }
    }

    fn context(&mut self, open: &Token<'s>) -> Result<Expr, FeelError> {
        let mut keys = HashSet::new();
        let entries = self.delimited(open, &TokenKind::RightBrace, |parser| {
            let column = parser.peek().column;
            let key = parser.context_key()?;
            if !keys.insert(key.clone()) {
                return Err(FeelError::syntax(column, format!("duplicate context key `{key}`")));
            }
            parser.expect(&TokenKind::Colon, || "expected `:` after the context key".to_owned())?;
            Ok((key, parser.expression()?))
        })?;
        Ok(Expr::Context(entries))
    }

    /// A context key: a string, or one or more names (`first name`).
    fn context_key(&mut self) -> Result<String, FeelError> {
        if let TokenKind::String(key) = &self.peek().kind {
            let key = key.clone();
            self.advance();
            return Ok(key);
        }
        let words = self.words();
        if words.is_empty() {
            return Err(FeelError::syntax(self.peek().column, "expected a context key (a name or a string)"));
        }
        self.position += words.len();
        Ok(words.join(" "))
    }

    /// `if C then A else B`, after the `if`.
    fn conditional(&mut self) -> Result<Expr, FeelError> {
        let condition = self.expression()?;
        self.expect(&TokenKind::Then, || "expected `then` after the condition".to_owned())?;
        let then = self.expression()?;
        self.expect(&TokenKind::Else, || "expected `else` after the `then` branch".to_owned())?;
        let otherwise = self.expression()?;
        Ok(Expr::If { condition: Box::new(condition), then: Box::new(then), otherwise: Box::new(otherwise) })
    }
}

/// An infix operator and its binding power (higher binds tighter).
fn binary_operator(kind: &TokenKind) -> Option<(BinaryOp, u8)> {
    Some(match kind {
        TokenKind::Or => (BinaryOp::Or, 1),
        TokenKind::And => (BinaryOp::And, 2),
        TokenKind::Equal => (BinaryOp::Compare(Comparison::Equal), 3),
        TokenKind::NotEqual => (BinaryOp::Compare(Comparison::NotEqual), 3),
        TokenKind::Less => (BinaryOp::Compare(Comparison::Less), 3),
        TokenKind::LessEqual => (BinaryOp::Compare(Comparison::LessEqual), 3),
        TokenKind::Greater => (BinaryOp::Compare(Comparison::Greater), 3),
        TokenKind::GreaterEqual => (BinaryOp::Compare(Comparison::GreaterEqual), 3),
        TokenKind::Plus => (BinaryOp::Arithmetic(Arithmetic::Add), 4),
        TokenKind::Minus => (BinaryOp::Arithmetic(Arithmetic::Subtract), 4),
        TokenKind::Star => (BinaryOp::Arithmetic(Arithmetic::Multiply), 5),
        TokenKind::Slash => (BinaryOp::Arithmetic(Arithmetic::Divide), 5),
        _ => return None,
    })
}

/// "expected `)` to close the `(` at column 3", or "expected `,` or `)` …" inside a list.
fn closing_message(open: &Token<'_>, in_list: bool) -> String {
    let closer = match open.kind {
        TokenKind::LeftParen => ")",
        TokenKind::LeftBracket => "]",
        _ => "}",
    };
    let comma = if in_list { "`,` or " } else { "" };
    format!("expected {comma}`{closer}` to close the `{}` at column {}", open.text, open.column)
}
