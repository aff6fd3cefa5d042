//! Where an address is: its country and its autonomous system.

use std::fmt;

use serde::{Serialize, Serializer};

/// An ISO 3166-1 alpha-2 country code (`TW`, `US`), two uppercase ASCII letters.
///
/// It is two bytes inline, so setting it on an event allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country([u8; 2]);

impl Country {
    /// The code in `text`, ignoring case (`tw` gives `TW`); `None` unless it is
    /// exactly two ASCII letters.
    pub fn parse(text: &str) -> Option<Country> {
        match text.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(Country([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    /// The two bytes of the code.
    pub fn bytes(self) -> [u8; 2] {
        self.0
    }

    /// The code as text (`TW`).
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters (checked in `parse`), so this never fails.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.as_str())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
