//! Syslog input: parsing messages, framing TCP streams, and listening on
//! UDP and TCP.
//!
//! This is how nginx ships access logs without files:
//! `access_log syslog:server=127.0.0.1:5514,tag=nginx combined;` sends each
//! line over UDP as an RFC 3164 message,
//! `<190>Dec  1 23:31:14 web1 nginx: 203.0.113.7 - - [01/Dec/2026...] "GET / HTTP/1.1" ...`,
//! and the [`Message::message`] part is what the access-log parser reads.
//!
//! - [`parse_message`] reads the header of an RFC 3164 or RFC 5424 message
//!   (priority, timestamp, host, tag or app-name, process id) and returns
//!   the rest as the message, borrowed. It is lenient where senders differ
//!   (no hostname, as nginx's `nohostname` sends; no priority; an ISO
//!   timestamp in an RFC 3164 header) and returns a [`MessageError`] only for
//!   what cannot be a message (empty, a broken priority, a cut RFC 5424
//!   header).
//! - [`TcpFramer`] splits a TCP stream into frames, choosing per connection
//!   between octet counting (RFC 6587 `LEN SP MSG`, when the first byte is a
//!   digit) and newline framing; a frame over the limit or a broken length
//!   is a [`FrameError`], and reading goes on.
//! - [`listen_udp`] and [`listen_tcp`] receive messages into a bounded
//!   channel, with [`SyslogStats`] counting what was received, malformed
//!   and dropped.
//!
//! Malformed input is counted and reported, never fatal. Timestamps are
//! returned as written: an RFC 3164 timestamp has no year and no zone, so
//! reading it needs the site's zone and the current date, which is the
//! caller's business.

mod frame;
mod listener;
mod message;

pub use frame::{DEFAULT_MAX_FRAME_BYTES, FrameError, Framing, TcpFramer};
pub use listener::{
    ListenerConfig, Received, SyslogStats, SyslogStatsSnapshot, Transport, listen_tcp, listen_udp,
};
pub use message::{Message, MessageError, Priority, Protocol, parse_message};
