//! The routes and their pages.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use service::{Actor, AlertFilter, Permission, Scope, Session, StoredAlert};

use crate::Console;
use crate::chart::{self, Point};
use crate::guard::{self, Visit, csrf_ok};
use crate::html::{
    Frame, Lang, Nav, csrf_field, esc, mask_address, notice, page, severity_badge, thousands, time,
    url,
};

type Shared = Arc<Console>;

/// The largest form body read, in bytes.
const MAX_FORM_BYTES: usize = 16 * 1024;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(overview))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/setup", get(setup_page))
        .route("/setup/password", post(setup_password))
        .route("/setup/totp", post(setup_totp))
        .route("/setup/finish", post(setup_finish))
        .route("/alerts", get(alerts_page))
        .route("/alerts/{id}", get(alert_page))
        .route("/alerts/{id}/ban", post(alert_ban))
        .route("/decisions", get(decisions_page).post(decision_add))
        .route("/decisions/unban", post(decision_unban))
        .route("/decisions/{id}/delete", post(decision_delete))
        .route("/audit", get(audit_page))
        .route("/audit/export", get(audit_export))
        .route("/lang", get(switch_lang))
        .route("/assets/style.css", get(|| async { asset("text/css; charset=utf-8", STYLE) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }))
        .route("/assets/logo.svg", get(|| async { asset("image/svg+xml", LOGO) }))
}

const STYLE: &str = include_str!("../assets/style.css");
const SCRIPT: &str = include_str!("../assets/app.js");
const LOGO: &str = include_str!("../assets/logo.svg");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
        .into_response()
}

/// Decodes `application/x-www-form-urlencoded` text (also query strings).
pub(crate) fn parse_urlencoded(text: &str) -> HashMap<String, String> {
    fn decode(part: &str) -> String {
        let bytes = part.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut index = 0;
        while index < bytes.len() {
            match bytes[index] {
                b'+' => out.push(b' '),
                b'%' if index + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).ok();
                    match hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                        Some(byte) => {
                            out.push(byte);
                            index += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                byte => out.push(byte),
            }
            index += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

fn query_of(request: &Request) -> HashMap<String, String> {
    parse_urlencoded(request.uri().query().unwrap_or_default())
}

async fn form_of(request: Request) -> HashMap<String, String> {
    match axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES).await {
        Ok(bytes) => parse_urlencoded(&String::from_utf8_lossy(&bytes)),
        Err(_) => HashMap::new(),
    }
}

fn html_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
        body,
    )
        .into_response()
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn frame<'a>(console: &Console, visit: &'a Visit, path: &'a str, nav: Nav) -> Frame<'a> {
    Frame {
        lang: visit.lang,
        session: visit.session.as_ref(),
        path,
        nav,
        offset: console.options.utc_offset_secs,
    }
}

fn error_page(console: &Console, visit: &Visit, status: StatusCode, message: &str) -> Response {
    let lang = visit.lang;
    let body = format!(
        "<section class=\"card narrow\"><h1>{}</h1><p>{}</p><p><a href=\"/\">{}</a></p></section>",
        status.as_u16(),
        esc(message),
        lang.t("Back to the overview", "回到總覽")
    );
    html_response(status, page(&frame(console, visit, "/", Nav::None), &status.to_string(), &body))
}

/// The session, if it may do this; otherwise the response to send instead.
// The error is the page itself, sent at once: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn require<'a>(
    console: &Console,
    visit: &'a Visit,
    permission: Permission,
) -> Result<&'a Session, Response> {
    let Some(session) = visit.session.as_ref() else { return Err(redirect("/login")) };
    if session.needs_setup {
        return Err(redirect("/setup"));
    }
    if !session.user.role.allows(permission) {
        let lang = visit.lang;
        return Err(error_page(
            console,
            visit,
            StatusCode::FORBIDDEN,
            lang.t("Your role does not allow this page.", "您的角色無權使用此頁面。"),
        ));
    }
    Ok(session)
}

fn service_error(console: &Console, visit: &Visit, error: &service::Error) -> Response {
    let status = if error.is_user_error() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    error_page(console, visit, status, &error.to_string())
}

// ---------------------------------------------------------------- login

fn login_form(lang: Lang, pre: &str, message: Option<&str>, name: &str) -> String {
    let mut body = String::from("<section class=\"card login\">");
    let _ = write!(
        body,
        "<h1>{}</h1><p class=\"muted\">{}</p>",
        lang.t("Sign in", "登入"),
        lang.t(
            "leakguard console: the attacks on your shop and what was done about them.",
            "leakguard 主控台：您網站遭受的攻擊，以及已採取的處置。"
        )
    );
    if let Some(message) = message {
        body.push_str(&notice("error", message));
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/login\" class=\"stack\">\
         <input type=\"hidden\" name=\"pre\" value=\"{pre}\">\
         <label>{name_label}<input name=\"name\" id=\"name\" autocomplete=\"username\" required value=\"{name}\" autofocus></label>\
         <label>{password}<input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <label>{code}<input name=\"code\" id=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" placeholder=\"123456\"><small>{code_hint}</small></label>\
         <button type=\"submit\" id=\"login\">{submit}</button></form>",
        pre = esc(pre),
        name_label = lang.t("User name", "使用者名稱"),
        name = esc(name),
        password = lang.t("Password", "密碼"),
        code = lang.t("Authenticator code", "驗證器代碼"),
        code_hint = lang.t(
            "Six digits from your authenticator app, or a recovery code. Leave empty at your first login.",
            "驗證器 App 上的六位數字，或一組復原碼。首次登入請留白。"
        ),
        submit = lang.t("Sign in", "登入"),
    );
    body.push_str("</section>");
    body
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn render_login(
    console: &Console,
    visit: &Visit,
    status: StatusCode,
    message: Option<&str>,
    name: &str,
) -> Response {
    let pre = random_token();
    let lang = visit.lang;
    let body = login_form(lang, &pre, message, name);
    let frame = Frame { session: None, ..frame(console, visit, "/login", Nav::None) };
    let response = html_response(status, page(&frame, lang.t("Sign in", "登入"), &body));
    with_cookie(response, &guard::set_cookie(&console.options, "lg_pre", &pre, Some(900)))
}

async fn login_page(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    match &visit.session {
        Some(session) if session.needs_setup => redirect("/setup"),
        Some(_) => redirect("/"),
        None => render_login(&console, &visit, StatusCode::OK, None, ""),
    }
}

async fn login_submit(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let pre_cookie = guard::cookie(request.headers(), "lg_pre").unwrap_or_default().to_owned();
    let form = form_of(request).await;
    let lang = visit.lang;
    let name = form.get("name").map(|name| name.trim()).unwrap_or_default().to_owned();
    let pre_ok =
        form.get("pre").is_some_and(|pre| !pre.is_empty() && guard::same_secret(pre, &pre_cookie));
    if !pre_ok {
        let message = lang.t("The form expired; please sign in again.", "表單已逾時，請重新登入。");
        return render_login(&console, &visit, StatusCode::BAD_REQUEST, Some(message), &name);
    }
    let now = Instant::now();
    if !console.limiter.allows(&visit.address, now) {
        let message = lang.t(
            "Too many failed sign-ins from your address; wait a few minutes.",
            "您的位址登入失敗次數過多，請稍候幾分鐘再試。",
        );
        return render_login(&console, &visit, StatusCode::TOO_MANY_REQUESTS, Some(message), &name);
    }
    let password = form.get("password").map(String::as_str).unwrap_or_default();
    let code = form.get("code").map(String::as_str).unwrap_or_default();
    match console.service.login(&name, password, code, &visit.address).await {
        Ok(new) => {
            console.limiter.forget(&visit.address);
            let target = if new.session.needs_setup { "/setup" } else { "/" };
            let cookie = guard::set_cookie(
                &console.options,
                guard::session_cookie_name(&console.options),
                &new.token,
                None,
            );
            let response = with_cookie(redirect(target), &cookie);
            with_cookie(response, &guard::set_cookie(&console.options, "lg_pre", "", Some(0)))
        }
        Err(service::Error::LockedOut { until }) => {
            console.limiter.fail(&visit.address, now);
            let message = format!(
                "{} {}",
                lang.t(
                    "Too many failed sign-ins; the account is locked until",
                    "登入失敗次數過多，帳號鎖定至"
                ),
                time(until, console.options.utc_offset_secs)
            );
            render_login(&console, &visit, StatusCode::TOO_MANY_REQUESTS, Some(&message), &name)
        }
        Err(service::Error::LoginFailed) => {
            console.limiter.fail(&visit.address, now);
            let message =
                lang.t("Wrong user name, password or code.", "使用者名稱、密碼或代碼錯誤。");
            render_login(&console, &visit, StatusCode::UNAUTHORIZED, Some(message), &name)
        }
        Err(error) => service_error(&console, &visit, &error),
    }
}

async fn logout(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let form = form_of(request).await;
    if let (Some(session), Some(token)) = (&visit.session, &visit.token)
        && csrf_ok(session, &form)
    {
        let _ = console.service.logout(token, &visit.address).await;
    }
    let name = guard::session_cookie_name(&console.options);
    with_cookie(redirect("/login"), &guard::set_cookie(&console.options, name, "", Some(0)))
}

// ---------------------------------------------------------------- first login

async fn setup_page(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let Some(session) = &visit.session else { return redirect("/login") };
    if !session.needs_setup {
        return redirect("/");
    }
    render_setup(&console, &visit, session, None)
}

fn render_setup(
    console: &Console,
    visit: &Visit,
    session: &Session,
    message: Option<&str>,
) -> Response {
    let lang = visit.lang;
    let user = &session.user;
    let mut body = String::from("<section class=\"card narrow\">");
    let _ = write!(
        body,
        "<h1>{}</h1><ol class=\"steps\"><li class=\"{}\">{}</li><li class=\"{}\">{}</li></ol>",
        lang.t("Secure your account", "保護您的帳號"),
        if user.must_change_password { "now" } else { "done" },
        lang.t("Choose your password", "設定密碼"),
        if user.must_change_password {
            ""
        } else if user.has_totp {
            "done"
        } else {
            "now"
        },
        lang.t("Enrol your authenticator", "綁定驗證器"),
    );
    if let Some(message) = message {
        body.push_str(&notice("error", message));
    }
    if user.must_change_password {
        let _ = write!(
            body,
            "<p>{}</p><form method=\"post\" action=\"/setup/password\" class=\"stack\">{}\
             <label>{}<input type=\"password\" name=\"password\" id=\"new-password\" autocomplete=\"new-password\" minlength=\"{min}\" required></label>\
             <label>{}<input type=\"password\" name=\"again\" id=\"new-password-again\" autocomplete=\"new-password\" minlength=\"{min}\" required></label>\
             <button type=\"submit\" id=\"save-password\">{}</button></form>",
            lang.t(
                "You signed in with a one-time password. Choose your own: at least 12 characters; a few unrelated words are easy to remember and hard to guess.",
                "您以一次性密碼登入，請設定自己的密碼：至少 12 個字元；幾個不相關的詞語好記又難猜。"
            ),
            csrf_field(session),
            lang.t("New password", "新密碼"),
            lang.t("The same again", "再輸入一次"),
            lang.t("Save the password", "儲存密碼"),
            min = service::MIN_PASSWORD_CHARS,
        );
    } else if !user.has_totp {
        let offer = console.service.offer_totp(user);
        let _ = write!(
            body,
            "<p>{}</p><div class=\"secret\"><div><span class=\"muted\">{}</span><code id=\"totp-secret\">{}</code></div>\
             <div><span class=\"muted\">{}</span><code id=\"totp-uri\" class=\"wrap\">{}</code></div></div>\
             <form method=\"post\" action=\"/setup/totp\" class=\"stack\">{}<input type=\"hidden\" name=\"secret\" value=\"{}\">\
             <label>{}<input name=\"code\" id=\"enrol-code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required placeholder=\"123456\"></label>\
             <button type=\"submit\" id=\"enrol\">{}</button></form>",
            lang.t(
                "Add leakguard to your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password...): type the key below, or paste the link. Then enter the six digits it shows.",
                "請在驗證器 App（Google Authenticator、Microsoft Authenticator、1Password 等）中加入 leakguard：輸入下方金鑰或貼上連結，再輸入 App 顯示的六位數字。"
            ),
            lang.t("Key", "金鑰"),
            esc(&group_secret(&offer.secret)),
            lang.t("Link", "連結"),
            esc(&offer.uri),
            csrf_field(session),
            esc(&offer.secret),
            lang.t("Code from the app", "App 上的代碼"),
            lang.t("Confirm", "確認"),
        );
    } else {
        let _ = write!(
            body,
            "<p>{}</p><form method=\"post\" action=\"/setup/finish\">{}<button type=\"submit\" id=\"finish\">{}</button></form>",
            lang.t("Your account is ready.", "您的帳號已設定完成。"),
            csrf_field(session),
            lang.t("Continue", "繼續"),
        );
    }
    body.push_str("</section>");
    html_response(
        if message.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
        page(
            &frame(console, visit, "/setup", Nav::None),
            lang.t("Secure your account", "保護您的帳號"),
            &body,
        ),
    )
}

fn group_secret(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn setup_password(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let form = form_of(request).await;
    let Some(session) = &visit.session else { return redirect("/login") };
    if !csrf_ok(session, &form) {
        return error_page(&console, &visit, StatusCode::FORBIDDEN, "CSRF");
    }
    let lang = visit.lang;
    let password = form.get("password").map(String::as_str).unwrap_or_default();
    if form.get("again").map(String::as_str) != Some(password) {
        let message = lang.t("The two passwords differ.", "兩次輸入的密碼不同。");
        return render_setup(&console, &visit, session, Some(message));
    }
    match console.service.change_password(&session.user, password, &visit.address).await {
        Ok(()) => redirect("/setup"),
        Err(service::Error::WeakPassword(_)) => {
            let message = lang.t(
                "Use at least 12 characters, different from your user name.",
                "請使用至少 12 個字元，且不可與使用者名稱相同。",
            );
            render_setup(&console, &visit, session, Some(message))
        }
        Err(error) => service_error(&console, &visit, &error),
    }
}

async fn setup_totp(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let form = form_of(request).await;
    let Some(session) = &visit.session else { return redirect("/login") };
    if !csrf_ok(session, &form) {
        return error_page(&console, &visit, StatusCode::FORBIDDEN, "CSRF");
    }
    let lang = visit.lang;
    let secret = form.get("secret").map(String::as_str).unwrap_or_default();
    let code = form.get("code").map(String::as_str).unwrap_or_default();
    match console.service.enrol_totp(&session.user, secret, code, &visit.address).await {
        Ok(codes) => {
            let mut body = String::from("<section class=\"card narrow\">");
            let _ = write!(
                body,
                "<h1>{}</h1><p>{}</p><ul class=\"codes\" id=\"recovery-codes\">",
                lang.t("Save your recovery codes", "請保存您的復原碼"),
                lang.t(
                    "Each code signs you in once if you lose your phone. They are shown only now: print them or keep them in your password manager.",
                    "手機遺失時，每組復原碼可登入一次。這些代碼只會顯示這一次，請列印或存入密碼管理工具。"
                ),
            );
            for code in &codes {
                let _ = write!(body, "<li><code>{}</code></li>", esc(code));
            }
            let _ = write!(
                body,
                "</ul><form method=\"post\" action=\"/setup/finish\">{}<button type=\"submit\" id=\"finish\">{}</button></form></section>",
                csrf_field(session),
                lang.t("I saved them; continue", "已保存，繼續"),
            );
            html_response(
                StatusCode::OK,
                page(
                    &frame(&console, &visit, "/setup", Nav::None),
                    lang.t("Recovery codes", "復原碼"),
                    &body,
                ),
            )
        }
        Err(service::Error::InvalidCode) => {
            let message = lang.t(
                "That code does not match. Check that the phone's clock is right and type the current code.",
                "代碼不符。請確認手機時間正確，並輸入目前顯示的代碼。",
            );
            render_setup(&console, &visit, session, Some(message))
        }
        Err(error) => service_error(&console, &visit, &error),
    }
}

async fn setup_finish(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let form = form_of(request).await;
    let (Some(session), Some(token)) = (&visit.session, &visit.token) else {
        return redirect("/login");
    };
    if !csrf_ok(session, &form) {
        return error_page(&console, &visit, StatusCode::FORBIDDEN, "CSRF");
    }
    match console.service.finish_setup(token, &visit.address).await {
        Ok(Some(new)) => {
            let cookie = guard::set_cookie(
                &console.options,
                guard::session_cookie_name(&console.options),
                &new.token,
                None,
            );
            with_cookie(redirect("/"), &cookie)
        }
        Ok(None) => redirect("/setup"),
        Err(error) => service_error(&console, &visit, &error),
    }
}

// ---------------------------------------------------------------- overview

const OVERVIEW_ALERTS: i64 = 5000;

async fn overview(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let session = match require(&console, &visit, Permission::ViewDashboard) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let personal = session.user.role.allows(Permission::ViewPersonalData);
    let alerts = match console
        .service
        .list_alerts(&AlertFilter { limit: OVERVIEW_ALERTS, ..AlertFilter::default() })
        .await
    {
        Ok(alerts) => alerts,
        Err(error) => return service_error(&console, &visit, &error),
    };
    let decisions = console.service.list_decisions().await.unwrap_or_default();
    let offset = console.options.utc_offset_secs;

    // The chart's span: the stored traffic and alerts, at most the last 14 days of them.
    let last_alert = alerts.iter().map(|alert| alert.record.last_seen).max();
    let first_alert = alerts.iter().map(|alert| alert.record.first_seen).min();
    let traffic_since =
        last_alert.map_or(model::Timestamp::from_unix_secs(0), |last| last.add_secs(-14 * 86_400));
    let traffic = console.service.traffic(traffic_since).await.unwrap_or_default();
    let mut buckets: std::collections::BTreeMap<i64, Point> = std::collections::BTreeMap::new();
    for (bucket, requests, errors) in &traffic {
        let hour = bucket.as_unix_micros().div_euclid(3_600_000_000);
        let point = buckets.entry(hour).or_default();
        point.requests += requests;
        point.errors += errors;
    }
    for alert in &alerts {
        let hour = alert.record.first_seen.as_unix_micros().div_euclid(3_600_000_000);
        if first_alert.is_some() {
            buckets.entry(hour).or_default().alerts += 1;
        }
    }
    let points: Vec<(i64, Point)> = buckets.into_iter().collect();

    let mut by_severity: HashMap<&str, i64> = HashMap::new();
    for alert in &alerts {
        *by_severity.entry(alert.record.severity.as_str()).or_default() += 1;
    }
    let total_requests: i64 = traffic.iter().map(|(_, requests, _)| requests).sum();

    let mut body = String::new();
    let _ = write!(body, "<h1>{}</h1>", lang.t("Overview", "總覽"));
    body.push_str("<section class=\"tiles\">");
    let tiles = [
        (lang.t("Requests", "請求數"), thousands(total_requests), "requests"),
        (lang.t("Alerts", "警報"), thousands(alerts.len() as i64), "alerts"),
        (
            lang.t("Critical and high", "重大與高風險"),
            thousands(
                by_severity.get("critical").copied().unwrap_or(0)
                    + by_severity.get("high").copied().unwrap_or(0),
            ),
            "severe",
        ),
        (
            lang.t("Active decisions", "生效中的封鎖"),
            thousands(decisions.len() as i64),
            "decisions",
        ),
    ];
    for (label, value, class) in tiles {
        let _ = write!(
            body,
            "<div class=\"tile {class}\"><span class=\"label\">{label}</span><span class=\"value\" id=\"tile-{class}\">{value}</span></div>"
        );
    }
    body.push_str("</section>");

    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2>{}</section>",
        lang.t("Requests and alerts per hour", "每小時請求與警報"),
        chart::render(&points, lang, offset)
    );

    // Top attackers from the alerts: addresses, rules, and countries and networks when alerts are keyed by them.
    let mut ips: HashMap<&str, (i64, i64)> = HashMap::new();
    let mut rules: HashMap<(&str, &str), i64> = HashMap::new();
    let mut places: HashMap<String, i64> = HashMap::new();
    for alert in &alerts {
        let record = &alert.record;
        match record.key_kind.as_str() {
            "ip" | "range" => {
                let entry = ips.entry(record.key_value.as_str()).or_default();
                entry.0 += 1;
                entry.1 += record.count;
            }
            "country" => {
                *places
                    .entry(format!("{} {}", lang.t("country", "國家"), record.key_value))
                    .or_default() += 1
            }
            "asn" => {
                *places
                    .entry(format!("AS{}", record.key_value.trim_start_matches("AS")))
                    .or_default() += 1
            }
            _ => {}
        }
        let title = match lang {
            Lang::En => record.title_en.as_str(),
            Lang::ZhTw => record.title_zh.as_str(),
        };
        *rules.entry((record.rule_id.as_str(), title)).or_default() += 1;
    }
    let mut ips: Vec<_> = ips.into_iter().collect();
    ips.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut rules: Vec<_> = rules.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut places: Vec<_> = places.into_iter().collect();
    places.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    body.push_str("<div class=\"grid2\">");
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table id=\"top-ips\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        lang.t("Top attacking addresses", "主要攻擊來源位址"),
        lang.t("Address", "位址"),
        lang.t("Alerts", "警報"),
        lang.t("Events", "事件"),
    );
    for (ip, (count, events)) in ips.iter().take(10) {
        let shown = if personal {
            format!("<a href=\"/alerts?key={}\">{}</a>", url(ip), esc(ip))
        } else {
            esc(&mask_address(ip))
        };
        let _ = write!(
            body,
            "<tr><td class=\"mono\">{shown}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            thousands(*count),
            thousands(*events)
        );
    }
    if ips.is_empty() {
        let _ = write!(
            body,
            "<tr><td colspan=\"3\" class=\"muted\">{}</td></tr>",
            lang.t("No alerts yet.", "尚無警報。")
        );
    }
    body.push_str("</tbody></table></section>");
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table id=\"top-rules\"><thead><tr><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        lang.t("What was detected", "偵測到的攻擊"),
        lang.t("Rule", "規則"),
        lang.t("Alerts", "警報"),
    );
    for ((rule_id, title), count) in rules.iter().take(10) {
        let _ = write!(
            body,
            "<tr><td><a href=\"/alerts?rule={}\">{}</a><br><small class=\"muted mono\">{}</small></td><td class=\"num\">{}</td></tr>",
            url(rule_id),
            esc(title),
            esc(rule_id),
            thousands(*count)
        );
    }
    body.push_str("</tbody></table></section></div>");

    body.push_str("<div class=\"grid2\">");
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2>",
        lang.t("Countries and networks", "國家與網路（ASN）"),
    );
    if places.is_empty() {
        let _ = write!(
            body,
            "<p class=\"muted\">{}</p>",
            lang.t(
                "No alert is keyed by country or network. Configure GeoIP databases to see where attacks come from.",
                "沒有以國家或網路為鍵的警報。設定 GeoIP 資料庫即可看到攻擊來源。"
            )
        );
    } else {
        body.push_str("<table id=\"top-places\"><tbody>");
        for (place, count) in places.iter().take(10) {
            let _ = write!(
                body,
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(place),
                thousands(*count)
            );
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("</section>");
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><table id=\"active-decisions\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("Active decisions", "生效中的封鎖"),
        lang.t("Action", "動作"),
        lang.t("Target", "對象"),
        lang.t("Until", "到期"),
    );
    for decision in decisions.iter().rev().take(8) {
        let value = if personal || !matches!(decision.scope, Scope::Ip | Scope::Range) {
            esc(&decision.value)
        } else {
            esc(&mask_address(&decision.value))
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td class=\"mono\">{} {value}</td><td>{}</td></tr>",
            action_label(lang, decision.action.as_str()),
            esc(decision.scope.as_str()),
            time(decision.until, offset)
        );
    }
    if decisions.is_empty() {
        let _ = write!(
            body,
            "<tr><td colspan=\"3\" class=\"muted\">{}</td></tr>",
            lang.t("None.", "無。")
        );
    }
    body.push_str("</tbody></table></section></div>");

    let title = lang.t("Overview", "總覽");
    html_response(StatusCode::OK, page(&frame(&console, &visit, "/", Nav::Overview), title, &body))
}

fn action_label(lang: Lang, action: &str) -> &'static str {
    match action {
        "ban" => lang.t("Ban", "封鎖"),
        "captcha" => lang.t("Captcha", "驗證碼"),
        "force_reset" => lang.t("Force password reset", "強制重設密碼"),
        "require_otp" => lang.t("Require one-time code", "要求一次性密碼"),
        "notify" => lang.t("Notify", "通知"),
        _ => lang.t("Other", "其他"),
    }
}

// ---------------------------------------------------------------- alerts

async fn alerts_page(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    if let Err(response) = require(&console, &visit, Permission::ViewAlerts) {
        return response;
    }
    let query = query_of(&request);
    let lang = visit.lang;
    let filter = AlertFilter {
        severity: query.get("severity").cloned().unwrap_or_default(),
        rule_id: query.get("rule").cloned().unwrap_or_default(),
        key: query.get("key").cloned().unwrap_or_default(),
        limit: 500,
    };
    let alerts = match console.service.list_alerts(&filter).await {
        Ok(alerts) => alerts,
        Err(error) => return service_error(&console, &visit, &error),
    };
    let offset = console.options.utc_offset_secs;
    let mut body = String::new();
    let _ = write!(body, "<h1>{}</h1>", lang.t("Alerts", "警報"));
    let _ = write!(
        body,
        "<form method=\"get\" action=\"/alerts\" class=\"filters card\" id=\"alert-filters\">\
         <label>{}<select name=\"severity\">",
        lang.t("Severity", "嚴重度"),
    );
    let _ = write!(body, "<option value=\"\">{}</option>", lang.t("All", "全部"));
    for severity in ["critical", "high", "medium", "low", "info"] {
        let selected = if filter.severity == severity { " selected" } else { "" };
        let _ = write!(
            body,
            "<option value=\"{severity}\"{selected}>{}</option>",
            crate::html::severity_label(lang, severity)
        );
    }
    let _ = write!(
        body,
        "</select></label><label>{}<input name=\"rule\" value=\"{}\" placeholder=\"lg-...\"></label>\
         <label>{}<input name=\"key\" value=\"{}\" placeholder=\"203.0.113.\"></label>\
         <button type=\"submit\">{}</button><a class=\"button secondary\" href=\"/alerts\">{}</a></form>",
        lang.t("Rule", "規則"),
        esc(&filter.rule_id),
        lang.t("Address or account", "位址或帳號"),
        esc(&filter.key),
        lang.t("Filter", "篩選"),
        lang.t("Clear", "清除"),
    );
    let _ = write!(
        body,
        "<section class=\"card\"><p class=\"muted\">{} {}</p><table id=\"alerts\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
        thousands(alerts.len() as i64),
        lang.t("alerts, newest first", "則警報，最新的在前"),
        lang.t("Severity", "嚴重度"),
        lang.t("What", "攻擊"),
        lang.t("Who", "來源"),
        lang.t("Events", "事件"),
        lang.t("First seen", "首次發生"),
    );
    for alert in &alerts {
        let record = &alert.record;
        let title = match lang {
            Lang::En => &record.title_en,
            Lang::ZhTw => &record.title_zh,
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td><a class=\"alert-link\" href=\"/alerts/{}\">{}</a></td><td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"nowrap\">{}</td></tr>",
            severity_badge(lang, &record.severity),
            url(&record.id),
            esc(title),
            esc(&record.key_text),
            thousands(record.count),
            time(record.first_seen, offset),
        );
    }
    if alerts.is_empty() {
        let _ = write!(
            body,
            "<tr><td colspan=\"5\" class=\"muted\">{}</td></tr>",
            lang.t("No alert matches.", "沒有符合的警報。")
        );
    }
    body.push_str("</tbody></table></section>");
    html_response(
        StatusCode::OK,
        page(
            &frame(&console, &visit, &path_and_query(&request), Nav::Alerts),
            lang.t("Alerts", "警報"),
            &body,
        ),
    )
}

fn path_and_query(request: &Request) -> String {
    request.uri().path_and_query().map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned())
}

/// The purposes a responder may state for viewing an alert's evidence.
const PURPOSES: [(&str, &str, &str); 4] = [
    ("investigation", "Investigating this attack", "調查這起攻擊"),
    ("incident_response", "Responding to an incident", "處理資安事件"),
    ("false_positive_review", "Checking for a false positive", "確認是否為誤判"),
    ("legal_request", "A legal or regulator request", "法律或主管機關要求"),
];

async fn alert_page(
    State(console): State<Shared>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let session = match require(&console, &visit, Permission::ViewAlerts) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let query = query_of(&request);
    let alert = match console.service.alert(&id).await {
        Ok(Some(alert)) => alert,
        Ok(None) => {
            return error_page(
                &console,
                &visit,
                StatusCode::NOT_FOUND,
                lang.t("No such alert.", "找不到這則警報。"),
            );
        }
        Err(error) => return service_error(&console, &visit, &error),
    };
    let purpose =
        query.get("purpose").filter(|purpose| PURPOSES.iter().any(|(key, _, _)| key == purpose));
    let path = path_and_query(&request);
    let frame = frame(&console, &visit, &path, Nav::Alerts);
    let Some(purpose) = purpose else {
        // Evidence lines hold client addresses and requests: state why first.
        let mut body = String::from("<section class=\"card narrow\">");
        let _ = write!(
            body,
            "<h1>{}</h1><p>{}</p><form method=\"get\" action=\"/alerts/{}\" class=\"stack\" id=\"purpose-form\"><label>{}<select name=\"purpose\" id=\"purpose\">",
            lang.t("Why do you open this alert?", "您為何要檢視這則警報？"),
            lang.t(
                "Its evidence holds personal data (addresses, requests). Your purpose is recorded in the audit trail.",
                "警報證據含有個人資料（位址、請求內容）。您的目的將記錄於稽核軌跡。"
            ),
            url(&id),
            lang.t("Purpose", "目的"),
        );
        for (key, en, zh) in PURPOSES {
            let _ = write!(body, "<option value=\"{key}\">{}</option>", lang.t(en, zh));
        }
        let _ = write!(
            body,
            "</select></label><button type=\"submit\" id=\"open-alert\">{}</button></form></section>",
            lang.t("Open the alert", "開啟警報")
        );
        if !session.user.role.allows(Permission::ViewPersonalData) {
            return error_page(
                &console,
                &visit,
                StatusCode::FORBIDDEN,
                lang.t("Your role does not allow personal data.", "您的角色無權檢視個人資料。"),
            );
        }
        return html_response(StatusCode::OK, page(&frame, lang.t("Alert", "警報"), &body));
    };
    if !session.user.role.allows(Permission::ViewPersonalData) {
        return error_page(
            &console,
            &visit,
            StatusCode::FORBIDDEN,
            lang.t("Your role does not allow personal data.", "您的角色無權檢視個人資料。"),
        );
    }
    if let Err(error) = console
        .service
        .audit(&session.user.name, &visit.address, "alert_view", &format!("alert {id}"), purpose)
        .await
    {
        return service_error(&console, &visit, &error);
    }
    let body = alert_detail(
        &console,
        &visit,
        session,
        &alert,
        purpose,
        query.get("done").map(String::as_str),
    )
    .await;
    let record = &alert.record;
    let title = match lang {
        Lang::En => record.title_en.clone(),
        Lang::ZhTw => record.title_zh.clone(),
    };
    html_response(StatusCode::OK, page(&frame, &title, &body))
}

async fn alert_detail(
    console: &Console,
    visit: &Visit,
    session: &Session,
    alert: &StoredAlert,
    purpose: &str,
    done: Option<&str>,
) -> String {
    let lang = visit.lang;
    let record = &alert.record;
    let offset = console.options.utc_offset_secs;
    let title = match lang {
        Lang::En => &record.title_en,
        Lang::ZhTw => &record.title_zh,
    };
    let mut body = String::new();
    let _ = write!(
        body,
        "<p class=\"crumbs\"><a href=\"/alerts\">{}</a> /</p><h1 id=\"alert-title\">{} {}</h1>",
        lang.t("Alerts", "警報"),
        severity_badge(lang, &record.severity),
        esc(title)
    );
    if done == Some("unban") {
        body.push_str(&notice("ok", lang.t("The ban was lifted.", "已解除封鎖。")));
    }
    let _ = write!(
        body,
        "<section class=\"card\"><dl class=\"facts\">\
         <dt>{}</dt><dd class=\"mono\" id=\"alert-key\">{}</dd>\
         <dt>{}</dt><dd>{}</dd>\
         <dt>{}</dt><dd>{} – {}</dd>\
         <dt>{}</dt><dd class=\"mono\">{}</dd>\
         <dt>{}</dt><dd>{}</dd></dl></section>",
        lang.t("Who", "來源"),
        esc(&record.key_text),
        lang.t("Events", "事件數"),
        thousands(record.count),
        lang.t("When", "時間"),
        time(record.first_seen, offset),
        time(record.last_seen, offset),
        lang.t("Rule", "規則"),
        esc(&record.rule_id),
        lang.t("Why", "原因"),
        esc(&record.reason),
    );

    // Ban or unban the address in one click.
    if matches!(record.key_kind.as_str(), "ip" | "range")
        && session.user.role.allows(Permission::ManageDecisions)
    {
        let scope = if record.key_kind == "ip" { Scope::Ip } else { Scope::Range };
        let decisions = console.service.list_decisions().await.unwrap_or_default();
        let active: Vec<_> = decisions
            .iter()
            .filter(|decision| decision.scope == scope && decision.value == record.key_value)
            .collect();
        body.push_str("<section class=\"card actions\">");
        if active.is_empty() {
            let _ = write!(
                body,
                "<form method=\"post\" action=\"/alerts/{}/ban\" class=\"row\" data-confirm=\"{}\">{}\
                 <input type=\"hidden\" name=\"purpose\" value=\"{}\">\
                 <label>{}<select name=\"duration\"><option value=\"3600\">1 {}</option><option value=\"86400\" selected>24 {}</option><option value=\"604800\">7 {}</option><option value=\"2592000\">30 {}</option></select></label>\
                 <button type=\"submit\" class=\"danger\" id=\"ban\">{} {}</button></form>",
                url(&record.id),
                esc(&format!("{} {}?", lang.t("Ban", "封鎖"), record.key_value)),
                csrf_field(session),
                esc(purpose),
                lang.t("For", "期間"),
                lang.t("hour", "小時"),
                lang.t("hours", "小時"),
                lang.t("days", "天"),
                lang.t("days", "天"),
                lang.t("Ban", "封鎖"),
                esc(&record.key_value),
            );
        } else {
            let until = active.iter().map(|decision| decision.until).max();
            let _ = write!(
                body,
                "<p id=\"ban-state\"><span class=\"badge banned\">{}</span> {} {}</p>\
                 <form method=\"post\" action=\"/decisions/unban\" class=\"row\">{}\
                 <input type=\"hidden\" name=\"scope\" value=\"{}\"><input type=\"hidden\" name=\"value\" value=\"{}\">\
                 <input type=\"hidden\" name=\"back\" value=\"/alerts/{}?purpose={}&amp;done=unban\">\
                 <button type=\"submit\" class=\"secondary\" id=\"unban\">{}</button></form>",
                lang.t("Banned", "已封鎖"),
                lang.t("until", "直到"),
                until.map(|until| time(until, offset)).unwrap_or_default(),
                csrf_field(session),
                scope.as_str(),
                esc(&record.key_value),
                url(&record.id),
                url(purpose),
                lang.t("Lift the ban", "解除封鎖"),
            );
        }
        body.push_str("</section>");
    }

    if !alert.responses.is_empty() {
        let _ = write!(
            body,
            "<section class=\"card\"><h2>{}</h2><ul>",
            lang.t("The rule proposes", "規則建議的處置")
        );
        for response in &alert.responses {
            let duration = response
                .duration_secs
                .map(|secs| format!(" · {}", duration_text(lang, secs)))
                .unwrap_or_default();
            let _ = write!(
                body,
                "<li>{} <span class=\"mono\">{} {}</span>{}</li>",
                action_label(lang, &response.action),
                esc(&response.scope),
                esc(&response.value),
                duration
            );
        }
        body.push_str("</ul></section>");
    }
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><p class=\"muted\">{} {}</p><div class=\"evidence\" id=\"evidence\">",
        lang.t("Evidence", "證據"),
        lang.t("Sampled log lines. Viewed for:", "抽樣的日誌行。檢視目的："),
        esc(PURPOSES
            .iter()
            .find(|(key, _, _)| *key == purpose)
            .map_or(purpose, |(_, en, zh)| lang.t(en, zh))),
    );
    for line in &alert.evidence {
        let _ = write!(
            body,
            "<div class=\"line\"><span class=\"where\" title=\"{}:{}\">{}:{}</span><code>{}</code></div>",
            esc(&line.source),
            line.line,
            esc(line.source.rsplit('/').next().unwrap_or(&line.source)),
            line.line,
            esc(&line.text)
        );
    }
    if alert.evidence.is_empty() {
        let _ = write!(
            body,
            "<p class=\"muted\">{}</p>",
            lang.t("No lines were sampled.", "沒有抽樣的日誌行。")
        );
    }
    body.push_str("</div></section>");
    body
}

fn duration_text(lang: Lang, secs: u64) -> String {
    if secs == 86_400 {
        lang.t("1 day", "1 天").to_owned()
    } else if secs.is_multiple_of(86_400) {
        format!("{} {}", secs / 86_400, lang.t("days", "天"))
    } else if secs.is_multiple_of(3600) {
        format!("{} {}", secs / 3600, lang.t("hours", "小時"))
    } else {
        format!("{} {}", secs / 60, lang.t("minutes", "分鐘"))
    }
}

async fn alert_ban(
    State(console): State<Shared>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let form = form_of(request).await;
    let session = match require(&console, &visit, Permission::ManageDecisions) {
        Ok(session) => session,
        Err(response) => return response,
    };
    if !csrf_ok(session, &form) {
        return error_page(&console, &visit, StatusCode::FORBIDDEN, "CSRF");
    }
    let lang = visit.lang;
    let alert = match console.service.alert(&id).await {
        Ok(Some(alert)) => alert,
        Ok(None) => {
            return error_page(
                &console,
                &visit,
                StatusCode::NOT_FOUND,
                lang.t("No such alert.", "找不到這則警報。"),
            );
        }
        Err(error) => return service_error(&console, &visit, &error),
    };
    let scope = match alert.record.key_kind.as_str() {
        "ip" => Scope::Ip,
        "range" => Scope::Range,
        _ => {
            return error_page(
                &console,
                &visit,
                StatusCode::BAD_REQUEST,
                lang.t("Only addresses and ranges can be banned here.", "此處只能封鎖位址或網段。"),
            );
        }
    };
    let duration = form
        .get("duration")
        .and_then(|text| text.parse::<u64>().ok())
        .filter(|secs| (60..=90 * 86_400).contains(secs))
        .unwrap_or(86_400);
    let reason = format!("console: alert {} ({})", alert.record.id, alert.record.rule_id);
    let actor = Actor { name: &session.user.name, address: &visit.address };
    match console.service.ban_by(&actor, scope, &alert.record.key_value, duration, &reason).await {
        Ok(decision) => redirect(&format!("/decisions?added={}", decision.id.0)),
        Err(error) => service_error(&console, &visit, &error),
    }
}

// ---------------------------------------------------------------- decisions

async fn decisions_page(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let session = match require(&console, &visit, Permission::ManageDecisions) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let query = query_of(&request);
    let search = query.get("q").map(|q| q.trim().to_owned()).unwrap_or_default();
    let decisions = match console.service.list_decisions().await {
        Ok(decisions) => decisions,
        Err(error) => return service_error(&console, &visit, &error),
    };
    let offset = console.options.utc_offset_secs;
    let mut body = String::new();
    let _ = write!(body, "<h1>{}</h1>", lang.t("Decisions", "封鎖決策"));
    if let Some(added) = query.get("added") {
        let _ = write!(
            body,
            "{}",
            notice("ok", &format!("{} #{added}", lang.t("Decision stored:", "已新增決策：")))
        );
    }
    if query.contains_key("deleted") {
        body.push_str(&notice(
            "ok",
            lang.t(
                "Deleted; bouncers drop it at their next pull.",
                "已刪除；阻擋器下次同步時會移除。",
            ),
        ));
    }
    let _ = write!(
        body,
        "<section class=\"card\"><h2>{}</h2><form method=\"post\" action=\"/decisions\" class=\"row wrap\" id=\"add-decision\">{}\
         <label>{}<select name=\"scope\"><option value=\"ip\">IP</option><option value=\"range\">{}</option><option value=\"asn\">ASN</option><option value=\"country\">{}</option></select></label>\
         <label>{}<input name=\"value\" required placeholder=\"203.0.113.9\"></label>\
         <label>{}<select name=\"duration\"><option value=\"3600\">1 {}</option><option value=\"86400\" selected>24 {}</option><option value=\"604800\">7 {}</option><option value=\"2592000\">30 {}</option></select></label>\
         <label class=\"grow\">{}<input name=\"reason\" placeholder=\"{}\"></label>\
         <button type=\"submit\" class=\"danger\">{}</button></form></section>",
        lang.t("Ban by hand", "手動封鎖"),
        csrf_field(session),
        lang.t("Scope", "範圍"),
        lang.t("Range", "網段"),
        lang.t("Country", "國家"),
        lang.t("Value", "值"),
        lang.t("For", "期間"),
        lang.t("hour", "小時"),
        lang.t("hours", "小時"),
        lang.t("days", "天"),
        lang.t("days", "天"),
        lang.t("Reason", "原因"),
        lang.t("e.g. card testing from this network", "例如：此網段在盜刷測試"),
        lang.t("Ban", "封鎖"),
    );
    let shown: Vec<_> = decisions
        .iter()
        .rev()
        .filter(|decision| {
            search.is_empty()
                || decision.value.contains(&search)
                || decision.reason.contains(&search)
        })
        .collect();
    let _ = write!(
        body,
        "<section class=\"card\"><form method=\"get\" action=\"/decisions\" class=\"row\"><label class=\"grow\">{}<input name=\"q\" value=\"{}\" placeholder=\"203.0.113.\"></label><button type=\"submit\" class=\"secondary\">{}</button></form>\
         <p class=\"muted\">{} {}</p><table id=\"decisions\"><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
        lang.t("Search", "搜尋"),
        esc(&search),
        lang.t("Search", "搜尋"),
        thousands(shown.len() as i64),
        lang.t("active decisions, newest first", "筆生效中的決策，最新的在前"),
        lang.t("Action", "動作"),
        lang.t("Target", "對象"),
        lang.t("Origin", "來源"),
        lang.t("Reason", "原因"),
        lang.t("Until", "到期"),
    );
    for decision in shown.iter().take(1000) {
        let origin = match decision.origin.as_str() {
            "leakguard" => lang.t("automatic", "自動"),
            _ => lang.t("by hand", "手動"),
        };
        let _ = write!(
            body,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"mono decision-value\">{} {}</td><td>{}</td><td class=\"reason\">{}</td><td class=\"nowrap\">{}</td>\
             <td><form method=\"post\" action=\"/decisions/{}/delete\" data-confirm=\"{}\">{}<button type=\"submit\" class=\"small secondary\">{}</button></form></td></tr>",
            decision.id.0,
            action_label(lang, decision.action.as_str()),
            esc(decision.scope.as_str()),
            esc(&decision.value),
            origin,
            esc(&decision.reason),
            time(decision.until, offset),
            decision.id.0,
            esc(&format!("{} #{}?", lang.t("Delete decision", "刪除決策"), decision.id.0)),
            csrf_field(session),
            lang.t("Delete", "刪除"),
        );
    }
    if shown.is_empty() {
        let _ = write!(
            body,
            "<tr><td colspan=\"7\" class=\"muted\">{}</td></tr>",
            lang.t("No active decision.", "沒有生效中的決策。")
        );
    }
    body.push_str("</tbody></table></section>");
    html_response(
        StatusCode::OK,
        page(
            &frame(&console, &visit, &path_and_query(&request), Nav::Decisions),
            lang.t("Decisions", "封鎖決策"),
            &body,
        ),
    )
}

async fn decision_add(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let form = form_of(request).await;
    let session = match require(&console, &visit, Permission::ManageDecisions) {
        Ok(session) => session,
        Err(response) => return response,
    };
    if !csrf_ok(session, &form) {
        return error_page(&console, &visit, StatusCode::FORBIDDEN, "CSRF");
    }
    let scope = match form.get("scope").map(String::as_str).unwrap_or("ip").parse::<Scope>() {
        Ok(scope) => scope,
        Err(error) => {
            return error_page(&console, &visit, StatusCode::BAD_REQUEST, &error.to_string());
        }
    };
    let value = form.get("value").map(|value| value.trim().to_owned()).unwrap_or_default();
    let duration = form
        .get("duration")
        .and_then(|text| text.parse::<u64>().ok())
        .filter(|secs| (60..=90 * 86_400).contains(secs))
        .unwrap_or(86_400);
    let reason = form
        .get("reason")
        .map(|reason| reason.trim())
        .filter(|reason| !reason.is_empty())
        .unwrap_or("console")
        .to_owned();
    let actor = Actor { name: &session.user.name, address: &visit.address };
    match console.service.ban_by(&actor, scope, &value, duration, &reason).await {
        Ok(decision) => redirect(&format!("/decisions?added={}", decision.id.0)),
        Err(error) => service_error(&console, &visit, &error),
    }
}

async fn decision_unban(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let form = form_of(request).await;
    let session = match require(&console, &visit, Permission::ManageDecisions) {
        Ok(session) => session,
        Err(response) => return response,
    };
    if !csrf_ok(session, &form) {
        return error_page(&console, &visit, StatusCode::FORBIDDEN, "CSRF");
    }
    let scope = match form.get("scope").map(String::as_str).unwrap_or("ip").parse::<Scope>() {
        Ok(scope) => scope,
        Err(error) => {
            return error_page(&console, &visit, StatusCode::BAD_REQUEST, &error.to_string());
        }
    };
    let value = form.get("value").map(String::as_str).unwrap_or_default();
    let actor = Actor { name: &session.user.name, address: &visit.address };
    match console.service.unban_by(&actor, scope, value).await {
        Ok(_) => {
            let back = form
                .get("back")
                .map(String::as_str)
                .filter(|back| is_local_path(back))
                .unwrap_or("/decisions?deleted=1");
            redirect(back)
        }
        Err(error) => service_error(&console, &visit, &error),
    }
}

async fn decision_delete(
    State(console): State<Shared>,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let form = form_of(request).await;
    let session = match require(&console, &visit, Permission::ManageDecisions) {
        Ok(session) => session,
        Err(response) => return response,
    };
    if !csrf_ok(session, &form) {
        return error_page(&console, &visit, StatusCode::FORBIDDEN, "CSRF");
    }
    let actor = Actor { name: &session.user.name, address: &visit.address };
    match console.service.delete_decision_by(&actor, id).await {
        Ok(_) => redirect("/decisions?deleted=1"),
        Err(error) => service_error(&console, &visit, &error),
    }
}

// ---------------------------------------------------------------- audit

async fn audit_page(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let session = match require(&console, &visit, Permission::ViewAudit) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let offset = console.options.utc_offset_secs;
    let (verdict, entries) =
        match (console.service.verify_audit().await, console.service.latest_audit(300).await) {
            (Ok(verdict), Ok(entries)) => (verdict, entries),
            (Err(error), _) | (_, Err(error)) => return service_error(&console, &visit, &error),
        };
    let _ = console
        .service
        .audit(&session.user.name, &visit.address, "audit_view", "audit trail", "")
        .await;
    let mut body = String::new();
    let _ = write!(body, "<h1>{}</h1>", lang.t("Audit trail", "稽核軌跡"));
    match &verdict.problem {
        None => {
            let _ = write!(
                body,
                "<div class=\"notice ok\" id=\"audit-verdict\">{} {} · {} <code>{}</code></div>",
                thousands(verdict.entries),
                lang.t("entries; the hash chain is intact.", "筆紀錄；雜湊鏈完整。"),
                lang.t("head", "鏈首"),
                esc(&verdict.head[..16.min(verdict.head.len())]),
            );
        }
        Some((id, what)) => {
            let _ = write!(
                body,
                "<div class=\"notice error\" id=\"audit-verdict\">{} #{id}: {}</div>",
                lang.t("The audit trail was tampered with at entry", "稽核軌跡遭竄改，位置："),
                esc(what),
            );
        }
    }
    let _ = write!(
        body,
        "<section class=\"card\"><p class=\"row\"><a class=\"button secondary\" href=\"/audit/export?format=csv\">{}</a><a class=\"button secondary\" href=\"/audit/export?format=json\">{}</a></p>\
         <table id=\"audit\"><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("Export CSV", "匯出 CSV"),
        lang.t("Export JSON", "匯出 JSON"),
        lang.t("When", "時間"),
        lang.t("Who", "人員"),
        lang.t("From", "來源位址"),
        lang.t("Action", "動作"),
        lang.t("Target", "對象"),
        lang.t("Purpose", "目的"),
    );
    for stored in &entries {
        let entry = &stored.entry;
        let _ = write!(
            body,
            "<tr><td class=\"mono\">{}</td><td class=\"nowrap\">{}</td><td>{}</td><td class=\"mono\">{}</td><td><span class=\"tag\">{}</span></td><td class=\"mono\">{}</td><td>{}</td></tr>",
            stored.id,
            time(entry.at, offset),
            esc(&entry.actor),
            esc(&entry.address),
            esc(&entry.action),
            esc(&entry.target),
            esc(&entry.purpose),
        );
    }
    body.push_str("</tbody></table></section>");
    html_response(
        StatusCode::OK,
        page(
            &frame(&console, &visit, "/audit", Nav::Audit),
            lang.t("Audit trail", "稽核軌跡"),
            &body,
        ),
    )
}

fn csv_field(text: &str) -> String {
    // A leading formula character is neutralised so a spreadsheet does not run it.
    let text =
        if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    format!("\"{}\"", text.replace('"', "\"\""))
}

async fn audit_export(State(console): State<Shared>, request: Request) -> Response {
    let visit = Visit::of(&console, request.headers(), request.extensions()).await;
    let session = match require(&console, &visit, Permission::ViewAudit) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let format = query_of(&request).get("format").cloned().unwrap_or_else(|| "csv".to_owned());
    let _ = console
        .service
        .audit(&session.user.name, &visit.address, "audit_export", &format, "")
        .await;
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        match console.service.audit_entries(after, 1000).await {
            Ok(batch) if batch.is_empty() => break,
            Ok(batch) => {
                after = batch.last().map_or(after, |entry| entry.id);
                entries.extend(batch);
            }
            Err(error) => return service_error(&console, &visit, &error),
        }
    }
    let (content_type, name, text) = if format == "json" {
        let rows: Vec<serde_json::Value> = entries
            .iter()
            .map(|stored| {
                serde_json::json!({
                    "id": stored.id,
                    "at": stored.entry.at.to_rfc3339(),
                    "actor": stored.entry.actor,
                    "address": stored.entry.address,
                    "action": stored.entry.action,
                    "target": stored.entry.target,
                    "purpose": stored.entry.purpose,
                    "prev_hash": stored.prev_hash,
                    "hash": stored.hash,
                })
            })
            .collect();
        (
            "application/json",
            "leakguard-audit.json",
            serde_json::to_string_pretty(&rows).unwrap_or_default(),
        )
    } else {
        let mut text = String::from("id,at,actor,address,action,target,purpose,prev_hash,hash\n");
        for stored in &entries {
            let entry = &stored.entry;
            let _ = writeln!(
                text,
                "{},{},{},{},{},{},{},{},{}",
                stored.id,
                entry.at.to_rfc3339(),
                csv_field(&entry.actor),
                csv_field(&entry.address),
                csv_field(&entry.action),
                csv_field(&entry.target),
                csv_field(&entry.purpose),
                stored.prev_hash,
                stored.hash
            );
        }
        ("text/csv; charset=utf-8", "leakguard-audit.csv", text)
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from(text),
    )
        .into_response()
}

// ---------------------------------------------------------------- language

fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.contains("://")
}

async fn switch_lang(State(console): State<Shared>, request: Request) -> Response {
    let query = query_of(&request);
    let lang = query
        .get("to")
        .and_then(|code| Lang::from_code(code))
        .unwrap_or(console.options.default_lang);
    let back =
        query.get("back").map(String::as_str).filter(|back| is_local_path(back)).unwrap_or("/");
    with_cookie(
        redirect(back),
        &guard::set_cookie(&console.options, "lg_lang", lang.code(), Some(365 * 86_400)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        let form = parse_urlencoded("name=ann+lee&pw=a%26b%3D&empty=&bad=%zz&tail=%4");
        assert_eq!(form["name"], "ann lee");
        assert_eq!(form["pw"], "a&b=");
        assert_eq!(form["empty"], "");
        assert_eq!(form["bad"], "%zz");
        assert_eq!(form["tail"], "%4");
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert!(is_local_path("/alerts?x=1"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/\\evil.example"));
    }

    #[test]
    fn csv_neutralises_formulas() {
        assert_eq!(csv_field("=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
