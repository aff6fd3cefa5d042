//! Run with: cargo run -p payloads --example inspect -- '<request target>' ['<user agent>'] ['<referer>']
//!
//! Prints the verdicts for one request, e.g.
//! `cargo run -p payloads --example inspect -- '/search?q=1%27%20or%20%271%27=%271'`.

#![allow(clippy::print_stdout)]

use payloads::{Request, inspect};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = args.first().map_or("/", String::as_str);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let request = Request {
        path,
        query,
        user_agent: args.get(1).map_or("", String::as_str),
        referer: args.get(2).map_or("", String::as_str),
    };
    let verdicts = inspect(&request);
    if verdicts.is_empty() {
        println!("clean");
    }
    for verdict in verdicts {
        println!("{verdict}");
    }
}
