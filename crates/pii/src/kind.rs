//! The kinds of personal data (and the few business kinds) the detectors name.

/// What a span, a value or a column holds.
///
/// The names (`as_str`) are the stable vocabulary of `scan --output json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Taiwan national ID (letter, `1`/`2`, 8 digits, check digit).
    TwNationalId,
    /// Taiwan resident certificate (UI) number, old two-letter or 2021 format.
    TwResidentCert,
    /// Unified business number (統一編號): a business, not a person.
    TwUbn,
    /// Hong Kong identity card number.
    HkId,
    /// Mainland China resident identity number (18 characters).
    CnResidentId,
    /// US social security number.
    UsSsn,
    /// Telephone number (Taiwan mobile or landline, or North American).
    Phone,
    /// E-mail address.
    Email,
    /// Full payment card number (Luhn-valid, known issuer).
    CreditCard,
    /// Masked card number (only the last digits in clear).
    CreditCardMasked,
    /// Bank code and account number.
    BankAccount,
    /// E-invoice mobile barcode carrier (`/` and 7 characters).
    EinvoiceCarrier,
    /// IPv4 or IPv6 address.
    IpAddress,
    /// Date of birth (Gregorian or ROC calendar).
    DateOfBirth,
    /// Taiwan postal code (3, 3+2 or 3+3 digits).
    PostalCode,
    /// Full postal address.
    Address,
    /// Part of an address: a county or city only.
    AddressPart,
    /// A person's name (Chinese, romanised or English).
    PersonName,
    /// Gender.
    Gender,
    /// Social-media or messaging id (LINE ID): known from the column name only.
    SocialMediaId,
    /// Password hash: a credential, not personal data by itself.
    SecretHash,
    /// Free text or JSON documents in which some values hold personal data.
    FreeText,
}

impl Kind {
    /// Every kind, in a stable order.
    pub const ALL: [Kind; 22] = [
        Kind::TwNationalId,
        Kind::TwResidentCert,
        Kind::TwUbn,
        Kind::HkId,
        Kind::CnResidentId,
        Kind::UsSsn,
        Kind::Phone,
        Kind::Email,
        Kind::CreditCard,
        Kind::CreditCardMasked,
        Kind::BankAccount,
        Kind::EinvoiceCarrier,
        Kind::IpAddress,
        Kind::DateOfBirth,
        Kind::PostalCode,
        Kind::Address,
        Kind::AddressPart,
        Kind::PersonName,
        Kind::Gender,
        Kind::SocialMediaId,
        Kind::SecretHash,
        Kind::FreeText,
    ];

    /// The stable snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::TwNationalId => "tw_national_id",
            Kind::TwResidentCert => "tw_resident_cert",
            Kind::TwUbn => "tw_ubn",
            Kind::HkId => "hk_id",
            Kind::CnResidentId => "cn_resident_id",
            Kind::UsSsn => "us_ssn",
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::CreditCard => "credit_card",
            Kind::CreditCardMasked => "credit_card_masked",
            Kind::BankAccount => "bank_account",
            Kind::EinvoiceCarrier => "einvoice_carrier",
            Kind::IpAddress => "ip_address",
            Kind::DateOfBirth => "date_of_birth",
            Kind::PostalCode => "postal_code",
            Kind::Address => "address",
            Kind::AddressPart => "address_part",
            Kind::PersonName => "person_name",
            Kind::Gender => "gender",
            Kind::SocialMediaId => "social_media_id",
            Kind::SecretHash => "secret_hash",
            Kind::FreeText => "free_text",
        }
    }

    /// The kind named `name` (the inverse of [`Kind::as_str`]).
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The Traditional Chinese label used in zh-TW reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::TwNationalId => "身分證字號",
            Kind::TwResidentCert => "居留證統一證號",
            Kind::TwUbn => "統一編號",
            Kind::HkId => "香港身份證",
            Kind::CnResidentId => "大陸居民身份證",
            Kind::UsSsn => "美國社會安全號碼",
            Kind::Phone => "電話",
            Kind::Email => "電子郵件",
            Kind::CreditCard => "信用卡號",
            Kind::CreditCardMasked => "遮罩卡號",
            Kind::BankAccount => "銀行帳號",
            Kind::EinvoiceCarrier => "電子發票載具",
            Kind::IpAddress => "IP 位址",
            Kind::DateOfBirth => "出生日期",
            Kind::PostalCode => "郵遞區號",
            Kind::Address => "地址",
            Kind::AddressPart => "縣市",
            Kind::PersonName => "姓名",
            Kind::Gender => "性別",
            Kind::SocialMediaId => "社群帳號",
            Kind::SecretHash => "密碼雜湊",
            Kind::FreeText => "含個資的文字",
        }
    }

    /// Whether this kind is personal data of a natural person (business
    /// numbers and password hashes are not).
    pub fn is_personal(self) -> bool {
        !matches!(self, Kind::TwUbn | Kind::SecretHash)
    }

    /// Whether this is a government identity number or a full card number:
    /// data that must never be kept in clear.
    pub fn is_sensitive_identifier(self) -> bool {
        matches!(
            self,
            Kind::TwNationalId
                | Kind::TwResidentCert
                | Kind::HkId
                | Kind::CnResidentId
                | Kind::UsSsn
                | Kind::CreditCard
        )
    }

    /// Kinds that count as one for a column: a column of Taiwan IDs also holds
    /// some resident certificate numbers; a foreign-ID column mixes Hong Kong
    /// and mainland numbers.
    pub(crate) fn family(self) -> u8 {
        match self {
            Kind::TwNationalId | Kind::TwResidentCert => 1,
            Kind::HkId | Kind::CnResidentId => 2,
            Kind::CreditCard => 3,
            _ => 0,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}
