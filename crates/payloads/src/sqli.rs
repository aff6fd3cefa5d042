//! SQL injection: a value is read as SQL three times, as is (a numeric
//! context), after its first single quote and after its first double quote
//! (as if the application had opened a string there), and rules judge each
//! token stream.
//!
//! The rules look for what only an injection does: break out of a string and
//! continue with a boolean, a comparison, a comment or a statement; append
//! `UNION SELECT` or a stacked query; call time-delay or fingerprinting
//! functions; name system catalogs; or use dialect tricks (versioned
//! comments, `::` casts). A value must also stay valid SQL after the
//! breakout: two operands in a row (`'DANCIN' LIKE A ROBOT`) end a candidate,
//! which keeps apostrophes and everyday words from firing. NoSQL operators
//! (`[$ne]`, `||this.`) and integer-overflow probes are judged here too.

mod lexer;

use lexer::{Kind, Token};

use crate::lexicon;
use crate::prefilter as class;
use crate::subject::{Findings, Origin, Subject};
use crate::{Confidence, Detector};

const CLASSES: u32 = class::QUOTE
    | class::PAREN
    | class::SEMI
    | class::HASH
    | class::STAR
    | class::EQ
    | class::LT
    | class::GT
    | class::PIPE
    | class::AMP
    | class::BANG
    | class::AT
    | class::BRACKET
    | class::COLON
    | class::BRACE
    | class::BACKTICK
    | class::CTRL
    | class::SLASH;

const WORDS: u64 = lexicon::SQL_UNION
    | lexicon::SQL_STATEMENT
    | lexicon::SQL_LOGIC
    | lexicon::SQL_OPERATOR
    | lexicon::SQL_TIME
    | lexicon::SQL_SYSTEM
    | lexicon::SQL_KEYWORD
    | lexicon::OVERFLOW;

/// Longest fingerprint shown as evidence.
const MAX_FINGERPRINT: usize = 16;

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    overflow(subject, findings);
    if !(subject.scan.has(CLASSES) || subject.scan.has_word(WORDS)) {
        return;
    }
    if findings.has(Detector::Sqli, Confidence::High) {
        return;
    }
    nosql(subject, findings);
    let lower = subject.lower;
    let is_value =
        matches!(subject.origin, Origin::QueryValue | Origin::QueryName | Origin::Referer);
    let mut best = judge_text(lower, is_value);
    // A path may carry a payload in one segment (`/item/OR 1=1`); read each
    // alone too, so rules for a value's start apply to it.
    if subject.origin == Origin::Path
        && best.as_ref().is_none_or(|(hit, _)| hit.confidence != Confidence::High)
    {
        for segment in
            path_segments(lower).filter(|segment| segment.len() > 2 && segment.len() < lower.len())
        {
            if let Some((hit, fingerprint)) = judge_text(segment, is_value)
                && best.as_ref().is_none_or(|(known, _)| hit.confidence > known.confidence)
            {
                best = Some((hit, fingerprint));
            }
        }
    }
    // The weaker rules are made for parameter values; a path's segments are
    // the application's own words (`/colors/or-red`) and a user agent is a
    // product's name.
    let needs_high =
        matches!(subject.origin, Origin::Path | Origin::RefererPath | Origin::UserAgent);
    if let Some((hit, fingerprint)) =
        best.filter(|(hit, _)| !needs_high || hit.confidence == Confidence::High)
    {
        findings.add(Detector::Sqli, hit.confidence, hit.reason, fingerprint);
    }
}

/// A path's segments, split at slashes that are not part of a `/* */`.
fn path_segments(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut idx = 0;
    std::iter::from_fn(move || {
        while idx < path.len() {
            let is_split = path[idx] == b'/'
                && !(idx > 0 && path[idx - 1] == b'*')
                && path.get(idx + 1) != Some(&b'*');
            idx += 1;
            if is_split {
                let segment = &path[start..idx - 1];
                start = idx;
                return Some(segment);
            }
        }
        if start <= path.len() && start < idx + 1 {
            let segment = &path[start..];
            start = path.len() + 1;
            return Some(segment);
        }
        None
    })
}

/// Reads `lower` in each context; the best hit with its fingerprint.
fn judge_text(lower: &[u8], is_value: bool) -> Option<(Hit, String)> {
    let contexts =
        [Some(None), memchr::memchr(b'\'', lower).map(Some), memchr::memchr(b'"', lower).map(Some)];
    let mut best: Option<(Hit, String)> = None;
    for breakout in contexts.into_iter().flatten() {
        let tokens = lexer::tokens(lower, breakout);
        // A value that is one closed block comment is inert however it is
        // quoted: what looks like a payload inside is commented out.
        if breakout.is_none() && is_one_comment(&tokens) {
            break;
        }
        let seq = Seq::new(&tokens, lower, breakout.is_some(), is_value);
        if let Some(hit) = judge(&seq)
            && best.as_ref().is_none_or(|(known, _)| hit.confidence > known.confidence)
        {
            best = Some((hit, seq.fingerprint()));
        }
        if best.as_ref().is_some_and(|(hit, _)| hit.confidence == Confidence::High) {
            break;
        }
    }
    best
}

fn is_one_comment(tokens: &[Token]) -> bool {
    matches!(tokens, [token] if token.kind == Kind::Comment && token.is_closed && !token.is_special_comment)
}

/// A rule's judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    confidence: Confidence,
    reason: &'static str,
}

/// The best hit so far: the first of the highest confidence.
#[derive(Debug, Default)]
struct Hits {
    best: Option<Hit>,
}

impl Hits {
    fn add(&mut self, confidence: Confidence, reason: &'static str) {
        if self.best.is_none_or(|best| confidence > best.confidence) {
            self.best = Some(Hit { confidence, reason });
        }
    }

    fn is_high(&self) -> bool {
        self.best.is_some_and(|best| best.confidence == Confidence::High)
    }
}

/// The significant tokens (comments left out) of one reading.
struct Seq<'t> {
    tokens: &'t [Token],
    sig: Vec<usize>,
    text: &'t [u8],
    breakout: bool,
    /// Whether the text is a parameter value (not a path or a user agent),
    /// where a value may be a bare SQL fragment (`or 88`).
    is_value: bool,
}

impl<'t> Seq<'t> {
    fn new(tokens: &'t [Token], text: &'t [u8], breakout: bool, is_value: bool) -> Seq<'t> {
        let sig = (0..tokens.len()).filter(|&idx| tokens[idx].kind != Kind::Comment).collect();
        Seq { tokens, sig, text, breakout, is_value }
    }

    fn len(&self) -> usize {
        self.sig.len()
    }

    fn token(&self, idx: usize) -> Option<&Token> {
        self.sig.get(idx).map(|&raw| &self.tokens[raw])
    }

    fn kind(&self, idx: usize) -> Option<Kind> {
        self.token(idx).map(|token| token.kind)
    }

    fn text(&self, idx: usize) -> &[u8] {
        self.token(idx).map_or(&[], |token| &self.text[token.start..token.end])
    }

    fn is(&self, idx: usize, word: &str) -> bool {
        self.text(idx) == word.as_bytes()
    }

    fn flags(&self, idx: usize) -> u64 {
        self.token(idx).map_or(0, |token| token.flags)
    }

    fn has_comment(&self) -> bool {
        self.tokens.iter().any(|token| token.kind == Kind::Comment)
    }

    /// Whether a comment that every dialect reads as one is present: `/*`,
    /// `--` before a blank or the end, or `#` not numbering something
    /// (`#2 MOM`).
    fn has_real_comment(&self) -> bool {
        self.tokens.iter().filter(|token| token.kind == Kind::Comment).any(|token| {
            let text = &self.text[token.start..token.end];
            match text {
                [b'-', b'-', rest @ ..] => {
                    matches!(rest.first(), None | Some(b' ' | b'-' | b'\t' | b'+'))
                }
                [b'#', rest @ ..] => !rest.first().is_some_and(u8::is_ascii_digit),
                _ => true,
            }
        })
    }

    /// Whether the text before the breakout quote is at most one token, as
    /// a user name or an id is (`admin'--`), unlike prose (`SOAP 1 '#`).
    fn prefix_is_token(&self) -> bool {
        self.tokens.first().is_some_and(|token| {
            !self.text[token.start..token.end.saturating_sub(1)].iter().any(|b| lexer::is_space(*b))
        })
    }

    /// Whether a comment directly follows significant token `idx`.
    fn comment_after(&self, idx: usize) -> bool {
        self.sig.get(idx).is_some_and(|&raw| {
            self.tokens.get(raw + 1).is_some_and(|token| token.kind == Kind::Comment)
        })
    }

    fn fingerprint(&self) -> String {
        self.tokens.iter().take(MAX_FINGERPRINT).map(|token| token.kind.code()).collect()
    }

    /// The index after the `)` matching the `(` at `idx` (the end when
    /// unbalanced).
    fn skip_parens(&self, idx: usize) -> usize {
        let mut depth = 0usize;
        for pos in idx..self.len() {
            match self.kind(pos) {
                Some(Kind::LParen) => depth += 1,
                Some(Kind::RParen) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return pos + 1;
                    }
                }
                _ => {}
            }
        }
        self.len()
    }

    /// The end of the operand that starts at `idx`.
    fn operand(&self, idx: usize, depth: usize) -> Option<usize> {
        if depth > 16 {
            return None;
        }
        match self.kind(idx)? {
            Kind::Num | Kind::Str | Kind::Var | Kind::Word => Some(idx + 1),
            Kind::Func => Some(if self.kind(idx + 1) == Some(Kind::LParen) {
                self.skip_parens(idx + 1)
            } else {
                idx + 1
            }),
            Kind::LParen => Some(self.skip_parens(idx)),
            Kind::LBrace => {
                let close = (idx..self.len()).find(|&pos| self.kind(pos) == Some(Kind::RBrace));
                Some(close.map_or(self.len(), |pos| pos + 1))
            }
            Kind::Op if is_unary(self.text(idx)) => self.operand(idx + 1, depth + 1),
            Kind::Keyword if self.is(idx, "case") => {
                let end = (idx..self.len()).find(|&pos| self.is(pos, "end"));
                Some(end.map_or(self.len(), |pos| pos + 1))
            }
            _ => None,
        }
    }

    /// Reads a boolean or arithmetic expression starting at `idx`.
    fn expr(&self, idx: usize) -> Option<Expr> {
        let first_end = self.operand(idx, 0)?;
        let mut expr = Expr { end: first_end, has_comparison: false, is_tautology: false };
        let mut lhs = (idx, first_end);
        loop {
            let pos = expr.end;
            match self.kind(pos) {
                Some(Kind::Op) if !is_unary_only(self.text(pos)) => {
                    let mut next = pos + 1;
                    let mut is_negated = false;
                    if (self.is(pos, "is") || self.is(pos, "not"))
                        && self.kind(next) == Some(Kind::Op)
                    {
                        is_negated = self.is(next, "not") || self.is(pos, "not");
                        next += 1;
                    }
                    let op = self.text(pos);
                    // `?`, `?|`, `?&` test JSON keys: comparisons only on strings.
                    let is_cmp = is_comparison(op)
                        && (!op.starts_with(b"?") || self.kind(next) == Some(Kind::Str));
                    match self.operand(next, 0) {
                        Some(end) => {
                            if is_cmp {
                                expr.has_comparison = true;
                                if lhs.1 == lhs.0 + 1 && end == next + 1 {
                                    let truth = self.compare(lhs.0, op, next);
                                    expr.is_tautology |=
                                        truth.is_some_and(|truth| truth != is_negated);
                                }
                            }
                            lhs = (next, end);
                            expr.end = end;
                        }
                        None if next >= self.len() => {
                            // A trailing operator: the application's own text
                            // would complete it.
                            expr.has_comparison |= is_cmp;
                            expr.end = next;
                            return Some(expr);
                        }
                        None => return Some(expr),
                    }
                }
                Some(Kind::Logic) => match self.operand(pos + 1, 0) {
                    Some(end) => {
                        lhs = (pos + 1, end);
                        expr.end = end;
                    }
                    None => return Some(expr),
                },
                _ => return Some(expr),
            }
        }
    }

    /// Whether the reading may end (or go on) validly at `idx`.
    fn ends_cleanly(&self, idx: usize) -> bool {
        matches!(
            self.kind(idx),
            None | Some(Kind::Semi | Kind::RParen | Kind::Comma | Kind::Keyword | Kind::Union)
        )
    }

    /// The truth of `lhs op rhs` for two literal tokens, when known. The
    /// breakout string holds the application's text, so it is not a literal
    /// the payload chose; strings only compare for (in)equality.
    fn compare(&self, lhs: usize, op: &[u8], rhs: usize) -> Option<bool> {
        if self.breakout && lhs == 0 {
            return None;
        }
        let left = self.literal(lhs)?;
        let right = self.literal(rhs)?;
        let ordering = match (number(left), number(right)) {
            (Some(left), Some(right)) => left.partial_cmp(&right)?,
            _ if matches!(op, b"=" | b"==" | b"<=>" | b"!=" | b"<>" | b"like") => left.cmp(right),
            _ => return None,
        };
        use std::cmp::Ordering::{Equal, Greater, Less};
        Some(match op {
            b"=" | b"==" | b"<=>" | b"like" | b"is" | b"glob" => ordering == Equal,
            b"!=" | b"<>" => ordering != Equal,
            b"<" | b"!>" => ordering == Less || (op == b"!>" && ordering == Equal),
            b">" | b"!<" => ordering == Greater || (op == b"!<" && ordering == Equal),
            b"<=" => ordering != Greater,
            b">=" => ordering != Less,
            _ => return None,
        })
    }

    /// The value of a number or string token (strings without quotes).
    fn literal(&self, idx: usize) -> Option<&[u8]> {
        let token = self.token(idx)?;
        let text = &self.text[token.start..token.end];
        match token.kind {
            Kind::Num => Some(text),
            Kind::Str => {
                let quote = text.iter().position(|b| *b == b'\'' || *b == b'"')?;
                let inner = &text[quote + 1..];
                Some(if token.is_closed { &inner[..inner.len().saturating_sub(1)] } else { inner })
            }
            _ => None,
        }
    }
}

/// An expression read by [`Seq::expr`].
#[derive(Debug, Clone, Copy)]
struct Expr {
    end: usize,
    has_comparison: bool,
    is_tautology: bool,
}

fn number(text: &[u8]) -> Option<f64> {
    match text {
        b"true" => Some(1.0),
        b"false" => Some(0.0),
        [b'0', b'x', hex @ ..] => {
            u64::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok().map(|v| v as f64)
        }
        _ => std::str::from_utf8(text).ok()?.trim().parse().ok(),
    }
}

fn is_unary(op: &[u8]) -> bool {
    matches!(op, b"-" | b"+" | b"!" | b"~" | b"not")
}

fn is_unary_only(op: &[u8]) -> bool {
    matches!(op, b"!" | b"~")
}

fn is_comparison(op: &[u8]) -> bool {
    matches!(
        op,
        b"=" | b"=="
            | b"<=>"
            | b"<"
            | b">"
            | b"<="
            | b">="
            | b"<>"
            | b"!="
            | b"!<"
            | b"!>"
            | b"like"
            | b"rlike"
            | b"ilike"
            | b"regexp"
            | b"glob"
            | b"is"
            | b"in"
            | b"between"
            | b"sounds"
            | b"similar"
            | b"@>"
            | b"<@"
            | b"?"
            | b"?|"
            | b"?&"
            | b"@?"
            | b"@@"
            | b"#>"
            | b"#>>"
            | b"->"
            | b"->>"
            | b"!~"
            | b"~*"
            | b"!~*"
            | b"match"
    )
}

/// Judges one reading of a value.
fn judge(seq: &Seq<'_>) -> Option<Hit> {
    let mut hits = Hits::default();
    let rules: &[fn(&Seq<'_>, &mut Hits)] = &[
        union_select,
        stacked_query,
        time_delay,
        after_breakout,
        special_comment,
        appended_boolean,
        leading_logic,
        leading_clause,
        statement_start,
        system_catalog,
        exec_procedure,
        into_outfile,
        cast,
        order_by,
        case_when,
        select_list,
        function_call,
        tautology,
        quoted_comparison,
        glued_operator,
    ];
    for rule in rules {
        rule(seq, &mut hits);
        if hits.is_high() {
            break;
        }
    }
    hits.best
}

fn union_select(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if seq.kind(idx) != Some(Kind::Union) {
            continue;
        }
        // A literal `+` (only a path keeps one) stands for a space to an
        // attacker; trust it only after a quote breakout.
        let mut next = idx + 1;
        while seq.is(next, "all")
            || seq.is(next, "distinct")
            || seq.kind(next) == Some(Kind::LParen)
            || (seq.breakout && seq.is(next, "+"))
        {
            next += 1;
        }
        let selects = seq.kind(next) == Some(Kind::Statement)
            && (seq.is(next, "select") || seq.is(next, "values") || seq.is(next, "table"));
        if selects {
            let reason = if seq.breakout { "UNION SELECT after quote" } else { "UNION SELECT" };
            hits.add(Confidence::High, reason);
            return;
        }
    }
}

/// Whether the statement keyword at `idx` is followed by what it needs.
fn statement_continues(seq: &Seq<'_>, idx: usize) -> bool {
    let next = idx + 1;
    let next_kind = seq.kind(next);
    let word = seq.text(idx);
    let object = |pos: usize| {
        seq.kind(pos) == Some(Kind::Keyword)
            && matches!(
                seq.text(pos),
                b"table"
                    | b"database"
                    | b"procedure"
                    | b"function"
                    | b"view"
                    | b"trigger"
                    | b"index"
                    | b"schema"
            )
            || seq.is(pos, "user")
    };
    let ends = |pos: usize| seq.kind(pos) == Some(Kind::Semi) || seq.comment_after(pos - 1);
    match word {
        b"select" => match next_kind {
            Some(Kind::Num | Kind::Func | Kind::Var | Kind::LParen) => true,
            Some(Kind::Op) => seq.is(next, "*"),
            Some(Kind::Word) => matches!(seq.kind(next + 1), Some(Kind::Comma | Kind::Keyword)),
            _ => false,
        },
        b"insert" | b"replace" | b"merge" => seq.is(next, "into"),
        b"update" => next_kind == Some(Kind::Word) && seq.is(next + 1, "set"),
        b"delete" => seq.is(next, "from"),
        b"drop" => object(next) || (next_kind == Some(Kind::Word) && ends(next + 1)),
        b"truncate" => object(next) || next_kind.is_some_and(|kind| kind != Kind::Semi),
        b"create" | b"alter" => object(next) || seq.is(next, "or"),
        b"exec" | b"execute" => {
            let target = seq.text(next);
            matches!(next_kind, Some(Kind::Func | Kind::Var | Kind::Str | Kind::LParen))
                || seq.is(next, "immediate")
                || target.starts_with(b"xp_")
                || target.starts_with(b"sp_")
                || target.starts_with(b"master.")
        }
        b"declare" => next_kind == Some(Kind::Var),
        b"shutdown" => ends(next) || seq.is(next, "with"),
        b"waitfor" => seq.is(next, "delay") || seq.is(next, "time"),
        b"set" => {
            next_kind == Some(Kind::Var) || (next_kind == Some(Kind::Word) && seq.is(next + 1, "="))
        }
        b"print" => matches!(next_kind, Some(Kind::Str | Kind::Var | Kind::Num)),
        b"grant" | b"revoke" => {
            seq.is(next, "all")
                || seq.is(next, "usage")
                || (next_kind == Some(Kind::Statement) && seq.kind(next + 1).is_some())
                || (next_kind == Some(Kind::Word)
                    && (seq.is(next + 1, "to") || seq.is(next + 1, "on")))
        }
        b"call" => next_kind == Some(Kind::Func),
        b"load" => seq.is(next, "data"),
        b"rename" => seq.is(next, "table"),
        b"backup" | b"restore" => seq.is(next, "database") || seq.is(next, "log"),
        b"handler" | b"dbcc" => next_kind == Some(Kind::Word),
        _ => false,
    }
}

fn stacked_query(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if seq.kind(idx) == Some(Kind::Semi)
            && seq.kind(idx + 1) == Some(Kind::Statement)
            && statement_continues(seq, idx + 1)
        {
            hits.add(Confidence::High, "stacked query");
            return;
        }
    }
}

fn time_delay(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        let flags = seq.flags(idx);
        if seq.kind(idx) == Some(Kind::Func)
            && flags & lexicon::SQL_TIME != 0
            && seq.kind(idx + 1) == Some(Kind::LParen)
        {
            let argument_ends = seq.expr(idx + 2).map(|expr| expr.end);
            if argument_ends
                .is_some_and(|end| matches!(seq.kind(end), None | Some(Kind::RParen | Kind::Comma)))
            {
                hits.add(Confidence::High, "time delay function");
                return;
            }
        }
        if seq.is(idx, "waitfor")
            && (seq.is(idx + 1, "delay") || seq.is(idx + 1, "time"))
            && seq.kind(idx + 2) == Some(Kind::Str)
        {
            hits.add(Confidence::High, "WAITFOR DELAY");
            return;
        }
        if seq.text(idx).starts_with(b"pg_sleep") || seq.text(idx).starts_with(b"dbms_lock.sleep") {
            hits.add(Confidence::Medium, "time delay function");
        }
    }
}

/// Rules that need the value read after a quote: what follows the quote.
fn after_breakout(seq: &Seq<'_>, hits: &mut Hits) {
    if !seq.breakout {
        return;
    }
    let mut idx = 1;
    while seq.kind(idx) == Some(Kind::RParen) {
        idx += 1;
    }
    match seq.kind(idx) {
        None | Some(Kind::Semi)
            if seq.kind(idx + 1).is_none() && seq.prefix_is_token() && seq.has_real_comment() =>
        {
            hits.add(Confidence::High, "comment after quote");
        }
        Some(Kind::Logic) => {
            let Some(expr) = seq.expr(idx + 1) else { return };
            let operand = seq.kind(idx + 1);
            let is_bare_word = operand == Some(Kind::Word) && expr.end == idx + 2;
            let is_sql_operand =
                matches!(operand, Some(Kind::Num | Kind::Func | Kind::Var | Kind::LParen))
                    || (operand == Some(Kind::Op) && seq.kind(idx + 2) == Some(Kind::Num));
            let is_sql = expr.has_comparison
                || expr.is_tautology
                || is_sql_operand
                || seq.has_real_comment();
            if seq.ends_cleanly(expr.end) && !is_bare_word && is_sql {
                hits.add(Confidence::High, "boolean after quote");
            } else if is_bare_word
                && seq.kind(idx + 2) == Some(Kind::Op)
                && seq.kind(idx + 3).is_none()
            {
                // `' or xyz!`: a probe left for the application to finish.
                hits.add(Confidence::Medium, "boolean after quote");
            }
        }
        Some(Kind::Op) if is_comparison(seq.text(idx)) => {
            let Some(end) = seq.operand(idx + 1, 0) else { return };
            let is_word_operator = seq.text(idx).iter().all(u8::is_ascii_alphabetic);
            let operand_is_open_string = seq.kind(idx + 1) == Some(Kind::Str) && end == seq.len();
            if is_word_operator && operand_is_open_string {
                return;
            }
            if seq.ends_cleanly(end) || seq.kind(end) == Some(Kind::Logic) {
                hits.add(Confidence::High, "comparison after quote");
            }
        }
        Some(Kind::Statement) if statement_continues(seq, idx) => {
            hits.add(Confidence::High, "statement after quote");
        }
        Some(Kind::Keyword) => {
            let next = idx + 1;
            let is_clause = match seq.text(idx) {
                b"having" | b"where" => seq.expr(next).is_some_and(|expr| expr.has_comparison),
                b"group" | b"order" => seq.is(next, "by"),
                b"limit" => seq.kind(next) == Some(Kind::Num),
                b"into" => {
                    seq.is(next, "outfile")
                        || seq.is(next, "dumpfile")
                        || seq.kind(next) == Some(Kind::Var)
                }
                b"procedure" => seq.kind(next) == Some(Kind::Func),
                _ => false,
            };
            if is_clause {
                hits.add(Confidence::High, "SQL clause after quote");
            }
        }
        _ => {}
    }
}

fn special_comment(seq: &Seq<'_>, hits: &mut Hits) {
    for token in seq.tokens.iter().filter(|token| token.is_special_comment) {
        if seq.text[token.start..].starts_with(b"/*!") {
            hits.add(Confidence::High, "MySQL versioned comment");
            return;
        }
        hits.add(Confidence::Medium, "optimizer hint comment");
    }
}

/// `1 OR 1=1`, `5) AND (2>1`: a boolean condition after a literal.
fn appended_boolean(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 1..seq.len() {
        if seq.kind(idx) != Some(Kind::Logic) {
            continue;
        }
        let after_literal = matches!(seq.kind(idx - 1), Some(Kind::Num | Kind::RParen))
            || (seq.kind(idx - 1) == Some(Kind::Str)
                && seq.token(idx - 1).is_some_and(|token| token.is_closed));
        if !after_literal {
            continue;
        }
        let Some(expr) = seq.expr(idx + 1) else { continue };
        if !seq.ends_cleanly(expr.end) {
            continue;
        }
        if expr.has_comparison || expr.is_tautology || seq.has_real_comment() {
            hits.add(Confidence::High, "boolean condition appended");
            return;
        }
    }
}

/// `OR 1=1`, `xor 5>`: a value that starts with a boolean operator.
fn leading_logic(seq: &Seq<'_>, hits: &mut Hits) {
    if seq.breakout || seq.kind(0) != Some(Kind::Logic) {
        return;
    }
    let Some(expr) = seq.expr(1) else { return };
    if !seq.is_value {
        // A path segment or agent is the application's own words
        // (`/colors/or-red`); only a comparison of quoted strings
        // (`OR '{"a":1}' ? 'a'`) is SQL there.
        let is_quoted =
            seq.kind(1) == Some(Kind::Str) && seq.token(1).is_some_and(|token| token.is_closed);
        if is_quoted && expr.has_comparison && seq.ends_cleanly(expr.end) {
            hits.add(Confidence::High, "boolean over quoted strings");
        }
        return;
    }
    let is_bare_word = seq.kind(1) == Some(Kind::Word) && expr.end == 2;
    if expr.has_comparison && !is_bare_word {
        hits.add(Confidence::High, "value starts with a boolean operator");
        return;
    }
    if is_bare_word || !seq.ends_cleanly(expr.end) {
        return;
    }
    if expr.is_tautology || seq.has_comment() {
        hits.add(Confidence::High, "value starts with a boolean operator");
    } else {
        hits.add(Confidence::Medium, "value starts with a boolean operator");
    }
}

/// ` HAVING 1=0`, `where 1=1--`: a value that starts with a filter clause.
fn leading_clause(seq: &Seq<'_>, hits: &mut Hits) {
    if seq.breakout || !(seq.is(0, "having") || seq.is(0, "where")) {
        return;
    }
    if let Some(expr) = seq.expr(1)
        && expr.has_comparison
        && seq.ends_cleanly(expr.end)
    {
        let confidence = if expr.is_tautology || seq.has_real_comment() {
            Confidence::High
        } else {
            Confidence::Medium
        };
        hits.add(confidence, "value starts with a SQL clause");
    }
}

/// `DROP sampletable;--`, `DELETE FROM users`: a statement as the value.
fn statement_start(seq: &Seq<'_>, hits: &mut Hits) {
    if seq.breakout || seq.kind(0) != Some(Kind::Statement) || !statement_continues(seq, 0) {
        return;
    }
    let is_destructive = matches!(
        seq.text(0),
        b"drop"
            | b"truncate"
            | b"shutdown"
            | b"delete"
            | b"alter"
            | b"declare"
            | b"backup"
            | b"grant"
            | b"revoke"
    );
    let is_terminated =
        seq.has_real_comment() || seq.sig.iter().any(|&raw| seq.tokens[raw].kind == Kind::Semi);
    if is_destructive || is_terminated {
        hits.add(Confidence::High, "SQL statement");
    }
}

fn system_catalog(seq: &Seq<'_>, hits: &mut Hits) {
    let Some(idx) = (0..seq.len()).find(|&idx| {
        seq.flags(idx) & lexicon::SQL_SYSTEM != 0
            || (seq.kind(idx) == Some(Kind::Word) && seq.text(idx).starts_with(b"mysql."))
    }) else {
        return;
    };
    let has_context = (0..seq.len()).any(|pos| {
        matches!(seq.kind(pos), Some(Kind::Statement | Kind::Union | Kind::Logic))
            || seq.is(pos, "from")
    });
    let is_command = seq.text(idx).starts_with(b"xp_") || seq.text(idx).starts_with(b"sp_");
    let confidence = if has_context || (is_command && seq.len() > 1) {
        Confidence::High
    } else {
        Confidence::Medium
    };
    hits.add(confidence, "system catalog or procedure");
}

fn exec_procedure(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if !(seq.is(idx, "exec") || seq.is(idx, "execute")) {
            continue;
        }
        let next = seq.text(idx + 1);
        if next.starts_with(b"xp_")
            || next.starts_with(b"sp_")
            || next.starts_with(b"master.")
            || next == b"immediate"
        {
            hits.add(Confidence::High, "EXEC of a procedure");
            return;
        }
    }
}

fn into_outfile(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if seq.is(idx, "into") && (seq.is(idx + 1, "outfile") || seq.is(idx + 1, "dumpfile")) {
            hits.add(Confidence::High, "INTO OUTFILE");
            return;
        }
    }
}

/// `)::int`, `'{}'::jsonb`: a PostgreSQL cast.
fn cast(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 1..seq.len() {
        if !seq.is(idx, "::") {
            continue;
        }
        let is_type = lexicon::lookup(seq.text(idx + 1)) & lexicon::SQL_TYPE != 0;
        if !is_type {
            continue;
        }
        match seq.kind(idx - 1) {
            Some(Kind::RParen | Kind::Str) => {
                hits.add(Confidence::High, "PostgreSQL cast");
                return;
            }
            Some(Kind::Word | Kind::Num | Kind::Var) => {
                hits.add(Confidence::Medium, "PostgreSQL cast")
            }
            _ => {}
        }
    }
}

fn order_by(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if !((seq.is(idx, "order") || seq.is(idx, "group")) && seq.is(idx + 1, "by")) {
            continue;
        }
        let column = seq.kind(idx + 2);
        if !matches!(column, Some(Kind::Num | Kind::Word | Kind::Func)) {
            continue;
        }
        let previous = if idx == 0 { None } else { seq.kind(idx - 1) };
        if matches!(previous, Some(Kind::Num | Kind::RParen))
            || (seq.breakout && idx == 1)
            || seq.comment_after(idx + 2)
        {
            hits.add(Confidence::High, "ORDER BY after a value");
            return;
        }
        if idx == 0 && column == Some(Kind::Num) {
            hits.add(Confidence::Medium, "ORDER BY column number");
        }
    }
}

fn case_when(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if seq.is(idx, "case") && seq.is(idx + 1, "when") {
            let has_then = (idx + 2..seq.len().min(idx + 12)).any(|pos| seq.is(pos, "then"));
            if has_then {
                hits.add(Confidence::Medium, "CASE WHEN");
                return;
            }
        }
    }
}

/// `SELECT a FROM b`, `select user()`, `select 1,2,3`.
fn select_list(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if !seq.is(idx, "select") {
            continue;
        }
        let mut pos = idx + 1;
        let mut n_items = 0;
        let mut has_call = false;
        while pos < seq.len() && pos < idx + 24 {
            match seq.kind(pos) {
                Some(Kind::Num | Kind::Word | Kind::Var) => {
                    n_items += 1;
                    has_call |= seq.text(pos).starts_with(b"@@")
                        || seq.flags(pos) & lexicon::SQL_FUNCTION != 0;
                }
                Some(Kind::Func) => {
                    has_call = true;
                    n_items += 1;
                    if seq.kind(pos + 1) == Some(Kind::LParen) {
                        pos = seq.skip_parens(pos + 1);
                        continue;
                    }
                }
                Some(Kind::Comma) => {}
                Some(Kind::Op) if seq.is(pos, "*") || seq.is(pos, ".") => n_items += 1,
                Some(Kind::Keyword)
                    if matches!(seq.text(pos), b"all" | b"distinct" | b"top" | b"as") => {}
                _ => break,
            }
            pos += 1;
        }
        if n_items == 0 {
            continue;
        }
        let ends_clause = seq.kind(pos) == Some(Kind::Keyword)
            && matches!(
                seq.text(pos),
                b"from" | b"into" | b"group" | b"having" | b"limit" | b"order"
            )
            && clause_is_complete(seq, pos);
        let has_time = (idx + 1..pos).any(|p| seq.flags(p) & lexicon::SQL_TIME != 0);
        if ends_clause || has_call || has_time {
            let previous = if idx == 0 { None } else { seq.kind(idx - 1) };
            let is_embedded = matches!(previous, Some(Kind::LParen | Kind::Semi | Kind::Union));
            let confidence =
                if is_embedded && ends_clause { Confidence::High } else { Confidence::Medium };
            hits.add(confidence, "SELECT statement");
            return;
        }
    }
}

/// Whether the clause at `idx` (after a select list) reads as SQL to its
/// end: `FROM t`, `FROM t WHERE a=1`, `GROUP BY x HAVING COUNT(x) > 1`.
fn clause_is_complete(seq: &Seq<'_>, idx: usize) -> bool {
    let mut pos = idx;
    while pos < seq.len() {
        match seq.text(pos) {
            b"from" | b"into" => {
                if !matches!(
                    seq.kind(pos + 1),
                    Some(Kind::Word | Kind::Var | Kind::LParen | Kind::Func)
                ) {
                    return false;
                }
                pos = if seq.kind(pos + 1) == Some(Kind::LParen) {
                    seq.skip_parens(pos + 1)
                } else {
                    pos + 2
                };
            }
            b"where" | b"having" => match seq.expr(pos + 1) {
                Some(expr) if expr.has_comparison => pos = expr.end,
                _ => return false,
            },
            b"group" | b"order" => {
                if !seq.is(pos + 1, "by") || seq.operand(pos + 2, 0).is_none() {
                    return false;
                }
                pos += 3;
                while seq.kind(pos) == Some(Kind::Comma)
                    || seq.is(pos, "asc")
                    || seq.is(pos, "desc")
                {
                    pos += 1 + usize::from(seq.kind(pos) == Some(Kind::Comma));
                }
            }
            b"limit" => {
                if seq.kind(pos + 1) != Some(Kind::Num) {
                    return false;
                }
                pos += 2;
            }
            _ => {
                return matches!(
                    seq.kind(pos),
                    Some(Kind::Semi | Kind::Union | Kind::RParen | Kind::Comma)
                );
            }
        }
    }
    true
}

/// Calls of functions typical of injections, and a value that is one call
/// of a SQL function with literal arguments (`div(23,-2)`).
fn function_call(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if seq.kind(idx) != Some(Kind::Func) || seq.kind(idx + 1) != Some(Kind::LParen) {
            continue;
        }
        let flags = seq.flags(idx);
        let previous = if idx == 0 { None } else { seq.kind(idx - 1) };
        let takes_no_argument = matches!(
            seq.text(idx),
            b"user"
                | b"version"
                | b"database"
                | b"schema"
                | b"current_user"
                | b"session_user"
                | b"system_user"
                | b"current_database"
                | b"current_schema"
        );
        if takes_no_argument && seq.kind(idx + 2) != Some(Kind::RParen) {
            continue;
        }
        if flags & lexicon::SQL_FUNCTION != 0 && flags & lexicon::SQL_TIME == 0 {
            let in_sql = matches!(previous, Some(Kind::Logic | Kind::Union | Kind::Statement))
                || (seq.breakout && idx == 1);
            let confidence = if in_sql { Confidence::High } else { Confidence::Medium };
            hits.add(confidence, "SQL function call");
            return;
        }
        if idx == 0 && flags & lexicon::SQL_FUNCTION_WEAK != 0 && seq.skip_parens(1) == seq.len() {
            let args_are_literals = (2..seq.len() - 1).all(|pos| {
                matches!(seq.kind(pos), Some(Kind::Num | Kind::Comma | Kind::Str))
                    || (seq.kind(pos) == Some(Kind::Op) && is_unary(seq.text(pos)))
            });
            if args_are_literals && seq.len() > 3 {
                hits.add(Confidence::Medium, "SQL function call");
            }
        }
    }
}

/// `)like(`, `)or(`: an operator word glued between parentheses, as only
/// SQL writes it.
fn glued_operator(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 1..seq.len() {
        let Some(token) = seq.token(idx) else { continue };
        let is_operator_word = matches!(token.kind, Kind::Op | Kind::Logic | Kind::Union)
            && seq.text(idx).iter().all(u8::is_ascii_alphabetic);
        if is_operator_word
            && seq.kind(idx - 1) == Some(Kind::RParen)
            && seq.kind(idx + 1) == Some(Kind::LParen)
            && seq.token(idx - 1).is_some_and(|before| before.end == token.start)
            && seq.token(idx + 1).is_some_and(|after| after.start == token.end)
        {
            hits.add(Confidence::Medium, "SQL operator between parentheses");
            return;
        }
    }
}

/// `1=1`, `'a'='a'`, `11!=1`: a comparison of literals that is always true.
fn tautology(seq: &Seq<'_>, hits: &mut Hits) {
    for idx in 0..seq.len() {
        if !matches!(seq.kind(idx), Some(Kind::Num | Kind::Str)) {
            continue;
        }
        let Some(expr) = seq.expr(idx) else { continue };
        // Only (in)equality: `5 > 3` is arithmetic a shopper may type.
        let op = seq.text(idx + 1);
        let is_equality = matches!(op, b"=" | b"==" | b"<=>" | b"!=" | b"<>" | b"is" | b"like");
        if expr.is_tautology && expr.end <= idx + 4 && is_equality {
            hits.add(Confidence::Medium, "literal tautology");
            return;
        }
    }
}

/// `'{"a":1}' < '$.a' = 7`: a quoted literal compared, as a whole value.
fn quoted_comparison(seq: &Seq<'_>, hits: &mut Hits) {
    if seq.breakout || seq.kind(0) != Some(Kind::Str) || !seq.token(0).is_some_and(|t| t.is_closed)
    {
        return;
    }
    if seq.kind(1) == Some(Kind::Op) && is_comparison(seq.text(1)) && seq.operand(2, 0).is_some() {
        hits.add(Confidence::Medium, "quoted literal comparison");
    }
}

/// MongoDB operators in a parameter (`id[$ne]=1`, `{"$gt":""}`) and
/// JavaScript in `$where` (`'||this.password`).
fn nosql(subject: &Subject<'_>, findings: &mut Findings) {
    const OPERATORS: &[&[u8]] = &[
        b"ne",
        b"eq",
        b"gt",
        b"gte",
        b"lt",
        b"lte",
        b"in",
        b"nin",
        b"regex",
        b"where",
        b"exists",
        b"or",
        b"and",
        b"not",
        b"nor",
        b"expr",
        b"elemmatch",
        b"all",
        b"size",
        b"type",
        b"mod",
        b"text",
        b"jsonschema",
        b"function",
    ];
    if !subject.scan.has(class::DOLLAR | class::PIPE | class::AMP) {
        return;
    }
    let lower = subject.lower;
    for idx in memchr::memchr_iter(b'$', lower) {
        let before = if idx == 0 { 0 } else { lower[idx - 1] };
        if !matches!(before, b'[' | b'{' | b'"' | b'\'') {
            continue;
        }
        let rest = &lower[idx + 1..];
        let len = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let after = rest.get(len).copied().unwrap_or(0);
        let closes =
            matches!((before, after), (b'[', b']') | (b'{' | b'"' | b'\'', b'"' | b'\'' | b':'));
        if closes && OPERATORS.contains(&&rest[..len]) {
            findings.add_excerpt(
                Detector::Sqli,
                Confidence::High,
                "NoSQL operator",
                &subject.text[idx.saturating_sub(1)..],
            );
            return;
        }
    }
    for pattern in [&b"||this."[..], b"&&this.", b"|| this.", b"&& this."] {
        if let Some(idx) = crate::patterns::find(lower, pattern) {
            findings.add_excerpt(
                Detector::Sqli,
                Confidence::High,
                "NoSQL JavaScript condition",
                &subject.text[idx..],
            );
            return;
        }
    }
}

/// A value that is exactly an integer or float boundary.
fn overflow(subject: &Subject<'_>, findings: &mut Findings) {
    if subject.origin != Origin::QueryValue {
        return;
    }
    let value = subject.lower.trim_ascii();
    let value = value.strip_prefix(b"-").unwrap_or(value);
    let is_boundary = (value.first().is_some_and(u8::is_ascii_digit)
        && lexicon::lookup(value) & lexicon::OVERFLOW != 0)
        || value == b"2.2250738585072011e-308";
    if is_boundary {
        findings.add_excerpt(
            Detector::Sqli,
            Confidence::Medium,
            "integer overflow probe",
            subject.text,
        );
    }
}
