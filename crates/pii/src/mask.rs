//! Masking: what a report may show of a value it found.

/// Masks `value` (decoded first, see [`crate::normalize`]) so that it cannot be read back: of 10 characters or more the
/// first three and the last three stay (`A12****789`), of 6 to 9 the first
/// one and the last two, of 3 to 5 the first one only; shorter values become
/// all `*`. E-mail addresses keep the first character of the local part and
/// the domain (`s****@gmail.com`). Separators (spaces, dashes, slashes,
/// parentheses) stay, so the shape remains readable; at most 60% of the
/// characters of any value are shown.
pub fn mask(value: &str) -> String {
    // Mask what the value says, not how it was encoded (`%E7%8E%8B`, `\u738b`).
    let normalized = crate::normalize(value);
    let value = normalized.text.trim();
    if let Some((local, domain)) = value.split_once('@')
        && !local.is_empty()
        && domain.contains('.')
    {
        let first: String = local.chars().take(1).collect();
        return format!(
            "{first}{}@{domain}",
            "*".repeat(local.chars().count().saturating_sub(1).max(3))
        );
    }
    let chars: Vec<char> = value.chars().collect();
    let n_chars = chars.len();
    let (head, tail) = match n_chars {
        0..=2 => (0, 0),
        3..=5 => (1, 0),
        6..=9 => (1, 2),
        _ => (3, 3),
    };
    let mut masked = String::with_capacity(value.len());
    for (idx, ch) in chars.iter().enumerate() {
        if idx < head || idx >= n_chars - tail || matches!(ch, ' ' | '-' | '/' | '(' | ')') {
            masked.push(*ch);
        } else {
            masked.push('*');
        }
    }
    masked
}
