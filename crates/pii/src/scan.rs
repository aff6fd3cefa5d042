//! The free-text scanner: one pass over normalised text, dispatching on the
//! byte at each token start to the detectors that can begin there.

use crate::address::{
    county_at, is_postal_code, parse_district_address, parse_military_address, parse_tw_address,
    parse_us_address,
};
use crate::date::{parse_compact_date, parse_date};
use crate::ids::{
    is_valid_cn_resident_id_bytes, is_valid_hk_id, is_valid_luhn_bytes,
    is_valid_tw_national_id_bytes, is_valid_tw_resident_cert_bytes, is_valid_tw_ubn_bytes,
    is_valid_us_ssn,
};
use crate::kind::Kind;
use crate::name::{
    AFTER_CUES, ROLE_CUES, ends_with_any, given_name_at, is_value_end, parse_latin_name,
    surname_at, title_at,
};
use crate::normalize::normalize;
use crate::phone::{Shape, is_dotted_nanp, is_phone};

/// Personal data found in a text: its kind and its byte range in the text as
/// given (before normalisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start byte (inclusive).
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// What the span holds.
    pub kind: Kind,
}

/// Finds every span of personal data in `text`.
pub fn find_spans(text: &str) -> Vec<Span> {
    let normalized = normalize(text);
    let mut spans = Vec::new();
    Scanner::new(&normalized.text, false).run(&mut |start, end, kind| {
        let (start, end) = normalized.original_range(start, end);
        spans.push(Span { start, end, kind });
    });
    spans
}

/// Spans of an already normalised value read as a whole cell: detectors that
/// need a context word in prose (business numbers, postal codes, compact
/// dates) accept the value on its own.
pub(crate) fn find_value_spans(normalized: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    Scanner::new(normalized, true).run(&mut |start, end, kind| {
        spans.push(Span { start, end, kind });
    });
    spans
}

/// Words before an identifier that say it is a product or invoice number.
const ID_NEGATIVE_CUES: &[&str] =
    &["sku", "product", "item", "商品", "貨號", "料號", "品號", "invoice", "發票", "單"];
/// Words before a card-like number that say it is a transaction or order id.
const CARD_NEGATIVE_CUES: &[&str] =
    &["transaction", "txn", "trade", "交易", "序號", "order", "訂單", "tracking", "物流"];
const UBN_CUES: &[&str] = &["統編", "統一編號", "ubn", "vat", "tax", "營利事業", "business"];
const ZIP_CUES: &[&str] = &["zip", "postal", "postcode", "郵遞", "郵編", "區號"];
const BIRTH_CUES: &[&str] = &["birth", "dob", "生日", "出生"];
const ROC_PREFIX: &str = "民國";

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],

    /// Whether the text has an `@` at all (else no e-mail is looked for).
    has_at_sign: bool,
    /// The position of the next `@` at or after the last position asked
    /// about (`usize::MAX` when there is none), so that tokens far from any
    /// `@` are not read as e-mail local parts.
    next_at_sign: std::cell::Cell<usize>,
    /// Cells read as a whole value.
    is_value: bool,
}

/// The last bytes of the role words (a cheap test before comparing words).
static ROLE_CUE_LAST_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut idx = 0;
    while idx < ROLE_CUES.len() {
        let cue = ROLE_CUES[idx].as_bytes();
        table[cue[cue.len() - 1] as usize] = true;
        idx += 1;
    }
    table
};

/// ASCII letters and digits: the bytes a token boundary may not split.
static WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).is_ascii_alphanumeric();
        byte += 1;
    }
    table
};

fn is_word_byte(byte: u8) -> bool {
    WORD_BYTES[usize::from(byte)]
}

fn is_email_local(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_carrier_byte(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit() || matches!(byte, b'+' | b'-' | b'.')
}

fn is_hex(byte: u8) -> bool {
    byte.is_ascii_hexdigit()
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, is_value: bool) -> Self {
        let bytes = text.as_bytes();
        let first_at_sign = memchr::memchr(b'@', bytes);
        Scanner {
            text,
            bytes,
            has_at_sign: first_at_sign.is_some(),
            next_at_sign: std::cell::Cell::new(first_at_sign.unwrap_or(usize::MAX)),
            is_value,
        }
    }

    fn run(&self, emit: &mut dyn FnMut(usize, usize, Kind)) {
        let bytes = self.bytes;
        let len = bytes.len();
        let mut idx = 0;
        while idx < len {
            let byte = bytes[idx];
            if is_word_byte(byte) {
                if self.is_boundary_before(idx)
                    && let Some((start, end, kind)) = self.at_word(idx)
                {
                    emit(start, end, kind);
                    idx = end;
                    continue;
                }
                idx += 1;
                while idx < len && is_word_byte(bytes[idx]) {
                    idx += 1;
                }
                continue;
            }
            if byte < 0x80 {
                let found = match byte {
                    b'+' | b'('
                        if self.is_boundary_before(idx)
                            && bytes.get(idx + 1).is_some_and(u8::is_ascii_digit) =>
                    {
                        self.numeric_at(idx).map(|(end, kind)| (idx, end, kind))
                    }
                    b'/' => self.carrier_at(idx).map(|end| (idx, end, Kind::EinvoiceCarrier)),
                    _ => None,
                };
                if let Some((start, end, kind)) = found {
                    emit(start, end, kind);
                    idx = end;
                } else {
                    idx += 1;
                }
                continue;
            }
            if let Some((start, end, kind)) = self.at_ideograph(idx) {
                emit(start, end, kind);
                idx = end;
                continue;
            }
            idx += utf8_width(byte);
        }
    }

    fn is_boundary_before(&self, idx: usize) -> bool {
        idx == 0 || !is_word_byte(self.bytes[idx - 1])
    }

    fn is_boundary_after(&self, idx: usize) -> bool {
        self.bytes.get(idx).is_none_or(|byte| !is_word_byte(*byte))
    }

    /// Whether the bytes just before `idx` contain one of `cues` (ASCII
    /// case-insensitive).
    fn has_cue_before(&self, idx: usize, window: usize, cues: &[&str]) -> bool {
        let start = idx.saturating_sub(window);
        let slice = &self.bytes[start..idx];
        // Every cue has a letter or a non-ASCII byte: most numbers in exports
        // stand between digits and punctuation, and are settled here.
        if !slice.iter().any(|byte| byte.is_ascii_alphabetic() || *byte >= 0x80) {
            return false;
        }
        let mut lowered = [0u8; 48];
        let slice = &slice[slice.len().saturating_sub(lowered.len())..];
        for (target, byte) in lowered.iter_mut().zip(slice) {
            *target = byte.to_ascii_lowercase();
        }
        let lowered = &lowered[..slice.len()];
        cues.iter().any(|cue| {
            let cue = cue.as_bytes();
            memchr::memchr_iter(cue[0], lowered).any(|at| lowered[at..].starts_with(cue))
        })
    }

    /// Detectors that start with an ASCII letter or digit.
    fn at_word(&self, idx: usize) -> Option<(usize, usize, Kind)> {
        let bytes = self.bytes;
        if self.has_at_sign
            && self.is_at_sign_near(idx)
            && let Some(end) = self.email_at(idx)
        {
            return Some((idx, end, Kind::Email));
        }
        let byte = bytes[idx];
        if byte.is_ascii_digit() {
            return self.at_digits(idx);
        }
        if let Some((end, kind)) = self.letter_id_at(idx) {
            return Some((idx, end, kind));
        }
        if let Some(end) = self.ipv6_at(idx) {
            return Some((idx, end, Kind::IpAddress));
        }
        if byte.is_ascii_uppercase() {
            if let Some(end) = parse_military_address(bytes, idx) {
                return Some((idx, end, Kind::Address));
            }
            // An initial and a title: `C小姐`.
            if bytes.get(idx + 1).is_some_and(|next| *next >= 0x80)
                && let Some(title_len) = title_at(&self.text[idx + 1..])
            {
                return Some((idx, idx + 1 + title_len, Kind::PersonName));
            }
            if let Some(end) = self.latin_name_at(idx) {
                return Some((idx, end, Kind::PersonName));
            }
        }
        None
    }

    /// Detectors that start with a digit, chosen by the byte after the
    /// first run of digits: most numbers in logs and exports are short and
    /// are rejected here without trying every detector.
    fn at_digits(&self, idx: usize) -> Option<(usize, usize, Kind)> {
        let bytes = self.bytes;
        let mut run_end = idx;
        while run_end < bytes.len() && bytes[run_end].is_ascii_digit() {
            run_end += 1;
        }
        let run = &bytes[idx..run_end];
        let numeric = || self.numeric_at(idx).map(|(end, kind)| (idx, end, kind));
        let date = || self.date_at(idx).map(|(end, kind)| (idx, end, kind));
        match bytes.get(run_end).copied() {
            Some(b'.') => date()
                .or_else(|| self.ipv4_at(idx).map(|end| (idx, end, Kind::IpAddress)))
                .or_else(numeric),
            Some(b'-' | b'/') => date().or_else(numeric),
            Some(b':') => self
                .ipv6_at(idx)
                .map(|end| (idx, end, Kind::IpAddress))
                .or_else(|| self.is_single_possible(idx, run).then(numeric).flatten()),
            Some(b' ') => {
                parse_us_address(bytes, idx).map(|end| (idx, end, Kind::Address)).or_else(numeric)
            }
            Some(b'X' | b'x' | b'#' | b')') => numeric(),
            Some(next) if next.is_ascii_hexdigit() => {
                self.ipv6_at(idx).map(|end| (idx, end, Kind::IpAddress))
            }
            Some(next) if next.is_ascii_alphabetic() => None,
            Some(next) if next >= 0x80 && bytes[run_end..].starts_with("年".as_bytes()) => date(),
            _ => self.is_single_possible(idx, run).then(numeric).flatten(),
        }
    }

    /// Whether a run of digits standing alone can be personal data: a check
    /// of length, first digits and (in prose) the context word the short
    /// kinds need.
    fn is_single_possible(&self, idx: usize, run: &[u8]) -> bool {
        match run.len() {
            3 | 5 | 6 => {
                is_postal_code(run) && (self.is_value || self.has_cue_before(idx, 12, ZIP_CUES))
            }
            7 => self.is_value || self.has_cue_before(idx, 16, BIRTH_CUES),
            8 => {
                self.is_value
                    || self.has_cue_before(idx, 24, UBN_CUES)
                    || self.has_cue_before(idx, 16, BIRTH_CUES)
            }
            9 | 10 => run[0] == b'0',
            12 => run.starts_with(b"886"),
            13..=19 => (b'1'..=b'8').contains(&run[0]),
            _ => false,
        }
    }

    /// Whether an `@` follows `idx` within the longest local part `email_at`
    /// reads (65 bytes). Positions are asked about in increasing order.
    fn is_at_sign_near(&self, idx: usize) -> bool {
        let mut next = self.next_at_sign.get();
        if next < idx {
            next = memchr::memchr(b'@', &self.bytes[idx..]).map_or(usize::MAX, |at| idx + at);
            self.next_at_sign.set(next);
        }
        next != usize::MAX && next - idx <= 65
    }

    fn email_at(&self, idx: usize) -> Option<usize> {
        let bytes = self.bytes;
        let mut at = idx;
        while at < bytes.len() && at - idx <= 64 && is_email_local(bytes[at]) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'@') || at == idx {
            return None;
        }
        at += 1;
        let mut n_labels = 0;
        let mut end = None;
        let mut last_label_alpha = false;
        loop {
            let label_start = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'-') {
                at += 1;
            }
            if at == label_start {
                break;
            }
            n_labels += 1;
            last_label_alpha =
                at - label_start >= 2 && bytes[label_start..at].iter().all(u8::is_ascii_alphabetic);
            if n_labels >= 2 && last_label_alpha {
                // `.invalid` is reserved (RFC 2606): pseudonyms of `leakguard mask`.
                let is_reserved = bytes[label_start..at].eq_ignore_ascii_case(b"invalid");
                end = (!is_reserved).then_some(at);
            }
            if bytes.get(at) == Some(&b'.')
                && bytes.get(at + 1).is_some_and(u8::is_ascii_alphanumeric)
            {
                at += 1;
            } else {
                break;
            }
        }
        let _ = last_label_alpha;
        end
    }

    fn date_at(&self, idx: usize) -> Option<(usize, Kind)> {
        let bytes = self.bytes;
        if idx > 0 && matches!(bytes[idx - 1], b'/' | b'.' | b'-' | b':') {
            return None;
        }
        let date = parse_date(&bytes[idx..])?;
        let end = idx + date.len;
        if !date.is_roc {
            // A timestamp is not a birthday.
            let rest = &bytes[end..];
            if rest.len() >= 3
                && matches!(rest[0], b' ' | b'T')
                && rest[1].is_ascii_digit()
                && rest[2].is_ascii_digit()
            {
                return None;
            }
            if date.year > 2012 && !self.has_cue_before(idx, 16, BIRTH_CUES) {
                return None;
            }
        }
        if bytes.get(end).is_some_and(|byte| byte.is_ascii_alphanumeric())
            || (bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit))
        {
            return None;
        }
        Some((end, Kind::DateOfBirth))
    }

    fn ipv4_at(&self, idx: usize) -> Option<usize> {
        let bytes = self.bytes;
        if idx > 0 {
            let before = bytes[idx - 1];
            if before == b'.' {
                return None;
            }
            // Version numbers in user agents: `Chrome/126.0.0.0`, `rv:1.9.2.20`,
            // `v1.2.3.4`, `version 1.2.3.4`.
            if matches!(before, b'/' | b':') && idx > 1 && bytes[idx - 2].is_ascii_alphanumeric() {
                return None;
            }
            if matches!(before, b'v' | b'V') {
                return None;
            }
        }
        let mut at = idx;
        for part in 0..4 {
            let start = at;
            let mut value = 0u32;
            while at < bytes.len() && bytes[at].is_ascii_digit() && at - start < 4 {
                value = value * 10 + u32::from(bytes[at] - b'0');
                at += 1;
            }
            if at == start || at - start > 3 || value > 255 {
                return None;
            }
            if part < 3 {
                if bytes.get(at) != Some(&b'.') {
                    return None;
                }
                at += 1;
            }
        }
        if bytes.get(at).is_some_and(|byte| byte.is_ascii_alphanumeric())
            || (bytes.get(at) == Some(&b'.') && bytes.get(at + 1).is_some_and(u8::is_ascii_digit))
        {
            return None;
        }
        let before = &bytes[idx.saturating_sub(8)..idx];
        if before.len() == 8 && before.eq_ignore_ascii_case(b"version ") {
            return None;
        }
        Some(at)
    }

    fn ipv6_at(&self, idx: usize) -> Option<usize> {
        let bytes = self.bytes;
        if !bytes[idx].is_ascii_hexdigit() {
            return None;
        }
        // Cheap reject: a colon must follow the first group.
        let mut first_colon = 1;
        while first_colon < 5 && bytes.get(idx + first_colon).is_some_and(|byte| is_hex(*byte)) {
            first_colon += 1;
        }
        if bytes.get(idx + first_colon) != Some(&b':') {
            return None;
        }
        let mut at = idx;
        let mut n_groups = 0;
        let mut has_double = false;
        let mut end = idx;
        loop {
            let start = at;
            while at < bytes.len() && is_hex(bytes[at]) && at - start <= 4 {
                at += 1;
            }
            let group_len = at - start;
            if group_len > 4 {
                return None;
            }
            if group_len > 0 {
                n_groups += 1;
                end = at;
            }
            if bytes.get(at) != Some(&b':') {
                break;
            }
            if bytes.get(at + 1) == Some(&b':') {
                if has_double {
                    return None;
                }
                has_double = true;
                at += 2;
                end = at;
            } else {
                if group_len == 0 {
                    return None;
                }
                at += 1;
            }
            if n_groups > 8 {
                return None;
            }
        }
        if bytes.get(end).is_some_and(|byte| byte.is_ascii_alphanumeric()) {
            return None;
        }
        let is_valid = if has_double { (2..=7).contains(&n_groups) } else { n_groups == 8 };
        is_valid.then_some(end)
    }

    /// Identity numbers that start with a letter: Taiwan IDs and resident
    /// certificates, Hong Kong IDs.
    fn letter_id_at(&self, idx: usize) -> Option<(usize, Kind)> {
        let bytes = self.bytes;
        if !bytes[idx].is_ascii_alphabetic() {
            return None;
        }
        let mut upper = [0u8; 10];
        if idx + 10 <= bytes.len() && self.is_boundary_after(idx + 10) {
            for (target, byte) in upper.iter_mut().zip(&bytes[idx..idx + 10]) {
                *target = byte.to_ascii_uppercase();
            }
            if upper[2..].iter().all(u8::is_ascii_digit) {
                let kind = if is_valid_tw_national_id_bytes(&upper) {
                    Some(Kind::TwNationalId)
                } else if is_valid_tw_resident_cert_bytes(&upper) {
                    Some(Kind::TwResidentCert)
                } else {
                    None
                };
                if let Some(kind) = kind
                    && (self.is_value || !self.has_cue_before(idx, 16, ID_NEGATIVE_CUES))
                {
                    return Some((idx + 10, kind));
                }
            }
        }
        // Hong Kong: one or two letters, six digits, check digit, maybe in ().
        let n_letters = if bytes.get(idx + 1).is_some_and(u8::is_ascii_alphabetic) { 2 } else { 1 };
        let digits_start = idx + n_letters;
        let digits_end = digits_start + 6;
        if digits_end >= bytes.len()
            || !bytes[digits_start..digits_end].iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let end = if bytes[digits_end] == b'(' && bytes.get(digits_end + 2) == Some(&b')') {
            digits_end + 3
        } else {
            digits_end + 1
        };
        if end > bytes.len() || !self.is_boundary_after(end) {
            return None;
        }
        let candidate = std::str::from_utf8(&bytes[idx..end]).ok()?;
        if !candidate.bytes().take(n_letters).all(|byte| byte.is_ascii_uppercase()) {
            return None;
        }
        (is_valid_hk_id(candidate)
            && (self.is_value || !self.has_cue_before(idx, 16, ID_NEGATIVE_CUES)))
        .then_some((end, Kind::HkId))
    }

    fn latin_name_at(&self, idx: usize) -> Option<usize> {
        if self.is_value {
            let end = parse_latin_name(self.bytes, idx)?;
            return (idx == 0 && end == self.bytes.len()).then_some(end);
        }
        let before = &self.text[..idx];
        let trimmed = before.trim_end_matches([' ', ':', '=', '"', '\'']);
        // Cheap test first: the text before must end like a role word or `(`.
        let last = trimmed.as_bytes().last().map(u8::to_ascii_lowercase);
        let is_candidate = before.ends_with('(')
            || last.is_some_and(|last| ROLE_CUE_LAST_BYTES[usize::from(last)]);
        if !is_candidate {
            return None;
        }
        let end = parse_latin_name(self.bytes, idx)?;
        let lowered_tail: String = trimmed
            .chars()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>()
            .to_ascii_lowercase();
        let has_role = ends_with_any(&lowered_tail, ROLE_CUES);
        let in_parens = before.ends_with('(') && self.bytes.get(end) == Some(&b')');
        (has_role || in_parens).then_some(end)
    }

    /// E-invoice mobile barcode: `/` and seven of `0-9A-Z+-.`.
    fn carrier_at(&self, idx: usize) -> Option<usize> {
        let bytes = self.bytes;
        if idx > 0 && (bytes[idx - 1].is_ascii_alphanumeric() || bytes[idx - 1] == b'/') {
            return None;
        }
        let end = idx + 8;
        if end > bytes.len() || !bytes[idx + 1..end].iter().all(|byte| is_carrier_byte(*byte)) {
            return None;
        }
        if bytes.get(end).is_some_and(|byte| {
            is_carrier_byte(*byte) || byte.is_ascii_alphanumeric() || *byte == b'/'
        }) {
            return None;
        }
        // Seven capital letters alone are more likely a path segment.
        let has_digit_or_sign = bytes[idx + 1..end].iter().any(|byte| !byte.is_ascii_uppercase());
        let is_alpha_only_ok = self.is_value;
        (has_digit_or_sign
            || is_alpha_only_ok
            || bytes[idx + 1..end].iter().all(u8::is_ascii_uppercase))
        .then_some(end)
    }

    /// Numbers written as digit groups: phones, cards, bank accounts, SSNs,
    /// mainland IDs, business numbers, postal codes, compact dates.
    fn numeric_at(&self, start: usize) -> Option<(usize, Kind)> {
        let bytes = self.bytes;
        let mut at = start;
        let has_plus = bytes[at] == b'+';
        if has_plus {
            at += 1;
        }
        let has_paren = bytes.get(at) == Some(&b'(');
        if has_paren {
            at += 1;
        }
        let mut groups = [(0usize, 0usize); 8];
        let mut n_groups = 0;
        let mut separators = [0u8; 8];
        while n_groups < groups.len() {
            let group_start = at;
            while at < bytes.len() && bytes[at].is_ascii_digit() {
                at += 1;
            }
            if at == group_start || at - group_start > 19 {
                break;
            }
            groups[n_groups] = (group_start, at);
            n_groups += 1;
            if has_paren && n_groups == 1 {
                if bytes.get(at) != Some(&b')') {
                    return None;
                }
                at += 1;
                separators[0] = b')';
                if matches!(bytes.get(at), Some(b' ' | b'-')) {
                    at += 1;
                }
                if !bytes.get(at).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                continue;
            }
            if matches!(bytes.get(at), Some(b' ' | b'-' | b'.'))
                && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
            {
                separators[n_groups - 1] = bytes[at];
                at += 1;
                continue;
            }
            break;
        }
        if n_groups == 0 || (has_paren && n_groups < 2) {
            return None;
        }
        // Fewer than seven digits in all: only a postal code (after a postal word) is possible.
        let n_digits: usize = groups[..n_groups].iter().map(|(start, end)| end - start).sum();
        let is_postal_shape =
            n_groups == 1 && !has_plus && !has_paren && matches!(n_digits, 3 | 5 | 6);
        if n_digits < 7 && !is_postal_shape {
            return None;
        }
        for n_used in (1..=n_groups).rev() {
            if let Some(found) =
                self.classify_groups(start, &groups[..n_used], &separators, has_plus, has_paren)
            {
                return Some(found);
            }
        }
        None
    }

    fn classify_groups(
        &self,
        start: usize,
        groups: &[(usize, usize)],
        separators: &[u8],
        has_plus: bool,
        has_paren: bool,
    ) -> Option<(usize, Kind)> {
        let bytes = self.bytes;
        let mut digits = [0u8; 32];
        let mut lens = [0u8; 8];
        let mut n_digits = 0;
        for (idx, (group_start, group_end)) in groups.iter().enumerate() {
            let group = &bytes[*group_start..*group_end];
            if n_digits + group.len() > digits.len() {
                return None;
            }
            digits[n_digits..n_digits + group.len()].copy_from_slice(group);
            n_digits += group.len();
            lens[idx] = group.len() as u8;
        }
        let digits = &digits[..n_digits];
        let lens = &lens[..groups.len()];
        let end = groups[groups.len() - 1].1;
        let single = groups.len() == 1 && !has_plus && !has_paren;
        let next = bytes.get(end).copied();

        // Mainland resident ID, possibly ending in X.
        if single
            && n_digits == 17
            && matches!(next, Some(b'X' | b'x'))
            && self.is_boundary_after(end + 1)
        {
            let mut candidate = [0u8; 18];
            candidate[..17].copy_from_slice(digits);
            candidate[17] = b'X';
            if is_valid_cn_resident_id_bytes(&candidate) {
                return Some((end + 1, Kind::CnResidentId));
            }
        }
        // Extensions after a phone number: `#123`, `x5391`.
        let phone_end = || -> usize {
            let mut at = end;
            if matches!(bytes.get(at), Some(b'#' | b'x'))
                && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
            {
                at += 1;
                while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
            }
            at
        };
        let shape = Shape { digits, groups: lens, has_plus, has_paren };
        let separators = &separators[..groups.len() - 1];
        if separators.contains(&b'.') {
            // Dots separate groups only in North American numbers.
            if separators.iter().all(|separator| *separator == b'.') && is_dotted_nanp(digits, lens)
            {
                let phone_end = phone_end();
                if self.is_boundary_after(phone_end) {
                    return Some((phone_end, Kind::Phone));
                }
            }
            return None;
        }
        if lens == [3, 2, 4] && separators == [b'-', b'-'] {
            let ssn = &self.text[start..end];
            if is_valid_us_ssn(ssn) && self.is_boundary_after(end) {
                return Some((end, Kind::UsSsn));
            }
        }
        if !has_plus && !has_paren && lens.len() <= 4 && is_phone(shape) {
            let phone_end = phone_end();
            if self.is_boundary_after(phone_end) {
                return Some((phone_end, Kind::Phone));
            }
        }
        if (has_plus || has_paren) && is_phone(shape) {
            let phone_end = phone_end();
            if self.is_boundary_after(phone_end) {
                return Some((phone_end, Kind::Phone));
            }
        }
        if !self.is_boundary_after(end) {
            return None;
        }
        if single && n_digits == 18 && is_valid_cn_resident_id_bytes(digits) {
            return Some((end, Kind::CnResidentId));
        }
        if lens.len() == 2
            && lens[0] == 3
            && (10..=16).contains(&lens[1])
            && !has_plus
            && matches!(digits[0], b'0' | b'1' | b'5' | b'6' | b'7' | b'8')
            && (!has_paren || separators[0] == b')')
        {
            return Some((end, Kind::BankAccount));
        }
        if has_plus || has_paren {
            return None;
        }
        let is_card_grouping = groups.len() == 1
            || lens == [4, 6, 5]
            || (lens[..lens.len() - 1].iter().all(|len| *len == 4)
                && (1..=4).contains(&lens[lens.len() - 1]));
        if (13..=19).contains(&n_digits)
            && is_card_grouping
            && crate::ids::is_card_issuer(digits)
            && is_valid_luhn_bytes(digits)
            && (self.is_value || !self.has_cue_before(start, 20, CARD_NEGATIVE_CUES))
        {
            return Some((end, Kind::CreditCard));
        }
        if !single {
            return None;
        }
        if n_digits == 8
            && is_valid_tw_ubn_bytes(digits)
            && (self.is_value || self.has_cue_before(start, 24, UBN_CUES))
        {
            return Some((end, Kind::TwUbn));
        }
        if is_postal_code(digits) && self.has_cue_before(start, 12, ZIP_CUES) {
            return Some((end, Kind::PostalCode));
        }
        if parse_compact_date(digits).is_some() && self.has_cue_before(start, 16, BIRTH_CUES) {
            return Some((end, Kind::DateOfBirth));
        }
        None
    }

    /// Detectors that start with an ideograph: addresses, `民國` dates and
    /// Chinese names.
    fn at_ideograph(&self, idx: usize) -> Option<(usize, usize, Kind)> {
        let rest = &self.text[idx..];
        if county_at(rest.as_bytes()).is_some()
            && let Some(end) = parse_tw_address(self.text, idx)
        {
            return Some((idx, end, Kind::Address));
        }
        if let Some(end) = parse_district_address(self.text, idx) {
            return Some((idx, end, Kind::Address));
        }
        if let Some(after) = rest.strip_prefix(ROC_PREFIX)
            && after.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && let Some(date) = parse_date(after.as_bytes())
        {
            return Some((idx, idx + ROC_PREFIX.len() + date.len, Kind::DateOfBirth));
        }
        let surname = surname_at(rest)?;
        let name = given_name_at(&rest[surname..]);
        if name.n_given == 0 {
            return (name.title_len > 0).then_some((
                idx,
                idx + surname + name.title_len,
                Kind::PersonName,
            ));
        }
        let end = idx + surname + name.given_len;
        let before = self.text[..idx].trim_end_matches([' ', ':']);
        let after = &self.text[end..];
        let delimited_before = before.ends_with(['"', '\'', '=', '(', '[', '|', '\t', '>'])
            || self.text[..idx].ends_with(':');
        // At the start of a text the name must also end at a delimiter: a
        // store called `全家 長安門市` is not a person.
        let is_closed = after.is_empty()
            || after.starts_with(['"', '\'', ',', '(', ')', ':', '|', '\t', '&', ']', '<']);
        if (delimited_before && is_value_end(after)) || (idx == 0 && is_closed) {
            return Some((idx, end, Kind::PersonName));
        }
        if self.is_value {
            return None;
        }
        let may_end_with_role = before
            .as_bytes()
            .last()
            .is_some_and(|last| ROLE_CUE_LAST_BYTES[usize::from(last.to_ascii_lowercase())]);
        if (may_end_with_role && ends_with_any(before, ROLE_CUES))
            || AFTER_CUES.iter().any(|cue| after.starts_with(cue))
        {
            return Some((idx, end, Kind::PersonName));
        }
        if name.title_len > 0 {
            return Some((idx, end, Kind::PersonName));
        }
        None
    }
}

fn utf8_width(byte: u8) -> usize {
    match byte {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}
