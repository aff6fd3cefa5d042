//! Person names: Chinese names from a surname list plus context, and
//! romanised or English names from capitalised words plus context.

/// Common surnames in Taiwan (together well over 95% of the population),
/// Traditional characters with a few variant forms seen in data entry,
/// sorted for binary search.
const SURNAMES: &[char] = &[
    '丁', '丘', '于', '任', '伍', '何', '佘', '余', '侯', '俞', '倪', '傅', '全', '冉', '凃', '凌',
    '刁', '利', '劉', '包', '卓', '卜', '古', '史', '向', '吳', '呂', '周', '唐', '喬', '單', '嚴',
    '塗', '夏', '姚', '姜', '孔', '孟', '季', '孫', '安', '宋', '官', '尤', '尹', '岳', '崔', '嵇',
    '左', '巫', '常', '康', '廖', '張', '彭', '徐', '應', '成', '戴', '房', '文', '方', '施', '易',
    '曲', '曹', '曾', '朱', '李', '杜', '林', '柯', '柳', '梁', '梅', '楊', '樊', '歐', '武', '段',
    '殷', '毛', '江', '池', '汪', '沈', '洪', '涂', '温', '游', '湯', '溫', '潘', '熊', '牛', '王',
    '甘', '田', '申', '留', '畢', '白', '盛', '盧', '石', '祝', '秦', '程', '穆', '章', '童', '符',
    '管', '簡', '籃', '粘', '紀', '練', '繆', '羅', '翁', '翟', '耿', '聶', '胡', '舒', '花', '范',
    '莊', '莫', '華', '萬', '葉', '葛', '董', '蒲', '蔡', '蔣', '蕭', '薛', '藍', '蘇', '袁', '裴',
    '褚', '覃', '解', '許', '詹', '謝', '譚', '谷', '賀', '賈', '賴', '趙', '辛', '辜', '連', '邢',
    '邱', '邵', '郝', '郭', '鄒', '鄔', '鄞', '鄧', '鄭', '金', '錢', '鍾', '鐘', '閻', '闕', '關',
    '阮', '陳', '陶', '陸', '陽', '雷', '韋', '韓', '項', '顏', '顧', '饒', '馬', '馮', '駱', '高',
    '魏', '魯', '鮑', '麥', '黃', '黄', '黎', '齊', '龍', '龎', '龐', '龔',
];

/// Two-character surnames.
const COMPOUND_SURNAMES: &[&str] = &[
    "歐陽", "司馬", "諸葛", "上官", "張簡", "范姜", "東方", "皇甫", "尉遲", "公孫", "慕容", "令狐",
    "長孫", "宇文", "司徒", "夏侯", "端木", "周黃", "張廖", "陳黃", "江謝",
];

/// Titles after a surname (`陳小姐`).
pub(crate) const TITLES: &[&str] = &["先生", "小姐", "女士", "太太", "媽媽", "爸爸"];

/// Characters that start the words after a name in notes (來電, 申請, 居民,
/// 身分證, 反映...) and almost never appear in a given name.
const STOP_CHARS: &[char] = &[
    '之', '也', '今', '他', '來', '們', '到', '前', '又', '及', '反', '和', '因', '在', '她', '將',
    '就', '居', '已', '後', '從', '您', '我', '手', '才', '把', '於', '映', '昨', '是', '會', '有',
    '為', '申', '的', '稱', '等', '給', '與', '表', '被', '要', '說', '請', '身', '都', '電',
];

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
    "收件者",
    "訂購者",
    "寄件者",
    "購買者",
    "聯絡者",
    "我叫",
    "名叫",
];

/// Words right after a name that show it is one (王小明代收).
pub(crate) const AFTER_CUES: &[&str] = &["代收", "代領", "簽收", "來電", "反映", "表示", "本人"];

fn is_ideograph(ch: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&ch) || ('\u{3400}'..='\u{4DBF}').contains(&ch)
}

/// The surname at the start of `rest`, as its byte length.
pub(crate) fn surname_at(rest: &str) -> Option<usize> {
    let first = rest.chars().next()?;
    // The first characters of the compound surnames: a cheap test first.
    let may_be_compound = matches!(
        first,
        '歐' | '司'
            | '諸'
            | '上'
            | '張'
            | '范'
            | '東'
            | '皇'
            | '尉'
            | '公'
            | '慕'
            | '令'
            | '長'
            | '宇'
            | '夏'
            | '端'
            | '周'
            | '陳'
            | '江'
    );
    if may_be_compound
        && let Some(compound) = COMPOUND_SURNAMES.iter().find(|surname| rest.starts_with(**surname))
    {
        return Some(compound.len());
    }
    SURNAMES.binary_search(&first).is_ok().then(|| first.len_utf8())
}

/// What follows a surname: the given name's byte length (0 when a title
/// follows directly), and the title's byte length.
pub(crate) struct ChineseName {
    pub(crate) given_len: usize,
    pub(crate) n_given: usize,
    pub(crate) title_len: usize,
}

/// Reads the given name (one or two ideographs) after a surname, or a title.
/// The title at the start of `rest`, as its byte length.
pub(crate) fn title_at(rest: &str) -> Option<usize> {
    // Every title starts with one of these: a cheap test first.
    if !rest.starts_with(['先', '小', '女', '太', '媽', '爸']) {
        return None;
    }
    TITLES.iter().find(|title| rest.starts_with(**title)).map(|title| title.len())
}

/// Whether `text` ends with one of `words` (short words; last bytes compared first).
pub(crate) fn ends_with_any(text: &str, words: &[&str]) -> bool {
    let Some(last) = text.as_bytes().last() else { return false };
    words.iter().any(|word| word.as_bytes().last() == Some(last) && text.ends_with(word))
}

pub(crate) fn given_name_at(rest: &str) -> ChineseName {
    if let Some(title_len) = title_at(rest) {
        return ChineseName { given_len: 0, n_given: 0, title_len };
    }
    let mut given_len = 0;
    let mut n_given = 0;
    for ch in rest.chars().take(2) {
        if !is_ideograph(ch) || STOP_CHARS.binary_search(&ch).is_ok() {
            break;
        }
        if n_given == 1 && title_at(&rest[given_len..]).is_some() {
            break;
        }
        given_len += ch.len_utf8();
        n_given += 1;
    }
    let title_len = title_at(&rest[given_len..]).unwrap_or(0);
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
    let mut words = value.split([' ', ',']).filter(|word| !word.is_empty());
    if !words.next().is_some_and(is_name_word) {
        return false;
    }
    let mut n_words = 1;
    for word in words {
        n_words += 1;
        if n_words > 4 || !(is_name_word(word) || is_suffix(word)) {
            return false;
        }
    }
    n_words >= 2
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
