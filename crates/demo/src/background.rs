//! Benign scripted traffic: search-engine crawlers, link previews, an SEO
//! crawler, uptime monitors, and the shop's own staff in the admin console.
//!
//! Crawlers are polite: requests are spread evenly over the day (one slot
//! each, at a random point in the slot), so a crawler never comes close to a
//! scraper's pace. Volumes are fixed shares of the day, capped at what real
//! crawlers send to a shop this size.

use crate::agent;
use crate::day::{DAY_MICROS, DAY_SECS, Day, MICROS_PER_SEC};
use crate::line::Referer;
use crate::network::{Block, block};
use crate::rng::Rng;
use crate::script::{HTTP_1_1, HTTP_2, Script};
use crate::site::{self, Campaign, Method, Target};

const SEC: i64 = MICROS_PER_SEC;
const MS: i64 = 1_000;

/// Plans all benign scripted traffic for a day of `n_lines` lines. The lines
/// it plans never exceed a tenth of `n_lines`.
pub(crate) fn plan(seed: u64, day: &Day, n_lines: u64) -> Script {
    let mut script = Script::default();
    let mut rng = Rng::new(seed, 10);
    monitors(&mut rng, day, n_lines, &mut script);
    let mut rng = Rng::new(seed, 11);
    googlebot(&mut rng, day, (n_lines * 3 / 100).min(40_000), &mut script);
    let mut rng = Rng::new(seed, 12);
    bingbot(&mut rng, day, (n_lines / 100).min(14_000), &mut script);
    let mut rng = Rng::new(seed, 13);
    link_previews(&mut rng, day, (n_lines / 400).min(3_000), &mut script);
    let mut rng = Rng::new(seed, 14);
    ahrefsbot(&mut rng, day, (n_lines / 300).min(6_000), &mut script);
    if n_lines >= 2_500 {
        let mut rng = Rng::new(seed, 15);
        staff(&mut rng, day, &mut script);
    }
    script.sort();
    script
}

/// Evenly spread times: `count` slots over the day, one random point in each.
fn spread(rng: &mut Rng, day: &Day, count: u64) -> Vec<i64> {
    let slot = DAY_MICROS / count.max(1) as i64;
    (0..count as i64).map(|idx| day.start + idx * slot + rng.span(0, slot - 1)).collect()
}

/// Distinct hosts in `block`, one source per host and user agent.
fn sources(
    rng: &mut Rng,
    script: &mut Script,
    block: Block,
    n_hosts: usize,
    user_agents: &[&'static str],
    protocol: &'static str,
) -> Vec<Vec<u32>> {
    let mut hosts = Vec::new();
    while hosts.len() < n_hosts {
        let host = block.host(rng);
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    user_agents
        .iter()
        .map(|&user_agent| {
            hosts.iter().map(|&host| script.add_source(host, user_agent, protocol)).collect()
        })
        .collect()
}

/// UptimeRobot (`HEAD /`) and a self-hosted Uptime Kuma (`GET /`, five times
/// less often), at the shortest of 1, 2, 5, 10, 15, 30 or 60 minutes that
/// keeps them under 3% of the day.
fn monitors(rng: &mut Rng, day: &Day, n_lines: u64, script: &mut Script) {
    let budget = n_lines * 3 / 100;
    let Some(interval) = [60, 120, 300, 600, 900, 1_800, 3_600]
        .into_iter()
        .find(|interval| DAY_SECS / interval * 6 / 5 <= budget as i64)
    else {
        return;
    };
    let robots =
        sources(rng, script, block(69, 162, 124, 224, 28), 4, &[agent::UPTIMEROBOT], HTTP_1_1);
    let kuma = sources(rng, script, block(35, 201, 128, 0, 17), 1, &[agent::UPTIME_KUMA], HTTP_1_1);
    let phase = rng.span(0, interval * SEC - 3 * SEC);
    let home = Target::Home { campaign: Campaign::None };
    for idx in 0..DAY_SECS / interval {
        let time = day.start + phase + idx * interval * SEC + rng.span(0, 2 * SEC);
        let source = *rng.pick(&robots[0]);
        script.push(time, source, Method::Head, home, 200, 0, Referer::None);
        if idx % 5 == 2 {
            let time = (time + rng.span(5 * SEC, 20 * SEC)).min(day.end - 1);
            let bytes = site::body_bytes(home, rng);
            script.push(time, kuma[0][0], Method::Get, home, 200, bytes, Referer::None);
        }
    }
}

/// What a crawler asks for on line `idx`: robots.txt now and then, the
/// sitemap less often, otherwise catalogue pages.
fn crawl_target(rng: &mut Rng, idx: u64) -> Target {
    if idx.is_multiple_of(200) {
        return Target::Robots;
    }
    if idx % 500 == 250 {
        return Target::Sitemap;
    }
    match rng.weighted(&[80, 15, 5]) {
        0 => Target::Product { id: site::any_product(rng), campaign: Campaign::None },
        1 => Target::Category {
            slug: rng.below(site::CATEGORIES.len() as u64) as u8,
            page: rng.range(1, 6) as u8,
            sort: 0,
        },
        _ => Target::Home { campaign: Campaign::None },
    }
}

/// Status and size for a crawler: gone products are 404, and crawlers send
/// conditional requests, so some pages are 304.
fn crawl_response(rng: &mut Rng, target: Target) -> (u16, u64) {
    if let Target::Product { id, .. } | Target::ProductImage(id) = target
        && site::is_removed_product(id)
    {
        return (404, site::APP_NOT_FOUND_BYTES);
    }
    if rng.chance(1_200) { (304, 0) } else { (200, site::body_bytes(target, rng)) }
}

fn googlebot(rng: &mut Rng, day: &Day, count: u64, script: &mut Script) {
    let user_agents =
        [agent::GOOGLEBOT_SMARTPHONE, agent::GOOGLEBOT_DESKTOP, agent::GOOGLEBOT_IMAGE];
    let by_agent = sources(rng, script, block(66, 249, 64, 0, 19), 8, &user_agents, HTTP_1_1);
    for (idx, time) in spread(rng, day, count).into_iter().enumerate() {
        let kind = rng.weighted(&[70, 20, 10]);
        let source = *rng.pick(&by_agent[kind]);
        let target = if kind == 2 {
            Target::ProductImage(site::any_product(rng))
        } else {
            crawl_target(rng, idx as u64)
        };
        let (status, bytes) = crawl_response(rng, target);
        script.push(time, source, Method::Get, target, status, bytes, Referer::None);
    }
}

fn bingbot(rng: &mut Rng, day: &Day, count: u64, script: &mut Script) {
    let by_agent = sources(rng, script, block(157, 55, 39, 0, 24), 5, &[agent::BINGBOT], HTTP_1_1);
    for (idx, time) in spread(rng, day, count).into_iter().enumerate() {
        let source = *rng.pick(&by_agent[0]);
        let target = crawl_target(rng, idx as u64);
        let (status, bytes) = crawl_response(rng, target);
        script.push(time, source, Method::Get, target, status, bytes, Referer::None);
    }
}

/// Facebook fetching product pages people share (with the campaign tag of
/// the shop's own posts half of the time).
fn link_previews(rng: &mut Rng, day: &Day, count: u64, script: &mut Script) {
    let mut pool =
        sources(rng, script, block(69, 171, 249, 0, 24), 3, &[agent::FACEBOOK_PREVIEW], HTTP_1_1);
    pool.extend(sources(
        rng,
        script,
        block(173, 252, 83, 0, 24),
        3,
        &[agent::FACEBOOK_PREVIEW],
        HTTP_1_1,
    ));
    let pool: Vec<u32> = pool.into_iter().flatten().collect();
    for time in spread(rng, day, count) {
        let source = *rng.pick(&pool);
        let campaign = if rng.chance(5_000) { Campaign::Facebook } else { Campaign::None };
        let target = Target::Product { id: site::popular_product(rng), campaign };
        let (status, bytes) = crawl_response(rng, target);
        script.push(time, source, Method::Get, target, status, bytes, Referer::None);
    }
}

fn ahrefsbot(rng: &mut Rng, day: &Day, count: u64, script: &mut Script) {
    let by_agent =
        sources(rng, script, block(54, 36, 148, 0, 23), 4, &[agent::AHREFSBOT], HTTP_1_1);
    for (idx, time) in spread(rng, day, count).into_iter().enumerate() {
        let source = *rng.pick(&by_agent[0]);
        let target = crawl_target(rng, idx as u64 + 100);
        let (status, bytes) = crawl_response(rng, target);
        script.push(time, source, Method::Get, target, status, bytes, Referer::None);
    }
}

/// Two staff members at the office: Amy (whose account the foreign admin
/// login episode steals) checks orders in the morning and
/// exports the day's orders before leaving; Kevin mistypes his password once
/// in the afternoon. They are what legitimate admin use looks like.
fn staff(rng: &mut Rng, day: &Day, script: &mut Script) {
    let office = block(61, 219, 0, 0, 16).host(rng);
    let amy = script.add_source(office, agent::WINDOWS_CHROME, HTTP_2);
    let kevin = script.add_source(office, agent::MAC_CHROME, HTTP_2);

    let morning = day.at_local(9, 5, rng.below(60) as i64);
    admin_session(rng, script, amy, morning, false, 5);
    let afternoon = day.at_local(14, 30, rng.below(60) as i64);
    admin_session(rng, script, kevin, afternoon, true, 7);

    let mut time = day.at_local(17, 50, rng.below(60) as i64);
    let orders = Target::AdminOrders { page: 1 };
    let bytes = site::body_bytes(orders, rng);
    script.push(time, amy, Method::Get, orders, 200, bytes, Referer::Page(Target::AdminHome));
    time += rng.span(20 * SEC, 60 * SEC);
    let bytes = site::body_bytes(Target::AdminExport, rng);
    script.push(time, amy, Method::Get, Target::AdminExport, 200, bytes, Referer::Page(orders));
}

fn admin_session(
    rng: &mut Rng,
    script: &mut Script,
    source: u32,
    start: i64,
    has_typo: bool,
    n_pages: u8,
) {
    let login = Referer::Page(Target::AdminLogin);
    let bytes = site::body_bytes(Target::AdminLogin, rng);
    script.push(start, source, Method::Get, Target::AdminLogin, 200, bytes, Referer::None);
    let mut time = start + rng.span(60 * MS, 200 * MS);
    for asset in [Target::AdminCss, Target::AdminJs] {
        let bytes = site::body_bytes(asset, rng);
        script.push(time, source, Method::Get, asset, 200, bytes, login);
        time += rng.span(10 * MS, 80 * MS);
    }
    if has_typo {
        time += rng.span(6 * SEC, 12 * SEC);
        let bytes = site::body_bytes(Target::AdminLogin, rng) + 52;
        script.push(time, source, Method::Post, Target::AdminLogin, 401, bytes, login);
    }
    time += rng.span(6 * SEC, 12 * SEC);
    script.push(time, source, Method::Post, Target::AdminLogin, 302, 0, login);
    time += rng.span(50 * MS, 150 * MS);
    let bytes = site::body_bytes(Target::AdminHome, rng);
    script.push(time, source, Method::Get, Target::AdminHome, 200, bytes, login);
    let mut previous = Target::AdminHome;
    for idx in 0..n_pages {
        time += rng.span(20 * SEC, 120 * SEC);
        let target = if idx % 3 == 2 {
            Target::AdminMembers { page: 1 }
        } else {
            Target::AdminOrders { page: idx / 3 + 1 }
        };
        let bytes = site::body_bytes(target, rng);
        script.push(time, source, Method::Get, target, 200, bytes, Referer::Page(previous));
        previous = target;
    }
}
