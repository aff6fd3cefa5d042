//! Unit tests: the status machine, the deadlines, the calendar, scoping,
//! notices and reports.

use std::collections::BTreeSet;
use std::net::IpAddr;

use model::Timestamp;

use crate::*;

const TAIPEI: i32 = 8 * 3600;

fn time(day: u32, hour: u32) -> Timestamp {
    Timestamp::from_civil(2026, 12, day, hour, 0, 0, 0)
}

fn incident(jurisdictions: &[&str]) -> Incident {
    Incident {
        id: IncidentId(7),
        title: "Order pages harvested".to_owned(),
        kind: IncidentKind::Leak,
        source: Source::CustomerComplaint,
        source_ref: None,
        severity: Severity::High,
        status: Status::Open,
        owner: "alice".to_owned(),
        discovered_at: time(7, 1),
        occurred_from: Some(time(5, 2)),
        occurred_to: Some(time(6, 3)),
        created_at: time(7, 2),
        jurisdictions: jurisdictions.iter().map(|id| (*id).to_owned()).collect(),
        details: Details::default(),
    }
}

fn done(task: TaskKind, at: Timestamp) -> TaskDone {
    TaskDone { task, at, by: "alice".to_owned(), note: String::new() }
}

#[test]
fn status_follows_the_normal_path() {
    let mut status = Status::Open;
    for next in [Status::Investigating, Status::Contained, Status::Notifying, Status::Closed] {
        status = status.transition(next).expect("legal");
    }
    assert_eq!(status, Status::Closed);
}

#[test]
fn status_refuses_skipping_and_names_the_legal_moves() {
    let error = Status::Open.transition(Status::Notifying).expect_err("skips two steps");
    assert_eq!(
        error.to_string(),
        "an incident cannot go from open to notifying; from open it can go to: investigating, contained"
    );
    assert!(Status::Investigating.transition(Status::Closed).is_err());
    assert!(Status::Closed.transition(Status::Open).is_err());
    assert!(Status::Open.transition(Status::Open).is_err(), "no move to itself");
    // Reopening on new facts.
    assert_eq!(
        Status::Closed.transition(Status::Investigating).expect("reopen"),
        Status::Investigating
    );
    assert_eq!(
        Status::Notifying.transition(Status::Investigating).expect("new facts"),
        Status::Investigating
    );
}

#[test]
fn every_status_can_reach_closed() {
    for start in Status::ALL {
        let mut seen = BTreeSet::from([*start]);
        let mut frontier = vec![*start];
        while let Some(status) = frontier.pop() {
            for next in status.next() {
                if seen.insert(*next) {
                    frontier.push(*next);
                }
            }
        }
        assert!(seen.contains(&Status::Closed), "{start} cannot reach closed");
    }
}

#[test]
fn names_parse_back_and_unknown_names_are_listed() {
    for kind in IncidentKind::ALL {
        assert_eq!(kind.as_str().parse::<IncidentKind>().expect("parses"), *kind);
    }
    assert_eq!("customer-complaint".parse::<Source>().expect("dash"), Source::CustomerComplaint);
    let error = "hack".parse::<IncidentKind>().expect_err("unknown");
    assert!(error.to_string().contains("theft, leak, alteration, damage, loss, other"), "{error}");
    assert_eq!(IncidentKind::Alteration.label_zh(), "竄改");
}

#[test]
fn shipped_table_parses_with_every_jurisdiction() {
    let table = Jurisdictions::builtin();
    let ids: Vec<&str> = table.jurisdictions.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, ["tw", "eu", "jp", "sg", "us-ca"]);
    assert!(table.check_ids(&["tw".to_owned(), "jp".to_owned()]).is_ok());
    let error = table.check_ids(&["fr".to_owned()]).expect_err("unknown");
    assert!(error.to_string().contains("tw, eu, jp, sg, us-ca"), "{error}");
}

#[test]
fn table_problems_are_all_named() {
    let text = JURISDICTIONS_TOML
        .replace("when = [\"special_data\"", "when = [\"special_data\", \"records ~ 3\"")
        .replace("from = \"after:us-ca-residents\"", "from = \"after:nowhere\"");
    let error = Jurisdictions::parse(&text).expect_err("invalid");
    let message = error.to_string();
    assert!(message.contains("tw-pdpc-72h: unknown condition \"records ~ 3\""), "{message}");
    assert!(message.contains("us-ca-ag: its clock starts after \"nowhere\""), "{message}");
}

#[test]
fn taiwan_clocks_run_72_hours_from_discovery() {
    let incident = incident(&["tw"]);
    let table = Jurisdictions::builtin();
    let now = time(8, 1);
    let list = checklist(&incident, &[], &Facts::default(), &table, now);
    let moda = list.obligation("tw-moda-72h").expect("moda");
    let countdown = moda.countdown.expect("timed");
    assert_eq!(countdown.deadline, time(10, 1));
    assert_eq!(countdown.remaining_secs, 48 * 3600);
    assert!(!countdown.is_overdue);
    assert_eq!(moda.applicability, Applicability::Applies);
    // The draft PDPC report depends on counts not known yet.
    assert_eq!(
        list.obligation("tw-pdpc-72h").expect("pdpc").applicability,
        Applicability::Possible
    );
    // Art. 12 has no fixed clock; the draft gives 72 hours, which the task takes.
    assert_eq!(list.obligation("tw-pdpa-art12").expect("art12").countdown, None);
    let people = list.task(TaskKind::NotifyPeople).expect("task");
    assert_eq!(people.basis, "tw-people-72h");
    assert_eq!(people.countdown.expect("timed").deadline, time(10, 1));
    // Tasks no law times get the good-practice targets.
    let contain = list.task(TaskKind::Contain).expect("contain");
    assert_eq!(
        (contain.basis.as_str(), contain.countdown.expect("timed").deadline),
        ("practice", time(8, 1))
    );
}

#[test]
fn draft_pdpc_thresholds_decide_applicability() {
    let incident = incident(&["tw"]);
    let table = Jurisdictions::builtin();
    let check = |facts: Facts| {
        checklist(&incident, &[], &facts, &table, time(7, 2))
            .obligation("tw-pdpc-72h")
            .expect("pdpc")
            .applicability
    };
    let known = Facts {
        people: Some(10),
        records: Some(99),
        special_records: Some(0),
        system_records: Some(9_999),
        ..Facts::default()
    };
    assert_eq!(check(known), Applicability::NotApplicable);
    assert_eq!(check(Facts { records: Some(100), ..known }), Applicability::Applies);
    assert_eq!(check(Facts { special_records: Some(1), ..known }), Applicability::Applies);
    assert_eq!(check(Facts { system_records: Some(10_000), ..known }), Applicability::Applies);
    assert_eq!(check(Facts { system_records: None, ..known }), Applicability::Possible);
}

#[test]
fn overdue_until_done_and_late_when_done_after() {
    let incident = incident(&["tw", "eu"]);
    let table = Jurisdictions::builtin();
    let after = time(10, 2);
    let list = checklist(&incident, &[], &Facts::default(), &table, after);
    let regulator = list.task(TaskKind::NotifyRegulator).expect("task").countdown.expect("timed");
    assert!(regulator.is_overdue);
    assert_eq!(regulator.remaining_secs, -3600);
    assert_eq!(format_span(regulator.remaining_secs, false), "1h 0m overdue");
    assert_eq!(format_span(regulator.remaining_secs, true), "逾期1小時0分");
    let list = checklist(
        &incident,
        &[done(TaskKind::NotifyRegulator, time(9, 0))],
        &Facts::default(),
        &table,
        after,
    );
    let regulator = list.task(TaskKind::NotifyRegulator).expect("task").countdown.expect("timed");
    assert!(!regulator.is_overdue && !regulator.is_late);
    let list = checklist(
        &incident,
        &[done(TaskKind::NotifyRegulator, time(10, 2))],
        &Facts::default(),
        &table,
        after,
    );
    assert!(list.task(TaskKind::NotifyRegulator).expect("task").countdown.expect("timed").is_late);
    assert_eq!(reported_within_72h(incident.discovered_at, Some(time(10, 1)), after), Some(true));
    assert_eq!(reported_within_72h(incident.discovered_at, None, time(9, 0)), None);
    assert_eq!(reported_within_72h(incident.discovered_at, None, after), Some(false));
}

#[test]
fn japan_final_report_is_longer_for_malicious_incidents() {
    let table = Jurisdictions::builtin();
    let mut benign = incident(&["jp"]);
    benign.kind = IncidentKind::Loss;
    let final_deadline = |incident: &Incident| {
        checklist(incident, &[], &Facts::default(), &table, time(7, 2))
            .obligation("jp-appi-final")
            .and_then(|status| status.countdown)
            .expect("timed")
            .deadline
    };
    assert_eq!(final_deadline(&benign), benign.discovered_at.add_secs(30 * 86_400));
    let mut attack = benign.clone();
    attack.source = Source::Alert;
    assert_eq!(final_deadline(&attack), attack.discovered_at.add_secs(60 * 86_400));
}

#[test]
fn california_attorney_general_clock_follows_the_residents_notice() {
    let table = Jurisdictions::builtin();
    let incident = incident(&["us-ca"]);
    let facts = Facts { people: Some(501), ..Facts::default() };
    let ag = |done: &[TaskDone]| {
        let list = checklist(&incident, done, &facts, &table, time(7, 2));
        let status = list.obligation("us-ca-ag").expect("ag").clone();
        (status.applicability, status.countdown.expect("timed").deadline)
    };
    // Not yet notified: 15 days after the residents' 30-day deadline.
    assert_eq!(ag(&[]), (Applicability::Applies, incident.discovered_at.add_secs(45 * 86_400)));
    // Notified on the 8th: 15 days after that.
    assert_eq!(ag(&[done(TaskKind::NotifyPeople, time(8, 0))]).1, time(23, 0));
    let few = Facts { people: Some(500), ..Facts::default() };
    let list = checklist(&incident, &[], &few, &table, time(7, 2));
    assert_eq!(
        list.obligation("us-ca-ag").expect("ag").applicability,
        Applicability::NotApplicable
    );
}

#[test]
fn singapore_and_gdpr_clocks() {
    let table = Jurisdictions::builtin();
    let incident = incident(&["sg", "eu"]);
    let list = checklist(
        &incident,
        &[],
        &Facts { people: Some(499), ..Facts::default() },
        &table,
        time(7, 2),
    );
    assert_eq!(
        list.obligation("sg-pdpa-26d").expect("sg").applicability,
        Applicability::NotApplicable
    );
    assert_eq!(
        list.obligation("eu-gdpr-art34").expect("art34").applicability,
        Applicability::NotApplicable
    );
    assert_eq!(
        list.obligation("eu-gdpr-art33").expect("art33").countdown.expect("timed").deadline,
        time(10, 1)
    );
    let list = checklist(
        &incident,
        &[],
        &Facts { people: Some(500), high_risk: true, ..Facts::default() },
        &table,
        time(7, 2),
    );
    assert_eq!(list.obligation("sg-pdpa-26d").expect("sg").applicability, Applicability::Applies);
    assert_eq!(
        list.obligation("eu-gdpr-art34").expect("art34").applicability,
        Applicability::Applies
    );
}

#[test]
fn roc_calendar_dates_in_the_site_zone() {
    // 2026-12-06 17:30 UTC is already the 7th in Taipei.
    let evening = Timestamp::from_civil(2026, 12, 6, 17, 30, 0, 0);
    assert_eq!(calendar::roc_date(evening, TAIPEI), "民國115年12月7日");
    assert_eq!(calendar::roc_date(evening, 0), "民國115年12月6日");
    assert_eq!(calendar::roc_date_time(evening, TAIPEI), "民國115年12月7日 01:30");
    assert_eq!(calendar::local_date_time(evening, TAIPEI), "2026-12-07 01:30 +08:00");
    assert_eq!(
        calendar::roc_date(Timestamp::from_civil(1912, 1, 1, 0, 0, 0, 0), 0),
        "民國1年1月1日"
    );
    assert_eq!(
        calendar::roc_date(Timestamp::from_civil(1911, 6, 1, 0, 0, 0, 0), 0),
        "民國前1年6月1日"
    );
}

fn record(keys: &[&str], fields: &[&str], email: Option<&str>) -> ExposedRecord {
    ExposedRecord {
        keys: keys.iter().map(|key| (*key).to_owned()).collect(),
        fields: fields.iter().map(|field| (*field).to_owned()).collect(),
        is_special: false,
        contact: Contact { name: None, email: email.map(str::to_owned), phone: None },
    }
}

#[test]
fn scope_joins_records_sharing_any_key() {
    let records = vec![
        record(&["email:a@x.tw"], &["email", "person_name"], Some("a@x.tw")),
        record(&["phone:0912345678"], &["phone", "address"], None),
        // Links the two above: same person.
        record(&["email:a@x.tw", "phone:0912345678"], &["email", "phone"], None),
        record(&["email:b@x.tw"], &["email"], Some("b@x.tw")),
        record(&[], &["address"], None),
    ];
    let scope = deduplicate(records);
    let summary = &scope.summary;
    assert_eq!((summary.people, summary.records, summary.records_without_key), (3, 5, 1));
    assert_eq!(summary.general_records, 5);
    assert_eq!(summary.people_per_field.get("email"), Some(&2));
    assert_eq!(summary.records_per_field.get("email"), Some(&3));
    assert_eq!(summary.people_per_field.get("address"), Some(&2));
    assert_eq!(summary.people_without_contact, 1);
    let first = &scope.people[0];
    assert_eq!(first.records, 3);
    assert_eq!(
        first.fields.iter().map(String::as_str).collect::<Vec<_>>(),
        ["address", "email", "person_name", "phone"]
    );
    assert_eq!(first.contact.email.as_deref(), Some("a@x.tw"));
    assert!(!format!("{first:?}").contains("a@x.tw"), "Debug never shows contacts");
}

#[test]
fn scope_joins_chains_found_late() {
    // 0-1 share a, 2-3 share c, then 4 links b and d: all one person.
    let records = vec![
        record(&["k:a", "k:b"], &["email"], None),
        record(&["k:a"], &["email"], None),
        record(&["k:c", "k:d"], &["phone"], None),
        record(&["k:c"], &["phone"], None),
        record(&["k:d", "k:b"], &["address"], None),
    ];
    assert_eq!(deduplicate(records).summary.people, 1);
}

fn facts() -> NoticeFacts {
    NoticeFacts {
        company: "好物商店股份有限公司".to_owned(),
        title: "訂單頁面遭大量讀取".to_owned(),
        discovered_at: time(7, 1),
        occurred_from: Some(time(5, 2)),
        occurred_to: Some(time(6, 3)),
        people: 1234,
        fields: vec!["姓名".to_owned(), "電話".to_owned()],
        measures: "已封鎖攻擊來源並修補漏洞。".to_owned(),
        contact_phone: "02-2345-6789".to_owned(),
        contact_email: "care@shop.example".to_owned(),
        contact_hours: "週一至週五 9:00-18:00".to_owned(),
        contact_after_hours: "LINE @shop".to_owned(),
        notice_date: time(8, 2),
        utc_offset_secs: TAIPEI,
    }
}

#[test]
fn shipped_templates_render_the_required_content() {
    for zh in [true, false] {
        for kind in [NoticeKind::Individual, NoticeKind::Public] {
            let template = Template::builtin(kind, zh);
            let person = PersonalFacts {
                name: Some("王○明".to_owned()),
                fields: vec!["電話".to_owned()],
            };
            let notice = template.render(&facts(), Some(&person));
            let text = format!("{}\n{}", notice.subject, notice.body);
            assert!(!text.contains("{{"), "unfilled placeholder in {kind:?} zh={zh}: {text}");
            assert!(!text.contains("##"), "comments stay out: {text}");
            for needle in [
                "好物商店股份有限公司",
                "1234",
                "姓名",
                "已封鎖攻擊來源",
                "02-2345-6789",
                "care@shop.example",
                "ATM",
                "165",
            ] {
                assert!(text.contains(needle), "{needle} missing in {kind:?} zh={zh}: {text}");
            }
            if zh {
                assert!(text.contains("民國115年12月8日"), "ROC notice date: {text}");
                assert!(
                    text.contains("民國115年12月7日 09:00"),
                    "discovery in Taipei time: {text}"
                );
            } else {
                assert!(text.contains("2026-12-08"), "{text}");
            }
            if kind == NoticeKind::Individual {
                assert!(text.contains("王○明"), "{text}");
            }
        }
    }
}

#[test]
fn templates_without_the_required_content_are_refused() {
    let text = "Subject: hello\n{{company}} {{nickname}}\n";
    let error =
        Template::parse(text, NoticeKind::Individual, false, "mine.txt").expect_err("invalid");
    let message = error.to_string();
    assert!(message.starts_with("notice template mine.txt: "), "{message}");
    assert!(message.contains("line 2: unknown placeholder {{nickname}}"), "{message}");
    assert!(message.contains("the required {{measures}} is missing"), "{message}");
    assert!(message.contains("scam-call warning"), "{message}");
    let personal_in_public = include_str!("../data/public.en.txt")
        .replace("{{company}}\n{{notice_date}}", "{{company}} {{name}}\n{{notice_date}}");
    let error = Template::parse(&personal_in_public, NoticeKind::Public, false, "public.txt")
        .expect_err("personal");
    assert!(error.to_string().contains("unknown placeholder {{name}}"), "{error}");
    let no_subject = "Dear {{company}}";
    assert!(
        Template::parse(no_subject, NoticeKind::Public, false, "x")
            .expect_err("subject")
            .to_string()
            .contains("Subject:")
    );
}

#[test]
fn regulator_report_fills_the_form() {
    let mut incident = incident(&["tw"]);
    incident.details.cause = "order page without an owner check".to_owned();
    let summary = ScopeSummary {
        people: 3,
        records: 5,
        special_records: 1,
        general_records: 4,
        people_per_field: [("email".to_owned(), 2)].into_iter().collect(),
        ..ScopeSummary::default()
    };
    let header = ReportHeader {
        company: "Shop <Ltd>".to_owned(),
        agency: "數位發展部".to_owned(),
        reporter: Reporter { name: "Alice".to_owned(), ..Reporter::default() },
        report_time: time(9, 0),
        utc_offset_secs: TAIPEI,
    };
    let label =
        |kind: &str| if kind == "email" { "電子郵件".to_owned() } else { kind.to_owned() };
    let report = RegulatorReport::build(&incident, Some(&summary), &label, header.clone());
    assert!(report.within_72h);
    let markdown = report.to_markdown();
    for needle in [
        "| 公司名稱 Company | Shop <Ltd> |",
        "■洩漏",
        "□竊取",
        "| 一般個資筆數 Records: general data | 4 |",
        "| 特種個資筆數 Records: special data | 1 |",
        "電子郵件 2",
        "order page without an owner check",
        "■是 yes",
        "民國115年12月9日 08:00",
        "法律顧問",
    ] {
        assert!(markdown.contains(needle), "{needle} missing:\n{markdown}");
    }
    let html = report.to_html();
    assert!(html.contains("Shop &lt;Ltd&gt;") && !html.contains("Shop <Ltd>"), "escaped");
    let late = RegulatorReport::build(
        &incident,
        None,
        &label,
        ReportHeader { report_time: time(10, 2), ..header },
    );
    let markdown = late.to_markdown();
    assert!(
        markdown.contains("■否 no")
            && markdown.contains("| 受影響當事人數 People affected | 調查中 under investigation |"),
        "{markdown}"
    );
}

fn observation(address: &str, path: &str, agent: &str) -> Observation {
    Observation {
        address: address.parse::<IpAddr>().expect("address"),
        first_seen: time(5, 2),
        last_seen: time(5, 3),
        count: 76,
        requests: [("GET".to_owned(), path.to_owned())].into_iter().collect(),
        user_agents: [agent.to_owned()].into_iter().collect(),
        labels: ["Walking through order numbers".to_owned()].into_iter().collect(),
    }
}

#[test]
fn stix_bundle_is_deterministic_marked_and_without_customer_data() {
    let incident = incident(&["tw"]);
    let observations = vec![
        observation(
            "203.0.113.7",
            "/member/orders/2026111700642?email=wang@example.com&tel=0912345678",
            "sqlmap/1.7",
        ),
        observation(
            "2001:db8::5",
            "/export/members.csv#top",
            "curl/8.0 (contact a.lin@example.org)",
        ),
    ];
    let input = StixInput {
        incident: &incident,
        producer: "Good Shop Ltd",
        tlp: Tlp::Amber,
        observations: &observations,
    };
    let redact = |text: &str| text.replace("a.lin@example.org", "a***@example.org");
    let bundle = stix_bundle(&input, &redact);
    assert_eq!(bundle, stix_bundle(&input, &redact), "deterministic");
    let text = bundle.to_string();
    for secret in ["wang@example.com", "0912345678", "2026111700642", "a.lin@example.org"] {
        assert!(!text.contains(secret), "{secret} leaked into the bundle");
    }
    let objects = bundle["objects"].as_array().expect("objects");
    let types: BTreeSet<&str> =
        objects.iter().filter_map(|object| object["type"].as_str()).collect();
    for wanted in [
        "marking-definition",
        "identity",
        "ipv4-addr",
        "ipv6-addr",
        "network-traffic",
        "indicator",
        "observed-data",
        "sighting",
    ] {
        assert!(types.contains(wanted), "{wanted} missing: {types:?}");
    }
    let marking = &objects[0];
    assert_eq!(marking["id"], "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
    assert_eq!(
        marking["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"]["tlp_2_0"],
        "amber"
    );
    for object in objects
        .iter()
        .filter(|object| object["type"] == "indicator" || object["type"] == "sighting")
    {
        assert_eq!(object["object_marking_refs"][0], marking["id"]);
    }
    let indicator = objects.iter().find(|object| object["type"] == "indicator").expect("indicator");
    assert_eq!(indicator["pattern"], "[ipv4-addr:value = '203.0.113.7']");
    assert_eq!(indicator["valid_from"], "2026-12-05T02:00:00.000Z");
    // The STIX namespace UUIDv5 of {"value":"203.0.113.7"}.
    let address = objects.iter().find(|object| object["type"] == "ipv4-addr").expect("address");
    let id = address["id"].as_str().expect("id");
    assert_eq!(&id[..10], "ipv4-addr-");
    assert_eq!(id.as_bytes()[11 + 14], b'5', "version 5: {id}");
    let traffic =
        objects.iter().find(|object| object["type"] == "network-traffic").expect("traffic");
    assert_eq!(traffic["extensions"]["http-request-ext"]["request_value"], "/member/orders/*");
    // Every reference resolves inside the bundle.
    let ids: BTreeSet<&str> = objects.iter().filter_map(|object| object["id"].as_str()).collect();
    for object in objects {
        for key in ["created_by_ref", "sighting_of_ref"] {
            if let Some(reference) = object[key].as_str() {
                assert!(ids.contains(reference), "{reference} dangling");
            }
        }
        for key in
            ["object_refs", "observed_data_refs", "where_sighted_refs", "object_marking_refs"]
        {
            for reference in object[key].as_array().into_iter().flatten() {
                assert!(ids.contains(reference.as_str().expect("string")), "{reference} dangling");
            }
        }
    }
}

#[test]
fn uuid_v5_matches_a_known_vector() {
    // A known UUIDv5: "python.org" in the DNS namespace.
    let dns: [u8; 16] = [
        0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30,
        0xc8,
    ];
    assert_eq!(
        crate::stix::uuid_v5_for_tests(&dns, b"python.org"),
        "886313e1-3b8a-5372-9b90-0c9aee199e5d"
    );
}

#[test]
fn paths_lose_queries_and_identifiers() {
    assert_eq!(sanitize_path("/api/orders/123456/items?x=1"), "/api/orders/*/items");
    assert_eq!(sanitize_path("/u/wang@example.com/profile"), "/u/*/profile");
    assert_eq!(sanitize_path("/search/%E7%8E%8B"), "/search/*");
    assert_eq!(sanitize_path("/wp-login.php"), "/wp-login.php");
}
