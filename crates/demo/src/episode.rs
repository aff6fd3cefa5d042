//! Attack episodes: what each looks like in the access log, when it happens,
//! and its ground truth.
//!
//! Each episode is drafted with times relative to its own start, by its own
//! random stream, then placed at its local time of day (see
//! [`EpisodeKind::local_time`]). Sizes grow with the cube root of the day's
//! line count, so an episode is as recognisable at 10,000 lines as at
//! 5,000,000 but never swamps the day.

use std::collections::BTreeSet;
use std::net::IpAddr;

use model::Timestamp;
use serde::Serialize;

use crate::account;
use crate::agent;
use crate::day::{Day, MICROS_PER_SEC};
use crate::line::Referer;
use crate::network::{self, block};
use crate::rng::Rng;
use crate::script::{HTTP_1_1, HTTP_2, Script};
use crate::site::{self, Method, Target};

/// The kinds of attack the generator plants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeKind {
    /// One address posting hundreds of leaked credentials to `/member/login`
    /// at 10 to 20 a second; mostly 401, a few 302.
    CredentialStuffing,
    /// Hundreds of addresses from a few foreign /24s and one provider block,
    /// each trying one to three logins over half an hour; about 95% fail.
    DistributedStuffing,
    /// One address failing five or more times on one account, then stopping.
    AccountBruteForce,
    /// One address fetching more than 40 product pages within 3 seconds,
    /// burst after burst, with `python-requests`.
    Scraping,
    /// One logged-in customer walking `/member/orders/{n}` with consecutive
    /// numbers: mostly 403 and 404, some 200.
    OrderEnumeration,
    /// One address reading `/admin/orders/export` and `/admin/members` (200)
    /// without ever posting to `/admin/login`.
    AdminLoginBypass,
    /// One address posting dozens of wrong passwords to `/admin/login` (401).
    AdminBruteForce,
    /// One address probing `/.env`, `/.git/config`, `/phpmyadmin/`,
    /// `/backup.sql` and the like: a burst of 404s.
    SensitiveFileProbing,
    /// One address sending SQL-injection payloads with the sqlmap user agent.
    SqlInjectionProbing,
    /// One address requesting password resets for many accounts within minutes.
    PasswordResetAbuse,
    /// One logged-in session fetching hundreds of different orders (200).
    BulkExport,
    /// An address outside Taiwan logging in to `/admin/login` (302) and
    /// browsing the admin pages.
    ForeignAdminLogin,
}

impl EpisodeKind {
    /// Every kind, in the order of the day's schedule at the default start.
    pub const ALL: [EpisodeKind; 12] = [
        EpisodeKind::ForeignAdminLogin,
        EpisodeKind::SensitiveFileProbing,
        EpisodeKind::SqlInjectionProbing,
        EpisodeKind::CredentialStuffing,
        EpisodeKind::AdminBruteForce,
        EpisodeKind::AccountBruteForce,
        EpisodeKind::Scraping,
        EpisodeKind::PasswordResetAbuse,
        EpisodeKind::OrderEnumeration,
        EpisodeKind::DistributedStuffing,
        EpisodeKind::AdminLoginBypass,
        EpisodeKind::BulkExport,
    ];

    /// The snake_case name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            EpisodeKind::CredentialStuffing => "credential_stuffing",
            EpisodeKind::DistributedStuffing => "distributed_stuffing",
            EpisodeKind::AccountBruteForce => "account_brute_force",
            EpisodeKind::Scraping => "scraping",
            EpisodeKind::OrderEnumeration => "order_enumeration",
            EpisodeKind::AdminLoginBypass => "admin_login_bypass",
            EpisodeKind::AdminBruteForce => "admin_brute_force",
            EpisodeKind::SensitiveFileProbing => "sensitive_file_probing",
            EpisodeKind::SqlInjectionProbing => "sql_injection_probing",
            EpisodeKind::PasswordResetAbuse => "password_reset_abuse",
            EpisodeKind::BulkExport => "bulk_export",
            EpisodeKind::ForeignAdminLogin => "foreign_admin_login",
        }
    }

    /// Local time of day `(hour, minute)` the episode starts at; the second is
    /// drawn from the seed. An episode that would run past the end of the day
    /// (possible only when the day does not start at local midnight) is moved
    /// earlier so that it ends inside it.
    pub fn local_time(self) -> (u32, u32) {
        match self {
            EpisodeKind::ForeignAdminLogin => (2, 47),
            EpisodeKind::SensitiveFileProbing => (3, 12),
            EpisodeKind::SqlInjectionProbing => (3, 41),
            EpisodeKind::CredentialStuffing => (4, 18),
            EpisodeKind::AdminBruteForce => (9, 52),
            EpisodeKind::AccountBruteForce => (10, 34),
            EpisodeKind::Scraping => (11, 16),
            EpisodeKind::PasswordResetAbuse => (13, 23),
            EpisodeKind::OrderEnumeration => (14, 7),
            EpisodeKind::DistributedStuffing => (15, 40),
            EpisodeKind::AdminLoginBypass => (17, 31),
            EpisodeKind::BulkExport => (21, 12),
        }
    }

    fn stream(self) -> u64 {
        100 + EpisodeKind::ALL.iter().position(|&kind| kind == self).unwrap_or(0) as u64
    }
}

/// The ground truth of one planted episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Episode {
    /// What kind of attack it is.
    pub kind: EpisodeKind,
    /// Every client address of the episode, sorted. No other traffic uses them.
    pub ips: Vec<IpAddr>,
    /// Accounts the attacker tried or used (not in the access log; the login
    /// form posts them in the request body).
    pub accounts: Vec<String>,
    /// Time of its first line, in whole seconds as the log shows it.
    pub first_time: Timestamp,
    /// Time of its last line, in whole seconds.
    pub last_time: Timestamp,
    /// Number of lines it wrote (every line from its addresses).
    pub lines: u64,
}

/// An episode drafted with relative times, not yet placed in the day.
#[derive(Debug)]
pub(crate) struct Draft {
    pub(crate) kind: EpisodeKind,
    pub(crate) script: Script,
    pub(crate) accounts: Vec<String>,
}

impl Draft {
    pub(crate) fn n_lines(&self) -> u64 {
        self.script.lines.len() as u64
    }

    /// Where the episode starts: its local time of day plus a seeded second,
    /// moved earlier if it would not end inside the day.
    pub(crate) fn place(&self, day: &Day, seed: u64) -> i64 {
        let mut rng = Rng::new(seed, self.kind.stream() + 1_000);
        let (hour, minute) = self.kind.local_time();
        let start = day.at_local(i64::from(hour), i64::from(minute), rng.below(60) as i64);
        let duration = self.script.time_span().map_or(0, |(_, last)| last);
        start.min(day.end - 1 - duration).max(day.start)
    }

    /// The ground truth once placed at `offset`.
    pub(crate) fn truth(&self, offset: i64) -> Episode {
        let ips: BTreeSet<IpAddr> =
            self.script.sources.iter().map(|source| source.address).collect();
        let (first, last) = self.script.time_span().unwrap_or((0, 0));
        let whole_second =
            |micros: i64| Timestamp::from_unix_secs(micros.div_euclid(MICROS_PER_SEC));
        Episode {
            kind: self.kind,
            ips: ips.into_iter().collect(),
            accounts: self.accounts.clone(),
            first_time: whole_second(offset + first),
            last_time: whole_second(offset + last),
            lines: self.n_lines(),
        }
    }
}

/// `base` grown by the scale (thousandths).
fn scaled(base: u64, scale: u64) -> usize {
    (base * scale / 1_000) as usize
}

const SEC: i64 = MICROS_PER_SEC;
const MS: i64 = 1_000;

/// Drafts one episode. A new `attempt` draws new addresses (and everything
/// else), for when the first draw collided with another client's address.
pub(crate) fn draft(kind: EpisodeKind, seed: u64, day: &Day, scale: u64, attempt: u64) -> Draft {
    let mut rng = Rng::new(seed, kind.stream() + attempt * 10_000);
    let rng = &mut rng;
    let mut script = Script::default();
    let accounts = match kind {
        EpisodeKind::CredentialStuffing => credential_stuffing(rng, scale, &mut script),
        EpisodeKind::DistributedStuffing => distributed_stuffing(rng, scale, &mut script),
        EpisodeKind::AccountBruteForce => account_brute_force(rng, scale, &mut script),
        EpisodeKind::Scraping => scraping(rng, scale, &mut script),
        EpisodeKind::OrderEnumeration => order_enumeration(rng, scale, day, &mut script),
        EpisodeKind::AdminLoginBypass => admin_login_bypass(rng, scale, &mut script),
        EpisodeKind::AdminBruteForce => admin_brute_force(rng, scale, &mut script),
        EpisodeKind::SensitiveFileProbing => sensitive_file_probing(rng, scale, &mut script),
        EpisodeKind::SqlInjectionProbing => sql_injection_probing(rng, scale, &mut script),
        EpisodeKind::PasswordResetAbuse => password_reset_abuse(rng, scale, &mut script),
        EpisodeKind::BulkExport => bulk_export(rng, scale, day, &mut script),
        EpisodeKind::ForeignAdminLogin => foreign_admin_login(rng, scale, &mut script),
    };
    script.sort();
    Draft { kind, script, accounts }
}

const LOGIN_FORM: Referer = Referer::Page(Target::LoginPage { is_from_checkout: false });

fn credential_stuffing(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source =
        script.add_source(block(45, 95, 147, 0, 24).host(rng), agent::STALE_CHROME, HTTP_1_1);
    let n_attempts = scaled(360, scale);
    let accounts = account::distinct_accounts(rng, n_attempts);
    let per_sec = (n_attempts as i64 / 90).clamp(10, 20);
    let mean_gap = SEC / per_sec;
    let n_successes = (n_attempts / 90).max(2).min(n_attempts);
    let mut is_success = vec![false; n_attempts];
    let mut n_marked = 0;
    while n_marked < n_successes {
        let idx = rng.below(n_attempts as u64) as usize;
        if !is_success[idx] {
            is_success[idx] = true;
            n_marked += 1;
        }
    }
    let mut time = 0;
    for is_success in is_success {
        let (status, bytes) =
            if is_success { (302, 0) } else { (401, site::body_bytes(Target::LoginPost, rng)) };
        script.push(time, source, Method::Post, Target::LoginPost, status, bytes, LOGIN_FORM);
        time += rng.span(mean_gap / 2, mean_gap * 3 / 2);
    }
    accounts
}

fn distributed_stuffing(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    // A few /24s of rented servers and one provider's /20, like one ASN.
    const BLOCKS: &[(u32, network::Block)] = &[
        (15, block(193, 32, 162, 0, 24)),
        (15, block(194, 26, 29, 0, 24)),
        (10, block(91, 92, 240, 0, 24)),
        (10, block(80, 94, 95, 0, 24)),
        (50, block(5, 181, 80, 0, 20)),
    ];
    // The blocks hold about 5,000 hosts; stay well below so drawing stays quick.
    let n_addresses = scaled(320, scale).min(3_000);
    let mut seen = BTreeSet::new();
    let mut attempts = Vec::new();
    while seen.len() < n_addresses {
        let address = rng.choose(BLOCKS).host(rng);
        if !seen.insert(address) {
            continue;
        }
        let browser = rng.pick(agent::BROWSERS);
        let source = script.add_source(address, browser.text, HTTP_1_1);
        let n_tries = rng.choose(&[(45, 1), (35, 2), (20, 3)]);
        let mut time = rng.span(0, 20 * 60 * SEC);
        for _ in 0..n_tries {
            attempts.push((time, source));
            time += rng.span(30 * SEC, 300 * SEC);
        }
    }
    let accounts = account::distinct_accounts(rng, attempts.len());
    for (time, source) in attempts {
        let (status, bytes) = if rng.chance(500) {
            (302, 0)
        } else {
            (401, site::body_bytes(Target::LoginPost, rng))
        };
        let referer = if rng.chance(7_000) { LOGIN_FORM } else { Referer::None };
        script.push(time, source, Method::Post, Target::LoginPost, status, bytes, referer);
    }
    accounts
}

fn account_brute_force(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source = script.add_source(network::taiwan_mobile_host(rng), agent::IPHONE_SAFARI, HTTP_2);
    let login_page = Target::LoginPage { is_from_checkout: false };
    let page_bytes = site::body_bytes(login_page, rng);
    script.push(0, source, Method::Get, login_page, 200, page_bytes, Referer::Page(Target::Member));
    let n_failures = 5 + (scale.saturating_sub(1_000) / 1_000) as usize;
    let mut time = 0;
    for _ in 0..n_failures {
        time += rng.span(6 * SEC, 25 * SEC);
        let bytes = site::body_bytes(Target::LoginPost, rng);
        script.push(time, source, Method::Post, Target::LoginPost, 401, bytes, LOGIN_FORM);
    }
    vec![account::account(rng)]
}

fn scraping(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source =
        script.add_source(block(47, 242, 0, 0, 16).host(rng), agent::PYTHON_REQUESTS, HTTP_1_1);
    let n_bursts = scaled(4, scale).max(1);
    let mut id = site::FIRST_PRODUCT + rng.below(600) as u16;
    let mut time = 0;
    for _ in 0..n_bursts {
        // At most 48 requests 60 ms apart: always more than 40 within 3 seconds.
        for _ in 0..rng.range(42, 48) {
            let target = Target::Product { id, campaign: site::Campaign::None };
            let (status, bytes) = if site::is_removed_product(id) {
                (404, site::APP_NOT_FOUND_BYTES)
            } else {
                (200, site::body_bytes(target, rng))
            };
            script.push(time, source, Method::Get, target, status, bytes, Referer::None);
            id = if id >= site::LAST_PRODUCT + 100 { site::FIRST_PRODUCT } else { id + 1 };
            time += rng.span(30 * MS, 60 * MS);
        }
        time += rng.span(8 * SEC, 25 * SEC);
    }
    Vec::new()
}

fn order_enumeration(rng: &mut Rng, scale: u64, day: &Day, script: &mut Script) -> Vec<String> {
    let source = script.add_source(network::taiwan_fixed_host(rng), agent::WINDOWS_CHROME, HTTP_2);
    let mut time = log_in(rng, script, source);
    // The attacker's own order, three days ago, then the ones placed after it.
    let own_seq = rng.range(300, 900);
    let orders_that_day = own_seq + 700;
    time += rng.span(3 * SEC, 8 * SEC);
    let own = Target::Order(day.order_id(3, own_seq));
    let bytes = site::body_bytes(own, rng);
    script.push(time, source, Method::Get, own, 200, bytes, Referer::Page(Target::Orders));
    for step in 1..=scaled(60, scale) as u64 {
        time += rng.span(700 * MS, 2_200 * MS);
        let seq = own_seq + step;
        let target = Target::Order(day.order_id(3, seq));
        let status = if seq >= orders_that_day {
            404
        } else {
            rng.choose(&[(80, 403_u16), (12, 200), (8, 404)])
        };
        let bytes = match status {
            200 => site::body_bytes(target, rng),
            403 => 3_914,
            _ => site::APP_NOT_FOUND_BYTES,
        };
        script.push(time, source, Method::Get, target, status, bytes, Referer::None);
    }
    vec![account::account(rng)]
}

/// A browser login: form, post (302), the member page, the order list.
/// Returns the time of the last line.
fn log_in(rng: &mut Rng, script: &mut Script, source: u32) -> i64 {
    let login_page = Target::LoginPage { is_from_checkout: false };
    let bytes = site::body_bytes(login_page, rng);
    script.push(0, source, Method::Get, login_page, 200, bytes, Referer::Page(Target::Member));
    let mut time = rng.span(8 * SEC, 20 * SEC);
    script.push(time, source, Method::Post, Target::LoginPost, 302, 0, LOGIN_FORM);
    time += rng.span(50 * MS, 150 * MS);
    let bytes = site::body_bytes(Target::Member, rng);
    script.push(time, source, Method::Get, Target::Member, 200, bytes, LOGIN_FORM);
    time += rng.span(3 * SEC, 10 * SEC);
    let bytes = site::body_bytes(Target::Orders, rng);
    script.push(
        time,
        source,
        Method::Get,
        Target::Orders,
        200,
        bytes,
        Referer::Page(Target::Member),
    );
    time
}

fn admin_login_bypass(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source = script.add_source(block(146, 70, 0, 0, 16).host(rng), agent::CURL, HTTP_1_1);
    let mut time = 0;
    for idx in 0..scaled(8, scale) {
        let page = (idx / 4 + 1) as u8;
        let target = match idx % 4 {
            0 => Target::AdminExport,
            1 => Target::AdminMembers { page },
            2 => Target::AdminOrders { page },
            _ => Target::AdminMembers { page: page + 1 },
        };
        let bytes = site::body_bytes(target, rng);
        script.push(time, source, Method::Get, target, 200, bytes, Referer::None);
        time += rng.span(2 * SEC, 12 * SEC);
    }
    Vec::new()
}

fn admin_brute_force(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source =
        script.add_source(block(141, 98, 11, 0, 24).host(rng), agent::LINUX_FIREFOX_ESR, HTTP_1_1);
    let bytes = site::body_bytes(Target::AdminLogin, rng);
    script.push(0, source, Method::Get, Target::AdminLogin, 200, bytes, Referer::None);
    let mut time = 0;
    for _ in 0..scaled(40, scale) {
        time += rng.span(1_500 * MS, 4 * SEC);
        let bytes = site::body_bytes(Target::AdminLogin, rng) + 52;
        let referer = Referer::Page(Target::AdminLogin);
        script.push(time, source, Method::Post, Target::AdminLogin, 401, bytes, referer);
    }
    Vec::new()
}

/// Files scanners look for on every web server.
const PROBES: &[&str] = &[
    "/.env",
    "/.git/config",
    "/phpmyadmin/",
    "/wp-login.php",
    "/backup.sql",
    "/config.php.bak",
    "/.env.bak",
    "/.env.production",
    "/.git/HEAD",
    "/.svn/entries",
    "/.htaccess",
    "/.DS_Store",
    "/phpMyAdmin/",
    "/pma/",
    "/adminer.php",
    "/wp-admin/",
    "/xmlrpc.php",
    "/db.sql",
    "/dump.sql",
    "/database.sql",
    "/backup.zip",
    "/backup.tar.gz",
    "/www.zip",
    "/site.tar.gz",
    "/config.php~",
    "/config.json",
    "/config.yml",
    "/.aws/credentials",
    "/server-status",
    "/info.php",
    "/phpinfo.php",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/.vscode/sftp.json",
    "/storage/logs/laravel.log",
    "/actuator/env",
    "/web.config",
    "/.ssh/id_rsa",
    "/credentials.json",
    "/docker-compose.yml",
    "/.npmrc",
];

/// Directories a scanner repeats its list under once the root is done.
const PROBE_PREFIXES: &[&str] =
    &["", "/api", "/admin", "/shop", "/old", "/backup", "/public", "/app"];

fn sensitive_file_probing(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source = script.add_source(block(164, 92, 0, 0, 16).host(rng), agent::GO_HTTP, HTTP_1_1);
    let mut time = 0;
    for idx in 0..scaled(40, scale) {
        let prefix = PROBE_PREFIXES[idx / PROBES.len() % PROBE_PREFIXES.len()];
        let probe = PROBES[idx % PROBES.len()];
        // nginx denies dot-directories and the status page outright.
        let is_denied =
            [".git/", ".htaccess", "server-status"].iter().any(|part| probe.contains(part));
        let status = if is_denied { 403 } else { 404 };
        let path = format!("{prefix}{probe}");
        script.push_text(
            time,
            source,
            Method::Get,
            &path,
            status,
            site::NGINX_ERROR_PAGE_BYTES,
            Referer::None,
        );
        time += rng.span(80 * MS, 400 * MS);
    }
    Vec::new()
}

/// Where sqlmap puts its payloads.
const INJECTION_POINTS: &[&str] =
    &["/product/10023?id=", "/search?q=", "/category/3c?sort=", "/member/orders?page="];

/// Payloads, percent-encoded as sqlmap sends them.
const PAYLOADS: &[&str] = &[
    "1%27%20OR%20%271%27=%271",
    "1%27%20AND%201=1--%20-",
    "1%20AND%201=2",
    "1%27%20ORDER%20BY%2010--%20-",
    "1%27%20UNION%20SELECT%20NULL,NULL,NULL--%20-",
    "1%27%20UNION%20SELECT%20username,password,NULL%20FROM%20members--%20-",
    "1%27%20AND%20SLEEP(5)--%20-",
    "1)%20AND%20(SELECT%204521%20FROM%20(SELECT(SLEEP(5)))abcd)--%20-",
    "1%27%20AND%20EXTRACTVALUE(1,CONCAT(0x7e,VERSION()))--%20-",
    "1%22%20OR%20%221%22=%221",
    "-1%20OR%203*2*1=6%20AND%20000123=000123",
    "1%27%3B%20DROP%20TABLE%20orders--%20-",
    "%27%20OR%201=1%23",
    "1%27%20AND%201=CONVERT(int,@@version)--%20-",
    "1%20UNION%20ALL%20SELECT%20table_name,NULL%20FROM%20information_schema.tables--%20-",
];

fn sql_injection_probing(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source = script.add_source(block(188, 166, 0, 0, 16).host(rng), agent::SQLMAP, HTTP_1_1);
    let mut time = 0;
    for idx in 0..scaled(60, scale) {
        let point = INJECTION_POINTS[idx / PAYLOADS.len() % INJECTION_POINTS.len()];
        let payload = PAYLOADS[idx % PAYLOADS.len()];
        let status = rng.choose(&[(60, 200_u16), (25, 500), (10, 404), (5, 400)]);
        let bytes = match status {
            200 => site::body_bytes(Target::Search { term: 0, page: 1 }, rng),
            500 => site::APP_ERROR_PAGE_BYTES,
            404 => site::APP_NOT_FOUND_BYTES,
            _ => 1_204,
        };
        let path = format!("{point}{payload}");
        script.push_text(time, source, Method::Get, &path, status, bytes, Referer::None);
        time += rng.span(150 * MS, 700 * MS);
        if payload.contains("SLEEP") {
            time += 5 * SEC;
        }
    }
    Vec::new()
}

fn password_reset_abuse(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source =
        script.add_source(block(194, 180, 48, 0, 24).host(rng), agent::HEADLESS_CHROME, HTTP_1_1);
    let reset = Target::PasswordReset;
    let bytes = site::body_bytes(reset, rng);
    script.push(0, source, Method::Get, reset, 200, bytes, LOGIN_FORM);
    let n_requests = scaled(40, scale);
    let mut time = 0;
    for _ in 0..n_requests {
        time += rng.span(SEC, 3 * SEC);
        let bytes = site::body_bytes(reset, rng);
        script.push(time, source, Method::Post, reset, 200, bytes, Referer::Page(reset));
    }
    account::distinct_accounts(rng, n_requests)
}

fn bulk_export(rng: &mut Rng, scale: u64, day: &Day, script: &mut Script) -> Vec<String> {
    let source = script.add_source(network::taiwan_fixed_host(rng), agent::MAC_CHROME, HTTP_2);
    let mut time = log_in(rng, script, source);
    let n_orders = scaled(210, scale);
    let mut seen = BTreeSet::new();
    while seen.len() < n_orders {
        let id = day.order_id(rng.range(1, 120) as i64, rng.range(1, 1_500));
        if !seen.insert(id) {
            continue;
        }
        time += rng.span(250 * MS, 900 * MS);
        let target = Target::Order(id);
        let bytes = site::body_bytes(target, rng);
        script.push(time, source, Method::Get, target, 200, bytes, Referer::Page(Target::Orders));
    }
    vec![account::account(rng)]
}

/// The shop's real admin account, which the foreign login uses.
pub(crate) const ADMIN_ACCOUNT: &str = "amy.lin";

fn foreign_admin_login(rng: &mut Rng, scale: u64, script: &mut Script) -> Vec<String> {
    let source =
        script.add_source(block(185, 246, 208, 0, 22).host(rng), agent::WINDOWS_CHROME, HTTP_2);
    let login = Referer::Page(Target::AdminLogin);
    let bytes = site::body_bytes(Target::AdminLogin, rng);
    script.push(0, source, Method::Get, Target::AdminLogin, 200, bytes, Referer::None);
    let mut time = rng.span(60 * MS, 200 * MS);
    for asset in [Target::AdminCss, Target::AdminJs] {
        let bytes = site::body_bytes(asset, rng);
        script.push(time, source, Method::Get, asset, 200, bytes, login);
        time += rng.span(10 * MS, 80 * MS);
    }
    time += rng.span(10 * SEC, 25 * SEC);
    script.push(time, source, Method::Post, Target::AdminLogin, 302, 0, login);
    time += rng.span(50 * MS, 150 * MS);
    let bytes = site::body_bytes(Target::AdminHome, rng);
    script.push(time, source, Method::Get, Target::AdminHome, 200, bytes, login);
    let mut previous = Target::AdminHome;
    for idx in 0..scaled(10, scale).saturating_sub(5) {
        time += rng.span(5 * SEC, 40 * SEC);
        let page = (idx / 4 + 1) as u8;
        let target = match idx % 4 {
            0 => Target::AdminOrders { page },
            1 => Target::AdminMembers { page },
            2 => Target::AdminExport,
            _ => Target::AdminMembers { page: page + 1 },
        };
        let bytes = site::body_bytes(target, rng);
        script.push(time, source, Method::Get, target, 200, bytes, Referer::Page(previous));
        previous = target;
    }
    vec![ADMIN_ACCOUNT.to_owned()]
}
