//! Property tests: feeding any events never panics, and replays agree.

use std::borrow::Cow;

use model::{EventKind, LoginOutcome, ServerNotice};
use proptest::prelude::*;

use super::{ENV_PROBE, STUFFING, at, engine, feed_all};
use crate::EngineLimits;

const RULES: [&str; 5] = [
    STUFFING,
    ENV_PROBE,
    "id: spray\ntitle: Spray\nseverity: high\ndetection: {kind: count, where: {kind: login}, window: 10s, threshold: 3, distinct: account, group_by: [range]}\n",
    "id: walk\ntitle: Walk\nseverity: high\ndetection: {kind: enumeration, where: {path: {prefix: /o/}}, id_from: path, id_pattern: '^/o/(\\d+)$', window: 1m, threshold: 3, max_gap: 2}\n",
    "id: direct\ntitle: Direct\nseverity: high\ndetection: {kind: absence, where: {method: POST}, unless_preceded_by: {where: {method: GET}, within: 30s}, group_by: [ip, user_agent]}\n",
];

fn arbitrary_event() -> impl Strategy<Value = model::Event<'static>> {
    (
        (
            prop_oneof![18 => -100i64..100, 1 => Just(i64::MIN), 1 => Just(i64::MAX)],
            0u8..4,
            0u8..3,
            0usize..6,
            0usize..4,
        ),
        (0usize..5, prop::option::of(100u16..600), 0usize..3, 0usize..4, any::<bool>()),
    )
        .prop_map(
            |((secs, host, kind, path, method), (account, status, outcome, agent, has_ip))| {
                let paths =
                    ["/member/login", "/.env", "/o/1", "/o/2", "/o/99999999999999999999", ""];
                let mut event = model::Event {
                    time: match secs {
                        i64::MIN => model::Timestamp::MIN,
                        i64::MAX => model::Timestamp::MAX,
                        secs => at(secs),
                    },
                    kind: [EventKind::Request, EventKind::Login, EventKind::ServerNotice]
                        [usize::from(kind)],
                    client_ip: has_ip.then(|| {
                        if host == 3 {
                            "2001:db8::1".parse().unwrap()
                        } else {
                            format!("192.0.2.{host}").parse().unwrap()
                        }
                    }),
                    method: Cow::Borrowed(["GET", "POST", "", "post"][method]),
                    path: Cow::Borrowed(paths[path]),
                    status,
                    account: Cow::Owned(["", "a", "b", "c", "d"][account].to_owned()),
                    user_agent: Cow::Borrowed(["", "x", "curl/8", "撞庫"][agent]),
                    ..model::Event::default()
                };
                event.outcome =
                    [None, Some(LoginOutcome::Success), Some(LoginOutcome::Failure)][outcome];
                if event.kind == EventKind::ServerNotice {
                    event.notice = Some(ServerNotice::LimitReq);
                }
                event
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn feeding_any_events_never_panics_and_replays_agree(
        events in prop::collection::vec(arbitrary_event(), 0..200),
        cap in 1usize..20,
    ) {
        let limits = EngineLimits {
            max_keys_per_rule: cap,
            max_open_alerts_per_rule: cap,
            max_pending_alerts: cap * 2,
            first_samples: cap % 3,
            last_samples: cap % 4,
            max_sample_bytes: cap,
            max_exact_distinct: cap,
            ..EngineLimits::default()
        };
        let run = |events: &[model::Event<'static>]| {
            let mut engine = crate::Engine::new(super::rule_set(&RULES), limits.clone());
            feed_all(&mut engine, events);
            let new = engine.take_new_alerts();
            (new, engine.finish(), engine.stats())
        };
        let first = run(&events);
        let second = run(&events);
        prop_assert_eq!(&first.0, &second.0);
        prop_assert_eq!(&first.1, &second.1);
        prop_assert_eq!(first.2, second.2);
        for alert in &first.1 {
            prop_assert!(alert.samples.len() <= cap % 3 + cap % 4);
            prop_assert!(alert.first_seen <= alert.last_seen);
        }
    }
}

#[test]
fn an_engine_without_rules_accepts_anything() {
    let mut engine = engine(&[]);
    feed_all(&mut engine, &[model::Event::default()]);
    assert!(engine.finish().is_empty());
    assert_eq!(engine.stats().n_events, 1);
}
