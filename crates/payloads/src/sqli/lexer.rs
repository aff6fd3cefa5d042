//! A forgiving SQL tokenizer: it reads any text as if it were SQL from one
//! of the common dialects (MySQL, PostgreSQL, SQL Server, Oracle, SQLite) and
//! classifies each token, so the rules can ask whether a value, read after a
//! quote or as is, would continue a query.
//!
//! Each token kind has a one-character code; the codes of a value's tokens
//! form its fingerprint (`s&1o1c`: a string, `OR`, a number, an operator, a
//! number, a comment), shown to analysts as evidence.

use crate::lexicon;

/// Most tokens read from one value; the rules look at the start of a payload.
const MAX_TOKENS: usize = 256;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A quoted string (`'abc'`, `"abc"`, `N'abc'`).
    Str,
    /// A number, or `TRUE` / `FALSE` / `NULL`.
    Num,
    /// An identifier or unknown word.
    Word,
    /// A clause keyword (`FROM`, `WHERE`, `ORDER`).
    Keyword,
    /// `UNION` and the other set operators.
    Union,
    /// A statement keyword (`SELECT`, `DROP`, `WAITFOR`).
    Statement,
    /// `AND`, `OR`, `XOR`, `&&`, `||`.
    Logic,
    /// An operator (`=`, `<`, `LIKE`, `::`).
    Op,
    /// A word followed by `(`.
    Func,
    /// A variable (`@x`, `@@version`).
    Var,
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `,`.
    Comma,
    /// `;`.
    Semi,
    /// A comment (`--`, `#`, `/* */`).
    Comment,
    /// `{`.
    LBrace,
    /// `}`.
    RBrace,
    /// Anything else.
    Other,
}

impl Kind {
    /// The fingerprint code of this kind.
    pub(crate) fn code(self) -> char {
        match self {
            Kind::Str => 's',
            Kind::Num => '1',
            Kind::Word => 'n',
            Kind::Keyword => 'k',
            Kind::Union => 'U',
            Kind::Statement => 'E',
            Kind::Logic => '&',
            Kind::Op => 'o',
            Kind::Func => 'f',
            Kind::Var => 'v',
            Kind::LParen => '(',
            Kind::RParen => ')',
            Kind::Comma => ',',
            Kind::Semi => ';',
            Kind::Comment => 'c',
            Kind::LBrace => '{',
            Kind::RBrace => '}',
            Kind::Other => '?',
        }
    }
}

/// One token: its kind, its span in the (lowercased) text, and details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Lexicon flags of a word (all parts of a dotted name).
    pub(crate) flags: u64,
    /// A string or block comment that ended before the text did.
    pub(crate) is_closed: bool,
    /// A MySQL versioned comment (`/*!`) or optimizer hint (`/*+`).
    pub(crate) is_special_comment: bool,
}

/// Reads `text` (lowercased) as SQL. With `breakout`, the text up to and
/// including the byte at that index (a quote) becomes one closed string
/// token, as if the application had opened the string.
pub(crate) fn tokens(text: &[u8], breakout: Option<usize>) -> Vec<Token> {
    let mut lexer = Lexer { text, pos: 0, out: Vec::new(), in_versioned: false };
    if let Some(quote) = breakout {
        lexer.push(Kind::Str, 0, quote + 1, 0, true);
        lexer.pos = quote + 1;
    }
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    text: &'a [u8],
    pos: usize,
    out: Vec<Token>,
    in_versioned: bool,
}

impl Lexer<'_> {
    fn push(&mut self, kind: Kind, start: usize, end: usize, flags: u64, is_closed: bool) {
        self.out.push(Token { kind, start, end, flags, is_closed, is_special_comment: false });
    }

    fn peek(&self, offset: usize) -> u8 {
        self.text.get(self.pos + offset).copied().unwrap_or(0)
    }

    fn run(&mut self) {
        while self.pos < self.text.len() && self.out.len() < MAX_TOKENS {
            let start = self.pos;
            let byte = self.text[start];
            match byte {
                _ if is_space(byte) => self.pos += 1,
                0xc2 if self.peek(1) == 0xa0 => self.pos += 2,
                b'\'' | b'"' => self.string(start, byte),
                b'`' => self.quoted_word(start, b'`'),
                b'[' if self.is_bracket_identifier() => self.quoted_word(start, b']'),
                b'0'..=b'9' => self.number(start),
                b'.' if self.peek(1).is_ascii_digit() => self.number(start),
                b'a'..=b'z' | b'_' => self.word(start),
                0x80..=0xff => {
                    let len = self.text[start..]
                        .iter()
                        .take_while(|b| **b >= 0x80 || is_word_byte(**b))
                        .count();
                    self.pos = start + len;
                    self.push(Kind::Word, start, self.pos, 0, true);
                }
                b'@' => self.variable(start),
                b'#' if matches!(self.peek(1), b'>' | b'-') => self.operator(start),
                b'#' => self.line_comment(start),
                b'-' if self.peek(1) == b'-' => self.line_comment(start),
                b'/' if self.peek(1) == b'*' => self.block_comment(start),
                b'*' if self.peek(1) == b'/' => {
                    // The end of a versioned comment, or a stray closer.
                    self.pos += 2;
                    if !std::mem::take(&mut self.in_versioned) {
                        self.push(Kind::Comment, start, self.pos, 0, true);
                    }
                }
                b'(' => self.single(Kind::LParen),
                b')' => self.single(Kind::RParen),
                b',' => self.single(Kind::Comma),
                b';' => self.single(Kind::Semi),
                b'{' => self.single(Kind::LBrace),
                b'}' => self.single(Kind::RBrace),
                b'|' if self.peek(1) == b'|' => self.fixed(Kind::Logic, 2),
                b'&' if self.peek(1) == b'&' => self.fixed(Kind::Logic, 2),
                b'<' | b'>' | b'=' | b'!' | b'~' | b'^' | b'+' | b'-' | b'*' | b'/' | b'%'
                | b':' | b'?' | b'|' | b'&' => self.operator(start),
                _ => self.single(Kind::Other),
            }
        }
    }

    fn single(&mut self, kind: Kind) {
        self.fixed(kind, 1);
    }

    fn fixed(&mut self, kind: Kind, len: usize) {
        let start = self.pos;
        self.pos += len;
        self.push(kind, start, self.pos, 0, true);
    }

    fn string(&mut self, start: usize, quote: u8) {
        let mut idx = start + 1;
        let mut is_closed = false;
        while idx < self.text.len() {
            let byte = self.text[idx];
            if byte == b'\\' {
                idx += 2;
                continue;
            }
            if byte == quote {
                if self.text.get(idx + 1) == Some(&quote) {
                    idx += 2;
                    continue;
                }
                idx += 1;
                is_closed = true;
                break;
            }
            idx += 1;
        }
        self.pos = idx.min(self.text.len());
        self.push(Kind::Str, start, self.pos, 0, is_closed);
    }

    fn is_bracket_identifier(&self) -> bool {
        let rest = &self.text[self.pos + 1..];
        let len =
            rest.iter().take(64).take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        len > 0 && rest.get(len) == Some(&b']')
    }

    fn quoted_word(&mut self, start: usize, close: u8) {
        let end = memchr::memchr(close, &self.text[start + 1..])
            .map_or(self.text.len(), |offset| start + 1 + offset + 1);
        self.pos = end;
        self.push(Kind::Word, start, end, 0, end <= self.text.len());
    }

    fn number(&mut self, start: usize) {
        let text = self.text;
        let mut idx = start;
        if text[idx] == b'0' && matches!(text.get(idx + 1), Some(b'x' | b'b')) {
            let is_hex = text[idx + 1] == b'x';
            let digits = text[idx + 2..]
                .iter()
                .take_while(
                    |b| if is_hex { b.is_ascii_hexdigit() } else { matches!(b, b'0' | b'1') },
                )
                .count();
            if digits > 0 {
                self.pos = idx + 2 + digits;
                self.push(Kind::Num, start, self.pos, 0, true);
                return;
            }
        }
        while idx < text.len() && text[idx].is_ascii_digit() {
            idx += 1;
        }
        if text.get(idx) == Some(&b'.') {
            idx += 1;
            while idx < text.len() && text[idx].is_ascii_digit() {
                idx += 1;
            }
        }
        if matches!(text.get(idx), Some(b'e')) {
            let sign = usize::from(matches!(text.get(idx + 1), Some(b'+' | b'-')));
            if text.get(idx + 1 + sign).is_some_and(u8::is_ascii_digit) {
                idx += 1 + sign;
                while idx < text.len() && text[idx].is_ascii_digit() {
                    idx += 1;
                }
            }
        }
        self.pos = idx.max(start + 1);
        self.push(Kind::Num, start, self.pos, 0, true);
    }

    fn word(&mut self, start: usize) {
        let text = self.text;
        let mut idx = start;
        let mut flags = 0;
        let mut last_start;
        loop {
            let part_start = idx;
            while idx < text.len() && is_word_byte(text[idx]) {
                idx += 1;
            }
            flags |= lexicon::lookup(&text[part_start..idx]);
            last_start = part_start;
            // A dotted name (`information_schema.tables`, `master..sysobjects`).
            let dots = text[idx..].iter().take(2).take_while(|b| **b == b'.').count();
            if dots > 0
                && text.get(idx + dots).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            {
                idx += dots;
                continue;
            }
            break;
        }
        // A string with a prefix: N'..', X'..', B'..', E'..'.
        if idx == start + 1
            && matches!(text[start], b'n' | b'x' | b'b' | b'e')
            && text.get(idx) == Some(&b'\'')
        {
            self.string(idx, b'\'');
            if let Some(last) = self.out.last_mut() {
                last.start = start;
            }
            return;
        }
        self.pos = idx;
        let last = lexicon::lookup(&text[last_start..idx]);
        let is_call = self.next_significant() == Some(b'(');
        let kind = classify(last, is_call);
        self.push(kind, start, idx, flags, true);
    }

    /// The next byte after whitespace and comments, without consuming.
    fn next_significant(&self) -> Option<u8> {
        let mut idx = self.pos;
        while idx < self.text.len() {
            let byte = self.text[idx];
            if is_space(byte) {
                idx += 1;
            } else if byte == b'/' && self.text.get(idx + 1) == Some(&b'*') {
                let close = crate::patterns::find(&self.text[idx + 2..], b"*/")?;
                idx += 2 + close + 2;
            } else {
                return Some(byte);
            }
        }
        None
    }

    fn variable(&mut self, start: usize) {
        let mut idx = start + 1;
        if self.text.get(idx) == Some(&b'@') {
            idx += 1;
        }
        let len = self.text[idx..].iter().take_while(|b| is_word_byte(**b) || **b == b'.').count();
        if len == 0 {
            self.operator(start);
            return;
        }
        self.pos = idx + len;
        self.push(Kind::Var, start, self.pos, 0, true);
    }

    fn line_comment(&mut self, start: usize) {
        let end = self.text[start..]
            .iter()
            .position(|&byte| byte == b'\n' || byte == b'\r')
            .map_or(self.text.len(), |offset| start + offset);
        self.pos = end;
        self.push(Kind::Comment, start, end, 0, true);
    }

    fn block_comment(&mut self, start: usize) {
        let marker = self.text.get(start + 2).copied();
        if marker == Some(b'!') {
            // MySQL runs the body of a versioned comment as code.
            let digits = self.text[start + 3..].iter().take_while(|b| b.is_ascii_digit()).count();
            self.pos = start + 3 + digits;
            self.in_versioned = true;
            self.out.push(Token {
                kind: Kind::Comment,
                start,
                end: self.pos,
                flags: 0,
                is_closed: true,
                is_special_comment: true,
            });
            return;
        }
        let close = crate::patterns::find(&self.text[start + 2..], b"*/");
        let end = close.map_or(self.text.len(), |offset| start + 2 + offset + 2);
        self.pos = end;
        self.out.push(Token {
            kind: Kind::Comment,
            start,
            end,
            flags: 0,
            is_closed: close.is_some(),
            is_special_comment: marker == Some(b'+'),
        });
    }

    fn operator(&mut self, start: usize) {
        const OPERATORS: &[&[u8]] = &[
            b"<=>", b"->>", b"#>>", b"!~*", b"<>", b"<=", b">=", b"!=", b"!<", b"!>", b"==", b":=",
            b"::", b"->", b"#>", b"#-", b"<@", b"@>", b"@?", b"@@", b"?|", b"?&", b"<<", b">>",
            b"~*", b"!~", b"||", b"&&",
        ];
        let rest = &self.text[start..];
        let len = OPERATORS.iter().find(|op| rest.starts_with(op)).map_or(1, |op| op.len());
        self.pos = start + len;
        self.push(Kind::Op, start, self.pos, 0, true);
    }
}

/// The kind of a word from its lexicon flags (of the last part of a dotted
/// name) and whether a `(` follows.
fn classify(last: u64, is_call: bool) -> Kind {
    use lexicon::*;
    if last & SQL_UNION != 0 {
        return Kind::Union;
    }
    if last & SQL_LOGIC != 0 {
        return Kind::Logic;
    }
    if is_call
        && last & (SQL_FUNCTION | SQL_FUNCTION_WEAK | SQL_TIME) != 0
        && last & SQL_OPERATOR == 0
        && (last & SQL_STATEMENT == 0 || last & SQL_FUNCTION_WEAK != 0)
    {
        return Kind::Func;
    }
    if last & SQL_STATEMENT != 0 {
        return Kind::Statement;
    }
    if last & SQL_OPERATOR != 0 {
        return if is_call && last & (SQL_FUNCTION | SQL_FUNCTION_WEAK) != 0 {
            Kind::Func
        } else {
            Kind::Op
        };
    }
    if last & SQL_LITERAL != 0 {
        return Kind::Num;
    }
    if last & SQL_KEYWORD != 0 && !(is_call && last & (SQL_FUNCTION | SQL_FUNCTION_WEAK) != 0) {
        return Kind::Keyword;
    }
    if is_call {
        return Kind::Func;
    }
    Kind::Word
}

pub(crate) fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0 | 0)
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$'
}
