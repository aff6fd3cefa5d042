//! Unit tests of the file readers (CSV, JSON, SQL dumps, text, encodings).

mod files;
mod properties;
