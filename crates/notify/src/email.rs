//! Email messages: RFC 5322 headers, UTF-8 text bodies, deterministic
//! `Message-ID`s.
//!
//! Subjects with non-ASCII text are RFC 2047 encoded words and bodies are
//! base64, so Chinese text passes any server unchanged and no body line can
//! start with a dot.

use model::Timestamp;
use sha2::{Digest, Sha256};

/// One email to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The sender address (`alerts@shop.example`), used for `MAIL FROM` and `From`.
    pub from: String,
    /// A display name for `From` (may be empty).
    pub from_name: String,
    /// Recipient addresses.
    pub to: Vec<String>,
    /// The subject line.
    pub subject: String,
    /// The plain-text body (lines end in `\n`; sent as CRLF).
    pub text: String,
    /// `Message-ID` with its angle brackets; see [`message_id_for`].
    pub message_id: String,
    /// The `Date` header's time.
    pub date: Timestamp,
    /// `Content-Language` (`en`, `zh-TW`).
    pub language: &'static str,
}

/// A deterministic `Message-ID` for a key: the same key always gives the
/// same id, so a message whose fate is unknown can be looked for at the
/// server.
pub fn message_id_for(key: &str, from: &str) -> String {
    let domain = from.rsplit_once('@').map_or("leakguard.invalid", |(_, domain)| domain);
    let digest = Sha256::digest(key.as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in &digest[..16] {
        hex.push_str(&format!("{byte:02x}"));
    }
    format!("<{hex}.leakguard@{domain}>")
}

/// Whether an address is plausible enough to hand to a server (one `@`, no
/// spaces, no angle brackets or line breaks that could break the protocol).
pub fn is_valid_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else { return false };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && address.len() <= 254
        && !address.chars().any(|ch| ch.is_whitespace() || ch.is_control() || "<>,;\"".contains(ch))
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An RFC 5322 date in UTC: `Mon, 07 Dec 2026 21:12:59 +0000`.
pub fn rfc5322_date(time: Timestamp) -> String {
    let secs = time.as_unix_secs();
    let days = secs.div_euclid(86_400);
    let (year, month, day) = model::civil::civil_from_days(days);
    let of_day = secs.rem_euclid(86_400);
    let weekday = DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)];
    let month_name = MONTHS[usize::try_from(month.saturating_sub(1)).unwrap_or(0).min(11)];
    format!(
        "{weekday}, {day:02} {month_name} {year:04} {:02}:{:02}:{:02} +0000",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (idx, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if idx <= chunk.len() {
                out.push(char::from(BASE64[usize::try_from((n >> shift) & 63).unwrap_or(0)]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A header value: ASCII as is, anything else as RFC 2047 encoded words
/// (UTF-8, base64), split so no word passes 75 characters.
fn encode_header(text: &str) -> String {
    let clean: String = text.chars().map(|ch| if ch.is_control() { ' ' } else { ch }).collect();
    if clean.is_ascii() {
        return clean;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for ch in clean.chars() {
        // 45 bytes of UTF-8 become 60 base64 characters, plus 12 of framing.
        if chunk.len() + ch.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(ch);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

impl Email {
    /// The message as sent after `DATA`: CRLF line ends, headers then a
    /// base64 UTF-8 body (without the final `.` line).
    pub fn render(&self) -> String {
        let from = if self.from_name.is_empty() {
            self.from.clone()
        } else {
            format!("{} <{}>", encode_header(&self.from_name), self.from)
        };
        let mut out = String::with_capacity(self.text.len() * 2 + 512);
        out.push_str(&format!("From: {from}\r\n"));
        out.push_str(&format!("To: {}\r\n", self.to.join(", ")));
        out.push_str(&format!("Subject: {}\r\n", encode_header(&self.subject)));
        out.push_str(&format!("Date: {}\r\n", rfc5322_date(self.date)));
        out.push_str(&format!("Message-ID: {}\r\n", self.message_id));
        out.push_str(&format!("Content-Language: {}\r\n", self.language));
        out.push_str("MIME-Version: 1.0\r\n");
        out.push_str("Content-Type: text/plain; charset=utf-8\r\n");
        out.push_str("Content-Transfer-Encoding: base64\r\n");
        out.push_str("Auto-Submitted: auto-generated\r\n\r\n");
        let body = self.text.replace("\r\n", "\n").replace('\n', "\r\n");
        let encoded = base64(body.as_bytes());
        for line in encoded.as_bytes().chunks(76) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push_str("\r\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    #[test]
    fn dates_follow_rfc_5322() {
        let time = Timestamp::from_civil(2026, 12, 7, 21, 12, 59, 0);
        assert_eq!(rfc5322_date(time), "Mon, 07 Dec 2026 21:12:59 +0000");
        assert_eq!(rfc5322_date(Timestamp::EPOCH), "Thu, 01 Jan 1970 00:00:00 +0000");
    }

    #[test]
    fn message_ids_are_deterministic_per_key() {
        let one = message_id_for("incident-1/person-7", "notices@shop.example");
        assert_eq!(one, message_id_for("incident-1/person-7", "notices@shop.example"));
        assert_ne!(one, message_id_for("incident-1/person-8", "notices@shop.example"));
        assert!(one.starts_with('<') && one.ends_with("@shop.example>"), "{one}");
    }

    #[test]
    fn chinese_subjects_become_encoded_words_of_bounded_length() {
        let subject = "【重要】個人資料外洩通知：您的姓名、電話與地址可能已外洩，請提防詐騙電話";
        let encoded = encode_header(subject);
        assert!(encoded.starts_with("=?UTF-8?B?"));
        assert!(encoded.split("\r\n ").all(|word| word.len() <= 75), "{encoded}");
        assert_eq!(encode_header("plain\nsubject"), "plain subject");
    }

    #[test]
    fn addresses_that_could_break_the_protocol_are_refused() {
        assert!(is_valid_address("a.b@shop.example"));
        for bad in ["", "nobody", "a@", "@b", "a b@c", "a@b>\r\nRCPT TO:<x@y>", "a@b@c"] {
            assert!(!is_valid_address(bad), "{bad:?}");
        }
    }
}
