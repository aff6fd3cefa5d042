//! Fingerprints: a hash of a value's canonical form, so that copies of the
//! same personal data in several places can be found without keeping the
//! data. Fingerprints stay in memory during a scan; reports never show them.

use crate::kind::Kind;
use crate::normalize::normalize;

/// Kinds specific enough that two equal values mean the same person.
pub fn is_fingerprinted(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::TwNationalId
            | Kind::TwResidentCert
            | Kind::HkId
            | Kind::CnResidentId
            | Kind::UsSsn
            | Kind::Phone
            | Kind::Email
            | Kind::CreditCard
            | Kind::BankAccount
            | Kind::EinvoiceCarrier
    )
}

/// The fingerprint of `value` read as `kind`: FNV-1a over its canonical form
/// (decoded, letters and digits only, upper case; e-mail lower case; Taiwan
/// phones in national form), so `0912-345-678` and `+886 912 345 678` match.
pub fn fingerprint(value: &str, kind: Kind) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in canonical_form(value, kind) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The canonical form of a value: decoded, letters and digits only, upper
/// case (e-mail lower case, carriers as written), Taiwan phones national.
pub(crate) fn canonical_form(value: &str, kind: Kind) -> Vec<u8> {
    let normalized = normalize(value);
    let mut canonical: Vec<u8> = Vec::with_capacity(value.len());
    for byte in normalized.text.trim().bytes() {
        match kind {
            Kind::Email => canonical.push(byte.to_ascii_lowercase()),
            Kind::EinvoiceCarrier | Kind::PersonName | Kind::Address | Kind::FreeText
                if byte != b' ' =>
            {
                canonical.push(byte);
            }
            Kind::EinvoiceCarrier | Kind::PersonName | Kind::Address | Kind::FreeText => {}
            _ if byte.is_ascii_alphanumeric() => canonical.push(byte.to_ascii_uppercase()),
            _ if byte >= 0x80 => canonical.push(byte),
            _ => {}
        }
    }
    if kind == Kind::Phone && canonical.starts_with(b"886") {
        canonical.splice(..3, [b'0']);
    }
    canonical
}
