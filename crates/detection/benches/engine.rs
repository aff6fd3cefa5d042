//! Detection throughput: events per second against the number of rules, on
//! synthetic but typical shop traffic (mostly assets and product pages that no
//! rule's `where` matches, some logins, searches and member pages, and a little
//! attack traffic), and on a flood where every event is a new key.
//!
//! Run with `cargo bench -p detection`. Inputs are built here, deterministically;
//! the allocation profiler shows allocations per iteration.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

use detection::{Engine, EngineLimits, Evidence};
use divan::counter::ItemsCount;
use model::{Event, EventKind, LoginOutcome, Timestamp};
use rules::{RuleSet, Sets, Site};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

const N_EVENTS: usize = 10_000;

/// Twenty rules of every kind, written like the shipped pack will be.
const RULES: [&str; 20] = [
    "id: stuffing-ip\ntitle: t\nseverity: high\ndetection: {kind: count, where: {endpoint: member_login, outcome: failure}, window: 1m, threshold: 10}\nresponse: [{action: ban, scope: ip, duration: 24h}]\n",
    "id: sensitive-paths\ntitle: t\nseverity: medium\ndetection: {kind: match, where: {path: {in_set: sensitive-paths, mode: prefix}}}\n",
    "id: scanner-agents\ntitle: t\nseverity: medium\ndetection: {kind: match, where: {user_agent: {in_set: scanner-agents, mode: contains, ignore_case: true}}}\n",
    "id: spray-ip\ntitle: t\nseverity: high\ndetection: {kind: count, where: {endpoint: member_login, method: POST}, window: 10m, threshold: 20, distinct: account}\n",
    "id: admin-direct\ntitle: t\nseverity: critical\ndetection: {kind: absence, where: {endpoint: admin_login, method: POST, outcome: success}, unless_preceded_by: {where: {endpoint: admin_login, method: GET}, within: 12h}}\n",
    "id: order-walk\ntitle: t\nseverity: critical\ndetection: {kind: enumeration, where: {endpoint: order_pages, method: GET, status: 2xx}, id_from: path, id_pattern: '^/member/orders/(\\d+)$', window: 10m, threshold: 20}\n",
    "id: export-flood\ntitle: t\nseverity: critical\ndetection: {kind: count, where: {endpoint: exports, status: 2xx}, window: 10m, threshold: 500}\n",
    "id: not-found-flood\ntitle: t\nseverity: low\ndetection: {kind: count, where: {status: 404, is_static: false}, window: 1m, threshold: 50}\n",
    "id: admin-bruteforce\ntitle: t\nseverity: high\ndetection: {kind: count, where: {endpoint: admin_login, outcome: failure}, window: 10m, threshold: 5}\n",
    "id: reset-flood\ntitle: t\nseverity: medium\ndetection: {kind: count, where: {endpoint: password_reset, method: POST}, window: 10m, threshold: 10, distinct: account}\n",
    "id: search-scrape\ntitle: t\nseverity: low\ndetection: {kind: count, where: {endpoint: search}, window: 1m, threshold: 120}\n",
    "id: member-scrape\ntitle: t\nseverity: medium\ndetection: {kind: count, where: {endpoint: member_area, status: 2xx}, window: 10m, threshold: 300, distinct: path}\n",
    "id: range-stuffing\ntitle: t\nseverity: high\ndetection: {kind: count, where: {endpoint: member_login, outcome: failure}, group_by: [range], window: 10m, threshold: 50}\n",
    "id: account-attack\ntitle: t\nseverity: high\ndetection: {kind: count, where: {kind: login, outcome: failure}, group_by: [account], window: 1h, threshold: 10, distinct: ip}\n",
    "id: xmlrpc-abuse\ntitle: t\nseverity: medium\ndetection: {kind: count, where: {path: /xmlrpc.php, method: POST}, window: 1m, threshold: 20}\n",
    "id: rate-limited\ntitle: t\nseverity: low\ndetection: {kind: count, where: {notice: [limit_req, limit_conn]}, window: 1m, threshold: 30}\n",
    "id: session-hopping\ntitle: t\nseverity: high\ndetection: {kind: count, where: {session: {exists: true}, endpoint: member_area}, group_by: [session], window: 10m, threshold: 4, distinct: ip}\n",
    "id: traversal\ntitle: t\nseverity: high\ndetection: {kind: match, where: {any: [{path: {contains: ['../', '..%2f', '%2e%2e']}}, {query: {contains: ['../', '..%2f', '%2e%2e'], ignore_case: true}}]}}\n",
    "id: admin-from-outside\ntitle: t\nseverity: medium\ndetection: {kind: match, where: {endpoint: admin_area, not: {client_ip: {cidr: [10.0.0.0/8, 192.168.0.0/16]}}, status: 2xx}, cooldown: 1h}\n",
    "id: odd-methods\ntitle: t\nseverity: low\ndetection: {kind: match, where: {method: [TRACE, TRACK, PROPFIND, DEBUG]}}\n",
];

fn sets() -> Sets {
    let mut sets = Sets::new();
    sets.insert(
        "sensitive-paths",
        [
            "/.env",
            "/.git/",
            "/.svn/",
            "/.aws/",
            "/wp-config.php.",
            "/config.php.bak",
            "/backup",
            "/db.sql",
            "/dump.sql",
            "/phpinfo.php",
            "/server-status",
            "/.DS_Store",
            "/vendor/phpunit",
            "/actuator",
            "/_profiler",
            "/debug/",
            "/.htpasswd",
            "/id_rsa",
            "/web.config",
            "/admin.zip",
        ],
    );
    sets.insert(
        "scanner-agents",
        [
            "sqlmap",
            "nikto",
            "nuclei",
            "masscan",
            "zgrab",
            "wpscan",
            "dirbuster",
            "gobuster",
            "ffuf",
            "acunetix",
        ],
    );
    sets
}

fn rule_set(n_rules: usize) -> RuleSet {
    let sources: Vec<(String, &str)> = RULES[..n_rules]
        .iter()
        .enumerate()
        .map(|(idx, text)| (format!("r{idx}.yaml"), *text))
        .collect();
    RuleSet::compile_sources(
        sources.iter().map(|(origin, text)| (origin.as_str(), *text)),
        &sets(),
        &Site::default(),
    )
    .expect("bench rules compile")
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn typical_traffic() -> Vec<Event<'static>> {
    const ASSETS: [&str; 6] = [
        "/static/css/app.css",
        "/static/js/app.js",
        "/images/products/1042.jpg",
        "/assets/fonts/noto.woff2",
        "/favicon.ico",
        "/wp-content/uploads/2026/11/banner.webp",
    ];
    const PAGES: [&str; 5] = ["/", "/product/shoes-42", "/category/bags", "/cart", "/checkout"];
    const AGENTS: [&str; 3] = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = Timestamp::from_unix_secs(1_795_053_600);
    (0..N_EVENTS)
        .map(|idx| {
            let client = IpAddr::V4(Ipv4Addr::from(0x24e0_0000 + rng.below(3_000) as u32));
            let roll = rng.below(1000);
            let (method, path, query, status): (&str, Cow<'static, str>, &str, u16) = match roll {
                0..=599 => (
                    "GET",
                    ASSETS[rng.below(6) as usize].into(),
                    "",
                    [200, 304][rng.below(2) as usize],
                ),
                600..=849 => ("GET", PAGES[rng.below(5) as usize].into(), "", 200),
                850..=899 => ("GET", "/search".into(), "q=%E9%9E%8B", 200),
                900..=939 => {
                    ("GET", format!("/member/orders/{}", rng.below(100_000)).into(), "", 200)
                }
                940..=959 => ("GET", "/member/login".into(), "", 200),
                960..=979 => {
                    ("POST", "/member/login".into(), "", [302, 302, 200][rng.below(3) as usize])
                }
                980..=989 => ("GET", "/admin/orders".into(), "", 200),
                990..=995 => ("GET", "/product/missing".into(), "", 404),
                996 => ("GET", "/.env".into(), "", 404),
                997 => ("GET", "/member/../../etc/passwd".into(), "", 400),
                998 => ("POST", "/member/password/reset".into(), "", 302),
                _ => ("GET", "/admin/export/customers.csv".into(), "", 200),
            };
            Event {
                time: start.add_micros(idx as i64 * 10_000),
                kind: EventKind::Request,
                client_ip: Some(client),
                method: Cow::Borrowed(method),
                path,
                query: Cow::Borrowed(query),
                protocol: Cow::Borrowed("HTTP/1.1"),
                status: Some(status),
                bytes: Some(rng.below(50_000)),
                user_agent: Cow::Borrowed(AGENTS[rng.below(3) as usize]),
                referer: Cow::Borrowed("https://shop.example.tw/"),
                account: if method == "POST" {
                    Cow::Owned(format!("user{}", rng.below(500)))
                } else {
                    Cow::Borrowed("")
                },
                outcome: None::<LoginOutcome>,
                ..Event::default()
            }
        })
        .collect()
}

fn run(bencher: divan::Bencher<'_, '_>, rule_set: &RuleSet, events: &[Event<'static>]) {
    let evidence = Evidence { source: "access.log", line: 1, text: "a line" };
    bencher
        .counter(ItemsCount::new(events.len()))
        .with_inputs(|| Engine::new(rule_set.clone(), EngineLimits::default()))
        .bench_local_values(|mut engine| {
            for event in events {
                engine.feed(divan::black_box(event), &evidence);
            }
            engine
        });
}

/// Typical traffic through the first `n_rules` rules.
#[divan::bench(args = [0, 1, 5, 10, 20])]
fn typical(bencher: divan::Bencher<'_, '_>, n_rules: usize) {
    let events = typical_traffic();
    run(bencher, &rule_set(n_rules), &events);
}

/// Every event a failed login from a new address: the worst case for key state.
#[divan::bench]
fn flood_of_new_keys(bencher: divan::Bencher<'_, '_>) {
    let start = Timestamp::from_unix_secs(1_795_053_600);
    let events: Vec<Event<'static>> = (0..N_EVENTS)
        .map(|idx| Event {
            time: start.add_micros(idx as i64 * 100),
            client_ip: Some(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + idx as u32))),
            method: Cow::Borrowed("POST"),
            path: Cow::Borrowed("/member/login"),
            status: Some(200),
            ..Event::default()
        })
        .collect();
    run(bencher, &rule_set(1), &events);
}

/// One rule alone (by index in `RULES`): what a rule costs by itself.
#[divan::bench(args = [0, 1, 2, 5, 17])]
fn one_rule(bencher: divan::Bencher<'_, '_>, idx: usize) {
    let events = typical_traffic();
    let rule_set = RuleSet::compile_sources([("rule.yaml", RULES[idx])], &sets(), &Site::default())
        .expect("bench rules compile");
    run(bencher, &rule_set, &events);
}

/// Classifying events by endpoint class and outcome alone (done once per event).
#[divan::bench]
fn classify(bencher: divan::Bencher<'_, '_>) {
    let events = typical_traffic();
    let site = Site::default();
    bencher.counter(ItemsCount::new(events.len())).bench_local(|| {
        let mut n_classified = 0usize;
        for event in &events {
            n_classified +=
                usize::from(!site.classify(divan::black_box(event)).endpoints.is_empty());
        }
        n_classified
    });
}
