//! Tests of the generator through its public entry point, [`generate`]: the
//! output is read back with a small hand-written `combined` splitter and
//! compared with the returned [`Truth`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::LazyLock;

use model::Timestamp;

use crate::network::shopper_blocks;
use crate::{EpisodeKind, Spec, Truth, generate};

/// One line split into its `combined` fields.
#[derive(Debug)]
struct Fields<'a> {
    address: &'a str,
    time: i64,
    method: &'a str,
    target: &'a str,
    protocol: &'a str,
    status: u16,
    bytes: u64,
    referer: &'a str,
    user_agent: &'a str,
}

impl Fields<'_> {
    fn ip(&self) -> IpAddr {
        self.address.parse().unwrap()
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap()
    }

    /// A page a person reads (not an asset, image or the robots file).
    fn is_page(&self) -> bool {
        let path = self.path();
        !(path.starts_with("/static/")
            || path.starts_with("/images/")
            || path.starts_with("/apple-touch-icon")
            || matches!(path, "/favicon.ico" | "/robots.txt" | "/sitemap.xml"))
    }
}

/// Unix seconds of `20/Nov/2026:00:00:01 +0800`.
fn parse_time_local(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 26 || bytes[2] != b'/' || bytes[6] != b'/' || bytes[20] != b' ' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let day = number(0..2)?;
    let month = model::civil::month_from_abbrev(&bytes[3..6])?;
    let year = number(7..11)?;
    let (hour, minute, second) = (number(12..14)?, number(15..17)?, number(18..20)?);
    let sign = match bytes[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (number(22..24)? * 3600 + number(24..26)? * 60);
    let days = model::civil::days_from_civil(year, month, u32::try_from(day).ok()?);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Splits `$remote_addr - $remote_user [$time_local] "$request" $status
/// $body_bytes_sent "$http_referer" "$http_user_agent"`, or `None` if the
/// line has any other shape.
fn split_combined(line: &str) -> Option<Fields<'_>> {
    let (address, rest) = line.split_once(" - ")?;
    let (remote_user, rest) = rest.split_once(" [")?;
    let (time, rest) = rest.split_once("] \"")?;
    let (request, rest) = rest.split_once("\" ")?;
    let (status, rest) = rest.split_once(' ')?;
    let (bytes, rest) = rest.split_once(" \"")?;
    let (referer, rest) = rest.split_once("\" \"")?;
    let user_agent = rest.strip_suffix('"')?;
    let mut request_parts = request.split(' ');
    let (method, target, protocol) =
        (request_parts.next()?, request_parts.next()?, request_parts.next()?);
    let is_clean = |text: &str| !text.is_empty() && !text.contains('"') && !text.contains('\\');
    let is_well_formed = remote_user == "-"
        && request_parts.next().is_none()
        && ["GET", "POST", "HEAD"].contains(&method)
        && target.starts_with('/')
        && protocol.starts_with("HTTP/")
        && !address.contains(' ')
        && status.len() == 3
        && [request, referer, user_agent].into_iter().all(is_clean)
        && line.is_ascii()
        && !line.chars().any(|char| char.is_ascii_control());
    if !is_well_formed {
        return None;
    }
    Some(Fields {
        address,
        time: parse_time_local(time)?,
        method,
        target,
        protocol,
        status: status.parse().ok()?,
        bytes: bytes.parse().ok()?,
        referer,
        user_agent,
    })
}

fn check_generate(spec: &Spec) -> (String, Truth) {
    let mut out = Vec::new();
    let truth = generate(spec, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), truth)
}

fn lines(log: &str) -> Vec<Fields<'_>> {
    log.lines()
        .enumerate()
        .map(|(idx, line)| {
            split_combined(line)
                .unwrap_or_else(|| panic!("line {} is not combined: {line:?}", idx + 1))
        })
        .collect()
}

/// One day of 100,000 lines at the default spec, shared by the tests that only read it.
static DAY: LazyLock<(String, Truth)> =
    LazyLock::new(|| check_generate(&Spec { lines: 100_000, ..Spec::default() }));

fn episode_ips(truth: &Truth) -> HashMap<IpAddr, EpisodeKind> {
    truth
        .episodes
        .iter()
        .flat_map(|episode| episode.ips.iter().map(move |&ip| (ip, episode.kind)))
        .collect()
}

#[test]
fn the_same_seed_gives_identical_bytes() {
    let spec = Spec { lines: 30_000, seed: 7, ..Spec::default() };
    let (first, first_truth) = check_generate(&spec);
    let (second, second_truth) = check_generate(&spec);
    assert!(first == second, "two runs of the same spec differ");
    assert_eq!(first_truth, second_truth);
}

#[test]
fn different_seeds_give_different_logs() {
    let (first, _) = check_generate(&Spec { lines: 10_000, seed: 1, ..Spec::default() });
    let (second, _) = check_generate(&Spec { lines: 10_000, seed: 2, ..Spec::default() });
    assert!(first != second);
}

#[test]
fn writes_exactly_the_requested_number_of_lines() {
    for n_lines in [0, 1, 2, 3, 7, 40, 99, 250, 1_000, 2_499, 2_500, 9_999, 10_000, 100_000] {
        let (log, truth) = check_generate(&Spec { lines: n_lines, ..Spec::default() });
        assert_eq!(log.lines().count() as u64, n_lines, "lines written for {n_lines}");
        assert_eq!(truth.lines, n_lines);
        assert_eq!(truth.bytes, log.len() as u64);
        assert!(log.is_empty() || log.ends_with('\n'));
    }
}

#[test]
fn an_empty_day_reports_the_start_as_first_and_last_time() {
    let spec = Spec { lines: 0, ..Spec::default() };
    let (log, truth) = check_generate(&spec);
    assert!(log.is_empty());
    assert_eq!((truth.first_time, truth.last_time), (spec.start, spec.start));
    assert_eq!((truth.distinct_ips, truth.episodes.len()), (0, 0));
    assert!(truth.status_counts.is_empty());
}

#[test]
fn every_line_has_the_combined_shape_and_times_never_go_back() {
    let (log, _) = &*DAY;
    let lines = lines(log);
    for pair in lines.windows(2) {
        assert!(pair[0].time <= pair[1].time, "time goes back: {pair:?}");
    }
    for fields in &lines {
        assert!(fields.referer == "-" || fields.referer.starts_with("https://"), "{fields:?}");
        assert!(["HTTP/1.1", "HTTP/2.0"].contains(&fields.protocol), "{fields:?}");
        assert!((100..600).contains(&fields.status), "{fields:?}");
        if fields.method == "HEAD" || fields.status == 304 {
            assert_eq!(fields.bytes, 0, "{fields:?}");
        }
    }
}

#[test]
fn times_are_written_in_the_spec_offset_within_the_day() {
    let (log, truth) = &*DAY;
    let first_line = log.lines().next().unwrap();
    assert!(first_line.contains(" [20/Nov/2026:00:0"), "{first_line}");
    assert!(first_line.contains(" +0800] "), "{first_line}");
    let start = Spec::default().start.as_unix_secs();
    assert!(truth.first_time.as_unix_secs() >= start);
    assert!(truth.last_time.as_unix_secs() < start + 86_400);
    // A busy day reaches both ends of the day.
    assert!(truth.first_time.as_unix_secs() < start + 600);
    assert!(truth.last_time.as_unix_secs() > start + 86_400 - 600);
}

#[test]
fn status_counts_and_distinct_ips_recomputed_from_the_output_equal_the_truth() {
    let (log, truth) = &*DAY;
    let lines = lines(log);
    let mut status_counts = BTreeMap::new();
    for fields in &lines {
        *status_counts.entry(fields.status).or_insert(0_u64) += 1;
    }
    let distinct: HashSet<IpAddr> = lines.iter().map(Fields::ip).collect();
    assert_eq!(status_counts, truth.status_counts);
    assert_eq!(distinct.len() as u64, truth.distinct_ips);
    assert_eq!(lines.first().unwrap().time, truth.first_time.as_unix_secs());
    assert_eq!(lines.last().unwrap().time, truth.last_time.as_unix_secs());
}

#[test]
fn every_episode_is_planted_with_its_addresses_from_ten_thousand_lines() {
    for n_lines in [10_000, 100_000] {
        let (log, truth) = check_generate(&Spec { lines: n_lines, seed: 3, ..Spec::default() });
        let kinds: HashSet<EpisodeKind> =
            truth.episodes.iter().map(|episode| episode.kind).collect();
        assert_eq!(kinds.len(), EpisodeKind::ALL.len(), "at {n_lines} lines");
        let seen: HashSet<IpAddr> = lines(&log).iter().map(Fields::ip).collect();
        for episode in &truth.episodes {
            assert!(!episode.ips.is_empty(), "{:?}", episode.kind);
            assert!(episode.ips.iter().all(|ip| seen.contains(ip)), "{:?}", episode.kind);
            assert!(episode.first_time <= episode.last_time);
        }
    }
}

#[test]
fn episode_addresses_are_used_by_their_episode_only() {
    let (log, truth) = &*DAY;
    let owners = episode_ips(truth);
    assert_eq!(
        owners.len(),
        truth.episodes.iter().map(|episode| episode.ips.len()).sum::<usize>(),
        "two episodes share an address"
    );
    let mut n_lines: HashMap<EpisodeKind, u64> = HashMap::new();
    let mut span: HashMap<EpisodeKind, (i64, i64)> = HashMap::new();
    for fields in lines(log) {
        if let Some(&kind) = owners.get(&fields.ip()) {
            *n_lines.entry(kind).or_default() += 1;
            let entry = span.entry(kind).or_insert((fields.time, fields.time));
            entry.1 = fields.time;
        }
    }
    for episode in &truth.episodes {
        assert_eq!(n_lines[&episode.kind], episode.lines, "{:?}", episode.kind);
        let (first, last) = span[&episode.kind];
        assert_eq!(first, episode.first_time.as_unix_secs(), "{:?}", episode.kind);
        assert_eq!(last, episode.last_time.as_unix_secs(), "{:?}", episode.kind);
    }
}

#[test]
fn foreign_episode_addresses_lie_outside_every_shopper_range() {
    let (_, truth) = &*DAY;
    // These three are Taiwanese customers' own connections; the generator
    // reserves their addresses instead.
    let local =
        [EpisodeKind::AccountBruteForce, EpisodeKind::OrderEnumeration, EpisodeKind::BulkExport];
    for episode in truth.episodes.iter().filter(|episode| !local.contains(&episode.kind)) {
        for &ip in &episode.ips {
            assert!(
                shopper_blocks().all(|block| !block.contains(ip)),
                "{:?} uses {ip}, inside a shopper range",
                episode.kind
            );
        }
    }
}

/// Most non-asset requests any one address makes within 3 seconds.
fn max_pages_in_three_seconds<'a>(lines: impl Iterator<Item = &'a Fields<'a>>) -> usize {
    let mut times: HashMap<&str, Vec<i64>> = HashMap::new();
    for fields in lines.filter(|fields| fields.is_page()) {
        times.entry(fields.address).or_default().push(fields.time);
    }
    let mut most = 0;
    for times in times.values() {
        let mut low = 0;
        for high in 0..times.len() {
            // Whole-second times: a window of 3 s spans at most 3 distinct seconds.
            while times[high] - times[low] > 2 {
                low += 1;
            }
            most = most.max(high - low + 1);
        }
    }
    most
}

#[test]
fn only_the_scraper_fetches_forty_pages_within_three_seconds() {
    let (log, truth) = &*DAY;
    let lines = lines(log);
    let scraper = &truth.episode(EpisodeKind::Scraping).unwrap().ips;
    let owners = episode_ips(truth);
    let scraping = lines.iter().filter(|fields| scraper.contains(&fields.ip()));
    assert!(max_pages_in_three_seconds(scraping) > 40);
    let ordinary = lines.iter().filter(|fields| !owners.contains_key(&fields.ip()));
    let most = max_pages_in_three_seconds(ordinary);
    assert!(most < 15, "ordinary traffic has {most} pages in 3 s from one address");
}

#[test]
fn crawlers_come_from_their_own_ranges_and_stay_polite() {
    let (log, _) = &*DAY;
    let lines = lines(log);
    let googlebot: Vec<&Fields<'_>> =
        lines.iter().filter(|fields| fields.user_agent.contains("Googlebot")).collect();
    assert!(googlebot.len() > 1_000);
    assert!(googlebot.iter().all(|fields| fields.address.starts_with("66.249.")));
    assert!(max_pages_in_three_seconds(googlebot.into_iter()) <= 3);
    let bingbot = lines.iter().filter(|fields| fields.user_agent.contains("bingbot"));
    assert!(bingbot.clone().all(|fields| fields.address.starts_with("157.55.39.")));
    assert!(max_pages_in_three_seconds(bingbot) <= 3);
}

#[test]
fn credential_stuffing_posts_ten_to_twenty_logins_a_second_mostly_rejected() {
    let (log, truth) = &*DAY;
    let episode = truth.episode(EpisodeKind::CredentialStuffing).unwrap();
    let attempts: Vec<Fields<'_>> =
        lines(log).into_iter().filter(|fields| episode.ips.contains(&fields.ip())).collect();
    assert!(
        attempts.iter().all(|fields| fields.method == "POST" && fields.target == "/member/login")
    );
    let seconds = (attempts.last().unwrap().time - attempts[0].time + 1) as usize;
    let per_sec = attempts.len() / seconds;
    assert!((9..=21).contains(&per_sec), "{per_sec} attempts a second");
    let n_successes = attempts.iter().filter(|fields| fields.status == 302).count();
    assert!(n_successes >= 2 && n_successes * 20 < attempts.len(), "{n_successes} successes");
    assert!(episode.accounts.len() >= 300);
    assert_eq!(episode.accounts.iter().collect::<HashSet<_>>().len(), episode.accounts.len());
}

#[test]
fn distributed_stuffing_spreads_over_hundreds_of_addresses() {
    let (log, truth) = &*DAY;
    let episode = truth.episode(EpisodeKind::DistributedStuffing).unwrap();
    assert!(episode.ips.len() >= 300);
    let attempts: Vec<Fields<'_>> =
        lines(log).into_iter().filter(|fields| episode.ips.contains(&fields.ip())).collect();
    let n_failures = attempts.iter().filter(|fields| fields.status == 401).count();
    assert!(n_failures * 100 >= attempts.len() * 90, "{n_failures} of {}", attempts.len());
    let mut per_address: HashMap<&str, usize> = HashMap::new();
    for fields in &attempts {
        *per_address.entry(fields.address).or_default() += 1;
    }
    assert!(per_address.values().all(|&count| (1..=3).contains(&count)));
    assert!(episode.last_time.as_unix_secs() - episode.first_time.as_unix_secs() <= 31 * 60);
}

#[test]
fn admin_login_bypass_reads_admin_pages_without_logging_in() {
    let (log, truth) = &*DAY;
    let episode = truth.episode(EpisodeKind::AdminLoginBypass).unwrap();
    let requests: Vec<Fields<'_>> =
        lines(log).into_iter().filter(|fields| episode.ips.contains(&fields.ip())).collect();
    assert!(
        requests.iter().all(|fields| fields.path().starts_with("/admin/") && fields.status == 200)
    );
    assert!(requests.iter().all(|fields| fields.path() != "/admin/login"));
    assert!(requests.iter().any(|fields| fields.target == "/admin/orders/export?format=csv"));
}

#[test]
fn ordinary_shoppers_never_fail_a_login_three_times() {
    let (log, truth) = &*DAY;
    let owners = episode_ips(truth);
    let mut failures: HashMap<&str, usize> = HashMap::new();
    for fields in lines(log) {
        if fields.status == 401 && !owners.contains_key(&fields.ip()) {
            *failures.entry(fields.address).or_default() += 1;
        }
    }
    // A shopper fails at most twice; only a reused (shared) address can add up more.
    let most = failures.values().copied().max().unwrap_or(0);
    assert!(most <= 4, "{most} failed logins from one ordinary address");
}

#[test]
fn small_days_plant_only_episodes_that_fit_in_a_quarter_of_the_lines() {
    for n_lines in [1_000, 5_000] {
        let (log, truth) = check_generate(&Spec { lines: n_lines, ..Spec::default() });
        let episode_lines: u64 = truth.episodes.iter().map(|episode| episode.lines).sum();
        assert!(episode_lines <= n_lines / 4);
        assert!(!truth.episodes.is_empty(), "nothing planted at {n_lines}");
        assert_eq!(log.lines().count() as u64, n_lines);
    }
}

#[test]
fn a_day_starting_off_midnight_in_another_zone_stays_inside_its_24_hours() {
    let spec = Spec {
        lines: 20_000,
        seed: 9,
        start: Timestamp::from_civil(2026, 3, 8, 21, 17, 5, 250_000),
        utc_offset_secs: -5 * 3600,
    };
    let (log, truth) = check_generate(&spec);
    let lines = lines(&log);
    assert!(log.lines().next().unwrap().contains(" -0500] "));
    let start = spec.start.as_unix_secs();
    assert!(lines.iter().all(|fields| (start..start + 86_400).contains(&fields.time)));
    assert!(lines.windows(2).all(|pair| pair[0].time <= pair[1].time));
    assert_eq!(truth.episodes.len(), EpisodeKind::ALL.len());
}

#[test]
fn truth_serializes_episode_kinds_in_snake_case() {
    let (_, truth) = check_generate(&Spec { lines: 10_000, ..Spec::default() });
    let json = serde_json::to_value(&truth).unwrap();
    let kinds: Vec<&str> = json["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|episode| episode["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"credential_stuffing"));
    for kind in EpisodeKind::ALL {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
    }
    assert!(json["first_time"].as_str().unwrap().starts_with("2026-11-19T16:0"));
}

#[test]
fn search_terms_are_percent_encoded_utf8() {
    assert_eq!(crate::site::encode_query_value("保溫瓶"), "%E4%BF%9D%E6%BA%AB%E7%93%B6");
    assert_eq!(crate::site::encode_query_value("iphone 17 殼"), "iphone+17+%E6%AE%BC");
}

#[test]
fn shoppers_browse_like_people() {
    let (log, truth) = &*DAY;
    let owners = episode_ips(truth);
    let lines = lines(log);
    let count = |predicate: &dyn Fn(&Fields<'_>) -> bool| {
        lines.iter().filter(|fields| predicate(fields)).count()
    };
    let n_lines = lines.len();
    let n_products =
        count(&|fields| fields.path().starts_with("/product/") && fields.method == "GET");
    let n_searches = count(&|fields| fields.path() == "/search" && fields.target.contains("%E"));
    let n_assets = count(&|fields| !fields.is_page());
    let n_ipv6 = count(&|fields| fields.address.contains(':'));
    let n_orders = count(&|fields| fields.method == "POST" && fields.path() == "/checkout");
    let n_shopper_logins = count(&|fields| {
        fields.target == "/member/login"
            && fields.method == "POST"
            && !owners.contains_key(&fields.ip())
    });
    assert!(n_products * 10 > n_lines, "{n_products} product pages");
    assert!(n_searches > 100, "{n_searches} Chinese searches");
    assert!(n_assets * 2 > n_lines && n_assets * 4 < n_lines * 3, "{n_assets} assets");
    assert!(n_ipv6 * 100 > n_lines * 3, "{n_ipv6} IPv6 lines");
    assert!(n_orders > 50 && n_orders * 200 < n_lines, "{n_orders} orders");
    assert!(n_shopper_logins > 200, "{n_shopper_logins} shopper logins");
    // The evening peak is busier than the small hours.
    let hour_count =
        |hour: &str| lines.iter().filter(|fields| local_hour(fields.time) == hour).count();
    assert!(hour_count("21") > 4 * hour_count("04"));
}

fn local_hour(unix_secs: i64) -> &'static str {
    const HOURS: [&str; 24] = [
        "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14",
        "15", "16", "17", "18", "19", "20", "21", "22", "23",
    ];
    HOURS[((unix_secs + 8 * 3600).rem_euclid(86_400) / 3600) as usize]
}

#[test]
fn numbers_are_written_in_plain_decimal() {
    for value in [0, 7, 10, 99, 100, 101, 999, 1_000, 12_345, 2_026_111_900_342, u64::MAX] {
        let mut buf = Vec::new();
        crate::site::push_decimal(&mut buf, value);
        assert_eq!(String::from_utf8(buf).unwrap(), value.to_string());
    }
}
