//! Finds personal data in values, free text and column names, with real
//! validation rather than patterns alone, and masks what it finds.
//!
//! Three entry points, all pure (no IO, no clock):
//!
//! - [`find_spans`] scans free text (a log line, a note, a JSON document) and
//!   returns every [`Span`] of personal data with its [`Kind`] and its byte
//!   offsets in the text as given. The text is normalised first (full-width
//!   to half-width, percent-decoding, JSON `\u` escapes, see `normalize`), and
//!   offsets are mapped back, so a span covers `%40` or `\u738b` as written.
//! - [`classify_value`] judges one whole value (a table cell).
//! - [`ColumnProfile`] collects the sampled values of a column and
//!   [`ColumnProfile::judge`] decides what the column holds from the share of
//!   values that validate and, when given, the column's name
//!   ([`column_name_kind`], Chinese and English). One value proves little:
//!   random look-alikes (SKUs, transaction ids) pass a single check digit about
//!   one time in ten; a column of real identifiers passes almost always.
//!
//! Validation: Taiwan national ID and resident certificate (old two-letter and
//! 2021 formats) check digits, the unified business number with the 2023
//! divisor-5 rule, Luhn and issuer ranges for cards, Hong Kong ID and mainland
//! resident ID check digits, US SSN ranges, Taiwan phone number plans, ROC and
//! Gregorian calendar dates, Taiwan postal-code prefixes and address layout.
//! Chinese names are recognised from a surname list plus context (a role word
//! before, a title after, or a value delimited on its own).
//!
//! Boundaries are explicit: an identifier may touch a Chinese character (there
//! is no `\b` between `號` and `A123456789`) but not another letter or digit.
//!
//! Retention: [`find_activity_column`] finds a last-activity column by its
//! name and [`InactivityTally`] counts the dates more than three years
//! before a reference date the caller gives (the scan's start).
//!
//! [`mask`] turns a value into a sample that is safe to print (`A12****789`);
//! nothing this crate returns holds a found value in clear except the spans'
//! offsets into the caller's own text.
//!
//! Deliberately not here: reading files or databases (the `pii-scan` crate),
//! and deciding what a finding means for the law (the report).
//!
//! ```
//! use pii::{Kind, find_spans, mask};
//!
//! let line = "客戶王小明來電，手機 0912-345-678，身分證 A123456789";
//! let spans = find_spans(line);
//! let kinds: Vec<Kind> = spans.iter().map(|span| span.kind).collect();
//! assert_eq!(kinds, [Kind::PersonName, Kind::Phone, Kind::TwNationalId]);
//! assert_eq!(mask(&line[spans[2].start..spans[2].end]), "A12****789");
//! ```

mod activity;
mod address;
mod column;
mod date;
mod fingerprint;
mod ids;
mod kind;
mod mask;
mod name;
mod normalize;
mod phone;
mod pseudonym;
mod scan;
mod value;

pub use activity::{
    CivilDate, InactivityTally, RETENTION_YEARS, activity_column_rank, find_activity_column,
    parse_activity_date,
};
pub use column::{ColumnProfile, ColumnVerdict, column_name_kind};
pub use fingerprint::{fingerprint, is_fingerprinted};
pub use ids::{
    is_valid_cn_resident_id, is_valid_hk_id, is_valid_luhn, is_valid_tw_national_id,
    is_valid_tw_resident_cert, is_valid_tw_ubn, is_valid_us_ssn,
};
pub use kind::Kind;
pub use mask::mask;
pub use normalize::{Normalized, normalize};
pub use pseudonym::Pseudonymizer;
pub use scan::{Span, find_spans};
pub use value::classify_value;

#[cfg(test)]
mod tests;
