//! Detectors: check digits, formats, boundaries next to Chinese text, and
//! the look-alikes that must not be reported.

use crate::{
    Kind, classify_value, find_spans, is_valid_cn_resident_id, is_valid_hk_id, is_valid_luhn,
    is_valid_tw_national_id, is_valid_tw_resident_cert, is_valid_tw_ubn, is_valid_us_ssn,
};

/// Checks that `text` holds exactly the spans `expect` (text, kind), in order.
#[track_caller]
fn check_spans(text: &str, expect: &[(&str, Kind)]) {
    let found: Vec<(&str, Kind)> =
        find_spans(text).iter().map(|span| (&text[span.start..span.end], span.kind)).collect();
    assert_eq!(found, expect, "spans of {text:?}");
}

#[track_caller]
fn check_value(value: &str, expect: Option<Kind>) {
    assert_eq!(classify_value(value), expect, "value {value:?}");
}

#[test]
fn validates_taiwan_national_ids_by_check_digit() {
    for valid in ["A123456789", "F234567898", "a123456789"] {
        assert!(is_valid_tw_national_id(valid), "{valid}");
    }
    for invalid in ["A123456788", "A323456789", "A12345678", "1123456789", "A12345678X"] {
        assert!(!is_valid_tw_national_id(invalid), "{invalid}");
    }
}

#[test]
fn validates_resident_certificates_in_both_formats() {
    // 2021 format (letter, 8 or 9) and the old two-letter format.
    for valid in ["A800000014", "K912345672", "AC12345679", "FD76543210"] {
        assert!(is_valid_tw_resident_cert(valid), "{valid}");
    }
    for invalid in ["A800000015", "AC12345670", "AE12345679", "A123456789"] {
        assert!(!is_valid_tw_resident_cert(invalid), "{invalid}");
    }
}

#[test]
fn business_numbers_use_the_2023_divisor_five_rule() {
    assert!(is_valid_tw_ubn("04595257"));
    // Valid under the 2023 rule only (sum divisible by 5, not by 10).
    assert!(is_valid_tw_ubn("10000004"));
    assert!(!is_valid_tw_ubn("12345678"));
    assert!(!is_valid_tw_ubn("1234567"));
    check_value("04595257", Some(Kind::TwUbn));
    assert!(!Kind::TwUbn.is_personal());
}

#[test]
fn validates_hong_kong_and_mainland_ids() {
    for valid in ["C668668(9)", "C6686689", "G123456(A)", "AB9876543"] {
        assert!(is_valid_hk_id(valid), "{valid}");
    }
    assert!(!is_valid_hk_id("C668668(8)"));
    for valid in ["11010519491231002X", "810000199005121234"] {
        assert!(is_valid_cn_resident_id(valid), "{valid}");
    }
    // Wrong check digit; impossible birth date.
    assert!(!is_valid_cn_resident_id("110105194912310021"));
    assert!(!is_valid_cn_resident_id("110105194913310021"));
}

#[test]
fn validates_ssn_ranges_and_luhn() {
    assert!(is_valid_us_ssn("123-45-6789"));
    for invalid in ["000-45-6789", "666-45-6789", "900-45-6789", "123-00-6789", "123-45-0000"] {
        assert!(!is_valid_us_ssn(invalid), "{invalid}");
    }
    assert!(is_valid_luhn("4111111111111111"));
    assert!(!is_valid_luhn("4111111111111112"));
}

#[test]
fn finds_identifiers_next_to_chinese_characters() {
    check_spans("身分證字號：A123456789。", &[("A123456789", Kind::TwNationalId)]);
    check_spans("居留證號AC12345679已更新", &[("AC12345679", Kind::TwResidentCert)]);
    check_spans(
        "陸籍客戶居民身份證號11010519491231002X",
        &[("11010519491231002X", Kind::CnResidentId)],
    );
    check_spans("身份證 C668668(9) 寄送", &[("C668668(9)", Kind::HkId)]);
    // Inside a longer run of letters or digits there is no boundary.
    check_spans("XA123456789", &[]);
    check_spans("A1234567890", &[]);
}

#[test]
fn finds_ids_written_full_width_or_lower_case() {
    check_spans("身分證Ａ１２３４５６７８９", &[("Ａ１２３４５６７８９", Kind::TwNationalId)]);
    check_spans("id a123456789 ok", &[("a123456789", Kind::TwNationalId)]);
}

#[test]
fn finds_taiwan_phones_in_common_writings() {
    for phone in [
        "0912345678",
        "0912-345-678",
        "0912 345 678",
        "0912-345678",
        "+886912345678",
        "+886 912 345 678",
        "886912345678",
        "02 2345 6789",
        "(02)2345-6789",
        "02-23456789",
        "+886 2 2345 6789",
        "06-5708321#38",
        "037-123456",
    ] {
        check_spans(&format!("電話{phone}，謝謝"), &[(phone, Kind::Phone)]);
    }
    check_spans("手機０９１２３４５６７８", &[("０９１２３４５６７８", Kind::Phone)]);
    // A tracking number that starts like the country code is not a phone.
    check_spans("物流單號 886830529874 配送", &[]);
}

#[test]
fn finds_north_american_phones() {
    check_spans("called from (888)324-5596 today", &[("(888)324-5596", Kind::Phone)]);
    check_spans("call 001-843-912-5487x5391 now", &[("001-843-912-5487x5391", Kind::Phone)]);
    check_spans("call 613.704.1315 now", &[("613.704.1315", Kind::Phone)]);
}

#[test]
fn finds_cards_but_not_transaction_ids() {
    check_spans("卡號4111111111111111，", &[("4111111111111111", Kind::CreditCard)]);
    check_spans("pan=4111-1111-1111-1111 exp", &[("4111-1111-1111-1111", Kind::CreditCard)]);
    check_spans("amex 378282246310005", &[("378282246310005", Kind::CreditCard)]);
    check_spans("交易序號 4111111111111111 重複扣款", &[]);
    // Luhn-valid but no issuer uses the prefix or the length.
    check_spans("no 9111111111111113", &[]);
    check_value("************6383", Some(Kind::CreditCardMasked));
    check_value("4111 **** **** 1111", Some(Kind::CreditCardMasked));
}

#[test]
fn finds_emails_ips_carriers_bank_accounts() {
    check_spans("信箱 lin_shu4962@yahoo.com.tw。", &[("lin_shu4962@yahoo.com.tw", Kind::Email)]);
    check_spans("user=wlin%40icloud.com&x=1", &[("wlin%40icloud.com", Kind::Email)]);
    check_spans(
        "from 177.124.195.197 and dcfe:4bcc:17cd:e531:518b:d8ac:ef8d:8e8e",
        &[
            ("177.124.195.197", Kind::IpAddress),
            ("dcfe:4bcc:17cd:e531:518b:d8ac:ef8d:8e8e", Kind::IpAddress),
        ],
    );
    // Version numbers in user agents and clock times are not addresses.
    check_spans("Chrome/126.0.0.0 at 20:20:58", &[]);
    check_spans("載具 /4+AWMDX 謝謝", &[("/4+AWMDX", Kind::EinvoiceCarrier)]);
    check_spans("GET /a HTTP/1.1", &[]);
    check_spans("退款帳戶(012)1712732368342，", &[("(012)1712732368342", Kind::BankAccount)]);
    check_spans("退款帳戶700 3272494814263，", &[("700 3272494814263", Kind::BankAccount)]);
}

#[test]
fn finds_birthdays_in_both_calendars_but_not_timestamps() {
    for date in
        ["民國79年5月12日", "79年5月12日", "079/05/12", "79/5/12", "079.05.12", "1990-05-12"]
    {
        check_spans(&format!("生日是{date}，"), &[(date, Kind::DateOfBirth)]);
    }
    check_spans("birthday=0790512&x", &[("0790512", Kind::DateOfBirth)]);
    check_spans("2024-05-25T03:55:04 and 2023/11/18 13:41", &[]);
    check_spans("生日079/13/12", &[]);
    check_value("076/09/06", Some(Kind::DateOfBirth));
}

#[test]
fn finds_addresses_with_floors_and_rural_parts() {
    for address in [
        "臺北市大安區復興南路一段390號",
        "台南市東區士林街131巷390號9F",
        "苗栗縣頭份市小碧潭里28鄰自由路293號",
        "新北市新店區西門路三段382號19樓",
        "屏東縣恆春鎮德里新興路五段393號十樓",
        "臺東縣臺東市長安街六段3號之813樓",
    ] {
        check_spans(&format!("請改寄至{address}，謝謝"), &[(address, Kind::Address)]);
    }
    check_spans(
        "ship to 22031 Eric Unions Suite 471, West Kellytown, ME 00617.",
        &[("22031 Eric Unions Suite 471, West Kellytown, ME 00617", Kind::Address)],
    );
    // A county name alone is not an address in text; as a cell it is a part.
    check_spans("台北市天氣晴", &[]);
    check_value("桃園市", Some(Kind::AddressPart));
}

#[test]
fn finds_names_from_context_only() {
    check_spans("客戶王小明來電表示", &[("王小明", Kind::PersonName)]);
    check_spans("家人周玉英代收，", &[("周玉英", Kind::PersonName)]);
    check_spans("5/15 何先生反映刷卡失敗", &[("何先生", Kind::PersonName)]);
    check_spans("{\"name\":\"陳明珠\",\"x\":1}", &[("陳明珠", Kind::PersonName)]);
    check_spans("Customer John Barnett called", &[("John Barnett", Kind::PersonName)]);
    check_spans("cardholder Dr. David Hughes Jr..", &[("Dr. David Hughes Jr.", Kind::PersonName)]);
    // A surname character in ordinary words is not a name.
    check_spans("金額3524元，林口區很遠", &[]);
    check_spans("全家 長安門市 (308269)", &[]);
    check_spans("Restocked SKU in Warehouse Bay", &[]);
    check_value("KUO HSIU-YING", Some(Kind::PersonName));
    check_value("吳美雲", Some(Kind::PersonName));
}

#[test]
fn needs_context_for_short_numbers() {
    check_spans("統編50920994，抬頭", &[("50920994", Kind::TwUbn)]);
    check_spans("points 50920994", &[]);
    check_spans("{\"zip\":\"11562\"}", &[("11562", Kind::PostalCode)]);
    check_spans("qty 11562", &[]);
    check_value("241469", Some(Kind::PostalCode));
    // No postal area starts with 177.
    check_value("17733", None);
}

#[test]
fn product_and_invoice_numbers_are_not_ids() {
    check_spans("商品 A123456789 缺貨", &[]);
    check_spans("sku=A123456789 stock=3", &[]);
    check_spans("/products/A123456789 HTTP", &[]);
    check_spans("發票 AC12345679 作廢", &[]);
}

#[test]
fn reports_offsets_in_the_text_as_written() {
    let text = "name=%E6%9D%8E%E4%BF%8A%E8%B3%A2&mobile=0983910361";
    let spans = find_spans(text);
    assert_eq!(spans.len(), 2);
    assert_eq!(&text[spans[0].start..spans[0].end], "%E6%9D%8E%E4%BF%8A%E8%B3%A2");
    assert_eq!(spans[0].kind, Kind::PersonName);
    let escaped = r#"{"name":"\u5f6d\u535a\u6587"}"#;
    let spans = find_spans(escaped);
    assert_eq!(spans.len(), 1);
    assert_eq!(&escaped[spans[0].start..spans[0].end], r"\u5f6d\u535a\u6587");
}

#[test]
fn kinds_round_trip_through_their_names() {
    for kind in Kind::ALL {
        assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        assert!(!kind.label_zh().is_empty());
    }
}

#[test]
fn finds_names_after_common_self_introductions_and_skips_versions() {
    check_spans(
        "我叫林志玲，電話02-2345-6789",
        &[("林志玲", Kind::PersonName), ("02-2345-6789", Kind::Phone)],
    );
    check_spans("收件者：李大華，", &[("李大華", Kind::PersonName)]);
    check_spans("version 1.2.3.4 and v10.0.0.1", &[]);
}

#[test]
fn finds_addresses_written_from_the_district() {
    check_spans(
        "請改寄至大安區復興南路一段390號5樓，謝謝",
        &[("大安區復興南路一段390號5樓", Kind::Address)],
    );
    check_spans("礁溪鄉中山路二段10巷3號", &[("礁溪鄉中山路二段10巷3號", Kind::Address)]);
    // A district without a street and a house number is not an address.
    check_spans("住在大安區很久了", &[]);
}
