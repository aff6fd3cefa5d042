//! The column judge: shares of valid values, column names, look-alikes.

use crate::{ColumnProfile, Kind, column_name_kind};

fn profile(values: &[&str]) -> ColumnProfile {
    let mut profile = ColumnProfile::new();
    for value in values {
        profile.observe(Some(value));
    }
    profile
}

#[track_caller]
fn check_column(name: Option<&str>, values: &[&str], expect: Option<Kind>) {
    let verdict = profile(values).judge(name);
    assert_eq!(verdict.as_ref().map(|verdict| verdict.kind), expect, "column {name:?}");
}

#[test]
fn names_in_chinese_and_english_are_evidence() {
    for (name, kind) in [
        ("姓名", Kind::PersonName),
        ("收件人姓名", Kind::PersonName),
        ("shipping.receiver.name", Kind::PersonName),
        ("手機", Kind::Phone),
        ("訂購人手機", Kind::Phone),
        ("mobile", Kind::Phone),
        ("身分證字號", Kind::TwNationalId),
        ("id_number", Kind::TwNationalId),
        ("email", Kind::Email),
        ("訂購人Email", Kind::Email),
        ("收件地址", Kind::Address),
        ("address", Kind::Address),
        ("郵遞區號", Kind::PostalCode),
        ("birthday", Kind::DateOfBirth),
        ("統一編號", Kind::TwUbn),
        ("載具號碼", Kind::EinvoiceCarrier),
        ("line_id", Kind::SocialMediaId),
        ("lastLoginIp", Kind::IpAddress),
    ] {
        assert_eq!(column_name_kind(name), Some(kind), "{name}");
    }
    for name in ["商品名稱", "product_name", "member_id", "訂單編號", "items[].sku", "store_name"]
    {
        assert_eq!(column_name_kind(name), None, "{name}");
    }
}

#[test]
fn a_column_of_ids_is_judged_on_its_share_not_one_value() {
    let ids = ["A123456789", "F234567898", "a123456789", "AC12345679", "K912345672"];
    check_column(None, &ids, Some(Kind::TwNationalId));
    // Resident certificates count with national IDs; the most common names the column.
    let certificates = ["A800000014", "AC12345679", "K912345672", "A123456789"];
    check_column(Some("id_no"), &certificates, Some(Kind::TwResidentCert));
    // One valid value in ten random look-alikes is chance, not a column of IDs.
    let skus = [
        "A123456789",
        "B223456780",
        "C323456781",
        "D423456782",
        "E523456783",
        "F623456784",
        "G723456785",
        "H823456786",
        "J923456787",
        "K023456788",
    ];
    check_column(None, &skus, None);
    check_column(Some("商品貨號"), &skus, None);
}

#[test]
fn sparse_columns_count_only_non_empty_values() {
    let mut profile = ColumnProfile::new();
    for idx in 0..100 {
        profile.observe(if idx % 10 == 0 { Some("0912345678") } else { None });
    }
    let verdict = profile.judge(Some("tel")).expect("a phone column");
    assert_eq!(verdict.kind, Kind::Phone);
    assert_eq!((verdict.rows_sampled, verdict.non_empty, verdict.matches), (100, 10, 10));
    assert!((verdict.share_valid - 1.0).abs() < 1e-9);
    assert_eq!(verdict.masked_sample.as_deref(), Some("091****678"));
}

#[test]
fn some_kinds_show_only_in_the_name() {
    let line_ids = ["colleen94", "shu-hui22", "mei.lin", "abc_123"];
    check_column(Some("line_id"), &line_ids, Some(Kind::SocialMediaId));
    check_column(None, &line_ids, None);
}

#[test]
fn free_text_columns_are_judged_on_their_spans() {
    let notes = [
        "VIP，偏好宅配到公司：桃園市中壢區育英路237號之53F",
        "平日白天不在家，請放管理室",
        "到了先打給我 0915163425",
        "請於下午送達，謝謝您",
    ];
    let verdict = profile(&notes).judge(Some("備註")).expect("free text");
    assert_eq!(verdict.kind, Kind::FreeText);
    assert_eq!(verdict.matches, 2);
    assert!(verdict.span_kinds.contains(&(Kind::Address, 1)));
    assert!(verdict.span_kinds.contains(&(Kind::Phone, 1)));
}

#[test]
fn masked_cards_and_hashes_are_told_apart() {
    check_column(None, &["************6383", "************0707"], Some(Kind::CreditCardMasked));
    check_column(Some("card_no"), &["************6383"], Some(Kind::CreditCardMasked));
    check_column(
        None,
        &["$2b$12$urgOUYEPzvVEvBVq5N8jSXxfWGP2K5m/cH8pdji4iy5SQSpqVa9m6"],
        Some(Kind::SecretHash),
    );
}

#[test]
fn few_values_or_ambiguous_names_decide_nothing() {
    // One number that looks like a postal code, in a column without a name.
    check_column(None, &["11562"], None);
    check_column(Some("zip"), &["11562"], Some(Kind::PostalCode));
    // `line` is a line number, not a LINE account.
    check_column(Some("line"), &["12", "13", "14", "15", "16"], None);
    check_column(Some("line_id"), &["12", "13", "14", "15", "16"], None);
}

#[test]
fn fingerprints_match_the_same_value_however_written() {
    use crate::fingerprint;
    assert_eq!(
        fingerprint("0912-345-678", Kind::Phone),
        fingerprint("+886 912 345 678", Kind::Phone)
    );
    assert_eq!(
        fingerprint("a123456789", Kind::TwNationalId),
        fingerprint("A123456789", Kind::TwNationalId)
    );
    assert_ne!(fingerprint("0912345678", Kind::Phone), fingerprint("0912345679", Kind::Phone));
    let verdict = profile(&["0912-345-678", "0912345679"]).judge(Some("mobile")).expect("phones");
    assert_eq!(verdict.fingerprints.len(), 2);
    assert!(verdict.fingerprints.contains(&fingerprint("0912345678", Kind::Phone)));
}

#[test]
fn names_from_other_shop_schemas() {
    for (name, kind) in [
        ("customer_name", Kind::PersonName),
        ("firstName", Kind::PersonName),
        ("billing_address", Kind::Address),
        ("phone_number", Kind::Phone),
        ("cellphone", Kind::Phone),
        ("zipcode", Kind::PostalCode),
        ("dob", Kind::DateOfBirth),
        ("national_id", Kind::TwNationalId),
        ("會員姓名", Kind::PersonName),
        ("聯絡電話", Kind::Phone),
        ("行動電話", Kind::Phone),
        ("通訊地址", Kind::Address),
        ("出生日期", Kind::DateOfBirth),
        ("身份證號碼", Kind::TwNationalId),
        ("電子郵件", Kind::Email),
    ] {
        assert_eq!(column_name_kind(name), Some(kind), "{name}");
    }
    for name in ["username", "product_title", "created_at", "order_id", "sku_code", "shop_name"] {
        assert_eq!(column_name_kind(name), None, "{name}");
    }
}
