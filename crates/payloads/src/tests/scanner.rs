//! Scanner user-agent fixtures.

use super::{check_agent, check_clean};

#[test]
fn flags_attack_tools() {
    check_agent(
        "sqlmap/1.8.3#stable (https://sqlmap.org)",
        &["scanner user_agent high: attack tool user agent"],
    );
    check_agent(
        "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Port Check)",
        &["scanner user_agent high: attack tool user agent"],
    );
    check_agent("Fuzz Faster U Fool v2.1.0", &["scanner user_agent high: attack tool user agent"]);
    check_agent(
        "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)",
        &["scanner user_agent high: attack tool user agent"],
    );
}

#[test]
fn flags_internet_wide_scanners_as_medium() {
    check_agent("Mozilla/5.0 zgrab/0.x", &["scanner user_agent medium: attack tool user agent"]);
    check_agent(
        "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
        &["scanner user_agent medium: attack tool user agent"],
    );
}

#[test]
fn flags_command_lines_as_user_agents() {
    check_agent(
        "cat /etc/passwd",
        &[
            "traversal user_agent high: sensitive file",
            "rce user_agent high: command line in value",
        ],
    );
    check_agent("whoami", &["rce user_agent high: command as user agent"]);
}

#[test]
fn leaves_browsers_bots_and_libraries_alone() {
    for agent in [
        super::BROWSER,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "python-requests/2.32.3",
        "curl/8.7.1",
        "Wget/1.21.4",
        "Go-http-client/2.0",
        "okhttp/4.12.0",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/460.0.0.40.106;FBBV/583215217;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.4;FBSS/3;FBID/phone;FBLC/zh_TW;FBOP/5]",
        "Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; IEMobile/10.0; ARM; Touch)",
        "Chef Client/18.4.12 (ruby-3.1.4; ohai-18.1.11; x86_64-linux; +https://chef.io)",
    ] {
        check_agent(agent, &[]);
    }
    check_clean(&["/"]);
}
