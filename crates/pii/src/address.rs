//! Taiwan postal addresses (縣市/區鄉鎮/村里/鄰/路街/段/巷/弄/號/樓), postal
//! codes, and the North American address layout found in notes.

/// The counties and special municipalities, in both `臺` and `台` writing
/// (and the pre-2010 counties still found in old records).
pub(crate) const COUNTIES: &[&str] = &[
    "臺北市",
    "台北市",
    "新北市",
    "桃園市",
    "臺中市",
    "台中市",
    "臺南市",
    "台南市",
    "高雄市",
    "基隆市",
    "新竹市",
    "新竹縣",
    "嘉義市",
    "嘉義縣",
    "苗栗縣",
    "彰化縣",
    "南投縣",
    "雲林縣",
    "屏東縣",
    "宜蘭縣",
    "花蓮縣",
    "臺東縣",
    "台東縣",
    "澎湖縣",
    "金門縣",
    "連江縣",
    "桃園縣",
    "臺北縣",
    "台北縣",
    "臺中縣",
    "台中縣",
    "臺南縣",
    "台南縣",
    "高雄縣",
];

/// The county at the start of `bytes`, as its byte length.
pub(crate) fn county_at(bytes: &[u8]) -> Option<usize> {
    // Every county ends in 市 or 縣 as its third character: a cheap test first.
    let third = bytes.get(6..9)?;
    if third != "市".as_bytes() && third != "縣".as_bytes() {
        return None;
    }
    COUNTIES.iter().find(|county| bytes.starts_with(county.as_bytes())).map(|county| county.len())
}

/// Whether `value` is exactly a county name.
pub(crate) fn is_county(value: &str) -> bool {
    COUNTIES.contains(&value)
}

/// Whether the first three digits of a postal code name a delivery area
/// (Chunghwa Post assigns 100-983 with gaps between counties).
pub(crate) fn is_postal_prefix(prefix: u32) -> bool {
    matches!(prefix,
        100..=118 | 200..=212 | 220..=253 | 260..=272 | 300..=315 | 320..=338 | 350..=369
            | 400..=439 | 500..=530 | 540..=558 | 600..=625 | 630..=655 | 700..=745
            | 800..=852 | 880..=885 | 890..=896 | 900..=947 | 950..=966 | 970..=983)
}

/// A Taiwan postal code: 3, 5 (3+2) or 6 (3+3) digits with a known prefix.
pub(crate) fn is_postal_code(digits: &[u8]) -> bool {
    matches!(digits.len(), 3 | 5 | 6)
        && digits.iter().all(u8::is_ascii_digit)
        && is_postal_prefix(
            digits[..3].iter().fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0')),
        )
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|rest| rest.chars().next())
}

fn is_ideograph(ch: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&ch) || ('\u{3400}'..='\u{4DBF}').contains(&ch)
}

fn is_chinese_numeral(ch: char) -> bool {
    matches!(ch, '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十')
}

/// Characters that show the body is a street address, not prose.
fn is_street_marker(ch: char) -> bool {
    matches!(ch, '路' | '街' | '道' | '巷' | '弄' | '段' | '村' | '里' | '鄰')
}

/// Reads a Taiwan address starting with a county at `start` and returns its
/// end: the county, then ideographs and digits up to the house number (`號`),
/// then an optional `之N`, floor (`5樓`, `5F`, `五樓`) and `之N`.
pub(crate) fn parse_tw_address(text: &str, start: usize) -> Option<usize> {
    let county = county_at(&text.as_bytes()[start..])?;
    parse_tw_address_body(text, start + county)
}

/// Reads an address written without its county, from a two-character
/// district on (`大安區復興南路一段390號`, `礁溪鄉…`), then the same body
/// as a full address (a street part and a house number).
pub(crate) fn parse_district_address(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let marker = bytes.get(start + 6..start + 9)?;
    if !["區", "鄉", "鎮"].iter().any(|district| marker == district.as_bytes()) {
        return None;
    }
    let first = char_at(text, start)?;
    let second = char_at(text, start + first.len_utf8())?;
    if first.len_utf8() != 3 || !is_ideograph(first) || !is_ideograph(second) {
        return None;
    }
    parse_tw_address_body(text, start + 9)
}

fn parse_tw_address_body(text: &str, body_start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = body_start;
    let mut last_number_sign = None;
    let mut has_marker = false;
    let mut n_chars = 0;
    while let Some(ch) = char_at(text, at) {
        let is_body = is_ideograph(ch) || ch.is_ascii_digit() || ch == '-';
        if !is_body || n_chars > 48 {
            break;
        }
        if ch == '號' {
            last_number_sign = Some(at);
            if has_marker {
                // Stop at the first house number that follows a street.
                break;
            }
        }
        has_marker |= is_street_marker(ch);
        at += ch.len_utf8();
        n_chars += 1;
    }
    let number_sign = last_number_sign?;
    if !has_marker {
        return None;
    }
    let mut end = number_sign + '號'.len_utf8();
    // 之N after the house number.
    let read_suffix = |mut at: usize| -> usize {
        if char_at(text, at) == Some('之') {
            let digits_start = at + '之'.len_utf8();
            let mut digits_end = digits_start;
            while bytes.get(digits_end).is_some_and(u8::is_ascii_digit) {
                digits_end += 1;
            }
            if digits_end > digits_start {
                at = digits_end;
            }
        }
        at
    };
    end = read_suffix(end);
    // The floor: digits or Chinese numerals, then 樓 or F.
    let floor_start = end;
    let mut floor_at = floor_start;
    while let Some(ch) = char_at(text, floor_at) {
        if ch.is_ascii_digit() || is_chinese_numeral(ch) {
            floor_at += ch.len_utf8();
        } else {
            break;
        }
    }
    if floor_at > floor_start {
        match char_at(text, floor_at) {
            Some('樓') => end = read_suffix(floor_at + '樓'.len_utf8()),
            Some('F' | 'f') if !bytes.get(floor_at + 1).is_some_and(u8::is_ascii_alphanumeric) => {
                end = read_suffix(floor_at + 1);
            }
            _ => {}
        }
    } else if char_at(text, end) == Some('樓') {
        end += '樓'.len_utf8();
    }
    Some(end)
}

/// Reads a North American address (`22031 Eric Unions Suite 471, West
/// Kellytown, ME 00617`) starting at the house number at `start`: words and
/// commas up to a two-letter state and a five-digit ZIP code.
pub(crate) fn parse_us_address(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start;
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    if at - start > 6 || bytes.get(at) != Some(&b' ') || !bytes.get(at + 1)?.is_ascii_uppercase() {
        return None;
    }
    let limit = (start + 110).min(bytes.len());
    let mut n_commas = 0;
    while at < limit {
        let byte = bytes[at];
        if byte == b',' {
            n_commas += 1;
            // ", ST 12345"
            let tail = &bytes[at..];
            if n_commas >= 2
                && tail.len() >= 10
                && tail[1] == b' '
                && tail[2].is_ascii_uppercase()
                && tail[3].is_ascii_uppercase()
                && tail[4] == b' '
                && tail[5..10].iter().all(u8::is_ascii_digit)
                && !tail.get(10).is_some_and(u8::is_ascii_alphanumeric)
            {
                return Some(at + 10);
            }
            if n_commas > 3 {
                return None;
            }
        } else if !(byte.is_ascii_alphanumeric()
            || matches!(byte, b' ' | b'.' | b'\'' | b'#' | b'-'))
        {
            return None;
        }
        at += 1;
    }
    None
}

/// Reads a US military address (`PSC 2227, Box 7881, APO AE 39660`,
/// `Unit 3281 Box 3888, DPO AA 19250`, `USNS Brown, FPO AP 12345`).
pub(crate) fn parse_military_address(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = &bytes[start..];
    if !matches!(rest.first(), Some(b'P' | b'U' | b'C')) {
        return None;
    }
    let word_len = rest.iter().take(7).position(|byte| *byte == b' ')?;
    let word = &rest[..word_len];
    // Unit, PSC or CMR and a number, or a ship (USNS, USNV, USCGC, USS) and its name.
    let is_ship =
        word.len() <= 6 && word.starts_with(b"US") && word.iter().all(u8::is_ascii_uppercase);
    if !(is_ship || matches!(word, b"PSC" | b"Unit" | b"CMR")) {
        return None;
    }
    let limit = rest.len().min(64);
    for at in 0..limit {
        let tail = &rest[at..];
        let is_post =
            tail.starts_with(b" APO ") || tail.starts_with(b" FPO ") || tail.starts_with(b" DPO ");
        if is_post
            && tail.len() >= 13
            && matches!(&tail[5..7], b"AA" | b"AE" | b"AP")
            && tail[7] == b' '
            && tail[8..13].iter().all(u8::is_ascii_digit)
            && !tail.get(13).is_some_and(u8::is_ascii_alphanumeric)
        {
            return Some(start + at + 13);
        }
        if !(tail[0].is_ascii_alphanumeric() || matches!(tail[0], b' ' | b',' | b'.')) {
            return None;
        }
    }
    None
}
