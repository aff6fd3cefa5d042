//! Properties: the detectors never panic, on any text, and spans are valid
//! ranges of the text as given.

use proptest::prelude::*;

use crate::{ColumnProfile, classify_value, find_spans, mask, normalize};

fn shop_text() -> impl Strategy<Value = String> {
    // Pieces that reach every detector, joined at random: digits, letters,
    // escapes, full-width forms, Chinese words of addresses and names.
    let pieces = prop::sample::select(vec![
        "0",
        "9",
        "12",
        "886",
        "+",
        "(",
        ")",
        "-",
        " ",
        ".",
        "/",
        "@",
        "%",
        "%4",
        "%40",
        "%E6%9D",
        "\\u",
        "\\u674e",
        "\\ud83d",
        "A",
        "a",
        "X",
        "AB",
        "臺北市",
        "大安區",
        "路",
        "段",
        "巷",
        "號",
        "樓",
        "之",
        "F",
        "民國",
        "年",
        "月",
        "日",
        "陳",
        "小姐",
        "客戶",
        "：",
        "０",
        "Ａ",
        "\u{3000}",
        "#",
        "x",
        "::",
        ":",
        "sku",
        "生日",
        "zip",
        "統編",
        "PSC ",
        " APO AE ",
        "Dr. ",
        "John",
        "é",
        "\n",
        "\t",
        "\"",
        "'",
        "=",
        "&",
        "🙂",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn find_spans_never_panics_and_spans_are_char_ranges(text in shop_text()) {
        let spans = find_spans(&text);
        let mut previous_end = 0;
        for span in spans {
            prop_assert!(span.start < span.end && span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            prop_assert!(span.start >= previous_end);
            previous_end = span.end;
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        let _ = find_spans(&text);
        let _ = classify_value(&text);
        let _ = mask(&text);
        let normalized = normalize(&text);
        let (start, end) = normalized.original_range(0, normalized.text.len());
        prop_assert!(start <= end && end <= text.len());
        let mut profile = ColumnProfile::new();
        profile.observe(Some(&text));
        let _ = profile.judge(Some(&text));
    }
}
