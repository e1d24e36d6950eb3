//! Splits FEEL source text into tokens that carry their 1-based character column.

use serde_json::Value;

use super::error::FeelError;
use super::number;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    Number(Value),
    String(String),
    /// A plain name, or a backtick-quoted one such as `` `content-type` ``.
    Name(String),
    If,
    Then,
    Else,
    And,
    Or,
    True,
    False,
    Null,
    For,
    In,
    Return,
    Some,
    Every,
    Satisfies,
    Between,
    Instance,
    Of,
    Function,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    LeftBrace,
    RightBrace,
    Comma,
    Colon,
    Dot,
    /// `..` in a range.
    DotDot,
    /// `@` before a temporal literal's string.
    At,
    /// `?`: the value a unary test tests.
    Question,
    Plus,
    Minus,
    Star,
    StarStar,
    Slash,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    /// The end of the source; always the last token.
    End,
}

/// One token with where it starts and the source text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token<'s> {
    pub(super) kind: TokenKind,
    pub(super) column: usize,
    /// Where the token starts in the source, in bytes.
    pub(super) offset: usize,
    pub(super) text: &'s str,
}

impl Token<'_> {
    /// The syntax error for a token that cannot stand where it was found.
    pub(super) fn unexpected(&self) -> FeelError {
        let what = match self.kind {
            TokenKind::End => "end of expression".to_owned(),
            _ => format!("`{}`", self.text),
        };
        FeelError::syntax(self.column, format!("unexpected {what}"))
    }
}

/// Tokenizes the whole source, ending with a [`TokenKind::End`] token.
pub(super) fn tokenize(source: &str) -> Result<Vec<Token<'_>>, FeelError> {
    let mut lexer = Lexer { source, chars: source.char_indices().collect(), position: 0 };
    let mut tokens = Vec::new();
    loop {
        lexer.skip_blanks_and_comments()?;
        let follows_value = tokens.last().is_some_and(|token: &Token<'_>| {
            matches!(
                token.kind,
                TokenKind::Name(_)
                    | TokenKind::Number(_)
                    | TokenKind::String(_)
                    | TokenKind::RightParen
                    | TokenKind::RightBracket
                    | TokenKind::RightBrace
                    | TokenKind::Question
            )
        });
        let token = lexer.token(follows_value)?;
        let done = token.kind == TokenKind::End;
        tokens.push(token);
        if done {
            return Ok(tokens);
        }
    }
}

struct Lexer<'s> {
    source: &'s str,
    /// The source's characters with their byte offsets, so columns are character-based.
    chars: Vec<(usize, char)>,
    /// Index into `chars` of the next character; the column is this plus one.
    position: usize,
}

impl<'s> Lexer<'s> {
    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.position + ahead).map(|&(_, c)| c)
    }

    fn peek(&self) -> Option<char> {
        self.peek_at(0)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        self.position += 1;
        c
    }

    fn byte_offset(&self, position: usize) -> usize {
        self.chars.get(position).map_or(self.source.len(), |&(offset, _)| offset)
    }

    fn skip_blanks_and_comments(&mut self) -> Result<(), FeelError> {
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Some(c), _) if c.is_whitespace() => self.position += 1,
                (Some('/'), Some('/')) => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.position += 1;
                    }
                }
                (Some('/'), Some('*')) => {
                    let column = self.position + 1;
                    self.position += 2;
                    loop {
                        match self.bump() {
                            Some('*') if self.peek() == Some('/') => {
                                self.position += 1;
                                break;
                            }
                            Some(_) => {}
                            None => return Err(FeelError::syntax(column, "unterminated comment")),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// The next token; `follows_value` when the one before ends a value, after which a `.` is
    /// a path step (`a.1` is no number).
    fn token(&mut self, follows_value: bool) -> Result<Token<'s>, FeelError> {
        let start = self.position;
        let kind = match self.bump() {
            None => TokenKind::End,
            Some(c) if c.is_ascii_digit() => self.number(start),
            Some(c) if is_name_start(c) => self.name(start),
            Some('`') => self.quoted_name(start)?,
            Some('"') => self.string(start)?,
            Some('(') => TokenKind::LeftParen,
            Some(')') => TokenKind::RightParen,
            Some('[') => TokenKind::LeftBracket,
            Some(']') => TokenKind::RightBracket,
            Some('{') => TokenKind::LeftBrace,
            Some('}') => TokenKind::RightBrace,
            Some(',') => TokenKind::Comma,
            Some(':') => TokenKind::Colon,
            Some('.') if self.peek() == Some('.') => {
                self.position += 1;
                TokenKind::DotDot
            }
            // `.5`: a number without its leading zero.
            Some('.') if !follows_value && self.peek().is_some_and(|c| c.is_ascii_digit()) => self.number(start),
            Some('.') => TokenKind::Dot,
            Some('@') => TokenKind::At,
            Some('?') => TokenKind::Question,
            Some('*') if self.peek() == Some('*') => {
                self.position += 1;
                TokenKind::StarStar
            }
            Some('+') => TokenKind::Plus,
            Some('-') => TokenKind::Minus,
            Some('*') => TokenKind::Star,
            Some('/') => TokenKind::Slash,
            Some('=') => TokenKind::Equal,
            Some('!') if self.peek() == Some('=') => {
                self.position += 1;
                TokenKind::NotEqual
            }
            Some('<') => self.with_equal(TokenKind::Less, TokenKind::LessEqual),
            Some('>') => self.with_equal(TokenKind::Greater, TokenKind::GreaterEqual),
            Some(c) => {
                return Err(FeelError::syntax(start + 1, format!("unexpected character `{c}`")));
            }
        };
        let offset = self.byte_offset(start);
        let text = &self.source[offset..self.byte_offset(self.position)];
        Ok(Token { kind, column: start + 1, offset, text })
    }

    /// `<` or `<=` (and likewise for `>`).
    fn with_equal(&mut self, alone: TokenKind, with_equal: TokenKind) -> TokenKind {
        if self.peek() == Some('=') {
            self.position += 1;
            with_equal
        } else {
            alone
        }
    }

    /// A number from `start`, whose first character (a digit, or the `.` of `.5`) is consumed.
    fn number(&mut self, start: usize) -> TokenKind {
        self.skip_digits();
        // A dot only belongs to the number when digits follow; `1.a` is a path on 1.
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.position += 1;
            self.skip_digits();
        }
        // An exponent (`1.2e3`, `5E-2`) only when digits follow it, so `2 else` stays apart.
        if matches!(self.peek(), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.peek_at(1), Some('+' | '-')));
            if self.peek_at(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                self.position += 1 + sign;
                self.skip_digits();
            }
        }
        let text = &self.source[self.byte_offset(start)..self.byte_offset(self.position)];
        // Digits with an optional fraction always parse; the fallback is never taken.
        TokenKind::Number(number::parse(text).unwrap_or(Value::Null))
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.position += 1;
        }
    }

    fn name(&mut self, start: usize) -> TokenKind {
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.position += 1;
        }
        match &self.source[self.byte_offset(start)..self.byte_offset(self.position)] {
            "if" => TokenKind::If,
            "then" => TokenKind::Then,
            "else" => TokenKind::Else,
            "and" => TokenKind::And,
            "or" => TokenKind::Or,
            "true" => TokenKind::True,
            "false" => TokenKind::False,
            "null" => TokenKind::Null,
            "for" => TokenKind::For,
            "in" => TokenKind::In,
            "return" => TokenKind::Return,
            "some" => TokenKind::Some,
            "every" => TokenKind::Every,
            "satisfies" => TokenKind::Satisfies,
            "between" => TokenKind::Between,
            "instance" => TokenKind::Instance,
            "of" => TokenKind::Of,
            "function" => TokenKind::Function,
            name => TokenKind::Name(name.to_owned()),
        }
    }

    fn quoted_name(&mut self, start: usize) -> Result<TokenKind, FeelError> {
        let mut name = String::new();
        loop {
            match self.bump() {
                Some('`') => return Ok(TokenKind::Name(name)),
                Some(c) => name.push(c),
                None => return Err(FeelError::syntax(start + 1, "unterminated name")),
            }
        }
    }

    fn string(&mut self, start: usize) -> Result<TokenKind, FeelError> {
        let mut string = String::new();
        loop {
            let escape_column = self.position + 1;
            match self.bump() {
                Some('"') => return Ok(TokenKind::String(string)),
                Some('\\') => string.push(self.escape(escape_column)?),
                Some(c) => string.push(c),
                None => return Err(FeelError::syntax(start + 1, "unterminated string")),
            }
        }
    }

    /// The character an escape sequence (after its backslash) stands for; an unknown one stands
    /// for the backslash itself, and the character after it is read as it is.
    fn escape(&mut self, column: usize) -> Result<char, FeelError> {
        match self.bump() {
            Some('"') => Ok('"'),
            Some('\'') => Ok('\''),
            Some('\\') => Ok('\\'),
            Some('n') => Ok('\n'),
            Some('r') => Ok('\r'),
            Some('t') => Ok('\t'),
            Some('b') => Ok('\u{8}'),
            Some('f') => Ok('\u{c}'),
            // `\u00e9`, a UTF-16 pair `\uD83D\uDCA9`, or `\U01F40E` (six digits).
            Some(u @ ('u' | 'U')) => {
                let width = if u == 'u' { 4 } else { 6 };
                let unit = self.hex(width).ok_or_else(|| {
                    FeelError::syntax(column, format!("`\\{u}` must be followed by {width} hex digits of a character"))
                })?;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    let low = if self.peek() == Some('\\') && self.peek_at(1) == Some('u') {
                        self.position += 2;
                        self.hex(4)
                    } else {
                        None
                    };
                    match low {
                        Some(low @ 0xDC00..0xE000) => 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00),
                        _ => return Err(FeelError::syntax(column, "`\\u` starts a UTF-16 pair that is not completed")),
                    }
                } else {
                    unit
                };
                char::from_u32(code).ok_or_else(|| FeelError::syntax(column, "the escape is no character"))
            }
            // Camunda keeps any other escape as written, so regular expressions such as
            // `"\d{3}"` need no doubled backslash.
            Some(_) => {
                self.position -= 1;
                Ok('\\')
            }
            None => Err(FeelError::syntax(column, "unterminated string")),
        }
    }
}

impl Lexer<'_> {
    /// The value of the next `width` characters as hex digits, consumed; `None` (consuming
    /// nothing) when they are not.
    fn hex(&mut self, width: usize) -> Option<u32> {
        let digits: String = (0..width).filter_map(|ahead| self.peek_at(ahead)).collect();
        if digits.len() != width || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.position += width;
        u32::from_str_radix(&digits, 16).ok()
    }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}
