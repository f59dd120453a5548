//! One delivery attempt over HTTP(S): the host is resolved here and every address it
//! names must be public (unless the operator allows private ones), then the request
//! goes to that very address (no second lookup a rebinding DNS server could
//! answer differently), with no redirects, a time limit and a cap on what is read.

use crate::domain::webhooks::is_public_address;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The whole attempt (lookup, connect, TLS, request, response) must fit in this.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// At most this much of a response is read (the rest is ignored).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The response's status, when one came.
    pub status: Option<u16>,
    /// Why there was no acceptable response, in words for the delivery log.
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

fn tls() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|b| b.with_root_certificates(roots).with_no_client_auth())
                .unwrap_or_else(|_| {
                    rustls::ClientConfig::builder()
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth()
                });
            Arc::new(config)
        })
        .clone()
}

/// The address to send to: the first the host resolves to, if every one is public
/// (or private ones are allowed).
async fn address(url: &url::Url, allow_private: bool) -> Result<SocketAddr, String> {
    let host = url.host_str().ok_or("The URL has no host.")?;
    let port = url.port_or_known_default().ok_or("The URL has no port.")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| format!("{host} could not be found (DNS)."))?
        .collect();
    let Some(first) = addresses.first().copied() else {
        return Err(format!("{host} could not be found (DNS)."));
    };
    if !allow_private && addresses.iter().any(|a| !is_public_address(a.ip())) {
        return Err(format!(
            "Refused: {host} points to a private, loopback or link-local address."
        ));
    }
    Ok(first)
}

async fn attempt(
    url: &url::Url,
    headers: &[(&str, String)],
    body: &str,
    allow_private: bool,
) -> Result<u16, String> {
    let addr = address(url, allow_private).await?;
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("Could not connect: {e}."))?;
    let _ = tcp.set_nodelay(true);
    let host = url.host_str().unwrap_or_default().to_string();
    let mut path = url.path().to_string();
    if let Some(query) = url.query() {
        path = format!("{path}?{query}");
    }
    let mut request = hyper::Request::post(path)
        .header(hyper::header::HOST, url.authority().to_string())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(hyper::header::USER_AGENT, "Gatehouse-Webhooks/1");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| format!("Could not build the request: {e}."))?;
    let response = if url.scheme() == "https" {
        let name = rustls::pki_types::ServerName::try_from(
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
        )
        .map_err(|_| "The URL's host is not a valid name.".to_string())?;
        let stream = tokio_rustls::TlsConnector::from(tls())
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS failed: {e}."))?;
        send(TokioIo::new(stream), request).await?
    } else {
        send(TokioIo::new(tcp), request).await?
    };
    let status = response.status().as_u16();
    // Read (and drop) at most the cap, so the connection ends cleanly.
    let _ = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
        .collect()
        .await;
    Ok(status)
}

async fn send<T>(
    io: TokioIo<T>,
    request: hyper::Request<Full<Bytes>>,
) -> Result<hyper::Response<hyper::body::Incoming>, String>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("HTTP failed: {e}."))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    sender
        .send_request(request)
        .await
        .map_err(|e| format!("HTTP failed: {e}."))
}

/// Posts `body` with `headers` to `url`; never longer than [`TIMEOUT`].
pub async fn post(
    url: &str,
    headers: &[(&str, String)],
    body: &str,
    allow_private: bool,
) -> Outcome {
    let start = Instant::now();
    let result = match url::Url::parse(url) {
        Err(_) => Err("The URL is not valid.".to_string()),
        Ok(url) => tokio::time::timeout(TIMEOUT, attempt(&url, headers, body, allow_private))
            .await
            .unwrap_or_else(|_| Err(format!("Timed out after {} s.", TIMEOUT.as_secs()))),
    };
    let duration_ms = i64::try_from(start.elapsed().as_millis()).unwrap_or(i64::MAX);
    match result {
        Ok(status) => Outcome {
            status: Some(status),
            error: (!(200..300).contains(&status))
                .then(|| format!("The endpoint answered {status}.")),
            duration_ms,
        },
        Err(error) => Outcome {
            status: None,
            error: Some(error),
            duration_ms,
        },
    }
}
