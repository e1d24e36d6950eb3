//! A Pratt parser from tokens to the syntax tree; the types `instance of` names have a file of
//! their own.

mod types;

use std::collections::HashSet;

use serde_json::Value;

use super::ast::{Arguments, Arithmetic, BinaryOp, Comparison, Domain, Expr, Step, Test};
use super::builtins;
use super::error::FeelError;
use super::lexer::{Token, TokenKind, tokenize};
use super::temporal::Temporal;

/// The binding power of comparisons, which `between`, `in` and `instance of` share.
const COMPARISON: u8 = 3;

/// The binding power of `and`.
const AND: u8 = 2;

/// How tall the syntax tree may grow. Parsing, evaluating and dropping the tree recurse once per
/// level, so hostile input must not make it arbitrarily deep; a level costs up to about 7 KiB of
/// stack in a debug build, so 128 levels stay well inside a 2 MiB thread stack.
const MAX_NESTING: usize = 128;

/// Passes a string literal's text through, returning what replaces it (`None` keeps it).
pub(super) type Rewrite<'r> = &'r mut dyn FnMut(&str) -> Option<String>;

/// Parses a whole expression, each string literal passed through `rewrite`; trailing tokens
/// are an error.
pub(super) fn parse(source: &str, rewrite: Option<Rewrite<'_>>) -> Result<Expr, FeelError> {
    let mut parser = Parser { source, tokens: tokenize(source)?, position: 0, nesting: 0, rewrite };
    let expr = parser.expression()?;
    match parser.peek().kind {
        TokenKind::End => Ok(expr),
        _ => Err(parser.peek().unexpected()),
    }
}

struct Parser<'s, 'r> {
    source: &'s str,
    /// Always ends with [`TokenKind::End`], which `advance` never moves past.
    tokens: Vec<Token<'s>>,
    position: usize,
    /// The height the tree being built can reach: one per open sub-expression plus one per
    /// node already wrapped around the current one (`a.b + c` wraps `a` twice).
    nesting: usize,
    rewrite: Option<Rewrite<'r>>,
}

impl<'s> Parser<'s, '_> {
    /// A string literal's text, as the rewrite (if any) makes it.
    fn literal(&mut self, text: String) -> String {
        self.rewrite.as_mut().and_then(|rewrite| rewrite(&text)).unwrap_or(text)
    }

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
        let first = self.unary()?;
        let result = self.operators(first, min_power);
        self.nesting = outer;
        result
    }

    /// The operators (tighter than `min_power`) and operands that follow `left`. Out of line,
    /// like the other steps of the descent, to keep the frames that recurse per level small.
    #[inline(never)]
    fn operators(&mut self, mut left: Expr, min_power: u8) -> Result<Expr, FeelError> {
        loop {
            // `between`, `in` and `instance of` take the place of a comparison and wrap the
            // operand so far.
            if COMPARISON > min_power
                && let Some(wrapped) = self.comparison_like(&mut left)?
            {
                self.deepen()?;
                left = wrapped;
                continue;
            }
            // Operators of equal power extend one flat chain; a weaker one (tighter ones were
            // taken by the operands) starts a new chain with the one so far as its first operand.
            let Some((_, power)) = binary_operator(&self.peek().kind) else { break };
            if power <= min_power {
                break;
            }
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
        Ok(left)
    }

    /// `left between a and b`, `left in tests` or `left instance of type`, when one follows.
    #[inline(never)]
    fn comparison_like(&mut self, left: &mut Expr) -> Result<Option<Expr>, FeelError> {
        let take = |left: &mut Expr| Box::new(std::mem::replace(left, Expr::Literal(Value::Null)));
        Ok(Some(match self.peek().kind {
            TokenKind::Between => {
                self.advance();
                let low = self.binary(COMPARISON)?;
                self.expect(&TokenKind::And, || "expected `and` in `between … and …`".to_owned())?;
                let high = self.binary(COMPARISON)?;
                Expr::Between { value: take(left), low: Box::new(low), high: Box::new(high) }
            }
            TokenKind::In => {
                self.advance();
                let tests = self.unary_tests()?;
                Expr::In { value: take(left), tests }
            }
            TokenKind::Instance => {
                self.advance();
                self.expect(&TokenKind::Of, || "expected `of` after `instance`".to_owned())?;
                let type_name = self.type_name()?;
                Expr::InstanceOf { value: take(left), type_name }
            }
            _ => return Ok(None),
        }))
    }

    /// The tests after `in`: one test, or several in parentheses; `(a..b]` is one range.
    #[inline(never)]
    fn unary_tests(&mut self) -> Result<Vec<Test>, FeelError> {
        if self.peek().kind != TokenKind::LeftParen {
            return Ok(vec![self.unary_test(false)?]);
        }
        let open = self.advance();
        let first = self.unary_test(true)?;
        if self.peek().kind == TokenKind::DotDot
            && let Test::Matches { expr: start, .. } = first
        {
            let range = self.range_rest(start, false)?;
            return Ok(vec![Test::Matches { expr: range, mentions_question: false }]);
        }
        let mut tests = vec![first];
        loop {
            match self.peek().kind {
                TokenKind::Comma => {
                    self.advance();
                    tests.push(self.unary_test(true)?);
                }
                TokenKind::RightParen => {
                    self.advance();
                    return Ok(tests);
                }
                _ => return Err(FeelError::syntax(self.peek().column, closing_message(&open, true))),
            }
        }
    }

    /// One unary test: `< e`, `not(tests)`, or an expression (a whole one when `enclosed` in
    /// parentheses, else one that stops before `and`, `or` and comparisons).
    #[inline(never)]
    fn unary_test(&mut self, enclosed: bool) -> Result<Test, FeelError> {
        let comparison = match self.peek().kind {
            TokenKind::Less => Some(Comparison::Less),
            TokenKind::LessEqual => Some(Comparison::LessEqual),
            TokenKind::Greater => Some(Comparison::Greater),
            TokenKind::GreaterEqual => Some(Comparison::GreaterEqual),
            TokenKind::Equal => Some(Comparison::Equal),
            TokenKind::NotEqual => Some(Comparison::NotEqual),
            _ => None,
        };
        if let Some(comparison) = comparison {
            self.advance();
            return Ok(Test::Compare(comparison, self.binary(COMPARISON)?));
        }
        if self.peek().text == "not"
            && self.tokens.get(self.position + 1).is_some_and(|t| t.kind == TokenKind::LeftParen)
        {
            self.advance();
            self.deepen()?;
            return Ok(Test::Not(self.unary_tests()?));
        }
        // Unenclosed, a test may compare (`x in ? > 3`) but stops before `and` and `or`.
        let expr = if enclosed { self.expression()? } else { self.binary(AND)? };
        let mentions_question = expr.mentions_question();
        Ok(Test::Matches { expr, mentions_question })
    }

    fn unary(&mut self) -> Result<Expr, FeelError> {
        if self.peek().kind == TokenKind::Minus {
            return self.negation();
        }
        let primary = self.primary()?;
        self.access(primary)
    }

    /// `-e`, at the `-`.
    #[inline(never)]
    fn negation(&mut self) -> Result<Expr, FeelError> {
        self.advance();
        self.deepen()?;
        Ok(Expr::Negate(Box::new(self.unary()?)))
    }

    /// Collects any `.name` and `[…]` steps and calls that follow `target`.
    #[inline(never)]
    fn access(&mut self, target: Expr) -> Result<Expr, FeelError> {
        let mut steps = Vec::new();
        loop {
            match self.peek().kind {
                TokenKind::Dot => {
                    self.advance();
                    // A name of several words (`range.start included`, `t.time offset`).
                    let words = self.words();
                    if words.is_empty() {
                        return Err(FeelError::syntax(self.peek().column, "expected a name after `.`"));
                    }
                    self.position += words.len();
                    steps.push(Step::Field(words.join(" ")));
                }
                // `[` followed by what cannot start a selector closes a range open at its end
                // (`[1..10[`), so it is no step.
                TokenKind::LeftBracket if !self.closes_range_end() => {
                    let open = self.advance();
                    let selector = self.expression()?;
                    self.expect(&TokenKind::RightBracket, || closing_message(&open, false))?;
                    steps.push(Step::Select(selector));
                }
                // A call of what the steps so far give (`ctx.f(1)`), or of a parenthesised
                // function (`(function(x) x)(1)`).
                TokenKind::LeftParen
                    if !steps.is_empty()
                        || matches!(target, Expr::Function { .. } | Expr::Call { .. } | Expr::Apply { .. }) =>
                {
                    let open = self.advance();
                    let column = open.column;
                    let arguments = self.arguments(&open)?;
                    let callee = if steps.is_empty() {
                        target
                    } else {
                        self.deepen()?;
                        Expr::Access(Box::new(target), std::mem::take(&mut steps))
                    };
                    self.deepen()?;
                    return self.access(Expr::Apply { target: Box::new(callee), column, arguments });
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

    #[inline(never)]
    fn primary(&mut self) -> Result<Expr, FeelError> {
        // Each arm returns its result as it is (no `?`): in a debug build every `?` takes stack
        // slots of its own, and this function recurses once per level of nesting.
        let token = self.advance();
        match token.kind {
            TokenKind::Number(number) => Ok(Expr::Literal(number)),
            TokenKind::String(string) => Ok(Expr::Literal(Value::String(self.literal(string)))),
            TokenKind::True => Ok(Expr::Literal(Value::Bool(true))),
            TokenKind::False => Ok(Expr::Literal(Value::Bool(false))),
            TokenKind::Null => Ok(Expr::Literal(Value::Null)),
            TokenKind::Name(name) => self.name_or_call(name, token.column),
            // The list functions `and(…)` and `or(…)`, whose names are keywords.
            TokenKind::And | TokenKind::Or if self.peek().kind == TokenKind::LeftParen => {
                self.name_or_call(token.text.to_owned(), token.column)
            }
            TokenKind::LeftParen => self.parenthesised(&token),
            TokenKind::LeftBracket => self.list_or_range(&token),
            // `]a..b]`: a range open at its start.
            TokenKind::RightBracket => self.open_range(&token),
            TokenKind::LeftBrace => self.context(&token),
            TokenKind::If => self.conditional(),
            TokenKind::For | TokenKind::Some | TokenKind::Every => self.iteration(&token.kind),
            TokenKind::Function => self.function(),
            TokenKind::At => self.temporal(),
            TokenKind::Less | TokenKind::LessEqual | TokenKind::Greater | TokenKind::GreaterEqual => {
                self.half_range(&token.kind)
            }
            TokenKind::Question => Ok(Expr::Name("?".to_owned())),
            _ => Err(token.unexpected()),
        }
    }

    /// A variable, or a call when `(` follows. Names can be several words (`first name`,
    /// `upper case(…)`): FEEL puts no two names side by side otherwise. A built-in's words may
    /// even be keywords (`get or else`).
    #[inline(never)]
    fn name_or_call(&mut self, first: String, column: usize) -> Result<Expr, FeelError> {
        let more = match self.builtin_name_rest(&first) {
            Some(rest) => rest,
            None => self.words(),
        };
        self.position += more.len();
        let mut name = std::iter::once(first).chain(more).collect::<Vec<_>>().join(" ");
        if self.peek().kind != TokenKind::LeftParen {
            // A variable's later words may be numbers (`decision A 2.1`, as DMN names them).
            while matches!(self.peek().kind, TokenKind::Name(_))
                || matches!(self.peek().kind, TokenKind::Number(_))
                    && self.peek().text.starts_with(|c: char| c.is_ascii_digit())
            {
                name.push(' ');
                name.push_str(self.advance().text);
            }
            return Ok(Expr::Name(name));
        }
        let open = self.advance();
        let arguments = self.arguments(&open)?;
        Ok(Expr::Call { name, column, arguments })
    }

    /// A call's arguments after its `(`: all positional, or all named (`f(a: 1, b: 2)`).
    #[inline(never)]
    fn arguments(&mut self, open: &Token<'s>) -> Result<Arguments, FeelError> {
        if self.argument_name().is_none() {
            return Ok(Arguments::Positional(self.delimited(open, &TokenKind::RightParen, Self::expression)?));
        }
        let mut names = HashSet::new();
        let arguments = self.delimited(open, &TokenKind::RightParen, |parser| {
            let column = parser.peek().column;
            let Some(words) = parser.argument_name() else {
                return Err(FeelError::syntax(
                    column,
                    "expected a parameter name and `:` (a call names all its arguments or none)",
                ));
            };
            parser.position += words.len() + 1;
            let name = words.join(" ");
            if !names.insert(name.clone()) {
                return Err(FeelError::syntax(column, format!("argument `{name}` is given twice")));
            }
            Ok((name, parser.expression()?))
        })?;
        Ok(Arguments::Named(arguments))
    }

    /// The words of a parameter name when the tokens from the current one are `name :`.
    fn argument_name(&self) -> Option<Vec<String>> {
        let words = self.words();
        let colon = self.tokens.get(self.position + words.len()).is_some_and(|t| t.kind == TokenKind::Colon);
        (!words.is_empty() && colon).then_some(words)
    }

    /// Whether the current `[` ends a range (`[1..10[`) rather than starting a selector: what
    /// follows it cannot start an expression.
    fn closes_range_end(&self) -> bool {
        !self.tokens.get(self.position + 1).is_some_and(|t| {
            matches!(
                t.kind,
                TokenKind::Name(_)
                    | TokenKind::Number(_)
                    | TokenKind::String(_)
                    | TokenKind::True
                    | TokenKind::False
                    | TokenKind::Null
                    | TokenKind::LeftParen
                    | TokenKind::LeftBracket
                    | TokenKind::LeftBrace
                    | TokenKind::If
                    | TokenKind::For
                    | TokenKind::Some
                    | TokenKind::Every
                    | TokenKind::Function
                    | TokenKind::At
                    | TokenKind::Question
                    | TokenKind::Minus
                    | TokenKind::And
                    | TokenKind::Or
            )
        })
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

    #[inline(never)]
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

    /// A context key: a string, a backtick name, or as in Camunda any text up to the `:`
    /// without quotes, braces, brackets, commas or backticks, as written (`first name`,
    /// `foo+bar`).
    fn context_key(&mut self) -> Result<String, FeelError> {
        if let TokenKind::String(key) = &self.peek().kind {
            let key = key.clone();
            self.advance();
            return Ok(key);
        }
        if let TokenKind::Name(name) = &self.peek().kind
            && self.peek().text.starts_with('`')
        {
            let name = name.clone();
            self.advance();
            return Ok(name);
        }
        let start = self.position;
        while !matches!(
            self.peek().kind,
            TokenKind::Colon
                | TokenKind::End
                | TokenKind::String(_)
                | TokenKind::LeftBrace
                | TokenKind::RightBrace
                | TokenKind::LeftBracket
                | TokenKind::RightBracket
                | TokenKind::Comma
        ) && !self.peek().text.starts_with('`')
        {
            self.advance();
        }
        if self.position == start {
            return Err(FeelError::syntax(self.peek().column, "expected a context key (a name or a string)"));
        }
        if self.peek().kind != TokenKind::Colon {
            return Err(FeelError::syntax(self.peek().column, "expected `:` after the context key"));
        }
        let last = &self.tokens[self.position - 1];
        Ok(self.source[self.tokens[start].offset..last.offset + last.text.len()].to_owned())
    }

    /// `(e)`, or a range `(a..b]` open at its start, after the `(`.
    #[inline(never)]
    fn parenthesised(&mut self, open: &Token<'s>) -> Result<Expr, FeelError> {
        let inner = self.expression()?;
        if self.peek().kind == TokenKind::DotDot {
            return self.range_rest(inner, false);
        }
        self.expect(&TokenKind::RightParen, || closing_message(open, false))?;
        Ok(inner)
    }

    /// `]a..b]`: a range open at its start, after the `]`. Anything else after a `]` reports the
    /// `]` itself: a stray one is the likelier mistake.
    #[inline(never)]
    fn open_range(&mut self, bracket: &Token<'s>) -> Result<Expr, FeelError> {
        let (position, nesting) = (self.position, self.nesting);
        match self.expression() {
            Ok(start) if self.peek().kind == TokenKind::DotDot => self.range_rest(start, false),
            _ => {
                (self.position, self.nesting) = (position, nesting);
                Err(bracket.unexpected())
            }
        }
    }

    /// `< b`, `<= b`, `> a` or `>= a` as an expression, after its operator: the interval with
    /// no start (or no end) that the unary test describes.
    #[inline(never)]
    fn half_range(&mut self, operator: &TokenKind) -> Result<Expr, FeelError> {
        let bound = Some(Box::new(self.binary(COMPARISON)?));
        Ok(match operator {
            TokenKind::Less | TokenKind::LessEqual => Expr::Range {
                start: None,
                start_closed: false,
                end: bound,
                end_closed: *operator == TokenKind::LessEqual,
            },
            _ => Expr::Range {
                start: bound,
                start_closed: *operator == TokenKind::GreaterEqual,
                end: None,
                end_closed: false,
            },
        })
    }

    /// `for … return …`, `some … satisfies …` or `every … satisfies …`, after its keyword.
    #[inline(never)]
    fn iteration(&mut self, keyword: &TokenKind) -> Result<Expr, FeelError> {
        let iterations = self.iterations()?;
        if *keyword == TokenKind::For {
            self.expect(&TokenKind::Return, || "expected `return` after the iteration contexts".to_owned())?;
            return Ok(Expr::For { iterations, body: Box::new(self.expression()?) });
        }
        self.expect(&TokenKind::Satisfies, || "expected `satisfies` after the iteration contexts".to_owned())?;
        let condition = Box::new(self.expression()?);
        Ok(Expr::Quantified { every: *keyword == TokenKind::Every, iterations, condition })
    }

    /// `@"…"`, after the `@`.
    #[inline(never)]
    fn temporal(&mut self) -> Result<Expr, FeelError> {
        let literal = self.advance();
        let TokenKind::String(text) = &literal.kind else {
            return Err(FeelError::syntax(literal.column, "expected a string after `@`"));
        };
        Ok(Expr::Temporal(Temporal::parse_any(text)))
    }

    /// `[a, b, …]` or `[a..b]` / `[a..b)`, after the `[`.
    #[inline(never)]
    fn list_or_range(&mut self, open: &Token<'s>) -> Result<Expr, FeelError> {
        if self.peek().kind == TokenKind::RightBracket {
            self.advance();
            return Ok(Expr::List(Vec::new()));
        }
        let first = self.expression()?;
        if self.peek().kind == TokenKind::DotDot {
            return self.range_rest(first, true);
        }
        self.list_rest(open, first)
    }

    /// The rest of a list literal after its first element.
    #[inline(never)]
    fn list_rest(&mut self, open: &Token<'s>, first: Expr) -> Result<Expr, FeelError> {
        let mut items = vec![first];
        loop {
            match self.peek().kind {
                TokenKind::Comma => {
                    self.advance();
                    items.push(self.expression()?);
                }
                TokenKind::RightBracket => {
                    self.advance();
                    return Ok(Expr::List(items));
                }
                _ => return Err(FeelError::syntax(self.peek().column, closing_message(open, true))),
            }
        }
    }

    /// The rest of a range from its `..`: the end and its closing `]` (included) or `)` (excluded).
    #[inline(never)]
    fn range_rest(&mut self, start: Expr, start_closed: bool) -> Result<Expr, FeelError> {
        self.advance();
        let end = self.expression()?;
        let end_closed = match self.peek().kind {
            TokenKind::RightBracket => true,
            TokenKind::RightParen | TokenKind::LeftBracket => false,
            _ => return Err(FeelError::syntax(self.peek().column, "expected `]`, `)` or `[` to close the range")),
        };
        self.advance();
        Ok(Expr::Range { start: Some(Box::new(start)), start_closed, end: Some(Box::new(end)), end_closed })
    }

    /// `a in A, b in 1..3`: the iteration contexts of `for`, `some` and `every`.
    #[inline(never)]
    fn iterations(&mut self) -> Result<Vec<(String, Domain)>, FeelError> {
        let mut iterations = Vec::new();
        loop {
            let words = self.words();
            if words.is_empty() {
                return Err(FeelError::syntax(self.peek().column, "expected the name of an iteration variable"));
            }
            self.position += words.len();
            self.expect(&TokenKind::In, || "expected `in` after the iteration variable".to_owned())?;
            let list = self.expression()?;
            let domain = if self.peek().kind == TokenKind::DotDot {
                self.advance();
                Domain::Numbers(list, self.expression()?)
            } else {
                Domain::List(list)
            };
            iterations.push((words.join(" "), domain));
            if self.peek().kind != TokenKind::Comma {
                return Ok(iterations);
            }
            self.advance();
        }
    }

    /// `function(a, b) body`, after `function`.
    #[inline(never)]
    fn function(&mut self) -> Result<Expr, FeelError> {
        let open = self.peek().clone();
        self.expect(&TokenKind::LeftParen, || "expected `(` after `function`".to_owned())?;
        let parameters = self.delimited(&open, &TokenKind::RightParen, |parser| {
            let words = parser.words();
            if words.is_empty() {
                return Err(FeelError::syntax(parser.peek().column, "expected a parameter name"));
            }
            parser.position += words.len();
            // `function(a: number)` (DMN): a parameter's type is read, not checked.
            if parser.peek().kind == TokenKind::Colon {
                parser.advance();
                parser.type_name()?;
            }
            Ok(words.join(" "))
        })?;
        Ok(Expr::Function { parameters, body: Box::new(self.expression()?) })
    }

    /// `if C then A else B`, after the `if`.
    #[inline(never)]
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
        TokenKind::StarStar => (BinaryOp::Arithmetic(Arithmetic::Power), 6),
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
