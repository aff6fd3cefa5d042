//! A forgiving reader of shell command lines: it splits text into words and
//! separators the way `sh` would, and undoes the tricks payloads use to hide
//! command names from filters (quotes inside words, backslashes, empty
//! substitutions, unset variables, `$IFS`, brace expansion).

/// How much the reader looks at; injections show early.
const MAX_PIECES: usize = 512;

/// Most alternatives kept from one brace expansion.
const MAX_ALTERNATIVES: usize = 8;

/// A word after shell processing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Word {
    /// The word as the shell would pass it on.
    pub(crate) text: Vec<u8>,
    /// Byte offset of the word in the input.
    pub(crate) start: usize,
    /// Whether quoting, escaping, an empty substitution or a variable
    /// changed the word's letters (`c'a't`, `w\hoami`, `c$@at`).
    pub(crate) is_obfuscated: bool,
    /// Words a brace expansion in this word produces (`c{a,oun}t`).
    pub(crate) alternatives: Vec<Vec<u8>>,
    /// Whether any part of the word was quoted.
    has_quote: bool,
    /// Whether any part was not quoted.
    has_plain: bool,
}

/// What separates words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sep {
    /// `;`
    Semi,
    /// `|`
    Pipe,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `&` without spaces around it.
    Amp,
    /// ` & ` with spaces, as in prose (`salt & pepper`).
    SpacedAmp,
    /// A line break, or a literal `\n` as payloads write it.
    Newline,
    /// `(` or `{ `: a subshell or group.
    Open,
    /// `$(`, a backtick, `<(` or `>(`: a command substitution.
    Substitution,
    /// `)`, `}` or a closing backtick.
    Close,
    /// `>`, `>>`, `<`, `<<<`, `2>&1`.
    Redirect,
}

/// One word or separator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Word(Word),
    Sep(Sep),
}

/// Shell syntax seen while reading, with where it starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Signals {
    /// `$IFS` or `${IFS}` used as a space.
    pub(crate) ifs: Option<usize>,
    /// `$((...))` or `$[...]`.
    pub(crate) arithmetic: Option<usize>,
    /// `${name#...}` and other parameter expansions with operators.
    pub(crate) expansion: Option<usize>,
    /// `!-1`, `!!`: history expansion at the start of a word.
    pub(crate) history: Option<usize>,
}

/// A command line read into pieces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) pieces: Vec<Piece>,
    pub(crate) signals: Signals,
}

/// Reads `lower` (lowercased text) as a shell command line.
pub(crate) fn read(lower: &[u8]) -> Line {
    // A payload written with `+` for every space (then encoded as `%2B`)
    // means blanks by it.
    let plus_is_blank =
        memchr::memchr(b'+', lower).is_some() && !lower.iter().any(u8::is_ascii_whitespace);
    let mut reader = Reader {
        text: lower,
        pos: 0,
        line: Line::default(),
        word: None,
        in_backtick: false,
        plus_is_blank,
    };
    reader.run();
    reader.line
}

struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
    line: Line,
    word: Option<Word>,
    in_backtick: bool,
    plus_is_blank: bool,
}

impl Reader<'_> {
    fn peek(&self, offset: usize) -> u8 {
        self.text.get(self.pos + offset).copied().unwrap_or(0)
    }

    fn word(&mut self) -> &mut Word {
        let start = self.pos;
        self.word.get_or_insert_with(|| Word { start, ..Word::default() })
    }

    fn push_plain(&mut self, byte: u8) {
        let word = self.word();
        word.text.push(byte);
        word.has_plain = true;
    }

    fn flush(&mut self) {
        if let Some(mut word) = self.word.take() {
            word.is_obfuscated |= word.has_quote && word.has_plain;
            if !word.text.is_empty() || !word.alternatives.is_empty() {
                self.line.pieces.push(Piece::Word(word));
            }
        }
    }

    fn sep(&mut self, sep: Sep) {
        self.flush();
        self.line.pieces.push(Piece::Sep(sep));
    }

    fn run(&mut self) {
        while self.pos < self.text.len() && self.line.pieces.len() < MAX_PIECES {
            let byte = self.text[self.pos];
            match byte {
                b' ' | b'\t' | 0x0b | 0x0c | 0 => {
                    self.flush();
                    self.pos += 1;
                }
                b'+' if self.plus_is_blank => {
                    self.flush();
                    self.pos += 1;
                }
                b'\n' | b'\r' => {
                    self.sep(Sep::Newline);
                    self.pos += 1;
                }
                b'\\' => self.backslash(),
                b'\'' | b'"' => self.quoted(byte),
                b'`' => self.backtick(),
                b'$' => self.dollar(),
                b';' => {
                    self.sep(Sep::Semi);
                    self.pos += 1;
                }
                b'|' => {
                    let (sep, len) =
                        if self.peek(1) == b'|' { (Sep::Or, 2) } else { (Sep::Pipe, 1) };
                    self.sep(sep);
                    self.pos += len;
                }
                b'&' => self.ampersand(),
                b'(' => {
                    self.sep(Sep::Open);
                    self.pos += 1;
                }
                b')' => {
                    self.sep(Sep::Close);
                    self.pos += 1;
                }
                b'<' | b'>' => self.angle(),
                b'{' => self.brace(),
                b'}' => {
                    self.sep(Sep::Close);
                    self.pos += 1;
                }
                b'!' if self.word.is_none() && self.is_history() => {
                    self.line.signals.history.get_or_insert(self.pos);
                    self.push_plain(byte);
                    self.pos += 1;
                }
                b'#' if self.word.is_none() => {
                    // A comment runs to the end of the line.
                    while self.pos < self.text.len()
                        && !matches!(self.text[self.pos], b'\n' | b'\r')
                    {
                        self.pos += 1;
                    }
                }
                _ => {
                    self.push_plain(byte);
                    self.pos += 1;
                }
            }
        }
        self.flush();
    }

    /// Whether the current word is a Windows path (`c:...`).
    fn in_windows_path(&self) -> bool {
        self.word.as_ref().is_some_and(|word| {
            word.text.len() >= 2 && word.text[1] == b':' && word.text[0].is_ascii_alphabetic()
        })
    }

    /// `!!`, `!-2`, `!3`: a history reference (not `!7ons6je`, a password).
    fn is_history(&self) -> bool {
        let rest = &self.text[self.pos + 1..];
        if rest.first() == Some(&b'!') {
            return true;
        }
        let rest = rest.strip_prefix(b"-").unwrap_or(rest);
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        digits > 0 && !rest.get(digits).is_some_and(u8::is_ascii_alphanumeric)
    }

    fn backslash(&mut self) {
        let next = self.peek(1);
        match next {
            // Payloads write line breaks as a literal `\n` (a Windows path's
            // `\new` is handled below).
            b'n' | b'r' if !self.in_windows_path() => {
                self.sep(Sep::Newline);
                self.pos += 2;
            }
            0 => self.pos += 1,
            _ => {
                // `C:\Users` is a Windows path, not an escape.
                if self.in_windows_path() {
                    self.push_plain(b'/');
                    self.pos += 1;
                    return;
                }
                let word = self.word();
                if !word.text.is_empty() || next.is_ascii_alphanumeric() {
                    word.is_obfuscated |= next.is_ascii_alphanumeric();
                }
                word.text.push(next);
                word.has_plain = true;
                self.pos += 2;
            }
        }
    }

    fn quoted(&mut self, quote: u8) {
        let start = self.pos + 1;
        let end = memchr::memchr(quote, &self.text[start..])
            .map_or(self.text.len(), |offset| start + offset);
        let content = &self.text[start..end];
        let word = self.word();
        word.has_quote = true;
        if content.is_empty() {
            word.is_obfuscated = true;
        }
        word.text.extend_from_slice(content);
        self.pos = (end + 1).min(self.text.len());
    }

    fn backtick(&mut self) {
        if self.peek(1) == b'`' {
            self.word().is_obfuscated = true;
            self.pos += 2;
            return;
        }
        let sep = if self.in_backtick { Sep::Close } else { Sep::Substitution };
        self.in_backtick = !self.in_backtick;
        self.sep(sep);
        self.pos += 1;
    }

    fn dollar(&mut self) {
        let start = self.pos;
        match self.peek(1) {
            b'(' if self.peek(2) == b')' => {
                self.word().is_obfuscated = true;
                self.pos += 3;
            }
            b'(' if self.peek(2) == b'(' => {
                self.line.signals.arithmetic.get_or_insert(start);
                self.sep(Sep::Substitution);
                self.pos += 3;
            }
            b'(' => {
                self.sep(Sep::Substitution);
                self.pos += 2;
            }
            b'[' => {
                self.line.signals.arithmetic.get_or_insert(start);
                let close = memchr::memchr(b']', &self.text[start..])
                    .map_or(self.text.len(), |o| start + o + 1);
                self.pos = close;
            }
            b'{' => {
                let close = memchr::memchr(b'}', &self.text[start..])
                    .map_or(self.text.len(), |o| start + o);
                let content = &self.text[start + 2..close];
                self.pos = (close + 1).min(self.text.len());
                self.variable(content, true, start);
            }
            b'\'' | b'"' => {
                self.pos += 1;
                self.quoted(self.text[self.pos]);
            }
            b'a'..=b'z' => {
                let len = self.text[start + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                let name = &self.text[start + 1..start + 1 + len];
                self.pos = start + 1 + len;
                self.variable(name, false, start);
            }
            // `$_` counts as the special parameter even before letters
            // (`c$_at`): that is how payloads use it.
            b'0'..=b'9' | b'@' | b'*' | b'!' | b'#' | b'?' | b'$' | b'-' | b'_' => {
                if self.word.is_some() {
                    self.word().is_obfuscated = true;
                }
                self.pos += 2;
            }
            _ => {
                self.push_plain(b'$');
                self.pos += 1;
            }
        }
    }

    /// A variable reference: `$IFS` splits words, `$SHELL` names a shell,
    /// anything else expands to nothing as far as a filter can tell.
    fn variable(&mut self, content: &[u8], is_braced: bool, start: usize) {
        let name_len =
            content.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        let name = &content[..name_len];
        if name == b"ifs" {
            self.line.signals.ifs.get_or_insert(start);
            self.flush();
            return;
        }
        // Log4j lookups (`${lower:j}`, `${::-j}`, `${${...}}`) look alike;
        // the log4shell detector judges those.
        let is_lookup = content.starts_with(b"$")
            || content.starts_with(b":")
            || content.get(name_len) == Some(&b':') && content.get(name_len + 1) != Some(&b'-');
        if is_braced && name_len < content.len() && !is_lookup {
            self.line.signals.expansion.get_or_insert(start);
        }
        if matches!(name, b"shell" | b"bash" | b"comspec") {
            let word = self.word();
            word.text.extend_from_slice(if name == b"comspec" { b"cmd" } else { b"sh" });
            word.has_plain = true;
            return;
        }
        if let Some(word) = self.word.as_mut() {
            word.is_obfuscated = true;
        } else if self.text.get(self.pos).is_some_and(u8::is_ascii_alphanumeric) {
            self.word().is_obfuscated = true;
        }
    }

    fn ampersand(&mut self) {
        match self.peek(1) {
            b'&' => {
                self.sep(Sep::And);
                self.pos += 2;
            }
            b'>' => {
                self.sep(Sep::Redirect);
                self.pos += 2;
            }
            _ => {
                let before = if self.pos == 0 { b' ' } else { self.text[self.pos - 1] };
                let is_spaced = before == b' ' && self.peek(1) == b' ';
                self.sep(if is_spaced { Sep::SpacedAmp } else { Sep::Amp });
                self.pos += 1;
            }
        }
    }

    fn angle(&mut self) {
        if self.peek(1) == b'(' {
            if self.peek(2) == b')' {
                self.word().is_obfuscated = true;
                self.pos += 3;
            } else {
                self.sep(Sep::Substitution);
                self.pos += 2;
            }
            return;
        }
        // A file descriptor before the operator (`2>&1`) belongs to it.
        if self
            .word
            .as_ref()
            .is_some_and(|word| word.text.len() == 1 && word.text[0].is_ascii_digit())
        {
            self.word = None;
        }
        let len = self.text[self.pos..]
            .iter()
            .take(4)
            .take_while(|b| matches!(b, b'<' | b'>' | b'&' | b'|'))
            .count();
        self.sep(Sep::Redirect);
        self.pos += len.max(1);
        if self.text.get(self.pos).is_some_and(u8::is_ascii_digit)
            && self.text[self.pos - 1] == b'&'
        {
            self.pos += 1;
        }
    }

    fn brace(&mut self) {
        let start = self.pos;
        let close = memchr::memchr(b'}', &self.text[start..]).map(|offset| start + offset);
        let body = close.map(|close| &self.text[start + 1..close]);
        let is_expansion = body.is_some_and(|body| {
            memchr::memchr(b',', body).is_some()
                && !body.iter().any(|b| matches!(b, b' ' | b'\t' | b'{' | b':'))
        });
        if let (true, Some(close), Some(body)) = (is_expansion, close, body) {
            let prefix = self.word.as_ref().map(|word| word.text.clone()).unwrap_or_default();
            let suffix_len = self.text[close + 1..]
                .iter()
                .take_while(|b| {
                    !matches!(
                        b,
                        b' ' | b'\t' | b';' | b'|' | b'&' | b'\n' | b'{' | b'}' | b'(' | b')'
                    )
                })
                .count();
            let suffix = &self.text[close + 1..close + 1 + suffix_len];
            let word = self.word();
            for alternative in body.split(|b| *b == b',').take(MAX_ALTERNATIVES) {
                let alternative = unquote(alternative);
                let mut text = prefix.clone();
                text.extend_from_slice(&alternative);
                text.extend_from_slice(suffix);
                word.alternatives.push(text);
            }
            word.text = [&prefix[..], suffix].concat();
            word.has_plain = true;
            self.pos = close + 1 + suffix_len;
            self.flush();
            return;
        }
        if matches!(self.peek(1), b' ' | b'\t' | b'\n') {
            self.sep(Sep::Open);
        } else {
            self.push_plain(b'{');
        }
        self.pos += 1;
    }
}

/// A brace-expansion alternative without its quoting (`$'whoami'`).
fn unquote(text: &[u8]) -> Vec<u8> {
    text.iter().copied().filter(|b| !matches!(b, b'\'' | b'"' | b'$' | b'\\')).collect()
}
