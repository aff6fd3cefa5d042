//! Unit tests of the detectors, the column judge and masking.

mod activity;
mod column;
mod detectors;
mod masking;
mod properties;
