//! Every built-in parser, on arbitrary bytes: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::{FormatSpec, JsonMapping, Parser, ParserOptions, TrustedProxies};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = ParserOptions {
        trusted_proxies: TrustedProxies::new(vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()]),
        default_utc_offset_secs: 8 * 3600,
    };
    let mut specs = vec![FormatSpec::Combined, FormatSpec::Common, FormatSpec::NginxError];
    for name in ["nginx", "caddy", "traefik", "login"] {
        if let Some(mapping) = JsonMapping::preset(name) {
            specs.push(FormatSpec::Json(mapping));
        }
    }
    for spec in specs {
        let parser = Parser::compile(&spec, &options).unwrap();
        if let Ok(event) = parser.parse(&text) {
            let _ = event.into_owned();
        }
    }
});
