//! Tests: detectors.
