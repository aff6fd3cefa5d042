//! Tests of decisions, profiles, the allowlist and the matcher.

use std::net::IpAddr;

use ipnet::IpNet;
use model::{
    Action, Alert, AlertId, AlertKey, KeyKind, LocalizedText, Response, RuleId, Severity, Timestamp,
};
use proptest::prelude::*;

use crate::{
    Allowlist, Decision, DecisionAction, DecisionId, DecisionIndex, Escalation, Ledger,
    NewDecision, Origin, Override, Profile, Scope, Selector, format_go_duration, parse_duration,
    parse_value,
};

const NOW: Timestamp = Timestamp::from_unix_secs(1_800_000_000);

fn alert(id: &str, rule: &str, ip: &str, duration_secs: Option<u64>) -> Alert {
    Alert {
        id: AlertId(id.to_owned()),
        rule_id: RuleId(rule.to_owned()),
        title: LocalizedText::default(),
        severity: Severity::High,
        key: AlertKey { kind: KeyKind::Ip, value: ip.to_owned(), extra: Vec::new() },
        count: 5,
        distinct: None,
        first_seen: NOW,
        last_seen: NOW,
        samples: Vec::new(),
        response: vec![Response {
            action: Action::Ban,
            scope: KeyKind::Ip,
            value: ip.to_owned(),
            duration_secs,
        }],
        reason: "five failed logins".to_owned(),
    }
}

fn decision(id: i64, scope: Scope, value: &str, until: Timestamp) -> Decision {
    NewDecision {
        action: DecisionAction::Ban,
        scope,
        value: value.to_owned(),
        origin: Origin::Cli,
        rule_id: None,
        alert_id: None,
        reason: String::new(),
        created: NOW,
        until,
    }
    .with_id(DecisionId(id))
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test addresses are valid")
}

fn net(text: &str) -> IpNet {
    text.parse().expect("test ranges are valid")
}

fn check_decide(profile: &Profile, alerts: &[Alert]) -> Vec<String> {
    let mut ledger = Ledger::new();
    let allowlist = Allowlist::new([net("192.0.2.0/24")]);
    alerts
        .iter()
        .flat_map(|alert| {
            profile.decide(alert, &["credential".to_owned()], &allowlist, &mut ledger, NOW)
        })
        .map(|decision| {
            format!(
                "{} {} {} {}s",
                decision.action.as_str(),
                decision.scope.as_str(),
                decision.value,
                decision.until.as_unix_secs() - decision.created.as_unix_secs()
            )
        })
        .collect()
}

#[test]
fn takes_the_rules_proposed_response_by_default() {
    let made =
        check_decide(&Profile::default(), &[alert("a1", "lg-login", "203.0.113.9", Some(600))]);
    assert_eq!(made, ["ban ip 203.0.113.9 600s"]);
}

#[test]
fn uses_the_default_duration_when_the_rule_proposes_none() {
    let made = check_decide(&Profile::default(), &[alert("a1", "lg-login", "203.0.113.9", None)]);
    assert_eq!(made, ["ban ip 203.0.113.9 14400s"]);
}

#[test]
fn the_same_alert_never_yields_a_second_decision() {
    let first = alert("a1", "lg-login", "203.0.113.9", Some(600));
    let made = check_decide(&Profile::default(), &[first.clone(), first]);
    assert_eq!(made, ["ban ip 203.0.113.9 600s"]);
}

#[test]
fn each_new_ban_of_the_same_ip_doubles_up_to_the_cap() {
    let profile = Profile {
        escalation: Some(Escalation { factor: 2, max_duration_secs: 2000 }),
        ..Profile::default()
    };
    let alerts: Vec<Alert> =
        (0..4).map(|n| alert(&format!("a{n}"), "lg-login", "203.0.113.9", Some(600))).collect();
    let made = check_decide(&profile, &alerts);
    assert_eq!(
        made,
        [
            "ban ip 203.0.113.9 600s",
            "ban ip 203.0.113.9 1200s",
            "ban ip 203.0.113.9 2000s",
            "ban ip 203.0.113.9 2000s"
        ]
    );
}

#[test]
fn widens_ipv6_offenders_to_their_64() {
    let made = check_decide(
        &Profile::default(),
        &[alert("a1", "lg-login", "2001:db8:1:2:3:4:5:6", Some(60))],
    );
    assert_eq!(made, ["ban range 2001:db8:1:2::/64 60s"]);
}

#[test]
fn overrides_by_rule_beat_tag_beat_severity() {
    let profile = Profile {
        overrides: vec![
            Override {
                selector: Selector::Severity(Severity::High),
                action: Some(DecisionAction::Captcha),
                duration_secs: Some(1),
            },
            Override {
                selector: Selector::Tag("credential".to_owned()),
                action: None,
                duration_secs: Some(2),
            },
            Override {
                selector: Selector::Rule(RuleId("lg-special".to_owned())),
                action: Some(DecisionAction::Captcha),
                duration_secs: Some(3),
            },
        ],
        ..Profile::default()
    };
    let made = check_decide(
        &profile,
        &[
            alert("a1", "lg-login", "203.0.113.1", None),
            alert("a2", "lg-special", "203.0.113.2", None),
        ],
    );
    assert_eq!(made, ["ban ip 203.0.113.1 2s", "captcha ip 203.0.113.2 3s"]);
}

#[test]
fn allowlisted_addresses_get_no_decision() {
    let made = check_decide(&Profile::default(), &[alert("a1", "lg-login", "192.0.2.7", None)]);
    assert_eq!(made, Vec::<String>::new());
}

#[test]
fn notify_responses_and_session_scopes_give_no_decision() {
    let mut notify = alert("a1", "lg-login", "203.0.113.9", None);
    notify.response[0].action = Action::Notify;
    let mut session = alert("a2", "lg-login", "203.0.113.9", None);
    session.response[0].scope = KeyKind::Session;
    assert_eq!(check_decide(&Profile::default(), &[notify, session]), Vec::<String>::new());
}

#[test]
fn values_are_checked_and_made_canonical() {
    assert_eq!(parse_value(Scope::Range, "203.0.113.9/24"), Ok("203.0.113.0/24".to_owned()));
    assert_eq!(parse_value(Scope::Ip, " 2001:DB8::1 "), Ok("2001:db8::1".to_owned()));
    assert_eq!(parse_value(Scope::Asn, "AS64496"), Ok("64496".to_owned()));
    assert_eq!(parse_value(Scope::Country, "tw"), Ok("TW".to_owned()));
    insta::assert_snapshot!(parse_value(Scope::Ip, "10.0.0.300").unwrap_err(), @r#"invalid ip address "10.0.0.300""#);
    insta::assert_snapshot!("ipv6".parse::<Scope>().unwrap_err(), @r#"unknown scope "ipv6"; use ip, range, asn, country or account"#);
}

#[test]
fn durations_parse_and_print_like_go() {
    assert_eq!(parse_duration("4h"), Ok(14_400));
    assert_eq!(parse_duration("1h30m"), Ok(5400));
    assert_eq!(parse_duration("90"), Ok(90));
    assert!(parse_duration("4x").is_err());
    assert!(parse_duration("h").is_err());
    assert_eq!(format_go_duration(14_398), "3h59m58s");
    assert_eq!(format_go_duration(3600), "1h0m0s");
    assert_eq!(format_go_duration(61), "1m1s");
    assert_eq!(format_go_duration(5), "5s");
    assert_eq!(format_go_duration(0), "0s");
    assert_eq!(format_go_duration(-65), "-1m5s");
}

#[test]
fn the_index_finds_addresses_and_covering_ranges() {
    let later = NOW.add_secs(3600);
    let index = DecisionIndex::new(
        vec![
            decision(1, Scope::Ip, "203.0.113.9", later),
            decision(2, Scope::Range, "203.0.113.0/24", later),
            decision(3, Scope::Range, "2001:db8::/32", later),
            decision(4, Scope::Ip, "198.51.100.1", NOW.add_secs(10)),
            decision(5, Scope::Country, "CN", later),
        ],
        &Allowlist::default(),
        NOW,
    );
    let ids =
        |found: Vec<&Decision>| found.iter().map(|decision| decision.id.0).collect::<Vec<_>>();
    assert_eq!(ids(index.covering(ip("203.0.113.9"), NOW)), [1, 2]);
    assert_eq!(ids(index.covering(ip("203.0.113.10"), NOW)), [2]);
    assert_eq!(ids(index.covering(ip("203.0.114.1"), NOW)), Vec::<i64>::new());
    assert_eq!(ids(index.covering(ip("2001:db8:5::1"), NOW)), [3]);
    assert_eq!(ids(index.covering(ip("198.51.100.1"), NOW)), [4]);
    assert_eq!(ids(index.covering(ip("198.51.100.1"), NOW.add_secs(10))), Vec::<i64>::new());
    assert_eq!(ids(index.containing(net("203.0.113.128/25"), NOW)), [2]);
    assert_eq!(ids(index.within(net("203.0.0.0/16"), NOW)), [1, 2]);
    assert!(index.is_covered(ip("203.0.113.200"), NOW));
    assert!(!index.is_covered(ip("10.0.0.1"), NOW));
}

fn arb_net() -> impl Strategy<Value = IpNet> {
    prop_oneof![
        (any::<u32>(), 8u8..=32).prop_map(|(addr, len)| {
            IpNet::new(IpAddr::V4(addr.into()), len).expect("length is at most 32").trunc()
        }),
        (any::<u128>(), 16u8..=128).prop_map(|(addr, len)| {
            IpNet::new(IpAddr::V6(addr.into()), len).expect("length is at most 128").trunc()
        }),
    ]
}

proptest! {
    #[test]
    fn the_allowlist_always_wins(
        banned in proptest::collection::vec(arb_net(), 1..40),
        allowed in proptest::collection::vec(arb_net(), 1..10),
        probes in proptest::collection::vec(any::<u32>(), 0..20),
    ) {
        let allowlist = Allowlist::new(allowed.iter().copied());
        let decisions: Vec<Decision> = banned
            .iter()
            .enumerate()
            .map(|(idx, net)| decision(idx as i64, Scope::Range, &net.to_string(), NOW.add_secs(60)))
            .collect();
        let index = DecisionIndex::new(decisions, &allowlist, NOW);
        // Every allowlisted range's first and last address, and random addresses
        // that happen to be allowlisted, are never covered.
        let mut probe_ips: Vec<IpAddr> = allowed.iter().flat_map(|net| [net.network(), net.broadcast()]).collect();
        probe_ips.extend(probes.iter().map(|&addr| IpAddr::V4(addr.into())));
        for probe in probe_ips.into_iter().filter(|ip| allowlist.contains_ip(*ip)) {
            prop_assert!(!index.is_covered(probe, NOW), "{probe} is allowlisted but covered");
            prop_assert!(index.covering(probe, NOW).is_empty());
        }
        // And a profile never decides on an allowlisted address.
        let mut ledger = Ledger::new();
        for (idx, net) in allowed.iter().enumerate() {
            let made = Profile::default().decide(
                &alert(&format!("a{idx}"), "lg-login", &net.network().to_string(), None),
                &[],
                &allowlist,
                &mut ledger,
                NOW,
            );
            prop_assert!(made.is_empty());
        }
    }

    #[test]
    fn the_index_agrees_with_a_linear_scan(
        banned in proptest::collection::vec(arb_net(), 1..60),
        probes in proptest::collection::vec(any::<u32>(), 1..30),
    ) {
        let decisions: Vec<Decision> = banned
            .iter()
            .enumerate()
            .map(|(idx, net)| decision(idx as i64, Scope::Range, &net.to_string(), NOW.add_secs(60)))
            .collect();
        let index = DecisionIndex::new(decisions.clone(), &Allowlist::default(), NOW);
        let probe_ips = probes.iter().map(|&addr| IpAddr::V4(addr.into()))
            .chain(banned.iter().map(|net| net.network()));
        for probe in probe_ips {
            let expected: Vec<i64> = decisions.iter()
                .filter(|decision| decision.net().is_some_and(|net| net.contains(&probe)))
                .map(|decision| decision.id.0)
                .collect();
            let found: Vec<i64> = index.covering(probe, NOW).iter().map(|decision| decision.id.0).collect();
            prop_assert_eq!(found, expected);
        }
    }
}

#[test]
fn blocklists_hold_active_bans_only_and_never_the_allowlist() {
    let later = NOW.add_secs(3600);
    let mut captcha = decision(4, Scope::Ip, "203.0.113.50", later);
    captcha.new.action = DecisionAction::Captcha;
    let index = DecisionIndex::new(
        vec![
            decision(1, Scope::Ip, "203.0.113.9", later),
            decision(2, Scope::Range, "2001:db8::/64", later),
            decision(3, Scope::Range, "198.51.100.0/24", later),
            captcha,
            decision(5, Scope::Ip, "192.0.2.1", later),
            decision(6, Scope::Ip, "203.0.113.9", later),
            decision(7, Scope::Country, "CN", later),
            decision(8, Scope::Ip, "203.0.113.77", NOW),
        ],
        &Allowlist::new([net("192.0.2.0/24")]),
        NOW,
    );
    let nets = crate::banned_nets(&index, NOW);
    insta::assert_snapshot!(crate::render_nginx_deny(&nets), @r"
    # Written by leakguard: the addresses it bans. Do not edit.
    deny 198.51.100.0/24;
    deny 203.0.113.9;
    deny 2001:db8::/64;
    ");
    insta::assert_snapshot!(crate::render_nftables(&nets, "leakguard"), @r"
    #!/usr/sbin/nft -f
    # Written by leakguard: the addresses it bans. Do not edit.
    add table inet leakguard
    add set inet leakguard banned_v4 { type ipv4_addr; flags interval; auto-merge; }
    flush set inet leakguard banned_v4
    add element inet leakguard banned_v4 { 198.51.100.0/24, 203.0.113.9 }
    add set inet leakguard banned_v6 { type ipv6_addr; flags interval; auto-merge; }
    flush set inet leakguard banned_v6
    add element inet leakguard banned_v6 { 2001:db8::/64 }
    ");
}

#[test]
fn the_index_takes_insertions_and_removals_in_place() {
    let later = NOW.add_secs(3600);
    let allowlist = Allowlist::new([net("192.0.2.0/24")]);
    let mut index =
        DecisionIndex::new(vec![decision(1, Scope::Ip, "203.0.113.9", later)], &allowlist, NOW);
    assert!(index.insert(decision(2, Scope::Range, "203.0.113.0/24", later), &allowlist, NOW));
    assert!(
        !index.insert(decision(2, Scope::Range, "203.0.113.0/24", later), &allowlist, NOW),
        "already there"
    );
    assert!(
        !index.insert(decision(3, Scope::Ip, "192.0.2.1", later), &allowlist, NOW),
        "allowlisted"
    );
    assert!(!index.insert(decision(4, Scope::Ip, "198.51.100.1", NOW), &allowlist, NOW), "expired");
    let ids =
        |found: Vec<&Decision>| found.iter().map(|decision| decision.id.0).collect::<Vec<_>>();
    assert_eq!(ids(index.covering(ip("203.0.113.9"), NOW)), [1, 2]);
    assert!(index.remove(DecisionId(1)));
    assert!(!index.remove(DecisionId(1)));
    assert_eq!(ids(index.covering(ip("203.0.113.9"), NOW)), [2]);
    assert_eq!(index.len(), 1);
    // Many removals compact the index; what is left still answers.
    for id in 10..2100 {
        assert!(index.insert(
            decision(id, Scope::Ip, &format!("10.0.{}.{}", id / 256, id % 256), later),
            &allowlist,
            NOW
        ));
    }
    for id in 10..2100 {
        assert!(index.remove(DecisionId(id)));
    }
    assert_eq!(index.len(), 1);
    assert_eq!(ids(index.covering(ip("203.0.113.200"), NOW)), [2]);
    assert!(!index.is_covered(ip("10.0.0.20"), NOW));
}
