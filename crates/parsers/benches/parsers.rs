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

fn run(bencher: divan::Bencher<'_, '_>, spec: &FormatSpec, lines: &[String]) {
    let parser = Parser::compile(spec, &ParserOptions::default()).expect("bench format compiles");
    let bytes: usize = lines.iter().map(|line| line.len() + 1).sum();
    bencher.counter(ItemsCount::new(lines.len())).counter(BytesCount::new(bytes)).bench_local(
        || {
            let mut n_ok = 0usize;
            for line in lines {
                n_ok += usize::from(parser.parse(divan::black_box(line)).is_ok());
            }
            assert_eq!(n_ok, lines.len());
        },
    );
}

#[divan::bench]
fn combined(bencher: divan::Bencher<'_, '_>) {
    run(bencher, &FormatSpec::Combined, &combined_lines());
}

#[divan::bench]
fn nginx_custom_format(bencher: divan::Bencher<'_, '_>) {
    let format = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time"#;
    let lines: Vec<String> =
        combined_lines().into_iter().map(|line| format!(r#"{line} "-" 0.004"#)).collect();
    run(bencher, &FormatSpec::Nginx(format.to_owned()), &lines);
}

/// Caddy v2 access-log lines, shaped like Caddy writes them.
fn caddy_lines() -> Vec<String> {
    let agents = [
        "curl/8.4.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    ];
    let uris =
        ["/product/10023", "/static/css/app.css", "/member/orders", "/search?q=%E9%9E%8B", "/"];
    (0..N_LINES)
        .map(|idx| {
            format!(
                r#"{{"level":"info","ts":{}.{:06},"logger":"http.log.access.log0","msg":"handled request","request":{{"remote_ip":"36.{}.{}.{}","remote_port":"{}","client_ip":"36.{}.{}.{}","proto":"HTTP/2.0","method":"GET","host":"shop.example.tw","uri":"{}","headers":{{"Accept-Encoding":["gzip, deflate, br"],"User-Agent":["{}"],"Accept":["*/*"],"Referer":["https://shop.example.tw/"]}},"tls":{{"resumed":false,"version":772,"cipher_suite":4865,"proto":"h2","server_name":"shop.example.tw"}}}},"bytes_read":0,"user_id":"","duration":0.00{},"size":{},"status":{},"resp_headers":{{"Server":["Caddy"],"Content-Type":["text/html; charset=utf-8"]}}}}"#,
                1_795_831_200 + idx,
                idx * 7919 % 1_000_000,
                224 + idx % 7,
                idx % 251,
                idx % 253,
                40_000 + idx % 20_000,
                224 + idx % 7,
                idx % 251,
                idx % 253,
                uris[idx % uris.len()],
                agents[idx % agents.len()],
                1000 + idx % 9000,
                idx * 37 % 50_000,
                [200, 200, 304, 404][idx % 4],
            )
        })
        .collect()
}

#[divan::bench]
fn json_caddy(bencher: divan::Bencher<'_, '_>) {
    run(bencher, &FormatSpec::Json(parsers::JsonMapping::caddy()), &caddy_lines());
}

#[divan::bench]
fn json_nginx(bencher: divan::Bencher<'_, '_>) {
    let lines: Vec<String> = (0..N_LINES)
        .map(|idx| {
            format!(
                r#"{{"time":"2026-11-20T{:02}:{:02}:{:02}+08:00","remote_addr":"36.{}.{}.{}","request_method":"GET","request_uri":"/product/{}?ref=home","server_protocol":"HTTP/1.1","status":"{}","body_bytes_sent":"{}","http_referer":"https://shop.example.tw/","http_user_agent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15","http_x_forwarded_for":"-","request_time":"0.004","host":"shop.example.tw","upstream_addr":"127.0.0.1:9000"}}"#,
                idx / 3600 % 24,
                idx / 60 % 60,
                idx % 60,
                224 + idx % 7,
                idx % 251,
                idx % 253,
                idx,
                [200, 200, 304, 404][idx % 4],
                idx * 37 % 50_000,
            )
        })
        .collect();
    run(bencher, &FormatSpec::Json(parsers::JsonMapping::nginx()), &lines);
}

#[divan::bench]
fn nginx_error(bencher: divan::Bencher<'_, '_>) {
    let lines: Vec<String> = (0..N_LINES)
        .map(|idx| {
            format!(
                r#"2026/11/20 {:02}:{:02}:{:02} [error] 1311#1311: *{} limiting requests, excess: {}.{:03} by zone "shop", client: 36.{}.{}.{}, server: shop.example.tw, request: "GET /product/{} HTTP/1.1", host: "shop.example.tw", referrer: "https://shop.example.tw/""#,
                idx / 3600 % 24,
                idx / 60 % 60,
                idx % 60,
                90_000 + idx,
                idx % 20,
                idx % 1000,
                224 + idx % 7,
                idx % 251,
                idx % 253,
                idx,
            )
        })
        .collect();
    run(bencher, &FormatSpec::NginxError, &lines);
}

#[divan::bench]
fn apache_error(bencher: divan::Bencher<'_, '_>) {
    let lines: Vec<String> = (0..N_LINES)
        .map(|idx| {
            format!(
                "[Mon Nov 16 09:{:02}:{:02}.813902 2026] [auth_basic:error] [pid {idx}:tid 1402] [client 198.51.{}.{}:59635] AH01618: user user{idx} not found: /admin",
                idx / 60 % 60,
                idx % 60,
                idx % 250,
                idx % 251
            )
        })
        .collect();
    run(bencher, &FormatSpec::ApacheError, &lines);
}
