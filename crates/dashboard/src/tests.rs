//! The console's routes over a real SQLite store, without sockets.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use service::{Role, Service, totp};
use tower::ServiceExt;

use crate::{ConsoleOptions, with_console};

struct Site {
    app: axum::Router,
    service: Arc<Service>,
    _dir: tempfile::TempDir,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = store::Config::Sqlite { path: dir.path().join("leakguard.db") };
    let store = store::Store::open(&config).await.expect("open store");
    let service = Arc::new(Service::new(store, Arc::new(model::SystemClock)));
    let app = with_console(axum::Router::new(), service.clone(), ConsoleOptions::default());
    Site { app, service, _dir: dir }
}

async fn send(site: &Site, request: Request<Body>) -> Response {
    site.app.clone().oneshot(request).await.expect("response")
}

async fn text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22).await.expect("body");
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

fn get(path: &str, cookies: &str) -> Request<Body> {
    Request::get(path).header(header::COOKIE, cookies).body(Body::empty()).expect("request")
}

fn post(path: &str, cookies: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request")
}

fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> &str {
    set_cookie.split(';').next().and_then(|pair| pair.split_once('=')).map_or("", |(_, v)| v)
}

fn field<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|at| at + marker.len()).expect("field present");
    &html[start..start + html[start..].find('"').expect("closing quote")]
}

/// Logs in through the form and returns the session cookie pair.
async fn log_in(site: &Site, name: &str, password: &str, code: &str) -> Response {
    let page = send(site, get("/login", "")).await;
    let pre = cookie_value(&set_cookie(&page, "lg_pre").expect("pre cookie")).to_owned();
    let html = text(page).await;
    assert_eq!(field(&html, "pre"), pre);
    let form = format!("pre={pre}&name={name}&password={}&code={code}", password.replace(' ', "+"));
    send(site, post("/login", &format!("lg_pre={pre}"), &form)).await
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let site = site().await;
    for path in ["/login", "/", "/assets/style.css", "/nowhere"] {
        let response = send(&site, get(path, "")).await;
        let headers = response.headers();
        let csp =
            headers.get(header::CONTENT_SECURITY_POLICY).expect("CSP").to_str().expect("ascii");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert!(headers.get(header::SERVER).is_none() && headers.get("x-powered-by").is_none());
        assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS without TLS");
    }
    let html = text(send(&site, get("/login", "")).await).await;
    assert!(!html.contains("<script>") && !html.contains("style="), "no inline code");
}

#[tokio::test]
async fn a_responder_logs_in_with_totp_and_bans_with_a_csrf_token() {
    let site = site().await;
    let (user, _) = site
        .service
        .create_user("rita", Role::Responder, Some("a long responder password"))
        .await
        .expect("user");
    let offer = site.service.offer_totp(&user);
    let secret = totp::base32_decode(&offer.secret).expect("secret");
    let now_step = totp::step_of(site.service.now().as_unix_micros() / 1_000_000);
    site.service
        .enrol_totp(&user, &offer.secret, &totp::code_at(&secret, now_step - 1), "test")
        .await
        .expect("enrol");

    // The login form's own token is required, and a wrong code fails.
    let no_pre = send(&site, post("/login", "", "name=rita&password=x&code=1")).await;
    assert_eq!(no_pre.status(), StatusCode::BAD_REQUEST);
    let wrong = log_in(&site, "rita", "a long responder password", "000000").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let code = totp::code_at(&secret, now_step);
    let ok = log_in(&site, "rita", "a long responder password", &code).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(ok.headers()[header::LOCATION], "/");
    let session = set_cookie(&ok, "lg_session").expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    let cookies = format!("lg_session={}", cookie_value(&session));

    let overview = send(&site, get("/", &cookies)).await;
    assert_eq!(overview.status(), StatusCode::OK);
    let html = text(overview).await;
    assert!(html.contains("總覽"), "zh-TW by default");
    let csrf = field(&html, "csrf").to_owned();

    // A POST without the token is refused; with it, the ban is stored and audited.
    let forged = send(&site, post("/decisions", &cookies, "scope=ip&value=203.0.113.9")).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(site.service.list_decisions().await.expect("list").is_empty());
    let form = format!("csrf={csrf}&scope=ip&value=203.0.113.9&duration=3600&reason=test");
    let added = send(&site, post("/decisions", &cookies, &form)).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let decisions = site.service.list_decisions().await.expect("list");
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].value, "203.0.113.9");
    let page = text(send(&site, get("/decisions", &format!("{cookies}; lg_lang=en"))).await).await;
    assert!(page.contains("203.0.113.9") && page.contains("Decisions"));
    let audit = site.service.audit_entries(0, 100).await.expect("audit");
    assert!(audit.iter().any(|e| e.entry.action == "decision_add" && e.entry.actor == "rita"));

    // Responders do not see the audit trail.
    assert_eq!(send(&site, get("/audit", &cookies)).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_administrator_must_set_a_password_and_enrol_first() {
    let site = site().await;
    let (_, one_time) =
        site.service.create_user("ann", Role::Administrator, None).await.expect("user");
    let response = log_in(&site, "ann", &one_time.expect("one-time password"), "").await;
    assert_eq!(response.headers()[header::LOCATION], "/setup");
    let session = set_cookie(&response, "lg_session").expect("session");
    let cookies = format!("lg_session={}", cookie_value(&session));
    let overview = send(&site, get("/", &cookies)).await;
    assert_eq!(overview.headers()[header::LOCATION], "/setup", "nothing else before setup");
    let setup = text(send(&site, get("/setup", &cookies)).await).await;
    assert!(setup.contains("new-password"));
}

#[tokio::test]
async fn the_language_switch_sets_a_cookie_and_stays_on_the_site() {
    let site = site().await;
    let response = send(&site, get("/lang?to=en&back=%2Falerts", "")).await;
    assert_eq!(response.headers()[header::LOCATION], "/alerts");
    assert!(set_cookie(&response, "lg_lang").expect("cookie").starts_with("lg_lang=en;"));
    let away = send(&site, get("/lang?to=en&back=%2F%2Fevil.example", "")).await;
    assert_eq!(away.headers()[header::LOCATION], "/");
    let login = text(send(&site, get("/login", "lg_lang=en")).await).await;
    assert!(login.contains("Sign in") && login.contains("lang=\"en\""));
}
