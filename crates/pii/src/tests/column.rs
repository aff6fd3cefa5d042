//! Tests: column.
