//! The webhook, Telegram, LINE and SMS adapters against an axum server on
//! 127.0.0.1:0 that records every request and answers like the service.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use model::{LocalizedText, Severity, Timestamp};
use notify::channels::{Line, Telegram, Webhook, uuid_from};
use notify::digest::{Digest, Item, ItemKind, Policy, Style};
use notify::http::{Client, Url};
use notify::sms::{Gateway, Generic, Mitake, Sms, SmsStatus};
use notify::{Language, Secret};

#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    uri: String,
    headers: HeaderMap,
    body: String,
}

type Log = Arc<Mutex<Vec<Recorded>>>;

/// Answers like each service would, by path.
fn answer(method: &Method, uri: &Uri, body: &str) -> (StatusCode, String) {
    let path = uri.path();
    if path.ends_with("/sendMessage") {
        return (StatusCode::OK, r#"{"ok":true,"result":{"message_id":42}}"#.to_owned());
    }
    if path == "/v2/bot/message/push" {
        return (
            StatusCode::OK,
            r#"{"sentMessages":[{"id":"461230966842064897","quoteToken":"q"}]}"#.to_owned(),
        );
    }
    if path == "/api/mtk/SmSend" {
        let duplicate = if body.contains("clientid=seen") { "Duplicate=Y\r\n" } else { "" };
        if body.contains("dstaddr=0900000000") {
            return (StatusCode::OK, "[1]\r\nstatuscode=k\r\nAccountPoint=99\r\n".to_owned());
        }
        return (
            StatusCode::OK,
            format!("[1]\r\nmsgid=#000000013\r\nstatuscode=1\r\nAccountPoint=98\r\n{duplicate}"),
        );
    }
    if path == "/api/mtk/SmQuery" {
        return (
            StatusCode::OK,
            "#000000013\t4\t20261207213000\r\n#000000014\t6\t20261207213001\r\n".to_owned(),
        );
    }
    if path == "/sms" && method == Method::GET {
        let query = uri.query().unwrap_or_default();
        return match query {
            "key=k-delivered" => (StatusCode::OK, r#"{"status":"delivered"}"#.to_owned()),
            "key=k-failed" => {
                (StatusCode::OK, r#"{"status":"failed","reason":"no such number"}"#.to_owned())
            }
            _ => (StatusCode::NOT_FOUND, String::new()),
        };
    }
    if path == "/sms" {
        return (StatusCode::OK, r#"{"id":"gw-1","status":"accepted"}"#.to_owned());
    }
    (StatusCode::OK, "{}".to_owned())
}

async fn serve() -> (Url, Log) {
    let log: Log = Arc::default();
    let recorder = log.clone();
    let app =
        Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let recorder = recorder.clone();
            async move {
                let body = String::from_utf8_lossy(&body).into_owned();
                let reply = answer(&method, &uri, &body);
                recorder.lock().expect("lock").push(Recorded {
                    method: method.to_string(),
                    uri: uri.to_string(),
                    headers,
                    body,
                });
                reply
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (Url::parse(&format!("http://{address}")).expect("url"), log)
}

fn message(language: Language) -> notify::digest::Outgoing {
    let style = Style { site: "demo-shop".to_owned(), language, utc_offset_secs: 8 * 3600 };
    let mut digest = Digest::new(Policy::default(), style);
    let item = Item {
        kind: ItemKind::Alert,
        severity: Severity::Critical,
        title: LocalizedText {
            en: "Credential stuffing".to_owned(), zh_tw: "撞庫攻擊".to_owned()
        },
        key: "ip 203.0.113.7".to_owned(),
        detail: "60 failed logins in 60s".to_owned(),
        at: Timestamp::from_unix_secs(1_800_000_000),
    };
    digest.push(item, Timestamp::from_unix_secs(1_800_000_000)).expect("sent at once")
}

fn client() -> Client {
    Client::plain(Duration::from_secs(5))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("JSON body")
}

#[tokio::test]
async fn the_webhook_posts_the_message_as_json() {
    let (base, log) = serve().await;
    let hook = Webhook { url: base.join("/hooks/leakguard"), token: Some(Secret::new("t0ken")) };
    hook.send(&client(), "demo-shop", &message(Language::English)).await.expect("sent");
    let log = log.lock().expect("lock");
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].method.as_str(), log[0].uri.as_str()), ("POST", "/hooks/leakguard"));
    assert_eq!(log[0].headers["authorization"], "Bearer t0ken");
    assert!(
        log[0].headers["content-type"].to_str().expect("ascii").starts_with("application/json")
    );
    let document = json(&log[0].body);
    assert_eq!(document["version"], 1);
    assert_eq!(document["site"], "demo-shop");
    assert_eq!(document["alerts"], 1);
    assert_eq!(document["items"][0]["severity"], "critical");
    assert_eq!(document["items"][0]["key"], "ip 203.0.113.7");
    assert!(document["subject"].as_str().expect("subject").contains("Credential stuffing"));
}

#[tokio::test]
async fn telegram_gets_send_message_with_the_chat_and_text() {
    let (base, log) = serve().await;
    let telegram = Telegram { base, token: Secret::new("123:ABC"), chat_id: "-1001234".to_owned() };
    let delivery =
        telegram.send(&client(), &message(Language::TraditionalChinese)).await.expect("sent");
    assert_eq!(delivery.id.as_deref(), Some("42"));
    let log = log.lock().expect("lock");
    assert_eq!(log[0].uri, "/bot123:ABC/sendMessage");
    let document = json(&log[0].body);
    assert_eq!(document["chat_id"], "-1001234");
    assert!(document["text"].as_str().expect("text").contains("嚴重警示：撞庫攻擊"), "{document}");
}

#[tokio::test]
async fn line_gets_a_push_with_bearer_token_and_retry_key() {
    let (base, log) = serve().await;
    let line = Line { base, token: Secret::new("line-token"), to: "U4af4980629".to_owned() };
    let key = uuid_from("digest-7");
    let delivery = line.send(&client(), &message(Language::English), &key).await.expect("sent");
    assert_eq!(delivery.id.as_deref(), Some("461230966842064897"));
    let log = log.lock().expect("lock");
    assert_eq!((log[0].method.as_str(), log[0].uri.as_str()), ("POST", "/v2/bot/message/push"));
    assert_eq!(log[0].headers["authorization"], "Bearer line-token");
    assert_eq!(log[0].headers["x-line-retry-key"], key.as_str());
    let document = json(&log[0].body);
    assert_eq!(document["to"], "U4af4980629");
    assert_eq!(document["messages"][0]["type"], "text");
}

#[tokio::test]
async fn mitake_sends_form_encoded_utf8_with_a_client_id_and_answers_status_queries() {
    let (base, log) = serve().await;
    let gateway =
        Gateway::Mitake(Mitake { base, username: "shop".to_owned(), password: Secret::new("pw") });
    let sms = Sms {
        key: "notice-1".to_owned(),
        to: "0912345678".to_owned(),
        text: "個資外洩通知 165".to_owned(),
    };
    let receipt = gateway.send(&client(), &sms).await.expect("sent");
    assert_eq!(receipt.gateway_id.as_deref(), Some("#000000013"));
    assert!(!receipt.duplicate);
    let again = Sms { key: "seen".to_owned(), ..sms.clone() };
    assert!(gateway.send(&client(), &again).await.expect("sent").duplicate, "Duplicate=Y is read");
    let refused = Sms { to: "0900000000".to_owned(), ..sms.clone() };
    let error = gateway.send(&client(), &refused).await.expect_err("refused");
    assert!(error.is_permanent() && error.to_string().contains("statuscode=k"), "{error}");
    assert_eq!(
        gateway.status(&client(), "notice-1", Some("#000000013")).await.expect("status"),
        SmsStatus::Delivered
    );
    assert!(matches!(
        gateway.status(&client(), "x", Some("#000000014")).await.expect("status"),
        SmsStatus::Failed(_)
    ));
    assert_eq!(
        gateway.status(&client(), "x", Some("#999")).await.expect("status"),
        SmsStatus::Unknown
    );
    let log = log.lock().expect("lock");
    assert_eq!(log[0].uri, "/api/mtk/SmSend?CharsetURL=UTF-8");
    assert_eq!(log[0].headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(
        log[0].body,
        "username=shop&password=pw&dstaddr=0912345678&smbody=%E5%80%8B%E8%B3%87%E5%A4%96%E6%B4%A9%E9%80%9A%E7%9F%A5+165&clientid=notice-1"
    );
    assert!(
        log[3].uri.starts_with("/api/mtk/SmQuery?username=shop&password=pw&msgid=%23000000013"),
        "{}",
        log[3].uri
    );
}

#[tokio::test]
async fn the_generic_gateway_sends_json_and_knows_its_keys() {
    let (base, log) = serve().await;
    let gateway = Gateway::Generic(Generic { url: base.join("/sms"), token: None });
    let sms =
        Sms { key: "k-1".to_owned(), to: "+886912345678".to_owned(), text: "notice".to_owned() };
    let receipt = gateway.send(&client(), &sms).await.expect("sent");
    assert_eq!(receipt.gateway_id.as_deref(), Some("gw-1"));
    assert_eq!(
        json(&log.lock().expect("lock")[0].body),
        serde_json::json!({"key": "k-1", "to": "+886912345678", "text": "notice"})
    );
    assert_eq!(
        gateway.status(&client(), "k-delivered", None).await.expect("status"),
        SmsStatus::Delivered
    );
    assert_eq!(
        gateway.status(&client(), "k-failed", None).await.expect("status"),
        SmsStatus::Failed("no such number".to_owned())
    );
    assert_eq!(
        gateway.status(&client(), "k-never", None).await.expect("status"),
        SmsStatus::Unknown
    );
}

#[tokio::test]
async fn an_unreachable_service_is_an_error_naming_host_and_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let hook = Webhook {
        url: Url::parse(&format!("http://127.0.0.1:{port}/x")).expect("url"),
        token: None,
    };
    let error =
        hook.send(&client(), "s", &message(Language::English)).await.expect_err("unreachable");
    assert!(error.to_string().contains(&format!("127.0.0.1:{port}")), "{error}");
}
