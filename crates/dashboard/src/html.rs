//! HTML building blocks: escaping, the two languages, times in the site's
//! zone, and the page layout.

use std::fmt::Write as _;

use model::Timestamp;
use service::{Permission, Session};

/// The console's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Traditional Chinese (Taiwan).
    ZhTw,
}

impl Lang {
    /// The cookie and `lang` attribute value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-TW",
        }
    }

    /// From a cookie value.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "zh-TW" => Some(Lang::ZhTw),
            _ => None,
        }
    }

    /// The English or the Chinese text.
    pub(crate) fn t(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::ZhTw => zh,
        }
    }

    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::En => Lang::ZhTw,
            Lang::ZhTw => Lang::En,
        }
    }
}

/// Escapes text for HTML content and quoted attributes.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query or path component.
pub(crate) fn url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `2026-12-07 21:30:05` in the site's zone.
pub(crate) fn time(at: Timestamp, offset: i32) -> String {
    let text =
        at.add_micros(-at.as_unix_micros().rem_euclid(1_000_000)).to_rfc3339_with_offset(offset);
    let text = text.strip_suffix('Z').unwrap_or(&text);
    let cut = if text.len() > 19 { &text[..19] } else { text };
    cut.replacen('T', " ", 1)
}

/// `+08:00`.
pub(crate) fn zone_name(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A number with thousands separators.
pub(crate) fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (index, c) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0 { format!("-{out}") } else { out }
}

/// Hides the host part of an address for roles without access to personal data.
pub(crate) fn mask_address(value: &str) -> String {
    if let Ok(std::net::IpAddr::V4(v4)) = value.parse::<std::net::IpAddr>() {
        let [a, b, _, _] = v4.octets();
        return format!("{a}.{b}.x.x");
    }
    if value.contains(':') {
        let head: Vec<&str> = value.split(':').take(2).collect();
        return format!("{}:…", head.join(":"));
    }
    "•••".to_owned()
}

/// The severity's label.
pub(crate) fn severity_label(lang: Lang, severity: &str) -> &'static str {
    match severity {
        "critical" => lang.t("Critical", "重大"),
        "high" => lang.t("High", "高"),
        "medium" => lang.t("Medium", "中"),
        "low" => lang.t("Low", "低"),
        _ => lang.t("Info", "資訊"),
    }
}

/// A severity badge.
pub(crate) fn severity_badge(lang: Lang, severity: &str) -> String {
    let class = match severity {
        "critical" | "high" | "medium" | "low" => severity,
        _ => "info",
    };
    format!("<span class=\"badge sev-{class}\">{}</span>", severity_label(lang, severity))
}

/// Which page the navigation marks as current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Overview,
    Alerts,
    Decisions,
    Audit,
    None,
}

/// What the layout needs to know.
#[derive(Debug)]
pub(crate) struct Frame<'a> {
    pub(crate) lang: Lang,
    pub(crate) session: Option<&'a Session>,
    pub(crate) path: &'a str,
    pub(crate) nav: Nav,
    pub(crate) offset: i32,
}

/// A whole page.
pub(crate) fn page(frame: &Frame<'_>, title: &str, body: &str) -> String {
    let lang = frame.lang;
    let mut out = String::with_capacity(body.len() + 4096);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · leakguard</title>\
         <link rel=\"stylesheet\" href=\"/assets/style.css\">\
         <link rel=\"icon\" href=\"/assets/logo.svg\" type=\"image/svg+xml\">\
         <script src=\"/assets/app.js\" defer></script></head><body>",
        code = lang.code(),
        title = esc(title),
    );
    out.push_str("<header class=\"top\"><a class=\"brand\" href=\"/\"><img src=\"/assets/logo.svg\" alt=\"\" width=\"28\" height=\"28\"><span>leakguard</span></a>");
    if let Some(session) = frame.session.filter(|session| !session.needs_setup) {
        out.push_str("<nav>");
        let role = session.user.role;
        let items = [
            (Nav::Overview, "/", lang.t("Overview", "總覽"), Permission::ViewDashboard),
            (Nav::Alerts, "/alerts", lang.t("Alerts", "警報"), Permission::ViewAlerts),
            (
                Nav::Decisions,
                "/decisions",
                lang.t("Decisions", "封鎖決策"),
                Permission::ManageDecisions,
            ),
            (Nav::Audit, "/audit", lang.t("Audit trail", "稽核軌跡"), Permission::ViewAudit),
        ];
        for (nav, href, label, permission) in items {
            if role.allows(permission) {
                let current =
                    if nav == frame.nav { " aria-current=\"page\" class=\"current\"" } else { "" };
                let _ = write!(out, "<a href=\"{href}\"{current}>{label}</a>");
            }
        }
        out.push_str("</nav>");
    }
    out.push_str("<div class=\"tools\">");
    let other = lang.other();
    let _ = write!(
        out,
        "<a class=\"lang\" id=\"switch-lang\" href=\"/lang?to={}&amp;back={}\" hreflang=\"{}\">{}</a>",
        other.code(),
        url(frame.path),
        other.code(),
        match other {
            Lang::En => "English",
            Lang::ZhTw => "中文",
        }
    );
    if let Some(session) = frame.session {
        let _ = write!(
            out,
            "<span class=\"who\">{} <small>{}</small></span>\
             <form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <button class=\"link\" type=\"submit\">{}</button></form>",
            esc(&session.user.name),
            role_label(lang, session.user.role),
            esc(&session.csrf_token),
            lang.t("Log out", "登出"),
        );
    }
    out.push_str("</div></header><main>");
    out.push_str(body);
    let _ = write!(
        out,
        "</main><footer>leakguard · {} {}</footer></body></html>",
        lang.t("times in", "時區"),
        zone_name(frame.offset)
    );
    out
}

/// A role's name.
pub(crate) fn role_label(lang: Lang, role: service::Role) -> &'static str {
    match role {
        service::Role::Administrator => lang.t("administrator", "管理員"),
        service::Role::Responder => lang.t("responder", "事件處理人員"),
        service::Role::Auditor => lang.t("auditor", "稽核人員"),
        service::Role::Viewer => lang.t("viewer", "檢視者"),
    }
}

/// A hidden CSRF field.
pub(crate) fn csrf_field(session: &Session) -> String {
    format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(&session.csrf_token))
}

/// A message box.
pub(crate) fn notice(kind: &str, text: &str) -> String {
    format!("<div class=\"notice {kind}\" role=\"status\">{}</div>", esc(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn times_show_in_the_site_zone() {
        let at = Timestamp::from_unix_secs(1_800_000_000);
        assert_eq!(time(at, 8 * 3600), "2027-01-15 16:00:00");
        assert_eq!(time(at, 0), "2027-01-15 08:00:00");
        assert_eq!(zone_name(8 * 3600), "UTC+08:00");
    }

    #[test]
    fn numbers_and_addresses() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(mask_address("203.0.113.9"), "203.0.x.x");
        assert_eq!(mask_address("2001:db8::1"), "2001:db8:…");
    }
}
