//! The login check over a real SQLite store: verdicts from decisions and
//! the corpus, staleness, API keys, and results through a recording sink.

use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use model::{Clock, LoginOutcome, Timestamp};

use crate::{
    DecisionAction, LoginAttempt, LoginError, LoginGuard, LoginResult, LoginSink, ManualDecision,
    Passwords, Scope, Service, SinkFuture, Verdict,
};

#[derive(Debug)]
struct FakeClock(AtomicI64);

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_secs(self.0.load(Ordering::SeqCst))
    }
}

async fn check_service(dir: &tempfile::TempDir) -> Arc<Service> {
    let config = store::Config::Sqlite { path: dir.path().join("leakguard.db") };
    let store = store::Store::open(&config).await.expect("open store");
    Arc::new(Service::new(store, Arc::new(FakeClock(AtomicI64::new(1_800_000_000)))))
}

async fn decide(service: &Service, action: DecisionAction, scope: Scope, value: &str) -> i64 {
    let manual = ManualDecision {
        action,
        scope,
        value: value.to_owned(),
        duration_secs: 3600,
        reason: "test".to_owned(),
    };
    service.add_decision(manual).await.expect("add decision").id.0
}

fn attempt(ip: &str, account: &str) -> LoginAttempt {
    LoginAttempt {
        ip: ip.parse::<IpAddr>().expect("address"),
        account: account.to_owned(),
        user_agent: None,
        password_sha1: None,
    }
}

#[tokio::test]
async fn each_action_gives_its_verdict_and_the_most_severe_wins() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = check_service(&dir).await;
    let ban = decide(&service, DecisionAction::Ban, Scope::Range, "203.0.113.0/24").await;
    decide(&service, DecisionAction::Captcha, Scope::Ip, "198.51.100.2").await;
    let reset =
        decide(&service, DecisionAction::ForceReset, Scope::Account, "mei@example.tw").await;
    decide(&service, DecisionAction::RequireOtp, Scope::Account, "hao@example.tw").await;
    service.add_allow("192.0.2.0/24", "office").await.expect("allow");
    let guard = LoginGuard::new(service.clone()).with_max_staleness(Duration::ZERO);
    let check =
        async |ip: &str, account: &str| guard.check(&attempt(ip, account)).await.expect("check");

    let answer = check("198.51.100.1", "someone").await;
    assert_eq!(
        (answer.verdict, answer.change_password, answer.reasons.len()),
        (Verdict::Allow, false, 0)
    );
    let answer = check("198.51.100.2", "someone").await;
    assert_eq!(
        (answer.verdict, answer.reasons[0].code()),
        (Verdict::RequireOtp, "ip_captcha".to_owned())
    );
    let answer = check("198.51.100.1", "hao@example.tw").await;
    assert_eq!(answer.verdict, Verdict::RequireOtp);
    assert_eq!(answer.reasons[0].code(), "account_require_otp");
    let answer = check("198.51.100.1", "mei@example.tw").await;
    assert_eq!((answer.verdict, answer.change_password), (Verdict::RequireOtp, true));
    let answer = check("203.0.113.9", "mei@example.tw").await;
    assert_eq!((answer.verdict, answer.change_password), (Verdict::Deny, true));
    let codes: Vec<String> = answer.reasons.iter().map(crate::Reason::code).collect();
    assert_eq!(codes, ["ip_ban", "account_force_reset"], "most severe first");
    let ids: Vec<i64> = answer
        .reasons
        .iter()
        .filter_map(|reason| match reason {
            crate::Reason::Decision(decision) => Some(decision.id.0),
            crate::Reason::PasswordBreached { .. } => None,
        })
        .collect();
    assert_eq!(ids, [ban, reset]);
    let answer = check("192.0.2.7", "someone").await;
    assert_eq!(answer.verdict, Verdict::Allow, "the allowlist wins");
    let error = guard.check(&attempt("192.0.2.7", " ")).await.expect_err("empty account");
    assert!(matches!(error, LoginError::InvalidAccount(_)), "{error}");
}

#[tokio::test]
async fn another_process_decision_is_seen_within_the_staleness_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = check_service(&dir).await;
    let guard = LoginGuard::new(service.clone());
    assert_eq!(guard.max_staleness(), Duration::from_millis(100));
    assert_eq!(
        guard.check(&attempt("203.0.113.5", "a")).await.expect("check").verdict,
        Verdict::Allow
    );
    // Another process: a second service over the same file.
    let other = check_service(&dir).await;
    let added = Instant::now();
    decide(&other, DecisionAction::Ban, Scope::Ip, "203.0.113.5").await;
    loop {
        let answer = guard.check(&attempt("203.0.113.5", "a")).await.expect("check");
        if answer.verdict == Verdict::Deny {
            break;
        }
        assert!(added.elapsed() < Duration::from_secs(5), "the ban was never seen");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[derive(Debug, Default)]
struct RecordingSink(Mutex<Vec<LoginResult>>);

impl LoginSink for RecordingSink {
    fn submit(&self, result: LoginResult) -> SinkFuture<'_> {
        Box::pin(async move {
            let mut results = self.0.lock().expect("lock");
            results.push(result);
            Ok(results.len() / 3)
        })
    }
}

#[tokio::test]
async fn results_need_a_sink_and_passwords_are_looked_up_by_hash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = check_service(&dir).await;
    let result = LoginResult {
        time: service.now(),
        ip: "198.51.100.1".parse().expect("address"),
        account: "mei@example.tw".to_owned(),
        outcome: LoginOutcome::Failure,
        user_agent: None,
    };
    let plain = LoginGuard::new(service.clone());
    assert!(matches!(plain.report(result.clone()).await, Err(LoginError::NoEngine)));
    let sink = Arc::new(RecordingSink::default());
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).expect("corpus folder");
    std::fs::write(corpus.join("5BAA6.txt"), "1E4C9B93F3F0682250B6CF8331B7EE68FD8:7\r\n")
        .expect("prefix file");
    let passwords = Arc::new(Passwords::open(&corpus, None).expect("open corpus"));
    let guard = LoginGuard::new(service).with_sink(sink.clone()).with_passwords(passwords);
    assert_eq!(guard.report(result.clone()).await.expect("report"), 0);
    assert_eq!(sink.0.lock().expect("lock")[0], result);
    let mut login = attempt("198.51.100.1", "mei@example.tw");
    let hash = pwned::parse_hash(pwned::HashKind::Sha1, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
    login.password_sha1 = hash.and_then(|bytes| bytes.try_into().ok());
    let answer = guard.check(&login).await.expect("check");
    assert_eq!((answer.verdict, answer.change_password), (Verdict::Allow, true));
    assert_eq!(answer.reasons[0], crate::Reason::PasswordBreached { count: 7 });
}

#[tokio::test]
async fn api_keys_have_scopes_and_are_kept_apart_from_bouncers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = check_service(&dir).await;
    let (client, key) = service.add_api_key("shop-web", &["LOGIN".to_owned()]).await.expect("add");
    assert_eq!(client.scopes, ["login"]);
    assert!(service.authenticate(&key).await.expect("bouncer lookup").is_none());
    let guard = LoginGuard::new(service.clone());
    assert_eq!(
        guard.authenticate(&key).await.expect("lookup").map(|client| client.name),
        Some("shop-web".to_owned())
    );
    assert!(guard.authenticate("nope").await.expect("lookup").is_none());
    let error = service.add_api_key("other", &["admin".to_owned()]).await.expect_err("bad scope");
    assert_eq!(error.to_string(), "invalid API key scope \"admin\"; use login");
    let error =
        service.add_api_key("shop-web", &["login".to_owned()]).await.expect_err("duplicate");
    assert!(error.is_user_error(), "{error}");
    assert!(service.delete_api_key("shop-web").await.expect("delete"));
    assert!(service.authenticate_client(&key).await.expect("lookup").is_none());
}
