//! Person names: Chinese names from a surname list plus context, and
//! romanised or English names from capitalised words plus context.

/// Common surnames in Taiwan (together well over 95% of the population),
/// Traditional characters, with a few simplified forms seen in data entry.
const SURNAMES: &str = "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董温溫唐藍石蔣古紀姚連馮歐程湯黄田康姜白汪鄒尤巫鐘黎涂龔嚴韓袁金童陸夏柳凃邵錢伍倪于譚駱熊任甘秦顧毛章史官萬俞雷粘饒闕凌崔尹孔辛武辜陶段龍韋葛池孟褚殷麥賀賈莫文管關向包丘梅華利裴樊房全佘左花安魯鮑郝穆塗邢蒲成谷常閻練盛鄔耿聶符申祝繆陽解曲岳齊籃應單舒畢喬龐翟牛鄞留季覃卜項嵇刁易冉龎";

/// Two-character surnames.
const COMPOUND_SURNAMES: &[&str] = &[
    "歐陽", "司馬", "諸葛", "上官", "張簡", "范姜", "東方", "皇甫", "尉遲", "公孫", "慕容", "令狐",
    "長孫", "宇文", "司徒", "夏侯", "端木", "周黃", "張廖", "陳黃", "江謝",
];

/// Titles after a surname (`陳小姐`).
pub(crate) const TITLES: &[&str] = &["先生", "小姐", "女士", "太太", "媽媽", "爸爸"];

/// Characters that start the words after a name in notes (來電, 申請, 居民,
/// 身分證, 反映...) and almost never appear in a given name.
const STOP_CHARS: &str = "來申居身反的要說表已於在和與及電手請將因等是有為到從給把被又也都就才之今昨後前會說稱反映您我他她們";

/// Role words after which a name follows (客戶王小明, 收件人 陳美玲).
pub(crate) const ROLE_CUES: &[&str] = &[
    "客戶",
    "會員",
    "客人",
    "收件人",
    "訂購人",
    "寄件人",
    "持卡人",
    "聯絡人",
    "購買人",
    "買家",
    "顧客",
    "姓名",
    "名字",
    "收貨人",
    "用戶",
    "本人",
    "戶名",
    "代表人",
    "負責人",
    "customer",
    "cardholder",
    "holder",
    "member",
    "buyer",
    "recipient",
    "contact",
    "dear",
    "mr.",
    "ms.",
    "mrs.",
    "miss",
    "name",
    "客服",
    "家人",
    "朋友",
    "同事",
    "室友",
    "配偶",
    "老公",
    "老婆",
    "兒子",
    "女兒",
    "父親",
    "母親",
    "代收人",
    "簽收人",
    "領件人",
];

/// Words right after a name that show it is one (王小明代收).
pub(crate) const AFTER_CUES: &[&str] = &["代收", "代領", "簽收", "來電", "反映", "表示", "本人"];

fn is_ideograph(ch: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&ch) || ('\u{3400}'..='\u{4DBF}').contains(&ch)
}

/// The surname at the start of `rest`, as its byte length.
pub(crate) fn surname_at(rest: &str) -> Option<usize> {
    if let Some(compound) = COMPOUND_SURNAMES.iter().find(|surname| rest.starts_with(**surname)) {
        return Some(compound.len());
    }
    let first = rest.chars().next()?;
    SURNAMES.contains(first).then(|| first.len_utf8())
}

/// What follows a surname: the given name's byte length (0 when a title
/// follows directly), and the title's byte length.
pub(crate) struct ChineseName {
    pub(crate) given_len: usize,
    pub(crate) n_given: usize,
    pub(crate) title_len: usize,
}

/// Reads the given name (one or two ideographs) after a surname, or a title.
pub(crate) fn given_name_at(rest: &str) -> ChineseName {
    if let Some(title) = TITLES.iter().find(|title| rest.starts_with(**title)) {
        return ChineseName { given_len: 0, n_given: 0, title_len: title.len() };
    }
    let mut given_len = 0;
    let mut n_given = 0;
    for ch in rest.chars().take(2) {
        if !is_ideograph(ch) || STOP_CHARS.contains(ch) {
            break;
        }
        if n_given == 1 && TITLES.iter().any(|title| rest[given_len..].starts_with(*title)) {
            break;
        }
        given_len += ch.len_utf8();
        n_given += 1;
    }
    let title_len = TITLES
        .iter()
        .find(|title| rest[given_len..].starts_with(**title))
        .map_or(0, |title| title.len());
    ChineseName { given_len, n_given, title_len }
}

/// Whether `ch` may follow a name directly when the name is a value of its
/// own (a quoted string, a `key=value`, a table cell).
pub(crate) fn is_value_end(rest: &str) -> bool {
    rest.chars().next().is_none_or(|ch| !is_ideograph(ch))
}

/// Whether `value` as a whole is a Chinese name (surname and one or two
/// ideographs, or a compound surname and one or two).
pub(crate) fn is_chinese_name(value: &str) -> bool {
    let Some(surname) = surname_at(value) else { return false };
    let rest = &value[surname..];
    let n_chars = rest.chars().count();
    (1..=2).contains(&n_chars) && rest.chars().all(is_ideograph)
}

fn is_name_word(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else { return false };
    if !first.is_ascii_uppercase() || word.len() < 2 || word.len() > 20 {
        return false;
    }
    word.bytes().all(|byte| byte.is_ascii_alphabetic() || byte == b'-' || byte == b'\'')
        && word.bytes().any(|byte| byte.is_ascii_lowercase())
        || word.bytes().all(|byte| byte.is_ascii_uppercase() || byte == b'-')
            && word.bytes().filter(u8::is_ascii_uppercase).count() >= 2
}

/// Whether `value` as a whole is a romanised or English name: two to four
/// capitalised words (`Sarah Allen`, `KUO HSIU-YING`, `Chen, Mei-Ling`).
pub(crate) fn is_latin_name(value: &str) -> bool {
    let words: Vec<&str> = value.split([' ', ',']).filter(|word| !word.is_empty()).collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|word| is_name_word(word) || is_suffix(word))
        && is_name_word(words[0])
}

fn is_suffix(word: &str) -> bool {
    matches!(word, "Jr." | "Sr." | "Jr" | "Sr" | "II" | "III" | "IV" | "PhD" | "MD" | "DDS" | "DVM")
}

/// Honorifics written before a name, kept in its span.
const HONORIFICS: &[&str] = &["Dr. ", "Mr. ", "Mrs. ", "Ms. ", "Miss ", "Prof. ", "Mx. "];

fn is_mixed_case_word(bytes: &[u8]) -> bool {
    bytes.len() >= 2
        && bytes[0].is_ascii_uppercase()
        && bytes[1..].iter().all(|byte| byte.is_ascii_lowercase() || matches!(byte, b'-' | b'\''))
        && bytes[1..].iter().any(u8::is_ascii_lowercase)
}

/// Reads two to four capitalised words (and a suffix such as `III`) at
/// `start`; returns the end of the last word.
pub(crate) fn parse_latin_name(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start;
    if let Some(honorific) =
        HONORIFICS.iter().find(|honorific| bytes[start..].starts_with(honorific.as_bytes()))
    {
        at += honorific.len();
    }
    let mut n_words = 0;
    let mut end = start;
    loop {
        let word_start = at;
        while bytes
            .get(at)
            .is_some_and(|byte| byte.is_ascii_alphabetic() || matches!(byte, b'-' | b'\''))
        {
            at += 1;
        }
        // `Jr.` keeps its dot.
        if n_words >= 2
            && bytes.get(at) == Some(&b'.')
            && matches!(&bytes[word_start..at], b"Jr" | b"Sr")
        {
            at += 1;
        }
        let word = &bytes[word_start..at];
        let is_suffix_word = n_words >= 2 && std::str::from_utf8(word).is_ok_and(is_suffix);
        if !(is_mixed_case_word(word) || is_suffix_word) || n_words == 4 {
            break;
        }
        n_words += 1;
        end = at;
        if is_suffix_word || bytes.get(at) != Some(&b' ') {
            break;
        }
        at += 1;
    }
    if n_words < 2 || bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some(end)
}
