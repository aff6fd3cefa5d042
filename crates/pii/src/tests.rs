//! Unit tests of the detectors, the column judge and masking.

mod column;
mod detectors;
mod masking;
mod properties;
