//! User agents: the browsers Taiwanese shoppers use, the crawlers, and the
//! tools attackers use.
//!
//! Version numbers are those current around late 2026 (Chrome and Firefox
//! ship every four weeks; Safari on iOS 26 keeps reporting `OS 18_6`).

/// A browser's user agent and what kind of device it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Browser {
    pub(crate) text: &'static str,
    pub(crate) is_mobile: bool,
    pub(crate) is_ios: bool,
    /// Relative share of sessions.
    pub(crate) weight: u32,
}

const fn browser(weight: u32, is_mobile: bool, is_ios: bool, text: &'static str) -> Browser {
    Browser { text, is_mobile, is_ios, weight }
}

/// Browsers of ordinary shoppers, about two thirds mobile.
pub(crate) const BROWSERS: &[Browser] = &[
    browser(
        22,
        true,
        true,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
    ),
    browser(
        6,
        true,
        true,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
    ),
    browser(
        8,
        true,
        true,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/15.19.1",
    ),
    browser(
        3,
        true,
        true,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/155.0.7340.80 Mobile/15E148 Safari/604.1",
    ),
    browser(
        2,
        true,
        true,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22G86 [FBAN/FBIOS;FBAV/530.0.0.38.92;FBBV/812345678;FBDV/iPhone16,2;FBMD/iPhone;FBSN/iOS;FBSV/18.6;FBSS/3;FBCR/;FBID/phone;FBLC/zh_TW;FBOP/80]",
    ),
    browser(
        2,
        true,
        true,
        "Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
    ),
    browser(
        18,
        true,
        false,
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/155.0.0.0 Mobile Safari/537.36",
    ),
    browser(
        4,
        true,
        false,
        "Mozilla/5.0 (Linux; Android 15; SAMSUNG SM-S938B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/29.0 Chrome/136.0.0.0 Mobile Safari/537.36",
    ),
    browser(
        6,
        true,
        false,
        "Mozilla/5.0 (Linux; Android 15; 2312DRA50G Build/AQ3A.240912.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/155.0.7340.80 Mobile Safari/537.36 Line/15.19.1/IAB",
    ),
    browser(
        16,
        false,
        false,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/155.0.0.0 Safari/537.36",
    ),
    browser(
        3,
        false,
        false,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/154.0.0.0 Safari/537.36",
    ),
    browser(
        5,
        false,
        false,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/155.0.0.0 Safari/537.36 Edg/155.0.0.0",
    ),
    browser(
        5,
        false,
        false,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/155.0.0.0 Safari/537.36",
    ),
    browser(
        4,
        false,
        false,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15",
    ),
    browser(
        2,
        false,
        false,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:159.0) Gecko/20100101 Firefox/159.0",
    ),
];

/// The weights of [`BROWSERS`], in order.
pub(crate) fn browser_weights() -> Vec<u32> {
    BROWSERS.iter().map(|browser| browser.weight).collect()
}

/// Windows Chrome, the most common desktop browser.
pub(crate) const WINDOWS_CHROME: &str = BROWSERS[9].text;
/// Chrome on a Mac.
pub(crate) const MAC_CHROME: &str = BROWSERS[12].text;
/// Safari on an iPhone.
pub(crate) const IPHONE_SAFARI: &str = BROWSERS[0].text;

pub(crate) const GOOGLEBOT_SMARTPHONE: &str = "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/155.0.7340.80 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
pub(crate) const GOOGLEBOT_DESKTOP: &str = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/155.0.7340.80 Safari/537.36";
pub(crate) const GOOGLEBOT_IMAGE: &str = "Googlebot-Image/1.0";
pub(crate) const BINGBOT: &str = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36";
pub(crate) const FACEBOOK_PREVIEW: &str =
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";
pub(crate) const AHREFSBOT: &str =
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)";
pub(crate) const UPTIMEROBOT: &str =
    "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)";
pub(crate) const UPTIME_KUMA: &str = "Uptime-Kuma/2.0.2";

pub(crate) const PYTHON_REQUESTS: &str = "python-requests/2.32.3";
pub(crate) const SQLMAP: &str = "sqlmap/1.9.4#stable (https://sqlmap.org)";
pub(crate) const GO_HTTP: &str = "Go-http-client/1.1";
pub(crate) const CURL: &str = "curl/8.7.1";
/// An outdated Chrome string, typical of credential-stuffing tool configs.
pub(crate) const STALE_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
pub(crate) const HEADLESS_CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/139.0.0.0 Safari/537.36";
pub(crate) const LINUX_FIREFOX_ESR: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
