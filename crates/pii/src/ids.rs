//! Check digits and ranges of identity, business and card numbers.
//!
//! Every function takes the value as written (ASCII, either case where the
//! format has letters) and returns whether it validates; none allocates.

/// The two-digit code of a Taiwan ID's leading letter (the county of first
/// registration); `I`, `O`, `W`, `X`, `Y`, `Z` came late and break the order.
fn tw_letter_code(letter: u8) -> Option<u32> {
    let code = match letter.to_ascii_uppercase() {
        letter @ b'A'..=b'H' => 10 + u32::from(letter - b'A'),
        b'I' => 34,
        letter @ b'J'..=b'N' => 18 + u32::from(letter - b'J'),
        b'O' => 35,
        letter @ b'P'..=b'V' => 23 + u32::from(letter - b'P'),
        b'W' => 32,
        b'X' => 30,
        b'Y' => 31,
        b'Z' => 33,
        _ => return None,
    };
    Some(code)
}

/// The shared Taiwan ID check: the letter code, then nine digits weighted
/// 8..1 and 1, sum divisible by 10. `second` is the digit in second place
/// (for the old resident certificates, derived from the second letter).
fn tw_checksum(letter: u8, second: u32, rest: &[u8]) -> bool {
    let Some(code) = tw_letter_code(letter) else { return false };
    if rest.len() != 8 || !rest.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut sum = code / 10 + (code % 10) * 9 + second * 8;
    for (idx, digit) in rest.iter().enumerate() {
        let weight = if idx == 7 { 1 } else { 7 - idx as u32 };
        sum += u32::from(digit - b'0') * weight;
    }
    sum.is_multiple_of(10)
}

/// A Taiwan national ID: a letter, `1` or `2` (sex), eight digits, the last a
/// check digit.
pub fn is_valid_tw_national_id(value: &str) -> bool {
    is_valid_tw_national_id_bytes(value.as_bytes())
}

pub(crate) fn is_valid_tw_national_id_bytes(bytes: &[u8]) -> bool {
    bytes.len() == 10
        && bytes[0].is_ascii_alphabetic()
        && matches!(bytes[1], b'1' | b'2')
        && tw_checksum(bytes[0], u32::from(bytes[1] - b'0'), &bytes[2..])
}

/// A Taiwan resident certificate (統一證號): the 2021 format (letter, `8` or
/// `9`, eight digits) or the old format valid until 2030 (two letters, the
/// second `A`-`D`, eight digits), both with the national ID's check digit.
pub fn is_valid_tw_resident_cert(value: &str) -> bool {
    is_valid_tw_resident_cert_bytes(value.as_bytes())
}

pub(crate) fn is_valid_tw_resident_cert_bytes(bytes: &[u8]) -> bool {
    if bytes.len() != 10 || !bytes[0].is_ascii_alphabetic() {
        return false;
    }
    match bytes[1].to_ascii_uppercase() {
        second @ (b'8' | b'9') => tw_checksum(bytes[0], u32::from(second - b'0'), &bytes[2..]),
        second @ b'A'..=b'D' => {
            tw_letter_code(second).is_some_and(|code| tw_checksum(bytes[0], code % 10, &bytes[2..]))
        }
        _ => false,
    }
}

/// A unified business number (統一編號): eight digits weighted 1,2,1,2,1,2,4,1,
/// digit sums of the products added; valid when the sum is divisible by 5
/// (the 2023 rule, which also accepts every number valid under the old
/// divisible-by-10 rule). When the seventh digit is 7 its product 28 counts
/// as 1 or 0.
pub fn is_valid_tw_ubn(value: &str) -> bool {
    is_valid_tw_ubn_bytes(value.as_bytes())
}

pub(crate) fn is_valid_tw_ubn_bytes(bytes: &[u8]) -> bool {
    if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 8] = [1, 2, 1, 2, 1, 2, 4, 1];
    let mut sum = 0;
    for (digit, weight) in bytes.iter().zip(WEIGHTS) {
        let product = u32::from(digit - b'0') * weight;
        let mut contribution = product / 10 + product % 10;
        if contribution >= 10 {
            contribution = contribution / 10 + contribution % 10;
        }
        sum += contribution;
    }
    sum.is_multiple_of(5) || (bytes[6] == b'7' && (sum - 1).is_multiple_of(5))
}

/// A Hong Kong identity card number: one or two letters, six digits and a
/// check digit (`0`-`9` or `A`), written `A123456(3)` or `A1234563`.
pub fn is_valid_hk_id(value: &str) -> bool {
    let mut compact = [0u8; 9];
    let mut len = 0;
    for byte in value.bytes() {
        if byte == b'(' || byte == b')' {
            continue;
        }
        if len == compact.len() {
            return false;
        }
        compact[len] = byte.to_ascii_uppercase();
        len += 1;
    }
    let compact = &compact[..len];
    let (letters, rest) = match compact {
        [first, second, rest @ ..] if second.is_ascii_alphabetic() => (([*first, *second]), rest),
        [first, rest @ ..] => ([b' ', *first], rest),
        [] => return false,
    };
    if rest.len() != 7 || !rest[..6].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !letters[1].is_ascii_uppercase() || !(letters[0] == b' ' || letters[0].is_ascii_uppercase())
    {
        return false;
    }
    let letter_value = |letter: u8| if letter == b' ' { 36 } else { u32::from(letter - b'A') + 10 };
    let mut sum = letter_value(letters[0]) * 9 + letter_value(letters[1]) * 8;
    for (idx, digit) in rest[..6].iter().enumerate() {
        sum += u32::from(digit - b'0') * (7 - idx as u32);
    }
    let check = match rest[6] {
        digit @ b'0'..=b'9' => u32::from(digit - b'0'),
        b'A' => 10,
        _ => return false,
    };
    (sum + check).is_multiple_of(11)
}

/// Whether `year`, `month`, `day` name a real calendar day.
pub(crate) fn is_calendar_day(year: u32, month: u32, day: u32) -> bool {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// A mainland China resident identity number: six-digit area, eight-digit
/// birth date, three-digit sequence, ISO 7064 MOD 11-2 check (`X` is 10).
/// Residence permits for Hong Kong, Macau and Taiwan residents (`810000`,
/// `820000`, `830000`) follow the same layout.
pub fn is_valid_cn_resident_id(value: &str) -> bool {
    is_valid_cn_resident_id_bytes(value.as_bytes())
}

pub(crate) fn is_valid_cn_resident_id_bytes(bytes: &[u8]) -> bool {
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let number = |range: std::ops::Range<usize>| {
        bytes[range].iter().fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0'))
    };
    let (year, month, day) = (number(6..10), number(10..12), number(12..14));
    if !(1900..=2030).contains(&year) || !is_calendar_day(year, month, day) || bytes[0] == b'0' {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let expected = b"10X98765432"[(sum % 11) as usize];
    bytes[17].to_ascii_uppercase() == expected
}

/// A US social security number written `AAA-GG-SSSS`: area 001-899 but not
/// 666, group 01-99, serial 0001-9999.
pub fn is_valid_us_ssn(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() != 11 || bytes[3] != b'-' || bytes[6] != b'-' {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| {
        let part = &bytes[range];
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0')))
    };
    let (Some(area), Some(group), Some(serial)) = (digits(0..3), digits(4..6), digits(7..11))
    else {
        return false;
    };
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// The Luhn check over a string of ASCII digits.
pub fn is_valid_luhn(digits: &str) -> bool {
    is_valid_luhn_bytes(digits.as_bytes())
}

pub(crate) fn is_valid_luhn_bytes(bytes: &[u8]) -> bool {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut sum = 0;
    for (idx, digit) in bytes.iter().rev().enumerate() {
        let mut value = u32::from(digit - b'0');
        if idx % 2 == 1 {
            value *= 2;
            if value > 9 {
                value -= 9;
            }
        }
        sum += value;
    }
    sum.is_multiple_of(10)
}

/// Whether `digits` (all ASCII digits) starts like a card of a known issuer
/// and has a length that issuer uses.
pub(crate) fn is_card_issuer(digits: &[u8]) -> bool {
    let prefix = |len: usize| {
        digits[..len.min(digits.len())]
            .iter()
            .fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0'))
    };
    let len = digits.len();
    if len < 13 {
        return false;
    }
    let (p1, p2, p3, p4, p6) = (prefix(1), prefix(2), prefix(3), prefix(4), prefix(6));
    match p1 {
        // Visa.
        4 => matches!(len, 13 | 16 | 19),
        // Mastercard 51-55; Maestro lengths are not accepted here.
        5 => (51..=55).contains(&p2) && len == 16,
        // Mastercard 2-series.
        2 => (2221..=2720).contains(&p4) && len == 16,
        3 => {
            // American Express, JCB (the whole 35 range: cards outside
            // 3528-3589 are in circulation), Diners Club.
            (matches!(p2, 34 | 37) && len == 15)
                || (p2 == 35 && (16..=19).contains(&len))
                || (((300..=305).contains(&p3) || matches!(p2, 36 | 38 | 39))
                    && (14..=19).contains(&len))
        }
        // Discover and UnionPay.
        6 => {
            (p4 == 6011
                || p2 == 65
                || (644..=649).contains(&p3)
                || p2 == 62
                || (622_126..=622_925).contains(&p6))
                && (16..=19).contains(&len)
        }
        _ => false,
    }
}
