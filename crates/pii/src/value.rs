//! Judging one whole value, such as a table cell.

use crate::address::{is_county, is_postal_code};
use crate::date::parse_compact_date;
use crate::kind::Kind;
use crate::name::{is_chinese_name, is_latin_name};
use crate::normalize::normalize;
use crate::scan::find_value_spans;

const MASK_CHARS: &[char] = &['*', 'X', 'x', '•', '●', '#'];

/// A masked card number: mask characters and at most the first six and the
/// last four digits in clear, 13 to 19 positions in all.
fn is_masked_card(value: &str) -> bool {
    let mut n_positions = 0;
    let mut n_masked = 0;
    let mut n_trailing_digits = 0;
    for ch in value.chars() {
        if ch == ' ' || ch == '-' {
            continue;
        }
        n_positions += 1;
        if MASK_CHARS.contains(&ch) {
            n_masked += 1;
            n_trailing_digits = 0;
        } else if ch.is_ascii_digit() {
            n_trailing_digits += 1;
        } else {
            return false;
        }
    }
    (13..=19).contains(&n_positions) && n_masked >= 4 && (2..=4).contains(&n_trailing_digits)
}

fn is_secret_hash(value: &str) -> bool {
    value.starts_with('$')
        && ["$2a$", "$2b$", "$2y$", "$argon2", "$pbkdf2", "$5$", "$6$", "$scrypt$"]
            .iter()
            .any(|prefix| value.starts_with(prefix))
        && value.len() >= 20
}

fn is_gender(value: &str) -> bool {
    matches!(
        value,
        "M" | "F"
            | "m"
            | "f"
            | "男"
            | "女"
            | "male"
            | "female"
            | "Male"
            | "Female"
            | "MALE"
            | "FEMALE"
    )
}

/// What one whole value holds, if it is entirely one kind of personal data
/// (surrounding spaces and quotes aside). Context words are not needed: the
/// value is its own field. Returns `None` for values that are not, or not
/// only, personal data (free text is judged with [`crate::find_spans`]).
pub fn classify_value(value: &str) -> Option<Kind> {
    let normalized = normalize(value.trim());
    let value = normalized.text.trim().trim_matches(['"', '\'']);
    if value.is_empty() || value.len() > 512 {
        return None;
    }
    if is_secret_hash(value) {
        return Some(Kind::SecretHash);
    }
    if is_gender(value) {
        return Some(Kind::Gender);
    }
    if is_county(value) {
        return Some(Kind::AddressPart);
    }
    let bytes = value.as_bytes();
    if bytes.iter().all(u8::is_ascii_digit) {
        if is_postal_code(bytes) {
            return Some(Kind::PostalCode);
        }
        if bytes.len() == 7 && parse_compact_date(bytes).is_some() {
            return Some(Kind::DateOfBirth);
        }
    }
    if is_masked_card(value) {
        return Some(Kind::CreditCardMasked);
    }
    if is_chinese_name(value) || is_latin_name(value) {
        return Some(Kind::PersonName);
    }
    let spans = find_value_spans(value);
    if let [span] = spans.as_slice() {
        let is_whole = span.end == value.len() && span.start == 0;
        // An address may be written after its postal code (`330桃園市...`).
        let is_address = span.kind == Kind::Address
            && span.end + 2 >= value.len()
            && value[..span.start].bytes().all(|byte| byte.is_ascii_digit() || byte == b' ');
        if is_whole || is_address {
            return Some(span.kind);
        }
    }
    None
}
