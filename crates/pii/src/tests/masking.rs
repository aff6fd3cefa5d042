//! Tests: masking.
