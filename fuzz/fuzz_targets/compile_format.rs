//! nginx and Apache format strings compiled from arbitrary text, then used on
//! arbitrary lines: compiling and parsing never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::{FormatSpec, Parser, ParserOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (format, line) = text.split_once('\n').unwrap_or((&text, ""));
    for spec in [FormatSpec::Nginx(format.to_owned()), FormatSpec::Apache(format.to_owned())] {
        if let Ok(parser) = Parser::compile(&spec, &ParserOptions::default()) {
            let _ = parser.parse(line);
        }
    }
});
