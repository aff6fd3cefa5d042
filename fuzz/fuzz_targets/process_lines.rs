//! Arbitrary bytes split into lines through the processor with format
//! detection: counting, sampling and summarizing never panic, and every line
//! is either an event, a parse error or blank.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::ParserOptions;
use pipeline::{FormatChoice, Processor, SummaryLimits};

fuzz_target!(|data: &[u8]| {
    let mut processor = Processor::new(FormatChoice::Auto, ParserOptions::default(), SummaryLimits::default());
    let source = processor.begin_source("fuzz").unwrap();
    for (idx, line) in data.split(|&byte| byte == b'\n').enumerate() {
        processor.line(source, idx as u64 + 1, line, None);
    }
    processor.end_source(source);
    let summary = processor.summary();
    assert_eq!(summary.events + summary.parse_errors + summary.issues.blank, summary.lines);
});
