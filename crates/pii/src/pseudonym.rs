//! Keyed pseudonyms for de-identified copies (`leakguard mask`).
//!
//! A pseudonym is `kind_` and 12 hex digits of HMAC-SHA256 over the kind and
//! the value's canonical form, under a secret key. The same value always
//! gets the same pseudonym (`0912-345-678` and `+886 912 345 678` too), so
//! joins between masked files still work; without the key a pseudonym cannot
//! be brute-forced back from the small space of IDs or phone numbers.
//! Pseudonyms are never valid identifiers, so they cannot name someone else.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::fingerprint::canonical_form;
use crate::kind::Kind;
use crate::scan::find_spans;

/// Makes keyed pseudonyms.
#[derive(Clone)]
pub struct Pseudonymizer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is a secret.
        formatter.write_str("Pseudonymizer { key: *** }")
    }
}

impl Pseudonymizer {
    /// A pseudonymizer with `key` (at least 16 bytes are advisable).
    pub fn new(key: &[u8]) -> Self {
        Pseudonymizer { key: key.to_vec() }
    }

    /// The pseudonym of `value` read as `kind`; e-mail addresses keep the
    /// shape of an address (`u1a2b3c4d5e6f@example.invalid`).
    pub fn pseudonym(&self, value: &str, kind: Kind) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC takes keys of any length; this branch is not reached.
            return format!("{}_redacted", kind.as_str());
        };
        mac.update(kind.as_str().as_bytes());
        mac.update(b":");
        mac.update(&canonical_form(value, kind));
        let digest = mac.finalize().into_bytes();
        let hex: String = digest[..6].iter().map(|byte| format!("{byte:02x}")).collect();
        match kind {
            Kind::Email => format!("u{hex}@example.invalid"),
            _ => format!("{}_{hex}", kind.as_str()),
        }
    }

    /// `text` with every span of personal data replaced by its pseudonym.
    pub fn mask_text(&self, text: &str) -> (String, usize) {
        let spans = find_spans(text);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut n_replaced = 0;
        for span in &spans {
            if !span.kind.is_personal() {
                continue;
            }
            out.push_str(&text[at..span.start]);
            out.push_str(&self.pseudonym(&text[span.start..span.end], span.kind));
            at = span.end;
            n_replaced += 1;
        }
        out.push_str(&text[at..]);
        (out, n_replaced)
    }
}
