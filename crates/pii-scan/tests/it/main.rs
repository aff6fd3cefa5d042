//! Service-backed and end-to-end tests of pii-scan.
