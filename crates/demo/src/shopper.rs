//! Ordinary shoppers: browsing sessions generated on the fly.
//!
//! The day's shopper lines are divided into sessions up front: session
//! lengths are drawn until they add up to exactly the lines left for
//! shoppers (the last one is cut short), and session `i` of `n` starts at
//! quantile `(i + u) / n` of the diurnal curve, so sessions start in time
//! order and follow the curve. A session then behaves like a person: a page
//! and its assets, a few products, maybe the cart, a login, an order. It
//! stops when its lines are used up, wherever it is, as visitors do.

use std::cmp::Reverse;
use std::io::{self, Write};
use std::net::IpAddr;

use crate::agent::{self, BROWSERS};
use crate::day::{Day, Diurnal, MICROS_PER_SEC};
use crate::line::{Line, LineWriter, PathRef, Referer};
use crate::network::{AddressText, ShopperAddresses};
use crate::rng::Rng;
use crate::script::HTTP_2;
use crate::site::{self, Campaign, Method, Target};

const SEC: i64 = MICROS_PER_SEC;
const MS: i64 = 1_000;

/// Session lengths in lines: `(weight, shortest, longest)`. Mean about 40.
const SESSION_LENGTHS: &[(u32, (u64, u64))] = &[
    (14, (1, 3)),
    (22, (4, 12)),
    (26, (13, 30)),
    (20, (31, 60)),
    (12, (61, 120)),
    (5, (121, 250)),
    (1, (251, 500)),
];

fn session_length(rng: &mut Rng) -> u64 {
    let (shortest, longest) = rng.choose(SESSION_LENGTHS);
    rng.range(shortest, longest)
}

/// Hands out sessions (start time and line budget) in start order.
#[derive(Debug)]
pub(crate) struct Spawner {
    /// `(start, lines)`, sorted by start, reversed so the next is last.
    sessions: Vec<(i64, u64)>,
}

/// A fair guess of how long a session of `lines` lines lasts: pages come
/// with their assets, and people read, so about one line per 6 seconds.
fn expected_duration(lines: u64) -> i64 {
    lines as i64 * 6 * SEC + 60 * SEC
}

impl Spawner {
    pub(crate) fn new(seed: u64, day: &Day, n_lines: u64) -> Spawner {
        let mut lengths = Rng::new(seed, 1);
        let mut budgets = Vec::new();
        let mut total = 0;
        while total < n_lines {
            let length = session_length(&mut lengths).min(n_lines - total);
            total += length;
            budgets.push(length);
        }
        let diurnal = Diurnal::new(day);
        let mut starts = Rng::new(seed, 2);
        let n_sessions = budgets.len() as f64;
        let mut sessions: Vec<(i64, u64)> = budgets
            .into_iter()
            .enumerate()
            .map(|(idx, lines)| {
                let quantile = (idx as f64 + starts.unit()) / n_sessions;
                let mut start = day.start + diurnal.offset_at(quantile);
                // A long visit late in the evening starts a little earlier, so
                // that it ends before midnight instead of rushing.
                let latest = day.end - expected_duration(lines);
                if start > latest {
                    start = (latest - starts.span(0, 10 * 60 * SEC)).max(day.start);
                }
                (start, lines)
            })
            .collect();
        sessions.sort_by_key(|&(start, _)| Reverse(start));
        Spawner { sessions }
    }

    /// Start time of the next session, if any are left.
    pub(crate) fn peek(&self) -> Option<i64> {
        self.sessions.last().map(|&(start, _)| start)
    }

    /// The next session's start time and length in lines.
    pub(crate) fn take(&mut self) -> Option<(i64, u64)> {
        self.sessions.pop()
    }
}

/// State shared by all sessions.
#[derive(Debug)]
pub(crate) struct Shop {
    pub(crate) rng: Rng,
    pub(crate) day: Day,
    pub(crate) addresses: ShopperAddresses,
    browser_weights: Vec<u32>,
    /// A deploy restarts the app servers: half the pages in this window are 502.
    deploy: (i64, i64),
    /// Sequence of today's next order number.
    next_order_seq: u64,
}

impl Shop {
    pub(crate) fn new(seed: u64, day: Day, addresses: ShopperAddresses) -> Shop {
        let mut rng = Rng::new(seed, 3);
        let deploy_start = day.at_local(14, 2, rng.below(60) as i64);
        let next_order_seq = rng.range(120, 400);
        Shop {
            rng,
            day,
            addresses,
            browser_weights: agent::browser_weights(),
            deploy: (deploy_start, deploy_start + 40 * SEC),
            next_order_seq,
        }
    }

    /// A server-side failure replacing a page response, if one happens.
    fn trouble(&mut self, time: i64, is_mobile: bool) -> Option<(u16, u64)> {
        if (self.deploy.0..self.deploy.1).contains(&time) && self.rng.chance(5_000) {
            return Some((502, site::NGINX_BAD_GATEWAY_BYTES));
        }
        let ticket = self.rng.below(10_000);
        let gave_up = if is_mobile { 15 } else { 6 };
        if ticket < gave_up {
            Some((499, 0))
        } else if ticket < gave_up + 3 {
            Some((500, site::APP_ERROR_PAGE_BYTES))
        } else if ticket < gave_up + 4 {
            Some((502, site::NGINX_BAD_GATEWAY_BYTES))
        } else {
            None
        }
    }
}

/// What a shopper does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Home,
    Category,
    Product,
    Search,
    AddToCart,
    Cart,
    Checkout,
    PlaceOrder,
    LoginPage,
    LoginPost,
    Member,
    Orders,
    OrderDetail,
    Profile,
    Logout,
    PasswordReset,
}

const FROM_HOME: &[(u32, Action)] = &[
    (30, Action::Category),
    (28, Action::Product),
    (20, Action::Search),
    (5, Action::Cart),
    (3, Action::Member),
    (2, Action::LoginPage),
    (7, Action::Home),
];
const FROM_CATEGORY: &[(u32, Action)] = &[
    (15, Action::Category),
    (58, Action::Product),
    (10, Action::Search),
    (5, Action::Home),
    (7, Action::Cart),
    (5, Action::Member),
];
const FROM_PRODUCT: &[(u32, Action)] = &[
    (14, Action::Category),
    (36, Action::Product),
    (9, Action::Search),
    (4, Action::Home),
    (9, Action::AddToCart),
    (6, Action::Cart),
    (2, Action::LoginPage),
    (1, Action::Member),
];
const FROM_SEARCH: &[(u32, Action)] = &[
    (10, Action::Category),
    (60, Action::Product),
    (18, Action::Search),
    (4, Action::Home),
    (8, Action::Cart),
];
const FROM_CART: &[(u32, Action)] = &[
    (30, Action::Checkout),
    (25, Action::Product),
    (12, Action::Home),
    (10, Action::Category),
    (8, Action::Search),
];
const FROM_CHECKOUT: &[(u32, Action)] =
    &[(45, Action::PlaceOrder), (25, Action::Cart), (30, Action::Product)];
const FROM_LOGIN: &[(u32, Action)] =
    &[(90, Action::LoginPost), (2, Action::PasswordReset), (8, Action::Home)];
const FROM_MEMBER: &[(u32, Action)] =
    &[(55, Action::Orders), (15, Action::Profile), (27, Action::Home), (3, Action::Logout)];
const FROM_ORDERS: &[(u32, Action)] =
    &[(60, Action::OrderDetail), (15, Action::Home), (15, Action::Product), (10, Action::Member)];
const FROM_ORDER: &[(u32, Action)] = &[
    (30, Action::Orders),
    (25, Action::Product),
    (30, Action::Home),
    (3, Action::Logout),
    (12, Action::Category),
];
const FROM_PROFILE: &[(u32, Action)] =
    &[(45, Action::Member), (50, Action::Home), (5, Action::Logout)];
const FROM_PASSWORD_RESET: &[(u32, Action)] = &[(60, Action::Home), (40, Action::LoginPage)];

/// How a session arrives.
#[derive(Debug, Clone, Copy)]
enum Landing {
    Home(Campaign),
    Product(Campaign),
    Category,
    Search,
    Orders,
}

const LANDINGS: &[(u32, Landing)] = &[
    (28, Landing::Home(Campaign::None)),
    (8, Landing::Home(Campaign::Line)),
    (4, Landing::Home(Campaign::Newsletter)),
    (17, Landing::Product(Campaign::None)),
    (5, Landing::Product(Campaign::Facebook)),
    (8, Landing::Product(Campaign::Line)),
    (4, Landing::Product(Campaign::GoogleAds)),
    (14, Landing::Category),
    (4, Landing::Search),
    (8, Landing::Orders),
];

const GOOGLE: Referer = Referer::External("https://www.google.com/");
const GOOGLE_TW: Referer = Referer::External("https://www.google.com.tw/");
const FACEBOOK: Referer = Referer::External("https://l.facebook.com/");
const INSTAGRAM: Referer = Referer::External("https://l.instagram.com/");
const YAHOO: Referer = Referer::External("https://tw.search.yahoo.com/");

/// Seconds between pages: mostly quick, a long tail of reading.
const THINK_TIMES: &[(u32, (i64, i64))] =
    &[(30, (2, 6)), (30, (6, 20)), (25, (20, 60)), (12, (60, 180)), (3, (180, 600))];

/// Requests one page view can queue: a redirect, the page, 2 stylesheets,
/// 3 scripts, a font, the favicon, 2 touch icons, up to 6 images, and a form post.
const QUEUE_LEN: usize = 20;

#[derive(Debug, Clone, Copy)]
struct Pending {
    time: i64,
    method: Method,
    target: Target,
    status: u16,
    bytes: u64,
    referer: Referer,
}

const EMPTY: Pending = Pending {
    time: 0,
    method: Method::Get,
    target: Target::Favicon,
    status: 200,
    bytes: 0,
    referer: Referer::None,
};

/// One shopper's visit.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    address: IpAddr,
    address_text: AddressText,
    browser: u8,
    /// Lines left to write.
    budget: u64,
    is_logged_in: bool,
    /// Stylesheets and scripts are in the browser cache.
    has_assets: bool,
    n_cart_items: u8,
    n_login_failures: u8,
    /// The page on screen: the referer of the next request.
    page: Target,
    /// Seeds the customer's own past order numbers.
    order_seed: u64,
    queue: [Pending; QUEUE_LEN],
    head: usize,
    len: usize,
}

impl Session {
    /// A new session starting at `start` with `budget` lines (at least one).
    pub(crate) fn start(shop: &mut Shop, start: i64, budget: u64) -> Session {
        let browser = shop.rng.weighted(&shop.browser_weights);
        let address = shop.addresses.pick(&mut shop.rng, BROWSERS[browser].is_mobile);
        let mut session = Session {
            address,
            address_text: AddressText::new(address),
            browser: browser as u8,
            budget,
            is_logged_in: shop.rng.chance(2_500),
            has_assets: shop.rng.chance(3_500),
            n_cart_items: 0,
            n_login_failures: 0,
            page: Target::Home { campaign: Campaign::None },
            order_seed: shop.rng.next_u64(),
            queue: [EMPTY; QUEUE_LEN],
            head: 0,
            len: 0,
        };
        session.land(shop, start);
        session
    }

    pub(crate) fn address(&self) -> IpAddr {
        self.address
    }

    fn is_mobile(&self) -> bool {
        BROWSERS[usize::from(self.browser)].is_mobile
    }

    /// Writes the next line; returns the time of the one after, or `None`
    /// when the session is over.
    pub(crate) fn emit<W: Write>(
        &mut self,
        shop: &mut Shop,
        writer: &mut LineWriter<'_, W>,
    ) -> io::Result<Option<i64>> {
        let pending = self.queue[self.head];
        self.head += 1;
        self.len -= 1;
        let (mut status, mut bytes) = (pending.status, pending.bytes);
        if pending.method == Method::Get
            && status == 200
            && pending.target.is_page()
            && let Some(trouble) = shop.trouble(pending.time, self.is_mobile())
        {
            (status, bytes) = trouble;
            // The page never arrived, so neither do its assets.
            self.len = 0;
        }
        writer.write(&Line {
            time: pending.time,
            address: self.address_text.as_bytes(),
            method: pending.method,
            path: PathRef::Target(pending.target),
            protocol: HTTP_2,
            status,
            bytes,
            referer: pending.referer,
            user_agent: BROWSERS[usize::from(self.browser)].text,
        })?;
        self.budget -= 1;
        if self.budget == 0 {
            return Ok(None);
        }
        if self.len == 0 {
            self.navigate(shop, pending.time);
        }
        Ok(Some(self.queue[self.head].time))
    }

    fn push(
        &mut self,
        time: i64,
        method: Method,
        target: Target,
        status: u16,
        bytes: u64,
        referer: Referer,
    ) {
        let idx = self.head + self.len;
        if idx < QUEUE_LEN {
            self.queue[idx] = Pending { time, method, target, status, bytes, referer };
            self.len += 1;
        }
    }

    fn last_time(&self) -> i64 {
        self.queue[self.head + self.len - 1].time
    }

    /// The first page of the visit, with where the visitor came from.
    fn land(&mut self, shop: &mut Shop, start: i64) {
        self.head = 0;
        self.len = 0;
        let rng = &mut shop.rng;
        let external = rng.choose(&[
            (40, Referer::None),
            (30, GOOGLE),
            (10, GOOGLE_TW),
            (8, FACEBOOK),
            (7, INSTAGRAM),
            (5, YAHOO),
        ]);
        match rng.choose(LANDINGS) {
            Landing::Home(campaign) => {
                let referer = if campaign == Campaign::None { external } else { Referer::None };
                self.view(shop, start, Target::Home { campaign }, referer);
            }
            Landing::Product(campaign) => {
                let referer = match campaign {
                    Campaign::Facebook => FACEBOOK,
                    Campaign::GoogleAds => GOOGLE,
                    Campaign::Line | Campaign::Newsletter => Referer::None,
                    Campaign::None => external,
                };
                let id = site::popular_product(&mut shop.rng);
                self.view_product(shop, start, Target::Product { id, campaign }, referer);
            }
            Landing::Category => {
                let target = category(&mut shop.rng, None);
                self.view(shop, start, target, external);
            }
            Landing::Search => {
                let term = skewed_index(&mut shop.rng, site::search_term_count()) as u8;
                self.view(shop, start, Target::Search { term, page: 1 }, Referer::None);
            }
            Landing::Orders => self.members_only(shop, start, Target::Orders, Referer::None),
        }
    }

    /// Chooses and queues what the visitor does after `now`.
    fn navigate(&mut self, shop: &mut Shop, now: i64) {
        self.head = 0;
        self.len = 0;
        let (shortest, longest) = shop.rng.choose(THINK_TIMES);
        let mut think = shop.rng.span(shortest * SEC, longest * SEC);
        // Near midnight a visitor with much left to see reads faster: the
        // remaining pages (about four lines each) share the time left evenly.
        let pages_left = (self.budget / 4 + 1) as i64;
        think = think.min((shop.day.end - 1 - now) / (pages_left + 1));
        let time = shop.day.step(now, think);
        let referer = Referer::Page(self.page);
        let table = match self.page {
            Target::Home { .. } => FROM_HOME,
            Target::Category { .. } => FROM_CATEGORY,
            Target::Product { .. } => FROM_PRODUCT,
            Target::Search { .. } => FROM_SEARCH,
            Target::Cart => FROM_CART,
            Target::Checkout => FROM_CHECKOUT,
            Target::LoginPage { .. } => FROM_LOGIN,
            Target::Member => FROM_MEMBER,
            Target::Orders => FROM_ORDERS,
            Target::Order(_) => FROM_ORDER,
            Target::Profile => FROM_PROFILE,
            Target::PasswordReset => FROM_PASSWORD_RESET,
            _ => FROM_HOME,
        };
        let action = shop.rng.choose(table);
        self.act(shop, time, action, referer);
    }

    fn act(&mut self, shop: &mut Shop, time: i64, action: Action, referer: Referer) {
        match action {
            Action::Home => {
                self.view(shop, time, Target::Home { campaign: Campaign::None }, referer)
            }
            Action::Category => {
                let target = category(&mut shop.rng, Some(self.page));
                self.view(shop, time, target, referer);
            }
            Action::Product => {
                let id = site::popular_product(&mut shop.rng);
                self.view_product(
                    shop,
                    time,
                    Target::Product { id, campaign: Campaign::None },
                    referer,
                );
            }
            Action::Search => {
                let target = match self.page {
                    Target::Search { term, page } if shop.rng.chance(3_000) => {
                        Target::Search { term, page: page.saturating_add(1) }
                    }
                    _ => Target::Search {
                        term: skewed_index(&mut shop.rng, site::search_term_count()) as u8,
                        page: 1,
                    },
                };
                self.view(shop, time, target, referer);
            }
            Action::AddToCart => {
                let bytes = site::body_bytes(Target::CartAdd, &mut shop.rng);
                self.push(time, Method::Post, Target::CartAdd, 200, bytes, referer);
                self.n_cart_items = self.n_cart_items.saturating_add(1);
            }
            Action::Cart => self.view(shop, time, Target::Cart, referer),
            Action::Checkout if self.n_cart_items == 0 => {
                // Nothing to buy yet: back to the catalogue.
                let id = site::popular_product(&mut shop.rng);
                self.view_product(
                    shop,
                    time,
                    Target::Product { id, campaign: Campaign::None },
                    referer,
                );
            }
            Action::Checkout if !self.is_logged_in => {
                self.push(time, Method::Get, Target::Checkout, 302, 0, referer);
                let time = self.redirect_time(shop, time);
                self.view(shop, time, Target::LoginPage { is_from_checkout: true }, referer);
            }
            Action::Checkout => self.view(shop, time, Target::Checkout, referer),
            Action::PlaceOrder => {
                self.push(time, Method::Post, Target::Checkout, 302, 0, referer);
                let seq = shop.next_order_seq;
                shop.next_order_seq += 1;
                let time = self.redirect_time(shop, time);
                let order = Target::Order(shop.day.order_id(0, seq));
                self.view(shop, time, order, referer);
                self.n_cart_items = 0;
            }
            Action::LoginPage => {
                self.view(shop, time, Target::LoginPage { is_from_checkout: false }, referer);
            }
            Action::LoginPost => self.log_in(shop, time, referer),
            Action::Member => self.members_only(shop, time, Target::Member, referer),
            Action::Orders => self.members_only(shop, time, Target::Orders, referer),
            Action::OrderDetail => {
                let days_back = (self.order_seed % 90) as i64 + shop.rng.below(3) as i64 * 7;
                let seq = (self.order_seed >> 8) % 5_000 + shop.rng.below(3) * 17;
                let order = Target::Order(shop.day.order_id(days_back, seq));
                self.members_only(shop, time, order, referer);
            }
            Action::Profile => self.members_only(shop, time, Target::Profile, referer),
            Action::Logout => {
                self.push(time, Method::Get, Target::Logout, 302, 0, referer);
                self.is_logged_in = false;
                let time = self.redirect_time(shop, time);
                self.view(shop, time, Target::Home { campaign: Campaign::None }, referer);
            }
            Action::PasswordReset => {
                self.view(shop, time, Target::PasswordReset, referer);
                let (shortest, longest) = (15 * SEC, 60 * SEC);
                let post_time = shop.day.step(self.last_time(), shop.rng.span(shortest, longest));
                let bytes = site::body_bytes(Target::PasswordReset, &mut shop.rng);
                self.push(
                    post_time,
                    Method::Post,
                    Target::PasswordReset,
                    200,
                    bytes,
                    Referer::Page(Target::PasswordReset),
                );
            }
        }
    }

    fn redirect_time(&self, shop: &mut Shop, time: i64) -> i64 {
        let delay = shop.rng.span(30 * MS, 150 * MS);
        shop.day.step(time, delay)
    }

    /// A member page: shown when logged in, otherwise a 302 to the login form.
    fn members_only(&mut self, shop: &mut Shop, time: i64, target: Target, referer: Referer) {
        if self.is_logged_in {
            self.view(shop, time, target, referer);
        } else {
            self.push(time, Method::Get, target, 302, 0, referer);
            let time = self.redirect_time(shop, time);
            self.view(shop, time, Target::LoginPage { is_from_checkout: false }, referer);
        }
    }

    /// Posts the login form: now and then a typo (401, the form again), at most
    /// twice; otherwise 302 to the member page, or back to the checkout.
    fn log_in(&mut self, shop: &mut Shop, time: i64, referer: Referer) {
        let failure_odds = if self.n_login_failures == 0 { 700 } else { 1_500 };
        if self.n_login_failures < 2 && shop.rng.chance(failure_odds) {
            self.n_login_failures += 1;
            let bytes = site::body_bytes(Target::LoginPost, &mut shop.rng);
            self.push(time, Method::Post, Target::LoginPost, 401, bytes, referer);
            return;
        }
        self.push(time, Method::Post, Target::LoginPost, 302, 0, referer);
        self.is_logged_in = true;
        let next = match self.page {
            Target::LoginPage { is_from_checkout: true } => Target::Checkout,
            _ => Target::Member,
        };
        let time = self.redirect_time(shop, time);
        self.view(shop, time, next, referer);
    }

    fn view_product(&mut self, shop: &mut Shop, time: i64, target: Target, referer: Referer) {
        if let Target::Product { id, .. } = target
            && site::is_removed_product(id)
        {
            self.push(time, Method::Get, target, 404, site::APP_NOT_FOUND_BYTES, referer);
            return;
        }
        self.view(shop, time, target, referer);
    }

    /// Queues a page and the assets the browser then loads.
    fn view(&mut self, shop: &mut Shop, time: i64, target: Target, referer: Referer) {
        let bytes = site::body_bytes(target, &mut shop.rng);
        self.push(time, Method::Get, target, 200, bytes, referer);
        self.page = target;
        let rng = &mut shop.rng;
        let day = shop.day;
        let here = Referer::Page(target);
        let mut time = day.step(time, rng.span(40 * MS, 250 * MS));
        if !self.has_assets {
            self.has_assets = true;
            let mut assets = Vec::with_capacity(9);
            assets.extend((0..site::N_CSS).map(Target::Css));
            assets.extend((0..site::N_JS).map(Target::Js));
            assets.push(Target::Font);
            assets.push(Target::Favicon);
            if BROWSERS[usize::from(self.browser)].is_ios {
                assets.push(Target::AppleTouchIcon { is_precomposed: false });
                assets.push(Target::AppleTouchIcon { is_precomposed: true });
            }
            for asset in assets {
                let status = if matches!(asset, Target::AppleTouchIcon { .. }) { 404 } else { 200 };
                self.push(time, Method::Get, asset, status, site::body_bytes(asset, rng), here);
                time = day.step(time, rng.span(5 * MS, 120 * MS));
            }
        } else if rng.chance(600) {
            // A revalidation of a cached stylesheet.
            self.push(time, Method::Get, Target::Css(0), 304, 0, here);
            time = day.step(time, rng.span(5 * MS, 120 * MS));
        }
        // Lazy-loaded photos above the fold; the rest come when scrolled to,
        // and many are already in the browser cache.
        let n_images = match target {
            Target::Home { .. } => {
                let banner = Target::Banner(rng.below(site::banner_count()) as u8);
                self.push(time, Method::Get, banner, 200, site::body_bytes(banner, rng), here);
                time = day.step(time, rng.span(5 * MS, 120 * MS));
                rng.range(0, 3)
            }
            Target::Category { .. } => rng.range(2, 5),
            Target::Product { id, .. } => {
                let image = Target::ProductImage(id);
                self.push(time, Method::Get, image, 200, site::body_bytes(image, rng), here);
                time = day.step(time, rng.span(5 * MS, 120 * MS));
                rng.range(0, 2)
            }
            Target::Search { .. } => rng.range(1, 4),
            Target::Cart | Target::Checkout => u64::from(self.n_cart_items.min(2)),
            Target::Order(_) => rng.range(0, 1),
            _ => 0,
        };
        for _ in 0..n_images {
            let id = site::popular_product(rng);
            if site::is_removed_product(id) {
                continue;
            }
            let image = Target::ProductImage(id);
            let (status, bytes) =
                if rng.chance(1_000) { (304, 0) } else { (200, site::body_bytes(image, rng)) };
            self.push(time, Method::Get, image, status, bytes, here);
            time = day.step(time, rng.span(5 * MS, 120 * MS));
        }
    }
}

/// A category listing; from a listing, often the next page of the same one.
fn category(rng: &mut Rng, from: Option<Target>) -> Target {
    if let Some(Target::Category { slug, page, sort }) = from
        && rng.chance(4_000)
    {
        return Target::Category { slug, page: page.saturating_add(1), sort };
    }
    let slug = skewed_index(rng, site::CATEGORIES.len() as u64) as u8;
    let sort = if rng.chance(7_000) { 0 } else { rng.range(1, 4) as u8 };
    Target::Category { slug, page: 1, sort }
}

/// An index below `len`, the first ones the most popular.
fn skewed_index(rng: &mut Rng, len: u64) -> u64 {
    let unit = rng.unit();
    ((unit * unit * len as f64) as u64).min(len.saturating_sub(1))
}
