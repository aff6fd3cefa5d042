//! Masking never shows a found value in clear.

use crate::{Kind, find_spans, mask};

#[test]
fn masks_like_the_examples() {
    assert_eq!(mask("A123456789"), "A12****789");
    assert_eq!(mask("0912-345-678"), "091*-***-678");
    assert_eq!(mask("王小明"), "王**");
    assert_eq!(mask("shu-ling81@gmail.com"), "s*********@gmail.com");
    assert_eq!(mask("M"), "*");
    assert_eq!(mask(""), "");
}

#[test]
fn a_masked_value_never_contains_the_value_or_most_of_it() {
    let text = "客戶王小明來電，手機0912345678，身分證A123456789，卡號4111111111111111，\
                信箱 lin_shu4962@yahoo.com.tw，地址臺北市大安區復興南路一段390號";
    let spans = find_spans(text);
    assert!(spans.len() >= 5);
    for span in spans {
        let value = &text[span.start..span.end];
        let masked = mask(value);
        assert_ne!(masked, value);
        let n_chars = value.chars().count();
        let n_shown = masked.chars().filter(|ch| *ch != '*').count();
        if span.kind != Kind::Email {
            assert!(n_shown * 10 <= n_chars * 6, "{masked} shows too much of a {}", span.kind);
        }
        assert!(masked.contains('*'));
    }
}

#[test]
fn masks_the_decoded_value() {
    assert_eq!(mask("%E7%8E%8B%E5%B0%8F%E6%98%8E"), "王**");
    assert_eq!(mask(r"\u738b\u5c0f\u660e"), "王**");
}

#[test]
fn pseudonyms_are_keyed_consistent_and_never_the_value() {
    use crate::Pseudonymizer;
    let shop = Pseudonymizer::new(b"a secret key of the shop");
    let other = Pseudonymizer::new(b"another key");
    let phone = shop.pseudonym("0912-345-678", Kind::Phone);
    assert!(phone.starts_with("phone_") && phone.len() == "phone_".len() + 12, "{phone}");
    assert_eq!(phone, shop.pseudonym("+886 912 345 678", Kind::Phone));
    assert_ne!(phone, shop.pseudonym("0912-345-679", Kind::Phone));
    assert_ne!(phone, other.pseudonym("0912-345-678", Kind::Phone));
    assert!(shop.pseudonym("Lin@Example.com", Kind::Email).ends_with("@example.invalid"));
    let (masked, n_replaced) = shop.mask_text("客戶王小明來電，手機 0912-345-678，統編04595257");
    assert_eq!(n_replaced, 2);
    assert!(!masked.contains("王小明") && !masked.contains("345"), "{masked}");
    assert!(masked.contains(&phone), "{masked}");
    // Business numbers are not personal data: they stay.
    assert!(masked.contains("04595257"), "{masked}");
    assert_eq!(format!("{shop:?}"), "Pseudonymizer { key: *** }");
}
