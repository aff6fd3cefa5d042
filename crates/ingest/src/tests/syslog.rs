//! Syslog: message headers, TCP framing, and the listeners on real sockets.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use crate::syslog::{
    FrameError, Framing, ListenerConfig, MessageError, Protocol, Received, SyslogStats, TcpFramer,
    Transport, listen_tcp, listen_udp, parse_message,
};

/// Renders a parsed message as `field=value` pairs, for compact asserts.
fn check_message(frame: &[u8], expect: &str) {
    let rendered = match parse_message(frame) {
        Ok(message) => {
            let mut out = Vec::new();
            if let Some(priority) = message.priority {
                out.push(format!("pri={}.{}", priority.facility, priority.severity));
            }
            out.push(format!("proto={:?}", message.protocol));
            for (name, value) in [
                ("ts", message.timestamp),
                ("host", message.host),
                ("app", message.app_name),
                ("pid", message.proc_id),
                ("msgid", message.msg_id),
                ("sd", message.structured_data),
            ] {
                if let Some(value) = value {
                    out.push(format!("{name}={value}"));
                }
            }
            out.push(format!("msg={}", message.message.escape_ascii()));
            out.join(" | ")
        }
        Err(error) => format!("error: {error}"),
    };
    assert_eq!(rendered, expect, "{}", frame.escape_ascii());
}

#[test]
fn parses_nginx_access_log_over_syslog() {
    // What `access_log syslog:server=127.0.0.1:5514 combined;` sends.
    check_message(
        b"<190>Dec  1 23:31:14 web1 nginx: 203.0.113.7 - - [01/Dec/2026:23:31:14 +0800] \"GET /checkout HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\"",
        "pri=23.6 | proto=Rfc3164 | ts=Dec  1 23:31:14 | host=web1 | app=nginx | msg=203.0.113.7 - - [01/Dec/2026:23:31:14 +0800] \\\"GET /checkout HTTP/1.1\\\" 200 512 \\\"-\\\" \\\"curl/8.5.0\\\"",
    );
}

#[test]
fn parses_nginx_without_hostname_and_with_a_custom_tag() {
    // `syslog:server=...,nohostname,tag=shop,facility=local5,severity=notice`
    check_message(
        b"<173>Nov 19 08:02:03 shop: 198.51.100.4 - - \"POST /login\"\n",
        "pri=21.5 | proto=Rfc3164 | ts=Nov 19 08:02:03 | app=shop | msg=198.51.100.4 - - \\\"POST /login\\\"",
    );
}

#[test]
fn parses_a_tag_with_a_process_id() {
    check_message(
        b"<38>Feb 28 12:00:00 db1 sshd[4321]: Failed password for root",
        "pri=4.6 | proto=Rfc3164 | ts=Feb 28 12:00:00 | host=db1 | app=sshd | pid=4321 | msg=Failed password for root",
    );
}

#[test]
fn parses_an_iso_timestamp_in_a_bsd_header() {
    check_message(
        b"<14>2026-12-01T23:31:14.003+08:00 web2 php-fpm: slow request",
        "pri=1.6 | proto=Rfc3164 | ts=2026-12-01T23:31:14.003+08:00 | host=web2 | app=php-fpm | msg=slow request",
    );
}

#[test]
fn takes_a_bsd_message_without_timestamp_whole() {
    check_message(b"<13>just text", "pri=1.5 | proto=Rfc3164 | msg=just text");
    check_message(b"no priority at all", "proto=Unknown | msg=no priority at all");
}

#[test]
fn parses_rfc5424_with_structured_data_and_bom() {
    check_message(
        b"<165>1 2026-12-01T23:31:14.003Z shop.example.com checkout 2211 ID47 [exampleSDID@32473 iut=\"3\" eventID=\"10\\]11\"][meta x=\"y\"] \xEF\xBB\xBForder placed",
        "pri=20.5 | proto=Rfc5424 | ts=2026-12-01T23:31:14.003Z | host=shop.example.com | app=checkout | pid=2211 | msgid=ID47 | sd=[exampleSDID@32473 iut=\"3\" eventID=\"10\\]11\"][meta x=\"y\"] | msg=order placed",
    );
}

#[test]
fn parses_rfc5424_with_nil_fields_and_no_message() {
    check_message(b"<13>1 - - - - - -", "pri=1.5 | proto=Rfc5424 | msg=");
    check_message(
        b"<13>1 - host app - - - hello",
        "pri=1.5 | proto=Rfc5424 | host=host | app=app | msg=hello",
    );
}

#[test]
fn reports_frames_that_are_not_messages() {
    check_message(b"", "error: empty message");
    check_message(b"\r\n", "error: empty message");
    check_message(b"<192>Dec  1 23:31:14 h t: m", "error: invalid priority");
    check_message(b"<1a>x", "error: invalid priority");
    check_message(b"<13", "error: invalid priority");
    check_message(b"<13>1 2026-12-01T00:00:00Z host", "error: rfc 5424 header cut short");
    check_message(
        b"<13>1 - - - - - [unclosed x=\"]\"",
        "error: unterminated rfc 5424 structured data",
    );
    assert_eq!(parse_message(b"<13>1 - - - - - x").unwrap_err(), MessageError::BadStructuredData);
    assert_eq!(parse_message(b"<13>x").unwrap().protocol, Protocol::Rfc3164);
}

/// Pushes `chunks` one by one, collecting every frame (as text) and error,
/// then the end of the connection.
fn frames_of(chunks: &[&[u8]], max_frame_bytes: usize) -> Vec<Result<String, FrameError>> {
    let mut framer = TcpFramer::new(max_frame_bytes);
    let mut out = Vec::new();
    for chunk in chunks {
        framer.push(chunk);
        while let Some(frame) = framer.next_frame() {
            out.push(frame.map(|frame| frame.escape_ascii().to_string()));
        }
    }
    if let Some(frame) = framer.finish() {
        out.push(frame.map(|frame| frame.escape_ascii().to_string()));
    }
    out
}

fn ok(text: &str) -> Result<String, FrameError> {
    Ok(text.to_owned())
}

#[test]
fn frames_octet_counted_messages_split_anywhere() {
    let stream = b"14 <13>1 - - - a\n13 <13>1 - - - -";
    for split in 0..stream.len() {
        let (first, second) = stream.split_at(split);
        assert_eq!(
            frames_of(&[first, second], 1024),
            [ok("<13>1 - - - a\\n"), ok("<13>1 - - - -")],
            "split at {split}"
        );
    }
}

#[test]
fn frames_newline_delimited_messages_and_a_last_unterminated_one() {
    let stream: &[u8] = b"<13>one\r\n\n<13>two\n<13>three";
    assert_eq!(frames_of(&[stream], 1024), [ok("<13>one"), ok("<13>two"), ok("<13>three")]);
    let mut framer = TcpFramer::new(1024);
    framer.push(b"<13>x\n");
    assert!(framer.next_frame().is_some());
    assert_eq!(framer.framing(), Some(Framing::NonTransparent));
}

#[test]
fn skips_an_octet_counted_frame_over_the_limit() {
    let long = format!("30 <13>{}", "x".repeat(26));
    let chunks: [&[u8]; 3] = [&long.as_bytes()[..10], &long.as_bytes()[10..], b"5 <13>y"];
    assert_eq!(
        frames_of(&chunks, 16),
        [Err(FrameError::TooLong { length: Some(30) }), ok("<13>y")]
    );
}

#[test]
fn skips_a_line_over_the_limit_to_its_newline() {
    let long = "y".repeat(40);
    let chunks: [&[u8]; 3] = [b"<13>ok\n<13>", long.as_bytes(), b"\n<13>next\n"];
    assert_eq!(
        frames_of(&chunks, 16),
        [ok("<13>ok"), Err(FrameError::TooLong { length: None }), ok("<13>next")]
    );
}

#[test]
fn resynchronises_after_a_bad_octet_count() {
    assert_eq!(
        frames_of(&[b"5 <13>a12x bad\n6 <13>ok"], 1024),
        [ok("<13>a"), Err(FrameError::BadLength), ok("<13>ok")]
    );
}

#[test]
fn reports_a_connection_cut_inside_a_counted_frame() {
    assert_eq!(frames_of(&[b"20 <13>short"], 1024), [Err(FrameError::Truncated)]);
    assert_eq!(frames_of(&[b"99999999999999 x"], 1024), [Err(FrameError::BadLength)]);
}

proptest! {
    /// Whatever the bytes and however they are split, the framer never
    /// panics, never returns a frame over the limit, and the parser takes
    /// every frame without panicking.
    #[test]
    fn framer_and_parser_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        splits in proptest::collection::vec(0..600usize, 0..6),
        max_frame_bytes in 1..64usize,
    ) {
        let mut cuts: Vec<usize> = splits.into_iter().map(|split| split.min(data.len())).collect();
        cuts.push(0);
        cuts.push(data.len());
        cuts.sort_unstable();
        let mut framer = TcpFramer::new(max_frame_bytes);
        for window in cuts.windows(2) {
            framer.push(&data[window[0]..window[1]]);
            while let Some(frame) = framer.next_frame() {
                if let Ok(frame) = frame {
                    prop_assert!(frame.len() <= max_frame_bytes);
                    let _ = parse_message(frame);
                }
            }
        }
        let _ = framer.finish();
        let _ = parse_message(&data);
    }

    /// Well-formed octet-counted streams come back frame for frame.
    #[test]
    fn octet_counted_frames_round_trip(
        messages in proptest::collection::vec("[ -~]{1,40}", 1..8),
        chunk in 1..50usize,
    ) {
        let mut stream = Vec::new();
        for message in &messages {
            stream.extend_from_slice(format!("{} {message}", message.len()).as_bytes());
        }
        let chunks: Vec<&[u8]> = stream.chunks(chunk).collect();
        let frames = frames_of(&chunks, 64);
        let expected: Vec<_> =
            messages.iter().map(|message| ok(&message.as_bytes().escape_ascii().to_string())).collect();
        prop_assert_eq!(frames, expected);
    }
}

const DEADLINE: Duration = Duration::from_secs(10);

async fn next(receiver: &mut mpsc::Receiver<Received>) -> Received {
    tokio::time::timeout(DEADLINE, receiver.recv())
        .await
        .expect("a message within the deadline")
        .expect("the channel is open")
}

fn localhost() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

#[tokio::test]
async fn receives_udp_and_tcp_in_both_framings_on_real_sockets() {
    let (sender, mut receiver) = mpsc::channel(16);
    let stats = Arc::new(SyslogStats::default());
    let config = ListenerConfig::default();
    let (udp_addr, udp_task) =
        listen_udp(localhost(), config.clone(), sender.clone(), Arc::clone(&stats)).await.unwrap();
    let (tcp_addr, tcp_task) =
        listen_tcp(localhost(), config, sender, Arc::clone(&stats)).await.unwrap();

    let socket = tokio::net::UdpSocket::bind(localhost()).await.unwrap();
    socket
        .send_to(
            b"<190>Dec  1 23:31:14 web1 nginx: 203.0.113.7 - - \"GET / HTTP/1.1\" 200 5",
            udp_addr,
        )
        .await
        .unwrap();
    let received = next(&mut receiver).await;
    assert_eq!(received.transport, Transport::Udp);
    assert_eq!(received.app_name.as_deref(), Some("nginx"));
    assert_eq!(received.message, b"203.0.113.7 - - \"GET / HTTP/1.1\" 200 5");

    let mut counted = tokio::net::TcpStream::connect(tcp_addr).await.unwrap();
    counted.write_all(b"26 <13>1 - host app - - - one").await.unwrap();
    counted.write_all(b"26 <13>1 - host app - - - two").await.unwrap();
    assert_eq!(next(&mut receiver).await.message, b"one");
    assert_eq!(next(&mut receiver).await.message, b"two");

    let mut lines = tokio::net::TcpStream::connect(tcp_addr).await.unwrap();
    lines.write_all(b"<190>Dec  1 23:31:15 web1 nginx: line one\n<190>Dec  1 23:31:15 web1 nginx: bad pri\n<999>x\n<190>Dec  1 23:31:16 web1 nginx: last").await.unwrap();
    lines.shutdown().await.unwrap();
    let received = next(&mut receiver).await;
    assert_eq!(
        (received.transport, received.message.as_slice()),
        (Transport::Tcp, &b"line one"[..])
    );
    assert_eq!(next(&mut receiver).await.message, b"bad pri");
    assert_eq!(next(&mut receiver).await.message, b"last", "the unterminated last line on close");

    let snapshot = stats.snapshot();
    assert_eq!((snapshot.n_received, snapshot.n_malformed, snapshot.n_dropped), (6, 1, 0));
    assert!(snapshot.last_malformed.unwrap().ends_with("over tcp: invalid priority"));
    udp_task.abort();
    tcp_task.abort();
}

#[tokio::test]
async fn tcp_waits_for_a_full_channel_and_udp_counts_what_it_drops() {
    let (sender, mut receiver) = mpsc::channel(1);
    let stats = Arc::new(SyslogStats::default());
    let config = ListenerConfig::default();
    let (tcp_addr, tcp_task) =
        listen_tcp(localhost(), config.clone(), sender.clone(), Arc::clone(&stats)).await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(tcp_addr).await.unwrap();
    for idx in 0..20 {
        stream.write_all(format!("<13>message {idx}\n").as_bytes()).await.unwrap();
    }
    for idx in 0..20 {
        assert_eq!(next(&mut receiver).await.message, format!("message {idx}").as_bytes());
    }
    assert_eq!(stats.snapshot().n_dropped, 0, "tcp never drops");

    let (udp_addr, udp_task) =
        listen_udp(localhost(), config, sender, Arc::clone(&stats)).await.unwrap();
    let socket = tokio::net::UdpSocket::bind(localhost()).await.unwrap();
    for idx in 0..5 {
        socket.send_to(format!("<13>datagram {idx}").as_bytes(), udp_addr).await.unwrap();
    }
    // Nothing is received, so the channel (capacity 1) is full after the
    // first datagram: the others are dropped and counted.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let snapshot = stats.snapshot();
        if snapshot.n_received - 20 + snapshot.n_dropped == 5 {
            assert_eq!((snapshot.n_received - 20, snapshot.n_dropped), (1, 4));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "datagrams not seen: {snapshot:?}");
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(next(&mut receiver).await.message, b"datagram 0");
    tcp_task.abort();
    udp_task.abort();
}
