//! One HTTP/1.1 request at a time, over hyper's connection-level client on
//! tokio (plain) or tokio-rustls (HTTPS), with a deadline and a bounded
//! response body. Enough for webhooks and messaging APIs: a few small
//! requests, no connection pool.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;

/// The largest response body read.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// An `http://` or `https://` URL, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// Whether it is `https`.
    pub https: bool,
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port (default 80 or 443).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl Url {
    /// Parses an absolute `http(s)://host[:port][/path]` URL.
    pub fn parse(text: &str) -> Result<Url, HttpError> {
        let bad = |why: &str| HttpError::Url { url: redact_url(text), reason: why.to_owned() };
        let (https, rest) = if let Some(rest) = text.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(bad("it does not start with http:// or https://"));
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(bad("credentials in the URL are not supported; use the token settings"));
        }
        let default_port = if https { 443 } else { 80 };
        let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
            let (host, after) = inner.split_once(']').ok_or_else(|| bad("unclosed '['"))?;
            let port = match after.strip_prefix(':') {
                Some(port) => port.parse().map_err(|_| bad("bad port"))?,
                None if after.is_empty() => default_port,
                None => return Err(bad("text after ']'")),
            };
            (host.to_owned(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host.to_owned(), port.parse().map_err(|_| bad("bad port"))?),
                None => (authority.to_owned(), default_port),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let path = if path.starts_with('?') { format!("/{path}") } else { path.to_owned() };
        Ok(Url { https, host, port, path })
    }

    /// This URL with `suffix` appended to its path (`base` + `/bot…/sendMessage`).
    pub fn join(&self, suffix: &str) -> Url {
        let mut url = self.clone();
        url.path = format!("{}{suffix}", self.path.trim_end_matches('/'));
        url
    }

    fn host_header(&self) -> String {
        let host =
            if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        if self.port == if self.https { 443 } else { 80 } {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// A URL for messages: scheme, host and port only (paths may hold tokens).
pub fn redact_url(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else { return "(not a URL)".to_owned() };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    format!("{scheme}://{authority}/…")
}

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL is unusable.
    #[error("bad URL {url}: {reason}")]
    Url {
        /// The URL without its path.
        url: String,
        /// Why.
        reason: String,
    },
    /// The connection failed or timed out before the request was sent.
    #[error("cannot reach {host}:{port}: {reason}")]
    Connect {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// Why.
        reason: String,
    },
    /// The request was (perhaps) sent, but no full answer came.
    #[error("no answer from {host}:{port}: {reason}")]
    NoAnswer {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// Why.
        reason: String,
    },
}

/// A response: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body (at most 1 MiB), as text (lossy UTF-8).
    pub body: String,
}

impl Response {
    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A client: the deadline and, for HTTPS, TLS settings.
#[derive(Debug, Clone)]
pub struct Client {
    /// The longest a whole request may take.
    pub timeout: Duration,
    /// TLS settings for `https://` URLs (see [`crate::tls::client_config`]).
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

impl Client {
    /// A client for plain `http://` URLs only (tests, loopback services).
    pub fn plain(timeout: Duration) -> Client {
        Client { timeout, tls: None }
    }

    /// Sends one request and reads the answer.
    pub async fn request(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Response, HttpError> {
        tokio::time::timeout(self.timeout, self.request_inner(method, url, headers, body))
            .await
            .unwrap_or_else(|_| {
                Err(HttpError::NoAnswer {
                    host: url.host.clone(),
                    port: url.port,
                    reason: format!("timed out after {:?}", self.timeout),
                })
            })
    }

    /// POSTs a JSON document.
    pub async fn post_json(
        &self,
        url: &Url,
        headers: &[(&str, String)],
        document: &serde_json::Value,
    ) -> Result<Response, HttpError> {
        let mut all = vec![("content-type", "application/json; charset=utf-8".to_owned())];
        all.extend(headers.iter().cloned());
        self.request("POST", url, &all, document.to_string().into_bytes()).await
    }

    async fn request_inner(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Response, HttpError> {
        let connect_error =
            |reason: String| HttpError::Connect { host: url.host.clone(), port: url.port, reason };
        let tcp = TcpStream::connect((url.host.as_str(), url.port))
            .await
            .map_err(|error| connect_error(error.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let request = hyper::Request::builder()
            .method(method)
            .uri(&url.path)
            .header("host", url.host_header())
            .header("user-agent", concat!("leakguard/", env!("CARGO_PKG_VERSION")));
        let request =
            headers.iter().fold(request, |request, (name, value)| request.header(*name, value));
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|error| connect_error(error.to_string()))?;
        if url.https {
            let tls = self
                .tls
                .clone()
                .ok_or_else(|| connect_error("no TLS settings given".to_owned()))?;
            let name = ServerName::try_from(url.host.clone())
                .map_err(|error| connect_error(error.to_string()))?;
            let stream = tokio_rustls::TlsConnector::from(tls)
                .connect(name, tcp)
                .await
                .map_err(|error| connect_error(format!("TLS: {error}")))?;
            exchange(TokioIo::new(stream), request, url).await
        } else {
            exchange(TokioIo::new(tcp), request, url).await
        }
    }
}

async fn exchange<T>(
    io: T,
    request: hyper::Request<Full<Bytes>>,
    url: &Url,
) -> Result<Response, HttpError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let no_answer =
        |reason: String| HttpError::NoAnswer { host: url.host.clone(), port: url.port, reason };
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(io).await.map_err(|error| HttpError::Connect {
            host: url.host.clone(),
            port: url.port,
            reason: error.to_string(),
        })?;
    let driver = tokio::spawn(async move {
        let _ = connection.await;
    });
    let result = async {
        let response =
            sender.send_request(request).await.map_err(|error| no_answer(error.to_string()))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|error| no_answer(error.to_string()))?
            .to_bytes();
        Ok(Response { status, body: String::from_utf8_lossy(&body).into_owned() })
    }
    .await;
    driver.abort();
    result
}

/// `application/x-www-form-urlencoded` for a list of pairs.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (idx, (name, value)) in pairs.iter().enumerate() {
        if idx > 0 {
            out.push('&');
        }
        percent_encode_into(name, &mut out);
        out.push('=');
        percent_encode_into(value, &mut out);
    }
    out
}

fn percent_encode_into(text: &str, out: &mut String) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_parts() {
        let url = Url::parse("https://api.telegram.org").expect("parses");
        assert_eq!(
            (url.https, url.host.as_str(), url.port, url.path.as_str()),
            (true, "api.telegram.org", 443, "/")
        );
        let url = Url::parse("http://127.0.0.1:8080/hook?x=1").expect("parses");
        assert_eq!((url.port, url.path.as_str()), (8080, "/hook?x=1"));
        assert_eq!(url.join("/more").path, "/hook?x=1/more");
        let url = Url::parse("http://[::1]:9000").expect("parses");
        assert_eq!(
            (url.host.as_str(), url.port, url.host_header()),
            ("::1", 9000, "[::1]:9000".to_owned())
        );
        assert!(Url::parse("ftp://x").is_err());
        assert!(Url::parse("http://user:pw@x/").is_err());
        assert!(Url::parse("http://x:notaport/").is_err());
    }

    #[test]
    fn redacted_urls_keep_no_path() {
        assert_eq!(
            redact_url("https://api.telegram.org/bot123:SECRET/sendMessage"),
            "https://api.telegram.org/…"
        );
    }

    #[test]
    fn forms_are_percent_encoded() {
        assert_eq!(form_encode(&[("a b", "中&="), ("x", "y")]), "a+b=%E4%B8%AD%26%3D&x=y");
    }
}
