//! Parser throughput benchmarks: lines per second and bytes per second.
//!
//! Run with `cargo bench -p parsers`. Inputs are built here, deterministically.

use divan::counter::{BytesCount, ItemsCount};
use parsers::{FormatSpec, Parser, ParserOptions};

fn main() {
    divan::main();
}

const N_LINES: usize = 10_000;

fn combined_lines() -> Vec<String> {
    let agents = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ];
    let paths =
        ["/product/10023", "/static/css/app.css", "/member/orders", "/search?q=%E9%9E%8B", "/"];
    (0..N_LINES)
        .map(|idx| {
            format!(
                r#"{}.{}.{}.{} - - [20/Nov/2026:{:02}:{:02}:{:02} +0800] "GET {} HTTP/1.1" {} {} "https://shop.example.tw/" "{}""#,
                36 + idx % 3,
                224 + idx % 7,
                idx % 251,
                idx % 253,
                idx / 3600 % 24,
                idx / 60 % 60,
                idx % 60,
                paths[idx % paths.len()],
                [200, 200, 304, 404][idx % 4],
                idx * 37 % 50_000,
                agents[idx % agents.len()],
            )
        })
        .collect()
}

fn run(bencher: divan::Bencher<'_, '_>, spec: FormatSpec, lines: Vec<String>) {
    let parser = Parser::compile(&spec, &ParserOptions::default()).expect("bench format compiles");
    let bytes: usize = lines.iter().map(|line| line.len() + 1).sum();
    bencher.counter(ItemsCount::new(lines.len())).counter(BytesCount::new(bytes)).bench_local(
        || {
            let mut n_ok = 0usize;
            for line in &lines {
                n_ok += usize::from(parser.parse(divan::black_box(line)).is_ok());
            }
            assert_eq!(n_ok, lines.len());
        },
    );
}

#[divan::bench]
fn combined(bencher: divan::Bencher<'_, '_>) {
    run(bencher, FormatSpec::Combined, combined_lines());
}

#[divan::bench]
fn nginx_custom_format(bencher: divan::Bencher<'_, '_>) {
    let format = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time"#;
    let lines = combined_lines().into_iter().map(|line| format!(r#"{line} "-" 0.004"#)).collect();
    run(bencher, FormatSpec::Nginx(format.to_owned()), lines);
}
