//! Receiving syslog over UDP and TCP into a bounded channel.
//!
//! Backpressure differs by transport. A TCP connection stops reading while
//! the channel is full, so the sender slows down and nothing is lost. UDP
//! has no way to slow a sender: a datagram that arrives while the channel
//! is full is dropped and counted ([`SyslogStatsSnapshot::n_dropped`]);
//! datagrams the kernel drops before we read them (a full socket buffer)
//! are not visible here at all (see `netstat -su`, "receive buffer
//! errors"). Use TCP where losing a line matters.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;

use super::frame::{DEFAULT_MAX_FRAME_BYTES, TcpFramer};
use super::message::{Priority, parse_message};

/// How a message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// One datagram, one message.
    Udp,
    /// A frame of a TCP connection.
    Tcp,
}

/// A message received, owned so that it can cross the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The sender's address.
    pub peer: SocketAddr,
    /// How it arrived.
    pub transport: Transport,
    /// The priority, when the frame had one.
    pub priority: Option<Priority>,
    /// The timestamp as written.
    pub timestamp: Option<String>,
    /// The sending host.
    pub host: Option<String>,
    /// The tag or app-name (`nginx`).
    pub app_name: Option<String>,
    /// The message: for nginx, the access-log line.
    pub message: Vec<u8>,
}

/// Limits of the listeners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerConfig {
    /// Frames (and datagrams) longer than this are counted as malformed and
    /// skipped.
    pub max_frame_bytes: usize,
    /// TCP connections served at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for ListenerConfig {
    fn default() -> Self {
        ListenerConfig { max_frame_bytes: DEFAULT_MAX_FRAME_BYTES, max_connections: 256 }
    }
}

/// Counters shared by the listeners, read with
/// [`snapshot`](Self::snapshot) from any thread.
#[derive(Debug, Default)]
pub struct SyslogStats {
    n_received: AtomicU64,
    n_malformed: AtomicU64,
    n_dropped: AtomicU64,
    n_connections: AtomicU64,
    last_malformed: Mutex<Option<String>>,
}

/// What the listeners counted so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyslogStatsSnapshot {
    /// Messages put in the channel.
    pub n_received: u64,
    /// Frames that were not messages (bad priority, bad octet count, over
    /// the size limit, cut at the end of a connection).
    pub n_malformed: u64,
    /// UDP messages dropped because the channel was full (TCP waits
    /// instead). Kernel drops are not counted: they are not visible here.
    pub n_dropped: u64,
    /// TCP connections accepted.
    pub n_connections: u64,
    /// The last malformed frame, described with its sender
    /// (`127.0.0.1:5000 over tcp: invalid octet count`).
    pub last_malformed: Option<String>,
}

impl SyslogStats {
    /// The counters now.
    pub fn snapshot(&self) -> SyslogStatsSnapshot {
        SyslogStatsSnapshot {
            n_received: self.n_received.load(Ordering::Relaxed),
            n_malformed: self.n_malformed.load(Ordering::Relaxed),
            n_dropped: self.n_dropped.load(Ordering::Relaxed),
            n_connections: self.n_connections.load(Ordering::Relaxed),
            last_malformed: self.last_malformed.lock().ok().and_then(|last| last.clone()),
        }
    }

    fn malformed(&self, peer: SocketAddr, transport: Transport, reason: &dyn std::fmt::Display) {
        self.n_malformed.fetch_add(1, Ordering::Relaxed);
        let name = match transport {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        };
        if let Ok(mut last) = self.last_malformed.lock() {
            *last = Some(format!("{peer} over {name}: {reason}"));
        }
    }
}

/// Parses a frame into a [`Received`], counting it as malformed when it is
/// not a message.
fn receive(
    frame: &[u8],
    peer: SocketAddr,
    transport: Transport,
    stats: &SyslogStats,
) -> Option<Received> {
    match parse_message(frame) {
        Ok(message) => Some(Received {
            peer,
            transport,
            priority: message.priority,
            timestamp: message.timestamp.map(str::to_owned),
            host: message.host.map(str::to_owned),
            app_name: message.app_name.map(str::to_owned),
            message: message.message.to_vec(),
        }),
        Err(error) => {
            stats.malformed(peer, transport, &error);
            None
        }
    }
}

/// Binds a UDP socket on `addr` (port 0 picks one) and receives datagrams
/// into `sender` until the channel closes or the task is aborted.
///
/// Returns the bound address and the receiving task.
pub async fn listen_udp(
    addr: SocketAddr,
    config: ListenerConfig,
    sender: mpsc::Sender<Received>,
    stats: Arc<SyslogStats>,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let socket = UdpSocket::bind(addr).await?;
    let local_addr = socket.local_addr()?;
    let task = tokio::spawn(async move {
        // One byte more than the limit tells an overlong datagram apart.
        let mut buf = vec![0; config.max_frame_bytes.saturating_add(1).min(65_536)];
        loop {
            let Ok((n_read, peer)) = socket.recv_from(&mut buf).await else {
                // ICMP errors surface here on some systems; keep going.
                continue;
            };
            if n_read > config.max_frame_bytes {
                stats.malformed(peer, Transport::Udp, &super::FrameError::TooLong { length: None });
                continue;
            }
            let Some(received) = receive(&buf[..n_read], peer, Transport::Udp, &stats) else {
                continue;
            };
            match sender.try_send(received) {
                Ok(()) => {
                    stats.n_received.fetch_add(1, Ordering::Relaxed);
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    stats.n_dropped.fetch_add(1, Ordering::Relaxed);
                }
                Err(mpsc::error::TrySendError::Closed(_)) => return,
            }
        }
    });
    Ok((local_addr, task))
}

/// Listens for TCP connections on `addr` (port 0 picks one) and receives
/// their frames into `sender`, waiting while the channel is full, until the
/// channel closes or the task is aborted.
///
/// Returns the bound address and the accepting task.
pub async fn listen_tcp(
    addr: SocketAddr,
    config: ListenerConfig,
    sender: mpsc::Sender<Received>,
    stats: Arc<SyslogStats>,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let permits = Arc::new(Semaphore::new(config.max_connections.max(1)));
        loop {
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                return;
            };
            let Ok((stream, peer)) = listener.accept().await else {
                // Out of file descriptors, usually: retrying at once would spin.
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            };
            if sender.is_closed() {
                return;
            }
            stats.n_connections.fetch_add(1, Ordering::Relaxed);
            let sender = sender.clone();
            let stats = Arc::clone(&stats);
            let max_frame_bytes = config.max_frame_bytes;
            tokio::spawn(async move {
                serve_connection(stream, peer, max_frame_bytes, &sender, &stats).await;
                drop(permit);
            });
        }
    });
    Ok((local_addr, task))
}

async fn serve_connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    max_frame_bytes: usize,
    sender: &mpsc::Sender<Received>,
    stats: &SyslogStats,
) {
    let mut framer = TcpFramer::new(max_frame_bytes);
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n_read = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => 0,
            Ok(n_read) => n_read,
        };
        let mut batch = Vec::new();
        if n_read == 0 {
            if let Some(frame) = framer.finish() {
                collect(frame, peer, stats, &mut batch);
            }
        } else {
            framer.push(&buf[..n_read]);
            while let Some(frame) = framer.next_frame() {
                collect(frame, peer, stats, &mut batch);
            }
        }
        for received in batch {
            // Waiting here is the backpressure: the socket is not read
            // while the channel is full.
            if sender.send(received).await.is_err() {
                return;
            }
            stats.n_received.fetch_add(1, Ordering::Relaxed);
        }
        if n_read == 0 {
            return;
        }
    }
}

fn collect(
    frame: Result<&[u8], super::FrameError>,
    peer: SocketAddr,
    stats: &SyslogStats,
    batch: &mut Vec<Received>,
) {
    match frame {
        Ok(frame) => batch.extend(receive(frame, peer, Transport::Tcp, stats)),
        Err(error) => stats.malformed(peer, Transport::Tcp, &error),
    }
}
