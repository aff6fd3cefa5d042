//! Tests of the processor through its public entry point.
