//! The notice outbox on every backend: idempotent enqueue, the state moves
//! guarded by the state they leave, recovery of in-flight notices, retries,
//! reconciliation and the event record.

use model::Timestamp;
use store::{Enqueued, NewNoticeRecord, Store};

const T0: Timestamp = Timestamp::from_unix_secs(1_800_000_000);

fn notice(n: u32) -> NewNoticeRecord {
    NewNoticeRecord {
        key: format!("incident-1/person-{n}/email"),
        channel: "email".to_owned(),
        recipient: format!("person{n}@example.org"),
        subject: "個資外洩通知".to_owned(),
        body: "請提防詐騙電話，撥打 165。".to_owned(),
        language: "zh-TW".to_owned(),
        reference: Some("incident-1".to_owned()),
        message_id: format!("<{n}.leakguard@shop.example>"),
        created_at: T0,
    }
}

fn count(counts: &[(String, String, i64)], state: &str) -> i64 {
    counts.iter().filter(|(_, found, _)| found == state).map(|(_, _, count)| count).sum()
}

pub(crate) async fn check_notices_story(store: &Store) {
    // Enqueue is idempotent on the key.
    let Enqueued::New(first) = store.enqueue_notice(&notice(1)).await.expect("enqueue") else {
        panic!("a new key is new");
    };
    assert_eq!(store.enqueue_notice(&notice(1)).await.expect("again"), Enqueued::Existing(first));
    for n in 2..=4 {
        store.enqueue_notice(&notice(n)).await.expect("enqueue");
    }
    let due = store.due_notices(T0, 10).await.expect("due");
    assert_eq!(due.len(), 4);
    assert_eq!(due[0].new, notice(1));
    assert_eq!((due[0].state.as_str(), due[0].attempts), ("pending", 0));

    // pending -> sending, once: a second sender cannot take it.
    assert!(store.mark_notice_sending(first, T0).await.expect("sending"));
    assert!(!store.mark_notice_sending(first, T0).await.expect("sending twice"));
    assert!(store.mark_notice_sent(first, T0.add_secs(1), "250 OK", None).await.expect("sent"));
    assert!(
        !store.mark_notice_sending(first, T0.add_secs(2)).await.expect("after sent"),
        "a sent notice is never taken again"
    );
    let sent = store.notice_by_key(&notice(1).key).await.expect("by key").expect("exists");
    assert_eq!(
        (sent.state.as_str(), sent.attempts, sent.reply.as_deref()),
        ("sent", 1, Some("250 OK"))
    );
    assert_eq!(sent.sent_at, Some(T0.add_secs(1)));

    // A temporary failure waits for its retry time; a bounce is failed for good.
    let second = due[1].id;
    store.mark_notice_sending(second, T0).await.expect("sending");
    store
        .mark_notice_failed(second, T0, "451 try later", Some(T0.add_secs(30)))
        .await
        .expect("retry");
    assert!(
        store
            .due_notices(T0.add_secs(29), 10)
            .await
            .expect("due")
            .iter()
            .all(|due| due.id != second)
    );
    assert!(
        store
            .due_notices(T0.add_secs(30), 10)
            .await
            .expect("due")
            .iter()
            .any(|due| due.id == second)
    );
    assert_eq!(store.next_notice_due().await.expect("next"), Some(T0));
    let third = due[2].id;
    store.mark_notice_sending(third, T0).await.expect("sending");
    store.mark_notice_failed(third, T0, "550 no such mailbox", None).await.expect("bounce");
    let bounced = store.notice_by_key(&notice(3).key).await.expect("by key").expect("exists");
    assert_eq!(
        (bounced.state.as_str(), bounced.last_error.as_deref()),
        ("failed", Some("550 no such mailbox"))
    );
    assert!(store.retry_failed_notice(third, T0.add_secs(5)).await.expect("retry by hand"));

    // A crash in flight: found in `sending` at the next start, it becomes unknown.
    let fourth = due[3].id;
    store.mark_notice_sending(fourth, T0).await.expect("sending");
    assert_eq!(store.recover_sending_notices(T0.add_secs(9)).await.expect("recover"), 1);
    assert!(
        !store.mark_notice_sending(fourth, T0.add_secs(9)).await.expect("unknown is not sendable")
    );
    assert_eq!(store.notices_in_state("unknown", 10).await.expect("unknown")[0].id, fourth);
    assert!(
        store
            .requeue_unknown_notice(fourth, T0.add_secs(10), "not at the server")
            .await
            .expect("requeue")
    );
    store.mark_notice_sending(fourth, T0.add_secs(11)).await.expect("sending");
    store
        .mark_notice_unknown(fourth, T0.add_secs(12), "no answer after the data")
        .await
        .expect("unknown");
    assert!(
        store
            .mark_notice_sent(fourth, T0.add_secs(13), "found at the server", None)
            .await
            .expect("found")
    );

    let counts = store.notice_counts().await.expect("counts");
    assert_eq!((count(&counts, "sent"), count(&counts, "pending")), (2, 2), "{counts:?}");
    let events = store.notice_events(fourth).await.expect("events");
    let states: Vec<&str> = events.iter().map(|event| event.state.as_str()).collect();
    assert_eq!(states, ["sending", "unknown", "pending", "sending", "unknown", "sent"]);
    assert_eq!(events[1].detail, "found in flight at start");
}
