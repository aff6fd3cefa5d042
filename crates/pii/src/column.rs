//! Judging a column from its sampled values and its name.

use std::collections::BTreeSet;

use crate::fingerprint::{fingerprint, is_fingerprinted};
use crate::kind::Kind;
use crate::mask::mask;
use crate::scan::find_spans;
use crate::value::classify_value;

/// What a column's name says it holds (Chinese and English names, snake,
/// camel and dotted JSON paths; the last path segment decides).
pub fn column_name_kind(name: &str) -> Option<Kind> {
    let lowered = name.to_lowercase();
    // The last segment of a JSON path (`shipping.receiver.name`), whole name otherwise.
    let last = lowered.rsplit(['.', '/']).next().unwrap_or(&lowered);
    let last = last.trim_end_matches("[]");
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for ch in name.rsplit(['.', '/']).next().unwrap_or(name).chars() {
        if ch.is_ascii_alphanumeric() {
            if ch.is_ascii_uppercase() && previous_lower && !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            previous_lower = ch.is_ascii_lowercase();
            current.push(ch.to_ascii_lowercase());
        } else {
            previous_lower = false;
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    let has = |words: &[&str]| tokens.iter().any(|token| words.contains(&token.as_str()));
    let contains = |words: &[&str]| words.iter().any(|word| last.contains(word));
    if contains(&["身分證", "身份證", "證號", "統一證號", "居留證"])
        || has(&["idno", "nationalid", "identity"])
        || last.contains("id_number")
        || last.contains("id_no")
        || last.contains("national_id")
        || last.contains("idnumber")
    {
        return Some(Kind::TwNationalId);
    }
    if contains(&["護照", "港澳"]) || has(&["passport", "hkid", "foreign"]) {
        return Some(Kind::HkId);
    }
    if contains(&["統一編號", "統編"]) || has(&["ubn", "vat", "taxid"]) || last.contains("tax_id")
    {
        return Some(Kind::TwUbn);
    }
    if contains(&["載具", "手機條碼"]) || has(&["carrier", "einvoice"]) {
        return Some(Kind::EinvoiceCarrier);
    }
    if contains(&["信用卡", "卡號"]) || has(&["card", "pan", "cc", "creditcard", "cardno"]) {
        return Some(Kind::CreditCard);
    }
    if contains(&["帳戶", "帳號", "銀行", "匯款"]) || has(&["bank", "iban", "account"]) {
        return Some(Kind::BankAccount);
    }
    if contains(&["email", "e-mail", "信箱", "電子郵件", "郵件"]) || has(&["mail"]) {
        return Some(Kind::Email);
    }
    if contains(&["手機", "電話", "行動", "聯絡電話"])
        || has(&["phone", "mobile", "tel", "telephone", "cell", "cellphone", "msisdn", "fax"])
    {
        return Some(Kind::Phone);
    }
    if contains(&["郵遞區號", "郵編", "郵遞"]) || has(&["zip", "zipcode", "postal", "postcode"])
    {
        return Some(Kind::PostalCode);
    }
    if contains(&["地址", "住址"]) || has(&["address", "addr", "street"]) {
        return Some(Kind::Address);
    }
    if contains(&["縣市", "城市", "鄉鎮"]) || has(&["city", "county", "district"]) {
        return Some(Kind::AddressPart);
    }
    if contains(&["生日", "出生"]) || has(&["birthday", "birth", "dob", "birthdate"]) {
        return Some(Kind::DateOfBirth);
    }
    if contains(&["性別"]) || has(&["gender", "sex"]) {
        return Some(Kind::Gender);
    }
    if has(&["password", "passwd", "pwd"]) {
        return Some(Kind::SecretHash);
    }
    if has(&["ip", "ipaddress", "ipv4", "ipv6"]) || last.contains("remote_addr") {
        return Some(Kind::IpAddress);
    }
    // `line` alone is a line number; a LINE account is `line_id`, `lineid`...
    let is_line_account = has(&["line"]) && has(&["id", "account", "user", "帳號"]);
    if is_line_account
        || contains(&["line帳號", "lineid", "line_id"])
        || has(&["lineid", "facebook", "fb", "wechat", "instagram", "ig", "telegram", "whatsapp"])
    {
        return Some(Kind::SocialMediaId);
    }
    const NOT_PERSON: &[&str] = &[
        "product", "item", "store", "shop", "file", "company", "brand", "category", "title",
        "user", "domain", "host", "sku", "goods",
    ];
    if contains(&["姓名", "名字", "收件人", "訂購人", "聯絡人", "持卡人"])
        || (has(&["name", "fullname", "firstname", "lastname", "surname", "holder", "cardholder"])
            && !has(NOT_PERSON))
    {
        return Some(Kind::PersonName);
    }
    if contains(&["備註", "備考", "說明", "留言", "內容"])
        || has(&[
            "memo",
            "remark",
            "note",
            "notes",
            "comment",
            "message",
            "profile",
            "json",
            "description",
        ])
    {
        return Some(Kind::FreeText);
    }
    None
}

/// The sampled values of one column, counted by what they hold.
#[derive(Debug, Clone)]
pub struct ColumnProfile {
    n_rows: u64,
    n_values: u64,
    counts: [u64; Kind::ALL.len()],
    samples: [Option<String>; Kind::ALL.len()],
    n_text_like: u64,
    n_handle_like: u64,
    n_with_spans: u64,
    span_counts: [u64; Kind::ALL.len()],
    text_sample: Option<String>,
    fingerprints: BTreeSet<(Kind, u64)>,
}

/// Fingerprints kept per column.
const MAX_FINGERPRINTS: usize = 4096;

impl Default for ColumnProfile {
    fn default() -> Self {
        ColumnProfile {
            n_rows: 0,
            n_values: 0,
            counts: [0; Kind::ALL.len()],
            samples: Default::default(),
            n_text_like: 0,
            n_handle_like: 0,
            n_with_spans: 0,
            span_counts: [0; Kind::ALL.len()],
            text_sample: None,
            fingerprints: BTreeSet::new(),
        }
    }
}

/// What a column holds, judged from its sample.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnVerdict {
    /// The kind of data.
    pub kind: Kind,
    /// Rows sampled (empty values included).
    pub rows_sampled: u64,
    /// Non-empty values among them.
    pub non_empty: u64,
    /// Values that validate as `kind` (for free text: values with a span).
    pub matches: u64,
    /// `matches / non_empty`.
    pub share_valid: f64,
    /// A masked example (never the value in clear).
    pub masked_sample: Option<String>,
    /// The kind was decided by the column's name, the values did not show it.
    pub is_by_name: bool,
    /// For free text: the kinds of the spans found, with counts.
    pub span_kinds: Vec<(Kind, u64)>,
    /// Fingerprints ([`crate::fingerprint`]) of the values of `kind`, or of the
    /// spans of free text (at most 4,096), to find the same data in several
    /// places; never shown.
    pub fingerprints: Vec<u64>,
}

fn kind_index(kind: Kind) -> usize {
    Kind::ALL.iter().position(|candidate| *candidate == kind).unwrap_or(0)
}

/// The least share of validating values for a column to be judged `kind`
/// from its values alone: look-alikes pass a check digit about one time in
/// ten, so a half is far from chance; weaker shapes need more.
fn value_threshold(kind: Kind) -> f64 {
    match kind {
        Kind::PersonName | Kind::Address | Kind::DateOfBirth => 0.6,
        Kind::PostalCode | Kind::Gender | Kind::AddressPart => 0.9,
        _ => 0.5,
    }
}

/// Kinds whose values cannot show them: the name alone decides.
fn is_name_only(kind: Kind) -> bool {
    matches!(kind, Kind::SocialMediaId)
}

/// A user name on a messaging service: letters, digits and `._-`, not only digits.
fn is_handle_like(value: &str) -> bool {
    (3..=40).contains(&value.len())
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
        && value.bytes().any(|byte| byte.is_ascii_alphabetic())
}

/// Values needed before a weak shape (postal code, gender, county, date,
/// name, address) decides a column without a matching name.
const MIN_VALUES_FOR_WEAK_KINDS: u64 = 5;

fn is_weak_kind(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::PostalCode
            | Kind::Gender
            | Kind::AddressPart
            | Kind::DateOfBirth
            | Kind::PersonName
            | Kind::Address
    )
}

fn is_text_like(value: &str) -> bool {
    value.len() >= 12
        && (value.starts_with('{')
            || value.starts_with('[')
            || value.contains(' ')
            || !value.is_ascii())
}

impl ColumnProfile {
    /// An empty profile.
    pub fn new() -> Self {
        ColumnProfile::default()
    }

    /// Counts one sampled value (`None` for SQL `NULL`).
    pub fn observe(&mut self, value: Option<&str>) {
        self.n_rows += 1;
        let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else { return };
        self.n_values += 1;
        if is_handle_like(value) {
            self.n_handle_like += 1;
        }
        if let Some(kind) = classify_value(value) {
            let idx = kind_index(kind);
            self.counts[idx] += 1;
            if is_fingerprinted(kind) && self.fingerprints.len() < MAX_FINGERPRINTS {
                self.fingerprints.insert((kind, fingerprint(value, kind)));
            }
            if self.samples[idx].is_none() {
                self.samples[idx] = Some(mask(value));
            }
            return;
        }
        if is_text_like(value) {
            self.n_text_like += 1;
            let spans = find_spans(value);
            let personal: Vec<_> = spans.iter().filter(|span| span.kind.is_personal()).collect();
            if !personal.is_empty() {
                self.n_with_spans += 1;
                for span in &personal {
                    self.span_counts[kind_index(span.kind)] += 1;
                    if is_fingerprinted(span.kind) && self.fingerprints.len() < MAX_FINGERPRINTS {
                        let value = &value[span.start..span.end];
                        self.fingerprints.insert((span.kind, fingerprint(value, span.kind)));
                    }
                }
                if self.text_sample.is_none() {
                    let span = personal[0];
                    self.text_sample =
                        Some(format!("{}: {}", span.kind, mask(&value[span.start..span.end])));
                }
            }
        }
    }

    /// Rows observed.
    pub fn n_rows(&self) -> u64 {
        self.n_rows
    }

    fn family_count(&self, kind: Kind) -> u64 {
        if kind.family() == 0 {
            return self.counts[kind_index(kind)];
        }
        Kind::ALL
            .iter()
            .filter(|other| other.family() == kind.family())
            .map(|other| self.counts[kind_index(*other)])
            .sum()
    }

    /// Decides what the column holds, from the share of values that validate
    /// and, when given, the column's name. `None`: no personal data found.
    pub fn judge(&self, name: Option<&str>) -> Option<ColumnVerdict> {
        let n_values = self.n_values;
        if n_values == 0 {
            return None;
        }
        let name_kind = name.and_then(column_name_kind);
        let share = |count: u64| count as f64 / n_values as f64;
        // The best-supported kind (families counted together, the most common
        // member named).
        let best = Kind::ALL
            .iter()
            .copied()
            .filter(|kind| self.counts[kind_index(*kind)] > 0)
            .max_by_key(|kind| (self.family_count(*kind), self.counts[kind_index(*kind)]));
        let verdict = |kind: Kind, matches: u64, is_by_name: bool| ColumnVerdict {
            kind,
            rows_sampled: self.n_rows,
            non_empty: n_values,
            matches,
            share_valid: share(matches),
            masked_sample: self.samples[kind_index(kind)]
                .clone()
                .or_else(|| if kind == Kind::FreeText { self.text_sample.clone() } else { None }),
            is_by_name,
            fingerprints: self
                .fingerprints
                .iter()
                .filter(|(found, _)| {
                    kind == Kind::FreeText
                        || *found == kind
                        || (kind.family() != 0 && found.family() == kind.family())
                })
                .map(|(_, fingerprint)| *fingerprint)
                .collect(),
            span_kinds: if kind == Kind::FreeText {
                Kind::ALL
                    .iter()
                    .filter(|kind| self.span_counts[kind_index(**kind)] > 0)
                    .map(|kind| (*kind, self.span_counts[kind_index(*kind)]))
                    .collect()
            } else {
                Vec::new()
            },
        };
        let agrees = |value_kind: Kind, name_kind: Kind| {
            value_kind == name_kind
                || (value_kind.family() != 0 && value_kind.family() == name_kind.family())
                || (value_kind == Kind::CreditCardMasked && name_kind == Kind::CreditCard)
        };
        if let Some(best) = best {
            let matches = self.family_count(best);
            let is_named = name_kind.is_some_and(|name_kind| agrees(best, name_kind));
            let is_enough = n_values >= MIN_VALUES_FOR_WEAK_KINDS || !is_weak_kind(best);
            if (is_enough && share(matches) >= value_threshold(best))
                || (is_named && share(matches) >= 0.2)
            {
                return Some(verdict(best, matches, false));
            }
        }
        if let Some(name_kind) = name_kind
            && name_kind != Kind::FreeText
        {
            let matches = self.family_count(name_kind);
            if share(matches) >= 0.2 {
                return Some(verdict(name_kind, matches, false));
            }
        }
        let is_free_text = share(self.n_text_like) >= 0.5 && share(self.n_with_spans) >= 0.05;
        if is_free_text || (name_kind == Some(Kind::FreeText) && self.n_with_spans > 0) {
            return Some(verdict(Kind::FreeText, self.n_with_spans, false));
        }
        if let Some(name_kind) = name_kind
            && is_name_only(name_kind)
            && share(self.n_handle_like) >= 0.8
        {
            return Some(verdict(name_kind, 0, true));
        }
        None
    }
}
