//! The cheap first look: which byte classes a text contains and which known
//! words, in one pass over the bytes, without allocating.
//!
//! Most of a shop's traffic (`/product/10023`, `page=2`, a browser's user
//! agent) has nothing a payload needs: no quotes, brackets, separators or
//! keywords. [`Scan::is_suspicious`] says so, and the part is done.

use crate::decode::{self, Mode};
use crate::lexicon::{self, MAX_WORD};
use crate::subject::Origin;

/// `'` or `"`.
pub(crate) const QUOTE: u32 = 1 << 0;
/// `` ` ``.
pub(crate) const BACKTICK: u32 = 1 << 1;
/// `<`.
pub(crate) const LT: u32 = 1 << 2;
/// `>`.
pub(crate) const GT: u32 = 1 << 3;
/// `(` or `)`.
pub(crate) const PAREN: u32 = 1 << 4;
/// `;`.
pub(crate) const SEMI: u32 = 1 << 5;
/// `|`.
pub(crate) const PIPE: u32 = 1 << 6;
/// `&`.
pub(crate) const AMP: u32 = 1 << 7;
/// `$`.
pub(crate) const DOLLAR: u32 = 1 << 8;
/// `{` or `}`.
pub(crate) const BRACE: u32 = 1 << 9;
/// `[` or `]`.
pub(crate) const BRACKET: u32 = 1 << 10;
/// `!`.
pub(crate) const BANG: u32 = 1 << 11;
/// `#`.
pub(crate) const HASH: u32 = 1 << 12;
/// `*`.
pub(crate) const STAR: u32 = 1 << 13;
/// `=`.
pub(crate) const EQ: u32 = 1 << 14;
/// `@`.
pub(crate) const AT: u32 = 1 << 15;
/// `:`.
pub(crate) const COLON: u32 = 1 << 16;
/// `/`.
pub(crate) const SLASH: u32 = 1 << 17;
/// `\`.
pub(crate) const BACKSLASH: u32 = 1 << 18;
/// `.`.
pub(crate) const DOT: u32 = 1 << 19;
/// `?`.
pub(crate) const QMARK: u32 = 1 << 20;
/// `~`.
pub(crate) const TILDE: u32 = 1 << 21;
/// `^`.
pub(crate) const CARET: u32 = 1 << 22;
/// `%`.
pub(crate) const PERCENT: u32 = 1 << 23;
/// `+`.
pub(crate) const PLUS: u32 = 1 << 24;
/// A control byte other than NUL (tab, newline, DEL...).
pub(crate) const CTRL: u32 = 1 << 25;
/// The NUL byte.
pub(crate) const NUL: u32 = 1 << 26;
/// A byte of a multi-byte character.
pub(crate) const HIGH: u32 = 1 << 27;
/// `-`.
pub(crate) const DASH: u32 = 1 << 28;
/// `,`.
pub(crate) const COMMA: u32 = 1 << 29;
/// A space.
pub(crate) const SPACE: u32 = 1 << 30;
/// An ASCII letter, digit or `_`.
pub(crate) const WORD: u32 = 1 << 31;

const fn class_of(byte: u8) -> u32 {
    match byte {
        b'\'' | b'"' => QUOTE,
        b'`' => BACKTICK,
        b'<' => LT,
        b'>' => GT,
        b'(' | b')' => PAREN,
        b';' => SEMI,
        b'|' => PIPE,
        b'&' => AMP,
        b'$' => DOLLAR,
        b'{' | b'}' => BRACE,
        b'[' | b']' => BRACKET,
        b'!' => BANG,
        b'#' => HASH,
        b'*' => STAR,
        b'=' => EQ,
        b'@' => AT,
        b':' => COLON,
        b'/' => SLASH,
        b'\\' => BACKSLASH,
        b'.' => DOT,
        b'?' => QMARK,
        b'~' => TILDE,
        b'^' => CARET,
        b'%' => PERCENT,
        b'+' => PLUS,
        0 => NUL,
        1..=0x1f | 0x7f => CTRL,
        0x80..=0xff => HIGH,
        b'-' => DASH,
        b',' => COMMA,
        b' ' => SPACE,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => WORD,
    }
}

const CLASSES: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut idx = 0;
    while idx < 256 {
        table[idx] = class_of(idx as u8);
        idx += 1;
    }
    table
};

/// Classes that make a query name or value worth a closer look.
const VALUE_CLASSES: u32 = !(WORD | SPACE | DASH | COMMA | HIGH);

/// Classes that make a path worth a closer look (dots are judged apart).
const PATH_CLASSES: u32 = !(WORD | DASH | SLASH | DOT | HIGH | COMMA);

/// Classes that make a user agent worth a closer look: browsers' agents are
/// full of `(`, `;`, `/`, `.`, `:`, `,`, `+` and brackets, so only the rest.
const AGENT_CLASSES: u32 = QUOTE
    | BACKTICK
    | LT
    | GT
    | PIPE
    | AMP
    | DOLLAR
    | BRACE
    | BANG
    | HASH
    | STAR
    | EQ
    | BACKSLASH
    | TILDE
    | CARET
    | PERCENT
    | CTRL
    | NUL;

/// Words that make a query value worth a closer look on their own.
const VALUE_WORDS: u64 = lexicon::SQL_UNION
    | lexicon::SQL_STATEMENT
    | lexicon::SQL_LOGIC
    | lexicon::SQL_OPERATOR
    | lexicon::SQL_KEYWORD
    | lexicon::BATCH
    | lexicon::SQL_TIME
    | lexicon::SQL_SYSTEM
    | lexicon::CMD_DISTINCT
    | lexicon::CMD_PREFIX
    | lexicon::CMD_SHELL
    | lexicon::CMD_INTERPRETER
    | lexicon::CMD_FAMILY
    | lexicon::OVERFLOW
    | lexicon::PATH_WORD;

/// Commands that make a query value worth a closer look as its first word.
const VALUE_COMMANDS: u64 = lexicon::CMD_DISTINCT
    | lexicon::CMD_PREFIX
    | lexicon::CMD_SHELL
    | lexicon::CMD_INTERPRETER
    | lexicon::CMD_FAMILY;

/// Words that make a path worth a closer look.
const PATH_WORDS: u64 = lexicon::PATH_WORD | lexicon::SQL_UNION | lexicon::SQL_TIME;

/// Words that make a user agent worth a closer look.
const AGENT_WORDS: u64 = lexicon::CMD_DISTINCT
    | lexicon::SCANNER_HIGH
    | lexicon::SCANNER_MEDIUM
    | lexicon::SCANNER_HINT
    | lexicon::SQL_UNION
    | lexicon::SQL_STATEMENT
    | lexicon::SQL_TIME
    | lexicon::SQL_SYSTEM
    | lexicon::AGENT_PATH_WORD;

/// What one pass over a text found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Union of the byte classes.
    pub(crate) classes: u32,
    /// Union of the lexicon flags of the words (in a quick scan, only of
    /// the words its origin cares about).
    pub(crate) words: u64,
    /// Lexicon flags of the first word, as a command (`python3` counts).
    pub(crate) first_command: u64,
    /// Whether the text starts with a byte that is not a letter or digit.
    pub(crate) starts_odd: bool,
    /// Whether a path segment starts with a dot or names a risky extension.
    pub(crate) has_risky_dot: bool,
}

/// A bitmap over (length, first byte, last byte) of the lexicon words with
/// some flags: most words of ordinary text miss it and skip the lookup.
struct WordFilter {
    bits: [u64; lexicon::FILTER_WORDS],
}

impl WordFilter {
    const fn new(mask: u64) -> WordFilter {
        WordFilter { bits: lexicon::filter(mask) }
    }

    fn may_contain(&self, word: &[u8]) -> bool {
        let key = lexicon::filter_key(word);
        self.bits[key >> 6] & (1 << (key & 63)) != 0
    }

    /// [`WordFilter::may_contain`] for a command word, also without a
    /// trailing version (`python3`).
    fn may_contain_command(&self, word: &[u8]) -> bool {
        if self.may_contain(word) {
            return true;
        }
        let trimmed = lexicon::trim_version(word);
        trimmed.len() >= 2 && trimmed.len() < word.len() && self.may_contain(trimmed)
    }
}

static VALUE_FILTER: WordFilter = WordFilter::new(VALUE_WORDS);
static PATH_FILTER: WordFilter = WordFilter::new(PATH_WORDS);
static AGENT_FILTER: WordFilter = WordFilter::new(AGENT_WORDS);
static COMMAND_FILTER: WordFilter = WordFilter::new(lexicon::CMD_ANY);
static ALL_FILTER: WordFilter = WordFilter::new(u64::MAX);
static QUERY_FILTER: WordFilter = WordFilter::new(VALUE_WORDS | VALUE_COMMANDS);

/// The lexicon flags of a word when the filter lets it through.
fn filtered_flags(word: &[u8], filter: &WordFilter) -> u64 {
    if (2..=MAX_WORD).contains(&word.len()) && filter.may_contain(word) {
        lexicon::lookup(word)
    } else {
        0
    }
}

/// Flags of versioned interpreter words (`python3`, `perl5`) in a text.
fn interpreter_versions(text: &[u8]) -> u64 {
    text.split(|b| CLASSES[usize::from(*b)] != WORD)
        .filter(|word| {
            (2..=MAX_WORD).contains(&word.len()) && word.last().is_some_and(u8::is_ascii_digit)
        })
        .map(|word| lexicon::lookup_command(word) & lexicon::CMD_INTERPRETER)
        .fold(0, |flags, word| flags | word)
}

/// [`slice_word_flags`] for a word collected in a buffer.
fn word_flags(
    word: &[u8; MAX_WORD],
    len: usize,
    wants_command: bool,
    filter: &WordFilter,
) -> (u64, u64) {
    if !(2..=MAX_WORD).contains(&len) {
        return (0, 0);
    }
    slice_word_flags(&word[..len], wants_command, filter)
}

/// The lexicon flags of one word (when the filter lets it through) and, for
/// a first word, its flags as a command.
fn slice_word_flags(word: &[u8], wants_command: bool, filter: &WordFilter) -> (u64, u64) {
    let len = word.len();
    if !(2..=MAX_WORD).contains(&len) {
        return (0, 0);
    }
    let mut flags = if filter.may_contain(word) { lexicon::lookup(word) } else { 0 };
    let mut command = 0;
    if wants_command {
        if COMMAND_FILTER.may_contain_command(word) {
            command = lexicon::lookup_command(word);
        }
    } else if word[len - 1].is_ascii_digit() && std::ptr::eq(filter, &ALL_FILTER) {
        // `python3`: an interpreter with its version.
        flags |= lexicon::lookup_command(word) & lexicon::CMD_INTERPRETER;
    }
    (flags, command)
}

impl Scan {
    /// The first look at a raw part from `origin`: byte classes and the
    /// words that matter for that origin, of the text or, when it is
    /// encoded, of its first decoding round (decoded on the fly).
    pub(crate) fn quick(raw: &[u8], origin: Origin, mode: Mode) -> Scan {
        let (filter, wants_command) = match origin {
            Origin::Path | Origin::RefererPath => (&PATH_FILTER, false),
            Origin::QueryName => (&VALUE_FILTER, false),
            Origin::QueryValue | Origin::Referer => (&VALUE_FILTER, true),
            Origin::UserAgent => (&AGENT_FILTER, true),
        };
        let mut scan = Scan::of_slice(raw, filter, wants_command);
        if needs_decoding(raw, scan.classes, mode) {
            scan = Scan::of(decode::first_round_bytes(raw, mode), filter, wants_command);
            // An encoded dot in a path (`%2e`) is itself a reason to look.
            scan.has_risky_dot |= scan.classes & DOT != 0;
        }
        if matches!(origin, Origin::Path | Origin::RefererPath) && scan.classes & DOT != 0 {
            scan.has_risky_dot |= has_risky_dot(raw);
        }
        // Browsers separate comments with `;` inside a product token's
        // parentheses; anywhere else a `;` may separate commands.
        if origin == Origin::UserAgent && scan.classes & SEMI != 0 && !has_product_token(raw) {
            scan.starts_odd = true;
        }
        scan
    }

    /// Whether any parameter of a raw query string may need a closer look,
    /// in one pass over the whole string: `&` and `=` are its structure, so
    /// only the other classes and the words count. An encoded query (`%`,
    /// `+`) always may.
    pub(crate) fn query_may_hold_payload(query: &[u8]) -> bool {
        let scan = Scan::of_slice(query, &QUERY_FILTER, false);
        if scan.classes & VALUE_CLASSES & !(AMP | EQ) != 0
            || scan.words & (VALUE_WORDS | VALUE_COMMANDS) != 0
            || interpreter_versions(query) != 0
        {
            return true;
        }
        // A second `=` in one parameter is part of its value (`a=1=1`).
        let mut n_equals = 0;
        for &byte in query {
            match byte {
                b'&' => n_equals = 0,
                b'=' if n_equals == 1 => return true,
                b'=' => n_equals = 1,
                _ => {}
            }
        }
        false
    }

    /// The full look at a decoded text: classes and every known word.
    pub(crate) fn full(text: &[u8]) -> Scan {
        Scan::of_slice(text, &ALL_FILTER, true)
    }

    /// [`Scan::of`] for a text in memory, without a branch per byte: each
    /// 64-byte chunk becomes a bit mask of word bytes, and words are found
    /// from the mask's transitions.
    fn of_slice(text: &[u8], filter: &WordFilter, wants_command: bool) -> Scan {
        let mut classes = 0u32;
        let mut words = 0u64;
        // Start of the word being read, or `usize::MAX` between words.
        let mut word_start = usize::MAX;
        for (chunk_idx, chunk) in text.chunks(64).enumerate() {
            let base = chunk_idx * 64;
            let mut mask = 0u64;
            for (bit, &byte) in chunk.iter().enumerate() {
                let class = CLASSES[usize::from(byte)];
                classes |= class;
                mask |= u64::from(class >> 31) << bit;
            }
            let mut transitions = mask ^ (mask << 1 | u64::from(word_start != usize::MAX));
            while transitions != 0 {
                let bit = transitions.trailing_zeros() as usize;
                transitions &= transitions - 1;
                if mask >> bit & 1 == 1 {
                    word_start = base + bit;
                } else {
                    words |= filtered_flags(&text[word_start.min(base + bit)..base + bit], filter);
                    word_start = usize::MAX;
                }
            }
        }
        if word_start != usize::MAX {
            words |= filtered_flags(&text[word_start..], filter);
        }
        let mut scan = Scan {
            classes,
            words,
            first_command: 0,
            starts_odd: text.first().is_some_and(|byte| !byte.is_ascii_alphanumeric()),
            has_risky_dot: false,
        };
        if wants_command {
            let first_len = text.iter().take_while(|b| CLASSES[usize::from(**b)] == WORD).count();
            let first = &text[..first_len];
            if (2..=MAX_WORD).contains(&first_len) && COMMAND_FILTER.may_contain_command(first) {
                scan.first_command = lexicon::lookup_command(first);
            }
        }
        if std::ptr::eq(filter, &ALL_FILTER) {
            // `python3`: an interpreter with its version.
            scan.words |= interpreter_versions(text);
        }
        scan
    }

    fn of(bytes: impl Iterator<Item = u8>, filter: &WordFilter, wants_command: bool) -> Scan {
        // Accumulators stay in locals (registers) in this hot loop.
        let mut classes = 0u32;
        let mut words = 0u64;
        let mut first_command = 0u64;
        let mut starts_odd = None;
        let mut word = [0u8; MAX_WORD];
        let mut len = 0usize;
        let mut wants_command = wants_command;
        for byte in bytes {
            let class = CLASSES[usize::from(byte)];
            classes |= class;
            if starts_odd.is_none() {
                starts_odd = Some(!byte.is_ascii_alphanumeric());
            }
            if class == WORD {
                if len < MAX_WORD {
                    word[len] = byte;
                }
                len += 1;
            } else if len > 0 {
                let (flags, command) = word_flags(&word, len, wants_command, filter);
                words |= flags;
                if wants_command {
                    first_command = command;
                    wants_command = false;
                }
                len = 0;
            }
        }
        if len > 0 {
            let (flags, command) = word_flags(&word, len, wants_command, filter);
            words |= flags;
            if wants_command {
                first_command = command;
            }
        }
        Scan {
            classes,
            words,
            first_command,
            starts_odd: starts_odd.unwrap_or(false),
            has_risky_dot: false,
        }
    }

    /// Whether a text from `origin` with this scan needs the detectors.
    pub(crate) fn is_suspicious(&self, origin: Origin) -> bool {
        match origin {
            Origin::Path | Origin::RefererPath => {
                self.classes & PATH_CLASSES != 0
                    || self.words & PATH_WORDS != 0
                    || self.has_risky_dot
            }
            Origin::QueryName => self.classes & VALUE_CLASSES != 0 || self.words & VALUE_WORDS != 0,
            Origin::QueryValue | Origin::Referer => {
                self.classes & VALUE_CLASSES != 0
                    || self.words & VALUE_WORDS != 0
                    || self.first_command & VALUE_COMMANDS != 0
            }
            Origin::UserAgent => {
                self.classes & AGENT_CLASSES != 0
                    || self.words & AGENT_WORDS != 0
                    || self.first_command != 0
                    || self.starts_odd
            }
        }
    }

    /// Whether any class in `mask` is present.
    pub(crate) fn has(&self, mask: u32) -> bool {
        self.classes & mask != 0
    }

    /// Whether any word flag in `mask` is present.
    pub(crate) fn has_word(&self, mask: u64) -> bool {
        self.words & mask != 0
    }
}

/// Extensions (lowercase, after the last dot) of files a shop never serves
/// but scanners ask for: backups, dumps, logs, configuration, keys.
pub(crate) const RISKY_EXTENSIONS: &[&[u8]] = &[
    b"sql",
    b"bak",
    b"old",
    b"orig",
    b"save",
    b"swp",
    b"swo",
    b"tmp",
    b"log",
    b"env",
    b"ini",
    b"conf",
    b"cfg",
    b"config",
    b"db",
    b"sqlite",
    b"sqlite3",
    b"mdb",
    b"dump",
    b"dmp",
    b"backup",
    b"bkp",
    b"zip",
    b"gz",
    b"tgz",
    b"tar",
    b"rar",
    b"7z",
    b"bz2",
    b"xz",
    b"pem",
    b"key",
    b"crt",
    b"p12",
    b"pfx",
    b"jks",
    b"kdbx",
    b"passwd",
    b"htpasswd",
    b"htaccess",
    b"git",
    b"svn",
    b"yml",
    b"yaml",
    b"toml",
    b"json",
    b"xml",
    b"properties",
    b"inc",
    b"asa",
    b"cer",
    b"cnf",
    b"ovpn",
    b"rdp",
    b"sh",
    b"bash",
    b"ps1",
    b"bat",
    b"cmd",
    b"exe",
    b"dll",
    b"jsp",
    b"aspx",
    b"asp",
    b"cgi",
    b"pl",
    b"py",
    b"rb",
    b"war",
    b"ear",
    b"jar",
    b"class",
    b"core",
    b"history",
    b"md",
    b"toml",
];

/// Whether `text` has a `name/1...` product token, as user agents do.
pub(crate) fn has_product_token(text: &[u8]) -> bool {
    memchr::memchr_iter(b'/', text).any(|idx| {
        idx > 0
            && text[idx - 1].is_ascii_alphanumeric()
            && text.get(idx + 1).is_some_and(u8::is_ascii_digit)
    })
}

/// Whether the raw part needs decoding: escapes, entities, a `+` in a query,
/// or an overlong UTF-8 lead byte.
fn needs_decoding(raw: &[u8], classes: u32, mode: Mode) -> bool {
    classes & (PERCENT | BACKSLASH | AMP) != 0
        || (mode == Mode::Query && classes & PLUS != 0)
        || (classes & HIGH != 0 && raw.iter().any(|b| matches!(b, 0xc0 | 0xc1 | 0xe0 | 0xf0)))
}

/// Whether a path has a segment starting with a dot (a dotfile or `..`) or a
/// file with a risky extension.
fn has_risky_dot(path: &[u8]) -> bool {
    memchr::memchr_iter(b'.', path).any(|idx| {
        let before = if idx == 0 { b'/' } else { path[idx - 1] };
        if matches!(before, b'/' | b'\\' | b'.') {
            return true;
        }
        let ext_len = path[idx + 1..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        is_risky_extension(&path[idx + 1..idx + 1 + ext_len])
    })
}

fn is_risky_extension(ext: &[u8]) -> bool {
    RISKY_EXTENSIONS.iter().any(|risky| risky.eq_ignore_ascii_case(ext))
}
