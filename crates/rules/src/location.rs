//! Finds the line of a key in YAML source text, for problems found after parsing.
//!
//! The YAML parser reports lines only for syntax and type errors; semantic
//! problems (an unknown endpoint class, a threshold of 0) are found later on
//! the parsed value. This walks the text's indentation to find the line of the
//! offending key. It understands block mappings and sequences (including
//! sequences indented at the level of their key); inside flow collections
//! (`{en: ..., zh-TW: ...}`) it answers with the line where the collection starts.

/// One step of a path into a YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind<'t> {
    /// `- ` starting a sequence item.
    Item,
    /// `key:` starting a mapping entry.
    Key(&'t str),
    /// Anything else (a scalar, a flow collection).
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'t> {
    column: usize,
    kind: TokenKind<'t>,
}

#[derive(Debug)]
struct Line<'t> {
    number: usize,
    tokens: Vec<Token<'t>>,
}

/// The 1-based line of the node at `path`, or of its deepest ancestor that
/// could be found (line 1 for the document itself).
pub(crate) fn line_of(text: &str, path: &[Step]) -> usize {
    let lines = tokenize(text);
    let Some(first) = lines.first() else { return 1 };
    let mut found_line = first.number;
    // The owner is the token whose children the next step looks for: (line idx, token idx).
    let mut owner: Option<(usize, usize)> = None;
    for step in path {
        let (owner_column, start, same_line_next) = match owner {
            None => (-1isize, 0, None),
            Some((line_idx, token_idx)) => {
                let line = &lines[line_idx];
                let column = line.tokens[token_idx].column as isize;
                let next = line.tokens.get(token_idx + 1).map(|_| (line_idx, token_idx + 1));
                (column, line_idx + 1, next)
            }
        };
        let owner_is_key =
            owner.is_some_and(|(l, t)| matches!(lines[l].tokens[t].kind, TokenKind::Key(_)));
        // Children: the token right after the owner on its line, then the first token
        // of each following line until the indentation returns to the owner's level.
        let mut children: Vec<(usize, usize)> = Vec::new();
        children.extend(same_line_next);
        for (line_idx, line) in lines.iter().enumerate().skip(start) {
            let token = line.tokens[0];
            let column = token.column as isize;
            let is_indentless_item =
                owner_is_key && column == owner_column && token.kind == TokenKind::Item;
            if column <= owner_column && !is_indentless_item {
                break;
            }
            children.push((line_idx, 0));
        }
        let child_column =
            children.iter().map(|&(l, t)| lines[l].tokens[t].column).min().unwrap_or(0);
        let mut level =
            children.into_iter().filter(|&(l, t)| lines[l].tokens[t].column == child_column);
        let next = match step {
            Step::Key(name) => {
                level.find(|&(l, t)| lines[l].tokens[t].kind == TokenKind::Key(name.as_str()))
            }
            Step::Index(index) => {
                level.filter(|&(l, t)| lines[l].tokens[t].kind == TokenKind::Item).nth(*index)
            }
        };
        match next {
            Some((line_idx, token_idx)) => {
                found_line = lines[line_idx].number;
                owner = Some((line_idx, token_idx));
            }
            None => break,
        }
    }
    found_line
}

fn tokenize(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start_matches(' ');
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("---")
            || trimmed.starts_with("...")
        {
            continue;
        }
        let mut column = raw.len() - trimmed.len();
        let mut rest = trimmed;
        let mut tokens = Vec::new();
        loop {
            if rest == "-" || rest.starts_with("- ") {
                tokens.push(Token { column, kind: TokenKind::Item });
                let after = &rest[1..];
                let spaces = after.len() - after.trim_start_matches(' ').len();
                column += 1 + spaces;
                rest = &after[spaces..];
                if rest.is_empty() {
                    break;
                }
                continue;
            }
            let kind = match key_of(rest) {
                Some(key) => TokenKind::Key(key),
                None => TokenKind::Other,
            };
            tokens.push(Token { column, kind });
            break;
        }
        lines.push(Line { number: idx + 1, tokens });
    }
    lines
}

/// The key at the start of `rest` when it begins a mapping entry (`key:`, `"key":`).
fn key_of(rest: &str) -> Option<&str> {
    let (key, after) = if let Some(quote @ ('"' | '\'')) = rest.chars().next() {
        let end = rest[1..].find(quote)? + 1;
        (&rest[1..end], &rest[end + 1..])
    } else {
        if rest.starts_with(['{', '[', '|', '>', '&', '*', '!']) {
            return None;
        }
        let end = rest.find(": ").or_else(|| rest.strip_suffix(':').map(str::len))?;
        (&rest[..end], &rest[end..])
    };
    let after = after.trim_start_matches(' ');
    (after.starts_with(": ") || after == ":" || after.starts_with(":\t") || after.starts_with(":#"))
        .then_some(key.trim_end())
}
