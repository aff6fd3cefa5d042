//! A small SMTP client (RFC 5321) on tokio: one session sends many messages.
//!
//! Plain SMTP is for a relay on loopback; real servers take STARTTLS
//! (submission, port 587) or implicit TLS (port 465) through rustls on ring,
//! and `AUTH PLAIN` or `AUTH LOGIN`. A send returns a [`Receipt`] with the
//! message's `Message-ID` and the server's reply; an error says whether the
//! message may have been accepted anyway ([`SmtpError::is_unconfirmed`]),
//! which the notice outbox must not resend blindly.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Secret;
use crate::email::{Email, base64, is_valid_address};

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS (a relay on loopback).
    Plain,
    /// Plain first, then `STARTTLS` (required: a server without it is an error).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Plain, STARTTLS or implicit TLS.
    pub security: Security,
    /// User name for `AUTH` (none: no authentication).
    pub username: Option<String>,
    /// Password for `AUTH`.
    pub password: Option<Secret>,
    /// The name this client gives in `EHLO`.
    pub helo_name: String,
    /// The longest any one read or write may take.
    pub timeout: Duration,
    /// TLS settings (needed for STARTTLS and implicit TLS).
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

impl SmtpConfig {
    /// A plain connection without authentication (a relay on loopback).
    pub fn plain(host: impl Into<String>, port: u16) -> SmtpConfig {
        SmtpConfig {
            host: host.into(),
            port,
            security: Security::Plain,
            username: None,
            password: None,
            helo_name: "leakguard.localhost".to_owned(),
            timeout: Duration::from_secs(30),
            tls: None,
        }
    }
}

/// What the server said when it took a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The message's `Message-ID`.
    pub message_id: String,
    /// The server's reply to the end of the data (`250 OK queued as …`).
    pub reply: String,
    /// Recipients the server accepted.
    pub accepted: Vec<String>,
    /// Recipients the server refused, with its reply.
    pub refused: Vec<(String, String)>,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// The connection could not be made.
    #[error("cannot connect to the SMTP server {address}: {source}")]
    Connect {
        /// `host:port`.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// Reading or writing failed (or timed out) before the message was complete.
    #[error("SMTP connection failed during {stage}: {reason}")]
    Io {
        /// What was being done.
        stage: &'static str,
        /// Why.
        reason: String,
    },
    /// The message was sent but the server's answer never came: it may or
    /// may not have been accepted.
    #[error("the message was sent but the SMTP server did not confirm it: {reason}")]
    Unconfirmed {
        /// Why.
        reason: String,
    },
    /// The TLS setup or handshake failed.
    #[error("TLS with the SMTP server {host} failed: {reason}")]
    Tls {
        /// The server.
        host: String,
        /// Why.
        reason: String,
    },
    /// The server refused a command.
    #[error("the SMTP server refused {command}: {reply}")]
    Refused {
        /// The command (without arguments that could hold personal data).
        command: &'static str,
        /// The reply code.
        code: u16,
        /// The server's reply text.
        reply: String,
    },
    /// The server sent something that is not an SMTP reply.
    #[error("the SMTP server sent an unreadable reply to {command}: {line:?}")]
    Protocol {
        /// The command.
        command: &'static str,
        /// The line.
        line: String,
    },
    /// The message or the settings are unusable.
    #[error("cannot send: {0}")]
    Invalid(String),
}

impl SmtpError {
    /// The server refused for good (5xx): retrying the same message will not help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SmtpError::Refused { code, .. } if *code >= 500)
            || matches!(self, SmtpError::Invalid(_))
    }

    /// The message may have been accepted: do not resend without checking.
    pub fn is_unconfirmed(&self) -> bool {
        matches!(self, SmtpError::Unconfirmed { .. })
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A reply: its code and its lines joined.
#[derive(Debug)]
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        self.lines
            .iter()
            .map(|line| format!("{} {line}", self.code))
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// The byte stream with a read buffer and a deadline per operation.
struct Wire<S> {
    stream: S,
    buffer: Vec<u8>,
    timeout: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Wire<S> {
    async fn line(&mut self, stage: &'static str) -> Result<String, SmtpError> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|pair| pair == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buffer[..end]).into_owned();
                self.buffer.drain(..end + 2);
                return Ok(line);
            }
            if self.buffer.len() > 64 * 1024 {
                return Err(SmtpError::Io { stage, reason: "reply line too long".to_owned() });
            }
            let mut chunk = [0_u8; 4096];
            let read = tokio::time::timeout(self.timeout, self.stream.read(&mut chunk))
                .await
                .map_err(|_| SmtpError::Io { stage, reason: "timed out".to_owned() })?
                .map_err(|error| SmtpError::Io { stage, reason: error.to_string() })?;
            if read == 0 {
                return Err(SmtpError::Io { stage, reason: "connection closed".to_owned() });
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }

    async fn reply(&mut self, stage: &'static str) -> Result<Reply, SmtpError> {
        let mut lines = Vec::new();
        loop {
            let line = self.line(stage).await?;
            let code = line.get(..3).and_then(|code| code.parse::<u16>().ok());
            let Some(code) = code else {
                return Err(SmtpError::Protocol { command: stage, line });
            };
            let separator = line.as_bytes().get(3).copied().unwrap_or(b' ');
            lines.push(line.get(4..).unwrap_or_default().to_owned());
            if separator != b'-' {
                return Ok(Reply { code, lines });
            }
        }
    }

    async fn write(&mut self, stage: &'static str, data: &[u8]) -> Result<(), SmtpError> {
        let write = async {
            self.stream.write_all(data).await?;
            self.stream.flush().await
        };
        tokio::time::timeout(self.timeout, write)
            .await
            .map_err(|_| SmtpError::Io { stage, reason: "timed out".to_owned() })?
            .map_err(|error| SmtpError::Io { stage, reason: error.to_string() })
    }

    /// Sends a command and reads its reply, which must be in `expected` (the first digit).
    async fn command(
        &mut self,
        stage: &'static str,
        line: &str,
        expected: u16,
    ) -> Result<Reply, SmtpError> {
        self.write(stage, format!("{line}\r\n").as_bytes()).await?;
        let reply = self.reply(stage).await?;
        if reply.code / 100 != expected {
            return Err(SmtpError::Refused {
                command: stage,
                code: reply.code,
                reply: reply.text(),
            });
        }
        Ok(reply)
    }
}

/// A connected, greeted (and, when asked, encrypted and authenticated) session.
pub struct SmtpSession {
    wire: Wire<Box<dyn Io>>,
    broken: bool,
}

impl std::fmt::Debug for SmtpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSession").field("broken", &self.broken).finish_non_exhaustive()
    }
}

fn tls_error(config: &SmtpConfig, reason: impl std::fmt::Display) -> SmtpError {
    SmtpError::Tls { host: config.host.clone(), reason: reason.to_string() }
}

async fn wrap_tls(config: &SmtpConfig, stream: TcpStream) -> Result<Box<dyn Io>, SmtpError> {
    let tls = config.tls.clone().ok_or_else(|| tls_error(config, "no TLS settings given"))?;
    let name =
        ServerName::try_from(config.host.clone()).map_err(|error| tls_error(config, error))?;
    let connector = tokio_rustls::TlsConnector::from(tls);
    let stream = tokio::time::timeout(config.timeout, connector.connect(name, stream))
        .await
        .map_err(|_| tls_error(config, "handshake timed out"))?
        .map_err(|error| tls_error(config, error))?;
    Ok(Box::new(stream))
}

async fn ehlo<S: AsyncRead + AsyncWrite + Unpin>(
    wire: &mut Wire<S>,
    config: &SmtpConfig,
) -> Result<Vec<String>, SmtpError> {
    let reply = wire.command("EHLO", &format!("EHLO {}", config.helo_name), 2).await?;
    Ok(reply.lines.iter().skip(1).map(|line| line.to_ascii_uppercase()).collect())
}

impl SmtpSession {
    /// Connects, reads the greeting, says `EHLO`, upgrades with `STARTTLS`
    /// when asked and authenticates when a user name is given.
    pub async fn connect(config: &SmtpConfig) -> Result<SmtpSession, SmtpError> {
        let address = format!("{}:{}", config.host, config.port);
        if config.helo_name.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
            return Err(SmtpError::Invalid(format!("EHLO name {:?}", config.helo_name)));
        }
        let tcp = tokio::time::timeout(config.timeout, TcpStream::connect(&address))
            .await
            .map_err(|_| SmtpError::Connect {
                address: address.clone(),
                source: std::io::ErrorKind::TimedOut.into(),
            })?
            .map_err(|source| SmtpError::Connect { address: address.clone(), source })?;
        let _ = tcp.set_nodelay(true);
        let mut capabilities;
        let mut wire: Wire<Box<dyn Io>> = match config.security {
            Security::Plain => {
                let mut wire = Wire {
                    stream: Box::new(tcp) as Box<dyn Io>,
                    buffer: Vec::new(),
                    timeout: config.timeout,
                };
                greet(&mut wire).await?;
                capabilities = ehlo(&mut wire, config).await?;
                wire
            }
            Security::Tls => {
                let stream = wrap_tls(config, tcp).await?;
                let mut wire = Wire { stream, buffer: Vec::new(), timeout: config.timeout };
                greet(&mut wire).await?;
                capabilities = ehlo(&mut wire, config).await?;
                wire
            }
            Security::StartTls => {
                let mut plain = Wire { stream: tcp, buffer: Vec::new(), timeout: config.timeout };
                greet(&mut plain).await?;
                let offered = ehlo(&mut plain, config).await?;
                if !offered.iter().any(|line| line == "STARTTLS") {
                    return Err(tls_error(config, "the server does not offer STARTTLS"));
                }
                plain.command("STARTTLS", "STARTTLS", 2).await?;
                if !plain.buffer.is_empty() {
                    return Err(tls_error(config, "data after the STARTTLS reply"));
                }
                let stream = wrap_tls(config, plain.stream).await?;
                let mut wire = Wire { stream, buffer: Vec::new(), timeout: config.timeout };
                capabilities = ehlo(&mut wire, config).await?;
                wire
            }
        };
        if let Some(user) = &config.username {
            let password = config.password.as_ref().map(Secret::expose).unwrap_or_default();
            let auth = capabilities
                .iter()
                .find_map(|line| line.strip_prefix("AUTH").map(str::to_owned))
                .unwrap_or_default();
            let methods: Vec<&str> = auth.split([' ', '=']).collect();
            if methods.contains(&"PLAIN") {
                let token = base64(format!("\0{user}\0{password}").as_bytes());
                wire.command("AUTH", &format!("AUTH PLAIN {token}"), 2).await?;
            } else if methods.contains(&"LOGIN") {
                wire.command("AUTH", "AUTH LOGIN", 3).await?;
                wire.command("AUTH", &base64(user.as_bytes()), 3).await?;
                wire.command("AUTH", &base64(password.as_bytes()), 2).await?;
            } else {
                return Err(SmtpError::Invalid(format!(
                    "the server {address} offers no AUTH PLAIN or LOGIN (offered: {auth:?})"
                )));
            }
            capabilities.clear();
        }
        Ok(SmtpSession { wire, broken: false })
    }

    /// Whether the session can still send (no connection error so far).
    pub fn is_usable(&self) -> bool {
        !self.broken
    }

    /// Sends one message. After a refusal the session stays usable (it sends
    /// `RSET`); after a connection error it does not.
    pub async fn send(&mut self, email: &Email) -> Result<Receipt, SmtpError> {
        if self.broken {
            return Err(SmtpError::Io { stage: "send", reason: "session closed".to_owned() });
        }
        let result = self.transaction(email).await;
        match &result {
            Err(SmtpError::Refused { .. }) => {
                if self.wire.command("RSET", "RSET", 2).await.is_err() {
                    self.broken = true;
                }
            }
            Err(_) => self.broken = true,
            Ok(_) => {}
        }
        result
    }

    async fn transaction(&mut self, email: &Email) -> Result<Receipt, SmtpError> {
        if !is_valid_address(&email.from) {
            return Err(SmtpError::Invalid(format!("sender address {:?}", email.from)));
        }
        if email.to.is_empty() {
            return Err(SmtpError::Invalid("no recipient".to_owned()));
        }
        if let Some(bad) = email.to.iter().find(|to| !is_valid_address(to)) {
            return Err(SmtpError::Invalid(format!("recipient address {bad:?}")));
        }
        self.wire.command("MAIL FROM", &format!("MAIL FROM:<{}>", email.from), 2).await?;
        let mut accepted = Vec::new();
        let mut refused = Vec::new();
        let mut last_refusal = None;
        for to in &email.to {
            match self.wire.command("RCPT TO", &format!("RCPT TO:<{to}>"), 2).await {
                Ok(_) => accepted.push(to.clone()),
                Err(SmtpError::Refused { code, reply, .. }) => {
                    refused.push((to.clone(), reply.clone()));
                    last_refusal = Some((code, reply));
                }
                Err(other) => return Err(other),
            }
        }
        if accepted.is_empty() {
            let (code, reply) = last_refusal.unwrap_or((550, String::new()));
            return Err(SmtpError::Refused { command: "RCPT TO", code, reply });
        }
        self.wire.command("DATA", "DATA", 3).await?;
        let mut data = String::new();
        for line in email.render().split_inclusive("\r\n") {
            if line.starts_with('.') {
                data.push('.');
            }
            data.push_str(line);
        }
        if !data.ends_with("\r\n") {
            data.push_str("\r\n");
        }
        data.push_str(".\r\n");
        self.wire.write("DATA", data.as_bytes()).await?;
        let reply = match self.wire.reply("end of data").await {
            Ok(reply) => reply,
            Err(SmtpError::Io { reason, .. } | SmtpError::Protocol { line: reason, .. }) => {
                return Err(SmtpError::Unconfirmed { reason });
            }
            Err(other) => return Err(other),
        };
        if reply.code / 100 != 2 {
            return Err(SmtpError::Refused {
                command: "end of data",
                code: reply.code,
                reply: reply.text(),
            });
        }
        Ok(Receipt { message_id: email.message_id.clone(), reply: reply.text(), accepted, refused })
    }

    /// Says `QUIT` (errors ignored: the messages are already sent).
    pub async fn quit(mut self) {
        if !self.broken {
            let _ = self.wire.command("QUIT", "QUIT", 2).await;
        }
    }
}

async fn greet<S: AsyncRead + AsyncWrite + Unpin>(wire: &mut Wire<S>) -> Result<(), SmtpError> {
    let reply = wire.reply("greeting").await?;
    if reply.code != 220 {
        return Err(SmtpError::Refused {
            command: "greeting",
            code: reply.code,
            reply: reply.text(),
        });
    }
    Ok(())
}

/// Connects, sends one message and quits.
pub async fn send_one(config: &SmtpConfig, email: &Email) -> Result<Receipt, SmtpError> {
    let mut session = SmtpSession::connect(config).await?;
    let receipt = session.send(email).await;
    session.quit().await;
    receipt
}
