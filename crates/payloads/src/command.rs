//! OS command injection, for Unix shells and `cmd.exe`.
//!
//! A value is read as a shell command line three times (as is, after its
//! first single quote, after its first double quote) and each simple command
//! is judged by where it stands and what it runs:
//!
//! - after a separator (`;id`, `|sh`, `&&wget`, `` `...` ``, `$(...)`), a
//!   known command is an injection when it is rarely an everyday word
//!   (`whoami`), or when it ends the value or has shell-like arguments
//!   (`;cat /etc/passwd`, `;sleep 5`); prose such as `salt & pepper` or
//!   `mammal;cat;ears` does not qualify;
//! - at the start of a value, it takes stronger evidence: a system path
//!   (`ls -l /etc/passwd`), a shell with inline code (`sh -c`), a command
//!   name that only appears once quotes and escapes are removed (`c'a't`);
//! - a user agent that is itself a command line (`visudo`) counts.
//!
//! Shell syntax that has no business in a parameter counts on its own:
//! `$IFS`, arithmetic and parameter expansion, history expansion, globbed
//! system paths (`/e??/p?ss*`), brace expansion that yields a command
//! (`{,ifconfig}`), reverse shells (`/dev/tcp/`), SQLite shell commands, and
//! `cmd.exe` `FOR` and `IF` statements. Mail-protocol commands after a line
//! break (SMTP, POP3, IMAP injection) are judged here too.

mod shell;

use shell::{Line, Piece, Sep, Word};

use crate::lexicon::{self, CMD_ANY};
use crate::prefilter as class;
use crate::subject::{Findings, Origin, Subject};
use crate::{Confidence, Detector};

/// Shell syntax that makes a value worth reading as a command line. A quote
/// or a slash alone does not (see [`detect`]).
const SHELL_CLASSES: u32 = class::SEMI
    | class::PIPE
    | class::AMP
    | class::DOLLAR
    | class::BACKTICK
    | class::PAREN
    | class::BRACE
    | class::LT
    | class::GT
    | class::CTRL
    | class::BANG
    | class::BACKSLASH
    | class::PERCENT
    | class::BRACKET
    | class::STAR
    | class::QMARK;

/// `c'a't`, `""p""y`: a quote between letters, as quoting tricks write them.
fn has_quote_inside_word(lower: &[u8]) -> bool {
    lower.windows(3).any(|w| {
        w[0].is_ascii_alphanumeric()
            && matches!(w[1], b'\'' | b'"')
            && (w[2].is_ascii_alphanumeric() || w[2] == w[1])
    }) || crate::patterns::find(lower, b"\"\"").is_some()
}

/// Absolute paths whose mention as an argument means a system is targeted.
const SYSTEM_DIRS: &[&[u8]] = &[
    b"/etc/",
    b"/bin/",
    b"/sbin/",
    b"/usr/",
    b"/var/",
    b"/tmp/",
    b"/dev/",
    b"/proc/",
    b"/root/",
    b"/home/",
    b"/opt/",
    b"/sys/",
    b"/boot/",
    b"/lib",
    b"/run/",
    b"/srv/",
    b"c:/",
    b"%temp%",
    b"%systemroot%",
    b"%windir%",
    b"%appdata%",
    b"/tmp",
];

/// Paths that globbed words are compared against (`/e??/p?ss*`).
const KNOWN_PATHS: &[&[u8]] = &[
    b"/etc/passwd",
    b"/etc/shadow",
    b"/etc/hosts",
    b"/etc/group",
    b"/etc/issue",
    b"/etc/sudoers",
    b"/bin/sh",
    b"/bin/bash",
    b"/bin/cat",
    b"/bin/nc",
    b"/bin/ls",
    b"/bin/busybox",
    b"/usr/bin/bash",
    b"/usr/bin/cat",
    b"/usr/bin/id",
    b"/usr/bin/whoami",
    b"/usr/bin/wget",
    b"/usr/bin/curl",
    b"/usr/bin/python",
    b"/usr/bin/python3",
    b"/usr/bin/perl",
    b"/usr/bin/nc",
    b"/usr/bin/env",
    b"/usr/bin/sh",
    b"/usr/sbin/bash",
    b"/proc/self/environ",
];

/// SQLite shell dot-commands, run by a SQLite CLI fed with user input.
const SQLITE_COMMANDS: &[&[u8]] = &[
    b"shell",
    b"system",
    b"sh",
    b"databases",
    b"tables",
    b"dump",
    b"read",
    b"import",
    b"output",
    b"open",
    b"load",
    b"schema",
    b"once",
    b"excel",
    b"backup",
    b"restore",
    b"cd",
];

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    let lower = subject.lower;
    if subject.scan.has_word(lexicon::BATCH)
        || subject.scan.has(class::PERCENT)
        || crate::patterns::find(lower, b"==").is_some()
    {
        batch_statements(lower, subject, findings);
    }
    let wants = subject.scan.has(SHELL_CLASSES)
        || subject.scan.has_word(CMD_ANY)
        || subject.scan.first_command != 0
        || (subject.scan.has(class::QUOTE) && has_quote_inside_word(lower))
        || (subject.scan.has(class::SLASH) && crate::patterns::find(lower, b"bin/").is_some());
    if !wants {
        return;
    }
    if subject.scan.has(class::CTRL) {
        mail_command(subject, findings);
    }
    if subject.scan.has(class::LT) {
        server_side_include(lower, subject, findings);
    }
    if subject.scan.has(class::SLASH) {
        reverse_shell(lower, subject, findings);
    }
    let contexts = [
        Some(0),
        memchr::memchr(b'\'', lower).map(|idx| idx + 1),
        memchr::memchr(b'"', lower).map(|idx| idx + 1),
    ];
    for start in contexts.into_iter().flatten() {
        if findings.has(Detector::Rce, Confidence::High) {
            return;
        }
        let line = shell::read(&lower[start..]);
        judge_line(&line, start, subject, findings);
    }
}

/// A simple command: the words between two separators.
struct Command<'l> {
    words: Vec<&'l Word>,
    /// What came before it (`None` at the start of the value).
    after: Option<Sep>,
    /// Whether a redirection follows one of its words.
    has_redirect: bool,
    /// Whether the value ends after it, or a separator and another command
    /// follow.
    is_last: bool,
}

fn commands(line: &Line) -> Vec<Command<'_>> {
    let mut commands = Vec::new();
    let mut current =
        Command { words: Vec::new(), after: None, has_redirect: false, is_last: false };
    let mut after_redirect = false;
    let mut previous_is_word = false;
    for piece in &line.pieces {
        let is_word = matches!(piece, Piece::Word(_));
        match piece {
            Piece::Word(word) => {
                if after_redirect {
                    // Redirecting a command into a file, or a here-string.
                    after_redirect = false;
                    current.has_redirect |= !current.words.is_empty()
                        && (word.text.iter().any(|b| matches!(b, b'/' | b'.'))
                            || current.after.is_some());
                    continue;
                }
                current.words.push(word);
            }
            Piece::Sep(Sep::Redirect) => {
                after_redirect = true;
            }
            Piece::Sep(sep) => {
                after_redirect = false;
                // `hello world (test)`: a parenthesis after a word is prose
                // (or a call), not a subshell.
                let sep = if *sep == Sep::Open && previous_is_word { Sep::SpacedAmp } else { *sep };
                let next = Command {
                    words: Vec::new(),
                    after: Some(sep),
                    has_redirect: false,
                    is_last: false,
                };
                let done = std::mem::replace(&mut current, next);
                if !done.words.is_empty() {
                    commands.push(done);
                }
            }
        }
        previous_is_word = is_word;
    }
    if !current.words.is_empty() {
        commands.push(current);
    }
    if let Some(last) = commands.last_mut() {
        last.is_last = true;
    }
    commands
}

fn judge_line(line: &Line, offset: usize, subject: &Subject<'_>, findings: &mut Findings) {
    let evidence_at = |start: usize| &subject.text[(offset + start).min(subject.text.len())..];
    let signals = line.signals;
    if let Some(start) = signals.ifs {
        findings.add_excerpt(
            Detector::Rce,
            Confidence::High,
            "$IFS word splitting",
            evidence_at(start),
        );
    }
    if let Some(start) = signals.arithmetic {
        findings.add_excerpt(
            Detector::Rce,
            Confidence::Medium,
            "shell arithmetic expansion",
            evidence_at(start),
        );
    }
    if let Some(start) = signals.expansion {
        findings.add_excerpt(
            Detector::Rce,
            Confidence::Medium,
            "shell parameter expansion",
            evidence_at(start),
        );
    }
    if let Some(start) = signals.history {
        findings.add_excerpt(
            Detector::Rce,
            Confidence::Medium,
            "shell history expansion",
            evidence_at(start),
        );
    }
    let commands = commands(line);
    for (idx, command) in commands.iter().enumerate() {
        let next_is_command = commands.get(idx + 1).is_some_and(|next| {
            next.words
                .first()
                .is_some_and(|word| lexicon::lookup_command(command_name(&word.text)) != 0)
        });
        judge_command(command, next_is_command, offset, subject, findings);
        if findings.has(Detector::Rce, Confidence::High) {
            return;
        }
    }
    for piece in &line.pieces {
        if let Piece::Word(word) = piece {
            globbed_path(word, offset, subject, findings);
        }
    }
}

/// The command a word names: its base name, without `.exe`.
fn command_name(text: &[u8]) -> &[u8] {
    let base = text.rsplit(|b| *b == b'/').next().unwrap_or(text);
    base.strip_suffix(b".exe").unwrap_or(base)
}

fn is_assignment(word: &Word) -> bool {
    let text = &word.text;
    let Some(eq) = memchr::memchr(b'=', text) else { return false };
    eq > 0 && text[..eq].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Arguments the way a shell user writes them, not prose.
#[derive(Debug, Default)]
struct Arguments {
    n: usize,
    has_system_path: bool,
    has_option: bool,
    has_long_option: bool,
    has_inline_code_flag: bool,
    has_url: bool,
    has_address: bool,
    has_number: bool,
    has_time: bool,
    is_prose: bool,
    first: Option<Vec<u8>>,
}

fn arguments(words: &[&Word]) -> Arguments {
    let mut args = Arguments {
        n: words.len(),
        is_prose: true,
        first: words.first().map(|word| word.text.clone()),
        ..Arguments::default()
    };
    for word in words {
        let text = &word.text[..];
        if !is_prose_word(text) {
            args.is_prose = false;
        }
        let assigned = memchr::memchr(b'=', text).map_or(&b""[..], |eq| &text[eq + 1..]);
        args.has_system_path |=
            SYSTEM_DIRS.iter().any(|dir| text.starts_with(dir) || assigned.starts_with(dir))
                || text.starts_with(b"~/")
                || text == b"/"
                || (text.len() >= 2
                    && text[0].is_ascii_alphabetic()
                    && text[1] == b':'
                    && matches!(text.get(2), None | Some(b'/')))
                || KNOWN_PATHS.iter().any(|path| is_glob(text) && glob_match(text, path))
                || (text.starts_with(b"/")
                    && memchr::memchr(b'[', text).is_some()
                    && memchr::memchr(b']', text).is_some());
        if let Some(flag) = text.strip_prefix(b"-") {
            args.has_option |=
                flag.first().is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-');
            args.has_long_option |=
                flag.first() == Some(&b'-') && flag.get(1).is_some_and(u8::is_ascii_alphabetic);
            args.has_inline_code_flag |= matches!(
                flag,
                b"c" | b"e"
                    | b"i"
                    | b"r"
                    | b"ic"
                    | b"enc"
                    | b"encodedcommand"
                    | b"command"
                    | b"nop"
                    | b"noprofile"
                    | b"exec"
                    | b"w"
            );
        }
        if let Some(flag) = text.strip_prefix(b"/") {
            args.has_option |= flag.len() == 1 && flag[0].is_ascii_alphabetic();
            args.has_inline_code_flag |= matches!(flag, b"c" | b"k" | b"r");
        }
        args.has_url |= crate::patterns::find(text, b"://").is_some();
        args.has_address |= is_ipv4(text) || is_host_port(text);
        args.has_number |= !text.is_empty() && text.iter().all(u8::is_ascii_digit);
        args.has_time |=
            text.len() <= 5 && memchr::memchr(b':', text).is_some() && text[0].is_ascii_digit();
    }
    args
}

/// A word of a sentence (or a quoted phrase): letters and digits, inner
/// apostrophes and spaces, one trailing punctuation mark.
fn is_prose_word(text: &[u8]) -> bool {
    let text = match text.last() {
        Some(b',' | b'.' | b'!' | b'?' | b':') => &text[..text.len() - 1],
        _ => text,
    };
    !text.is_empty() && text.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'\'' | b' '))
}

fn is_ipv4(text: &[u8]) -> bool {
    let parts: Vec<&[u8]> = text.split(|b| *b == b'.').collect();
    parts.len() == 4
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.iter().all(u8::is_ascii_digit))
}

fn is_host_port(text: &[u8]) -> bool {
    match memchr::memrchr(b':', text) {
        Some(colon) => {
            colon > 0
                && text[colon + 1..].iter().all(u8::is_ascii_digit)
                && colon + 1 < text.len()
                && memchr::memchr(b'.', &text[..colon]).is_some()
        }
        None => false,
    }
}

fn judge_command(
    command: &Command<'_>,
    next_is_command: bool,
    offset: usize,
    subject: &Subject<'_>,
    findings: &mut Findings,
) {
    let words = &command.words;
    let mut idx = 0;
    while idx + 1 < words.len() && is_assignment(words[idx]) {
        idx += 1;
    }
    // A user agent `code=ansible-console`: the assigned value is the command.
    let assigned;
    let mut name_text: &[u8] = &words[idx].text;
    if is_assignment(words[idx]) {
        let eq = memchr::memchr(b'=', name_text).unwrap_or(0);
        assigned = name_text[eq + 1..].to_vec();
        name_text = &assigned;
    }
    let mut via_prefix = false;
    loop {
        let flags = lexicon::lookup_command(command_name(name_text));
        if flags & lexicon::CMD_PREFIX == 0 || idx + 1 >= words.len() {
            break;
        }
        let mut next = idx + 1;
        while next < words.len()
            && (words[next].text.starts_with(b"-")
                || words[next].text.iter().all(u8::is_ascii_digit)
                || is_assignment(words[next]))
        {
            next += 1;
        }
        let Some(word) = words.get(next) else { break };
        if lexicon::lookup_command(command_name(&word.text)) == 0 {
            break;
        }
        idx = next;
        name_text = &words[idx].text;
        via_prefix = true;
    }
    let word = words[idx];
    let evidence = &subject.text[(offset + word.start).min(subject.text.len())..];
    let name = command_name(name_text);
    let mut flags = lexicon::lookup_command(name);
    if flags == 0 {
        flags = word
            .alternatives
            .iter()
            .map(|alt| lexicon::lookup_command(command_name(alt)))
            .fold(0, |a, b| a | b);
        let yields_path = word
            .alternatives
            .iter()
            .any(|alt| KNOWN_PATHS.iter().any(|path| glob_match(alt, path)));
        if flags != 0 || yields_path {
            let confidence = if flags & lexicon::CMD_COMMON != 0
                && !yields_path
                && flags & lexicon::CMD_DISTINCT == 0
            {
                Confidence::Medium
            } else {
                Confidence::High
            };
            findings.add_excerpt(
                Detector::Rce,
                confidence,
                "brace expansion yields a command",
                evidence,
            );
            return;
        }
        if name_text.starts_with(b"/")
            && is_glob(name_text)
            && KNOWN_PATHS.iter().any(|path| glob_match(name_text, path))
        {
            findings.add_excerpt(Detector::Rce, Confidence::High, "globbed command path", evidence);
            return;
        }
        let is_separated =
            matches!(command.after, Some(Sep::Semi | Sep::Newline | Sep::Pipe | Sep::And));
        if let Some(dot_command) = name_text.strip_prefix(b".") {
            // `.shell cmd`, or `. shell cmd` with a blank after the dot.
            let dot_command = if dot_command.is_empty() {
                words.get(idx + 1).map_or(&b""[..], |word| &word.text[..])
            } else {
                dot_command
            };
            if is_separated && SQLITE_COMMANDS.contains(&dot_command) {
                findings.add_excerpt(
                    Detector::Rce,
                    Confidence::High,
                    "SQLite shell command",
                    evidence,
                );
            }
        }
        return;
    }
    // `/usr/bin/id`, `bin/visudo`: a command named by its install path. A
    // path elsewhere (`../../etc/passwd`) names a file, not a command.
    let names_binary = crate::patterns::find(name_text, b"bin/")
        .is_some_and(|at| at == 0 || name_text[at - 1] == b'/');
    if names_binary {
        findings.add_excerpt(Detector::Rce, Confidence::High, "command path", evidence);
        return;
    }
    if memchr::memchr(b'/', name_text).is_some() {
        return;
    }
    let args = arguments(&words[idx + 1..]);
    if word.is_obfuscated && name.len() >= 2 {
        findings.add_excerpt(Detector::Rce, Confidence::High, "obfuscated command name", evidence);
        return;
    }
    if flags & (lexicon::CMD_SHELL | lexicon::CMD_INTERPRETER) != 0 && args.has_inline_code_flag {
        findings.add_excerpt(
            Detector::Rce,
            Confidence::High,
            "shell or interpreter with inline code",
            evidence,
        );
        return;
    }
    if flags & lexicon::CMD_NETCAT != 0 {
        let listens = words[idx + 1..].iter().any(|w| {
            w.text.starts_with(b"-") && w.text[1..].iter().any(|b| matches!(b, b'e' | b'l' | b'c'))
        });
        if listens
            || (args.has_address && args.has_number)
            || (args.has_address && command.after.is_some())
        {
            findings.add_excerpt(Detector::Rce, Confidence::High, "netcat connection", evidence);
        }
        return;
    }
    let is_distinct = flags & lexicon::CMD_DISTINCT != 0
        || (flags & lexicon::CMD_FAMILY != 0 && memchr::memchr(b'-', name).is_some());
    let has_shell_args = args.has_system_path || args.has_url || command.has_redirect;
    // In a browser-like user agent, `;` separates comments: `(ARM; Touch)`.
    let in_agent_comment = subject.origin == Origin::UserAgent
        && command.after == Some(Sep::Semi)
        && crate::prefilter::has_product_token(subject.lower);
    let position = match command.after {
        _ if in_agent_comment => Position::Weak,
        Some(Sep::Substitution) => Position::Substitution,
        Some(Sep::SpacedAmp) | Some(Sep::Close) => Position::Weak,
        Some(_) => Position::Separated,
        None if via_prefix => Position::Separated,
        None => Position::Start,
    };
    let reason = match position {
        Position::Substitution => "command substitution",
        Position::Separated => "command after separator",
        Position::Weak | Position::Start => "command line in value",
    };
    let fires_high = match position {
        Position::Substitution => true,
        Position::Separated => {
            is_distinct
                || has_shell_args
                || (args.n == 0 && (command.is_last || next_is_command))
                || (args.n > 0 && args_fit(name, &args))
        }
        Position::Weak => is_distinct || has_shell_args || args.has_option,
        Position::Start => {
            has_shell_args && (args.has_system_path || args.has_option || command.has_redirect)
        }
    };
    if fires_high {
        findings.add_excerpt(Detector::Rce, Confidence::High, reason, evidence);
        return;
    }
    // A user agent made of product tokens (`Chef Client/10.18.2 (...)`) is
    // a program's name, not a command line.
    let is_product_agent =
        subject.origin == Origin::UserAgent && crate::prefilter::has_product_token(subject.lower);
    if position == Position::Start && !is_product_agent {
        let is_user_agent = subject.origin == Origin::UserAgent;
        let is_versioned_interpreter = flags & lexicon::CMD_INTERPRETER != 0
            && name.last().is_some_and(u8::is_ascii_digit)
            && args.n > 0;
        if is_user_agent && idx == 0 && is_distinct && flags & lexicon::CMD_HTTP_CLIENT == 0 {
            findings.add_excerpt(
                Detector::Rce,
                Confidence::High,
                "command as user agent",
                evidence,
            );
        } else if (is_distinct && args.n > 0 && !args.is_prose)
            || args.has_long_option
            || is_versioned_interpreter
            || (is_user_agent && is_distinct && args.n > 0)
            || (args.has_option && (args.has_address || args.has_url))
        {
            findings.add_excerpt(Detector::Rce, Confidence::Medium, reason, evidence);
        } else if name == b"alias" && words[idx + 1..].iter().any(|w| is_assignment(w)) {
            findings.add_excerpt(Detector::Rce, Confidence::Medium, "alias definition", evidence);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// At the start of the value.
    Start,
    /// After `;`, `|`, `&&`, `||`, `&`, a line break or a subshell `(`.
    Separated,
    /// After ` & ` in prose, or after a closing bracket.
    Weak,
    /// Inside `$(...)`, backticks or `<(...)`.
    Substitution,
}

/// Whether a common command's arguments look like its own (`sleep 5`,
/// `at 2:00`, `ping -c 3 10.0.0.1`, `cat x.txt`) rather than the words of a
/// sentence.
fn args_fit(name: &[u8], args: &Arguments) -> bool {
    match name {
        b"sleep" | b"timeout" => args.has_number,
        b"ping" => args.has_address || args.has_option,
        b"at" => args.has_time,
        b"net" => args.first.as_ref().is_some_and(|first| {
            matches!(
                &first[..],
                b"user"
                    | b"view"
                    | b"localgroup"
                    | b"share"
                    | b"use"
                    | b"group"
                    | b"accounts"
                    | b"session"
                    | b"start"
                    | b"stop"
            )
        }),
        _ => !args.is_prose,
    }
}

/// A word that is an absolute path with glob characters.
fn globbed_path(word: &Word, offset: usize, subject: &Subject<'_>, findings: &mut Findings) {
    let text = &word.text;
    if !text.starts_with(b"/") || !is_glob(text) {
        return;
    }
    let evidence = &subject.text[(offset + word.start).min(subject.text.len())..];
    if KNOWN_PATHS.iter().any(|path| glob_match(text, path)) {
        findings.add_excerpt(Detector::Rce, Confidence::High, "globbed system path", evidence);
    }
}

fn is_glob(text: &[u8]) -> bool {
    text.iter().any(|b| matches!(b, b'?' | b'*' | b'['))
}

/// Shell glob matching: `?`, `*` and `[...]` (ranges, `!`/`^` negation).
pub(crate) fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    glob_from(pattern, text, 0)
}

fn glob_from(pattern: &[u8], text: &[u8], depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    let Some((&first, rest)) = pattern.split_first() else { return text.is_empty() };
    match first {
        b'*' => (0..=text.len()).any(|skip| glob_from(rest, &text[skip..], depth + 1)),
        b'?' => !text.is_empty() && glob_from(rest, &text[1..], depth),
        b'[' => {
            let Some(close) = rest.iter().skip(1).position(|b| *b == b']').map(|p| p + 1) else {
                return text.first() == Some(&b'[') && glob_from(rest, &text[1..], depth);
            };
            let Some(&ch) = text.first() else { return false };
            let (negate, set) = match rest[..close].split_first() {
                Some((b'!' | b'^', set)) => (true, set),
                _ => (false, &rest[..close]),
            };
            let mut matched = false;
            let mut idx = 0;
            while idx < set.len() {
                if idx + 2 < set.len() && set[idx + 1] == b'-' {
                    matched |= set[idx] <= ch && ch <= set[idx + 2];
                    idx += 3;
                } else {
                    matched |= set[idx] == ch;
                    idx += 1;
                }
            }
            matched != negate && glob_from(&rest[close + 1..], &text[1..], depth)
        }
        _ => text.first() == Some(&first) && glob_from(rest, &text[1..], depth),
    }
}

/// `/dev/tcp/host/port`, `bash -i >&`, `0>&1`: a shell wired to a socket.
fn reverse_shell(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    for marker in [&b"/dev/tcp/"[..], b"/dev/udp/", b"0>&1", b">& /dev/", b"mkfifo /tmp"] {
        if let Some(idx) = crate::patterns::find(lower, marker) {
            findings.add_excerpt(
                Detector::Rce,
                Confidence::High,
                "reverse shell",
                &subject.text[idx..],
            );
            return;
        }
    }
}

/// `cmd.exe` `FOR %x IN (...) DO` loops and `IF` conditions.
fn batch_statements(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    if !subject.scan.has(class::PERCENT | class::EQ | class::PAREN | class::SPACE | class::SLASH) {
        return;
    }
    for idx in memchr::memchr2_iter(b'f', b'i', lower) {
        let starts_word = idx == 0
            || matches!(lower[idx - 1], b' ' | b'&' | b'(' | b';' | b'|' | b'\n' | b'\r' | b'\t');
        if !starts_word {
            continue;
        }
        let rest = &lower[idx..];
        if rest.starts_with(b"for")
            && matches!(rest.get(3), Some(b' ' | b'/' | b'\t'))
            && is_batch_for(&rest[3..])
        {
            findings.add_excerpt(
                Detector::Rce,
                Confidence::High,
                "cmd.exe FOR loop",
                &subject.text[idx..],
            );
            return;
        }
        if rest.starts_with(b"if")
            && matches!(rest.get(2), Some(b' ' | b'/' | b'\t'))
            && is_batch_if(&rest[2..])
        {
            findings.add_excerpt(
                Detector::Rce,
                Confidence::High,
                "cmd.exe IF statement",
                &subject.text[idx..],
            );
            return;
        }
    }
}

fn is_batch_for(rest: &[u8]) -> bool {
    let tokens: Vec<&[u8]> =
        rest.split(|b| b.is_ascii_whitespace()).filter(|t| !t.is_empty()).take(12).collect();
    let Some(var) = tokens.iter().position(|t| t.starts_with(b"%") && t.len() >= 2) else {
        return false;
    };
    if var > 8 {
        return false;
    }
    tokens.get(var + 1) == Some(&&b"in"[..])
        && tokens.get(var + 2).is_some_and(|t| t.starts_with(b"("))
}

fn is_batch_if(rest: &[u8]) -> bool {
    let line_end =
        rest.iter().position(|b| matches!(b, b'\n' | b'\r' | b'&' | b'|')).unwrap_or(rest.len());
    let rest = &rest[..line_end.min(160)];
    let mut tokens = rest.split(|b| b.is_ascii_whitespace()).filter(|t| !t.is_empty()).peekable();
    if tokens.peek() == Some(&&b"/i"[..]) {
        tokens.next();
    }
    if tokens.peek() == Some(&&b"not"[..]) {
        tokens.next();
    }
    let tokens: Vec<&[u8]> = tokens.take(5).collect();
    let Some(first) = tokens.first() else { return false };
    let first = first.strip_prefix(b"/i").unwrap_or(first);
    if matches!(first, b"exist" | b"defined" | b"errorlevel" | b"cmdextversion") {
        return tokens.len() >= 2;
    }
    let compares =
        |t: &&[u8]| matches!(*t, b"equ" | b"neq" | b"lss" | b"leq" | b"gtr" | b"geq" | b"==");
    let has_comparison =
        crate::patterns::find(rest, b"==").is_some() || tokens.iter().take(3).any(compares);
    has_comparison && tokens.len() >= 2
}

/// `<!--#exec cmd="id"-->`: a server-side include directive, which an SSI
/// server runs when it serves a page that echoes the value.
fn server_side_include(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    for idx in crate::patterns::find_iter(lower, b"<!--#") {
        let rest = &lower[idx + 5..];
        let directives: [&[u8]; 7] =
            [b"exec", b"include", b"echo", b"config", b"printenv", b"fsize", b"flastmod"];
        if directives.iter().any(|directive| rest.starts_with(directive)) {
            findings.add_excerpt(
                Detector::Rce,
                Confidence::High,
                "server-side include directive",
                &subject.text[idx..],
            );
            return;
        }
    }
}

/// SMTP, POP3 and IMAP commands after a line break: mail-protocol
/// injection into an application that talks to a mail server.
fn mail_command(subject: &Subject<'_>, findings: &mut Findings) {
    const STRONG: &[&[u8]] = &[
        b"mail from",
        b"rcpt to",
        b"ehlo",
        b"helo",
        b"apop",
        b"retr",
        b"uidl",
        b"starttls",
        b"vrfy",
        b"expn",
        b"auth",
        b"data",
        b"quit",
        b"rset",
        b"noop",
    ];
    const WEAK: &[&[u8]] = &[
        b"list", b"user", b"pass", b"stat", b"dele", b"top", b"capa", b"login", b"select",
        b"fetch", b"store", b"logout", b"examine", b"append", b"uid", b"copy",
    ];
    let lower = subject.lower;
    for idx in memchr::memchr2_iter(b'\n', b'\r', lower) {
        let start = idx
            + 1
            + lower[idx + 1..].iter().take_while(|b| matches!(b, b'\r' | b'\n' | b' ')).count();
        let rest = &lower[start..];
        let ends_verb =
            |len: usize| matches!(rest.get(len), None | Some(b' ' | b':' | b'\r' | b'\n'));
        if STRONG.iter().any(|verb| rest.starts_with(verb) && ends_verb(verb.len())) {
            findings.add_excerpt(
                Detector::Rce,
                Confidence::High,
                "mail command after line break",
                &subject.text[start..],
            );
            return;
        }
        if WEAK.iter().any(|verb| rest.starts_with(verb) && rest.get(verb.len()) == Some(&b' ')) {
            findings.add_excerpt(
                Detector::Rce,
                Confidence::Medium,
                "mail command after line break",
                &subject.text[start..],
            );
        }
    }
}
