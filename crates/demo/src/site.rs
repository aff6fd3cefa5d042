//! The shop: its URL layout, pages, static assets and how big each response is.
//!
//! Every request the generator writes names a [`Target`] (or, for attack
//! payloads, literal text). A target is small and `Copy`, and renders straight
//! into the line buffer, so the hot loop formats paths without allocating.

use std::sync::LazyLock;

use crate::rng::Rng;

/// Scheme and host in referers; `.example` is reserved (RFC 2606) so the
/// generated log never names a real shop.
pub(crate) const ORIGIN: &str = "https://www.shop.example";

/// Lowest product id in the catalogue.
pub(crate) const FIRST_PRODUCT: u16 = 10_001;
/// Highest product id in the catalogue.
pub(crate) const LAST_PRODUCT: u16 = 14_000;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Head,
}

impl Method {
    pub(crate) fn as_bytes(self) -> &'static [u8] {
        match self {
            Method::Get => b"GET",
            Method::Post => b"POST",
            Method::Head => b"HEAD",
        }
    }
}

/// The marketing campaign a landing URL carries in its query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Campaign {
    None,
    /// A push from the shop's LINE official account (big in Taiwan).
    Line,
    Facebook,
    GoogleAds,
    Newsletter,
}

impl Campaign {
    fn query(self) -> &'static [u8] {
        match self {
            Campaign::None => b"",
            Campaign::Line => b"?utm_source=line&utm_medium=oa&utm_campaign=flash_sale",
            Campaign::Facebook => {
                b"?utm_source=facebook&utm_medium=cpc&utm_campaign=winter_retarget"
            }
            Campaign::GoogleAds => b"?utm_source=google&utm_medium=cpc&utm_campaign=brand_tw",
            Campaign::Newsletter => b"?utm_source=newsletter&utm_medium=email&utm_campaign=weekly",
        }
    }
}

/// Something on the site a request can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Home { campaign: Campaign },
    Category { slug: u8, page: u8, sort: u8 },
    Product { id: u16, campaign: Campaign },
    Search { term: u8, page: u8 },
    Cart,
    CartAdd,
    Checkout,
    LoginPage { is_from_checkout: bool },
    LoginPost,
    Logout,
    Member,
    Orders,
    Order(u64),
    Profile,
    PasswordReset,
    AdminLogin,
    AdminHome,
    AdminOrders { page: u8 },
    AdminExport,
    AdminMembers { page: u8 },
    Css(u8),
    Js(u8),
    Font,
    Favicon,
    AppleTouchIcon { is_precomposed: bool },
    ProductImage(u16),
    Banner(u8),
    AdminCss,
    AdminJs,
    Robots,
    Sitemap,
}

impl Target {
    /// Whether this is an HTML page a browser renders (and then loads assets for).
    pub(crate) fn is_page(self) -> bool {
        matches!(
            self,
            Target::Home { .. }
                | Target::Category { .. }
                | Target::Product { .. }
                | Target::Search { .. }
                | Target::Cart
                | Target::Checkout
                | Target::LoginPage { .. }
                | Target::Member
                | Target::Orders
                | Target::Order(_)
                | Target::Profile
                | Target::PasswordReset
                | Target::AdminLogin
                | Target::AdminHome
                | Target::AdminOrders { .. }
                | Target::AdminMembers { .. }
        )
    }
}

/// Category slugs under `/category/`, most visited first.
pub(crate) const CATEGORIES: &[&str] = &[
    "sale",
    "3c",
    "beauty",
    "food-snacks",
    "home-living",
    "women",
    "mobile-accessories",
    "tea-coffee",
    "kitchen",
    "health",
    "men",
    "sports-outdoor",
    "baby-kids",
    "pets",
];

const SORTS: &[&str] =
    &["", "?sort=price_asc", "?sort=price_desc", "?sort=newest", "?sort=popular"];

/// What shoppers type into the search box (Traditional Chinese and English),
/// most searched first.
const SEARCH_TERMS: &[&str] = &[
    "保溫瓶",
    "行動電源",
    "藍牙耳機",
    "面膜",
    "防曬乳",
    "洗髮精",
    "咖啡豆",
    "烏龍茶",
    "鳳梨酥",
    "手機殼",
    "充電線",
    "折疊傘",
    "保溫杯",
    "運動鞋",
    "後背包",
    "除濕機",
    "空氣清淨機",
    "衛生紙",
    "牛軋糖",
    "電熱毯",
    "羽絨外套",
    "聖誕禮物",
    "雙11",
    "週年慶",
    "iphone 17 殼",
    "airpods",
    "dyson",
    "switch 2",
    "usb-c 充電器",
    "kindle",
    "bose",
    "muji",
    "氣炸鍋",
    "電動牙刷",
    "貓砂",
    "狗飼料",
];

/// Number of search terms.
pub(crate) fn search_term_count() -> u64 {
    SEARCH_TERMS.len() as u64
}

/// The search terms as they appear in a query string (`+` for space, UTF-8 percent-encoded).
static SEARCH_QUERIES: LazyLock<Vec<String>> =
    LazyLock::new(|| SEARCH_TERMS.iter().map(|term| encode_query_value(term)).collect());

/// Percent-encodes a query value the way a browser submits a form.
pub(crate) fn encode_query_value(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(char::from(byte));
            }
            b' ' => encoded.push('+'),
            _ => {
                encoded.push('%');
                encoded.push(char::from(HEX[usize::from(byte >> 4)]));
                encoded.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    encoded
}

/// A static file: path and size (constant, as a real file's is).
struct Asset {
    path: &'static str,
    bytes: u64,
}

const CSS: &[Asset] = &[
    Asset { path: "/static/css/app.4f9c2e1b.css", bytes: 48_213 },
    Asset { path: "/static/css/vendor.9a0d73c5.css", bytes: 31_774 },
];

const JS: &[Asset] = &[
    Asset { path: "/static/js/runtime.e3a1f07c.js", bytes: 1_862 },
    Asset { path: "/static/js/vendor.2c5f8d31.js", bytes: 118_935 },
    Asset { path: "/static/js/app.b71e0a94.js", bytes: 92_406 },
];

/// Number of stylesheets and scripts every storefront page links.
pub(crate) const N_CSS: u8 = 2;
pub(crate) const N_JS: u8 = 3;

const FONT: Asset = Asset { path: "/static/fonts/NotoSansTC-Regular.subset.woff2", bytes: 346_512 };
const FAVICON: Asset = Asset { path: "/favicon.ico", bytes: 4_286 };
const ADMIN_CSS: Asset = Asset { path: "/static/css/admin.7d21c0f3.css", bytes: 22_908 };
const ADMIN_JS: Asset = Asset { path: "/static/js/admin.0be94a6d.js", bytes: 74_331 };
const ROBOTS: Asset = Asset { path: "/robots.txt", bytes: 312 };
const SITEMAP: Asset = Asset { path: "/sitemap.xml", bytes: 184_220 };

const BANNERS: &[Asset] = &[
    Asset { path: "/images/banners/flash-sale.jpg", bytes: 231_877 },
    Asset { path: "/images/banners/winter-tea.jpg", bytes: 187_402 },
    Asset { path: "/images/banners/free-shipping.jpg", bytes: 96_115 },
    Asset { path: "/images/banners/member-day.jpg", bytes: 205_630 },
];

/// Number of home-page banners.
pub(crate) fn banner_count() -> u64 {
    BANNERS.len() as u64
}

/// Size of nginx's own error page (`server_tokens off`) for 403 and 404.
pub(crate) const NGINX_ERROR_PAGE_BYTES: u64 = 153;
/// Size of nginx's own 502 page.
pub(crate) const NGINX_BAD_GATEWAY_BYTES: u64 = 157;
/// Size of the shop's "something went wrong" page.
pub(crate) const APP_ERROR_PAGE_BYTES: u64 = 2_140;
/// Size of the shop's own "page not found" page.
pub(crate) const APP_NOT_FOUND_BYTES: u64 = 5_126;

/// Whether a product id no longer exists (the shop answers 404).
pub(crate) fn is_removed_product(id: u16) -> bool {
    !(FIRST_PRODUCT..=LAST_PRODUCT).contains(&id) || id % 97 == 13
}

/// A product id drawn by popularity: a few products get most of the views,
/// and the popular ones are scattered over the catalogue.
pub(crate) fn popular_product(rng: &mut Rng) -> u16 {
    let span = u64::from(LAST_PRODUCT - FIRST_PRODUCT) + 1;
    let unit = rng.unit();
    let rank = ((unit * unit) * span as f64) as u64 % span;
    FIRST_PRODUCT + ((rank * 1237) % span) as u16
}

/// A product id drawn uniformly (crawlers do not care about popularity).
pub(crate) fn any_product(rng: &mut Rng) -> u16 {
    FIRST_PRODUCT + rng.below(u64::from(LAST_PRODUCT - FIRST_PRODUCT) + 1) as u16
}

/// Size of a product photo, fixed per product.
pub(crate) fn product_image_bytes(id: u16) -> u64 {
    28_000 + (u64::from(id) * 7_919) % 131_000
}

/// Body size of a successful response to `target` (HTML is gzip-compressed, so small).
pub(crate) fn body_bytes(target: Target, rng: &mut Rng) -> u64 {
    match target {
        Target::Home { .. } => rng.range(14_200, 16_800),
        Target::Category { .. } => rng.range(11_000, 13_600),
        Target::Product { id, .. } => 9_000 + u64::from(id) * 31 % 3_000 + rng.below(240),
        Target::Search { .. } => rng.range(6_800, 13_200),
        Target::Cart => rng.range(7_200, 9_100),
        Target::CartAdd => rng.range(96, 142),
        Target::Checkout => rng.range(8_100, 9_600),
        Target::LoginPage { .. } => rng.range(5_380, 5_420),
        Target::LoginPost => rng.range(5_590, 5_640),
        Target::Logout => 0,
        Target::Member => rng.range(6_900, 7_800),
        Target::Orders => rng.range(8_000, 10_400),
        Target::Order(_) => rng.range(6_500, 7_600),
        Target::Profile => rng.range(6_080, 6_200),
        Target::PasswordReset => rng.range(4_290, 4_330),
        Target::AdminLogin => rng.range(3_900, 3_930),
        Target::AdminHome => rng.range(18_000, 21_000),
        Target::AdminOrders { .. } => rng.range(42_000, 61_000),
        Target::AdminExport => rng.range(1_200_000, 2_400_000),
        Target::AdminMembers { .. } => rng.range(38_000, 55_000),
        Target::Css(idx) => CSS[usize::from(idx) % CSS.len()].bytes,
        Target::Js(idx) => JS[usize::from(idx) % JS.len()].bytes,
        Target::Font => FONT.bytes,
        Target::Favicon => FAVICON.bytes,
        Target::AppleTouchIcon { .. } => NGINX_ERROR_PAGE_BYTES,
        Target::ProductImage(id) => product_image_bytes(id),
        Target::Banner(idx) => BANNERS[usize::from(idx) % BANNERS.len()].bytes,
        Target::AdminCss => ADMIN_CSS.bytes,
        Target::AdminJs => ADMIN_JS.bytes,
        Target::Robots => ROBOTS.bytes,
        Target::Sitemap => SITEMAP.bytes,
    }
}

/// `"00" "01" ... "99"`, for writing numbers two digits at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the decimal digits of `value`.
pub(crate) fn push_decimal(buf: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0_u8; 20];
    let mut idx = digits.len();
    while value >= 100 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        idx -= 2;
        digits[idx..idx + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if value >= 10 {
        let pair = value as usize * 2;
        idx -= 2;
        digits[idx..idx + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        idx -= 1;
        digits[idx] = b'0' + value as u8;
    }
    buf.extend_from_slice(&digits[idx..]);
}

/// Appends the path (and query) of `target`.
pub(crate) fn render_target(buf: &mut Vec<u8>, target: Target) {
    match target {
        Target::Home { campaign } => {
            buf.push(b'/');
            buf.extend_from_slice(campaign.query());
        }
        Target::Category { slug, page, sort } => {
            buf.extend_from_slice(b"/category/");
            buf.extend_from_slice(CATEGORIES[usize::from(slug) % CATEGORIES.len()].as_bytes());
            let sort = SORTS[usize::from(sort) % SORTS.len()];
            buf.extend_from_slice(sort.as_bytes());
            if page > 1 {
                buf.extend_from_slice(if sort.is_empty() { b"?page=" } else { b"&page=" });
                push_decimal(buf, u64::from(page));
            }
        }
        Target::Product { id, campaign } => {
            buf.extend_from_slice(b"/product/");
            push_decimal(buf, u64::from(id));
            buf.extend_from_slice(campaign.query());
        }
        Target::Search { term, page } => {
            buf.extend_from_slice(b"/search?q=");
            let queries = &*SEARCH_QUERIES;
            buf.extend_from_slice(queries[usize::from(term) % queries.len()].as_bytes());
            if page > 1 {
                buf.extend_from_slice(b"&page=");
                push_decimal(buf, u64::from(page));
            }
        }
        Target::Cart => buf.extend_from_slice(b"/cart"),
        Target::CartAdd => buf.extend_from_slice(b"/cart/add"),
        Target::Checkout => buf.extend_from_slice(b"/checkout"),
        Target::LoginPage { is_from_checkout: false } | Target::LoginPost => {
            buf.extend_from_slice(b"/member/login");
        }
        Target::LoginPage { is_from_checkout: true } => {
            buf.extend_from_slice(b"/member/login?next=%2Fcheckout");
        }
        Target::Logout => buf.extend_from_slice(b"/member/logout"),
        Target::Member => buf.extend_from_slice(b"/member"),
        Target::Orders => buf.extend_from_slice(b"/member/orders"),
        Target::Order(id) => {
            buf.extend_from_slice(b"/member/orders/");
            push_decimal(buf, id);
        }
        Target::Profile => buf.extend_from_slice(b"/member/profile"),
        Target::PasswordReset => buf.extend_from_slice(b"/member/password/reset"),
        Target::AdminLogin => buf.extend_from_slice(b"/admin/login"),
        Target::AdminHome => buf.extend_from_slice(b"/admin/"),
        Target::AdminOrders { page } => {
            buf.extend_from_slice(b"/admin/orders");
            if page > 1 {
                buf.extend_from_slice(b"?page=");
                push_decimal(buf, u64::from(page));
            }
        }
        Target::AdminExport => buf.extend_from_slice(b"/admin/orders/export?format=csv"),
        Target::AdminMembers { page } => {
            buf.extend_from_slice(b"/admin/members");
            if page > 1 {
                buf.extend_from_slice(b"?page=");
                push_decimal(buf, u64::from(page));
            }
        }
        Target::Css(idx) => {
            buf.extend_from_slice(CSS[usize::from(idx) % CSS.len()].path.as_bytes())
        }
        Target::Js(idx) => buf.extend_from_slice(JS[usize::from(idx) % JS.len()].path.as_bytes()),
        Target::Font => buf.extend_from_slice(FONT.path.as_bytes()),
        Target::Favicon => buf.extend_from_slice(FAVICON.path.as_bytes()),
        Target::AppleTouchIcon { is_precomposed: false } => {
            buf.extend_from_slice(b"/apple-touch-icon.png");
        }
        Target::AppleTouchIcon { is_precomposed: true } => {
            buf.extend_from_slice(b"/apple-touch-icon-precomposed.png");
        }
        Target::ProductImage(id) => {
            buf.extend_from_slice(b"/images/products/");
            push_decimal(buf, u64::from(id));
            buf.extend_from_slice(b".jpg");
        }
        Target::Banner(idx) => {
            buf.extend_from_slice(BANNERS[usize::from(idx) % BANNERS.len()].path.as_bytes());
        }
        Target::AdminCss => buf.extend_from_slice(ADMIN_CSS.path.as_bytes()),
        Target::AdminJs => buf.extend_from_slice(ADMIN_JS.path.as_bytes()),
        Target::Robots => buf.extend_from_slice(ROBOTS.path.as_bytes()),
        Target::Sitemap => buf.extend_from_slice(SITEMAP.path.as_bytes()),
    }
}
