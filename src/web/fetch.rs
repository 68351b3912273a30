//! The safe fetcher: every URL a tool fetches goes through here.
//!
//! http and https only, a user agent naming us, connect and total timeouts, at most
//! [`MAX_REDIRECTS`] redirects (followed here, one hop at a time, so each is checked), a cap on
//! the body both as sent and once decompressed (a 5 MiB gzip bomb stays 5 MiB), and the SSRF
//! guard of [`super::guard`] on the address actually connected to.

use std::error::Error as _;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use url::Url;

use super::guard::refusal;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// How the fetcher behaves; from the server configuration.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Lets fetches reach loopback and private networks (tests, intranet deployments).
    pub allow_private: bool,
    /// Whole-response deadline, redirects included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest body accepted, before and after decompression.
    pub max_bytes: usize,
    pub user_agent: String,
    /// Private networks fetches may reach even with the guard on: one intranet host rather than
    /// all of them.
    pub allowed_networks: Vec<IpNet>,
}

impl FetchConfig {
    pub fn new(public_url: &str) -> FetchConfig {
        FetchConfig {
            allow_private: false,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            max_bytes: 5 * 1024 * 1024,
            user_agent: format!("heycmo/{} (+{public_url})", env!("CARGO_PKG_VERSION")),
            allowed_networks: Vec::new(),
        }
    }
}

/// Why a fetch did not produce a response.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "{url} is refused: it resolves to {reason}; the server fetches a private network only \
         when its operator opens it (--allow-fetch-network CIDR)"
    )]
    Refused { url: String, reason: &'static str },
    #[error("{0}")]
    BadUrl(String),
    #[error("{url}: the body is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: no complete answer within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: String },
    #[error("{url}: {message}")]
    Network { url: String, message: String },
}

/// A request with a body, for [`Fetcher::send`].
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(header::HeaderName, String)>,
    pub body: Bytes,
}

/// One redirect hop.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub from: Url,
    pub to: Url,
    pub status: u16,
}

/// A response, its body decoded.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the content finally came from, after redirects.
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Bytes received on the wire (compressed size when compressed).
    pub wire_bytes: usize,
    /// The `Content-Encoding` the server used, if any.
    pub encoding: Option<String>,
    /// Until the final response's headers arrived.
    pub ttfb: Duration,
    pub elapsed: Duration,
    pub redirects: Vec<Redirect>,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn is_html(&self) -> bool {
        self.header("content-type").is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.starts_with("text/html") || t.starts_with("application/xhtml")
        })
    }

    /// Whether the body is to be read as a page: HTML, or untyped (many servers send pages
    /// without a content type).
    pub fn is_html_like(&self) -> bool {
        self.is_html() || self.header("content-type").is_none()
    }

    /// The body as text; invalid UTF-8 is replaced rather than refused.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The guarded HTTP client; cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: Arc<FetchConfig>,
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        let mut builder = super::client()
            .user_agent(config.user_agent.clone())
            // Redirects are followed by hand so that each hop is checked.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would connect on our behalf, unchecked.
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.timeout)
            .pool_max_idle_per_host(4);
        if !config.allow_private {
            builder = builder.dns_resolver(GuardedResolver {
                allowed: config.allowed_networks.clone(),
            });
        }
        let client = builder.build().map_err(|e| FetchError::Network {
            url: String::new(),
            message: format!("cannot build the HTTP client: {e}"),
        })?;
        Ok(Fetcher {
            client,
            config: Arc::new(config),
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Parses and checks a URL a caller gave: absolute, http or https, with a host.
    pub fn parse(&self, raw: &str) -> Result<Url, FetchError> {
        let raw = raw.trim();
        let url = Url::parse(raw)
            .or_else(|e| {
                // "example.com/pricing" is what people type; take it as https.
                if e == url::ParseError::RelativeUrlWithoutBase && !raw.contains("://") {
                    Url::parse(&format!("https://{raw}"))
                } else {
                    Err(e)
                }
            })
            .map_err(|e| FetchError::BadUrl(format!("{raw:?} is not a URL: {e}")))?;
        self.check(&url)?;
        Ok(url)
    }

    /// [`Fetcher::parse`], and the host name resolved now and judged as a fetch would judge
    /// it, for a URL that is stored to be called later (a webhook): a name that resolves to a
    /// loopback, private or metadata address is refused when it is given, not at its first
    /// delivery. A name that does not resolve now is taken: DNS may be down for a moment, and
    /// every later request is checked again in the resolver.
    pub async fn vet(&self, raw: &str) -> Result<Url, FetchError> {
        let url = self.parse(raw)?;
        let Some(url::Host::Domain(name)) = url.host() else {
            return Ok(url);
        };
        if self.config.allow_private {
            return Ok(url);
        }
        let lookup = tokio::net::lookup_host((name, 0));
        let Ok(Ok(found)) = tokio::time::timeout(self.config.connect_timeout, lookup).await else {
            return Ok(url);
        };
        match reachable(name, found.collect(), &self.config.allowed_networks) {
            Ok(_) => Ok(url),
            Err(refused) => Err(FetchError::Refused {
                url: url.to_string(),
                reason: refused.reason,
            }),
        }
    }

    fn check(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::BadUrl(format!(
                "{url}: only http and https URLs can be fetched"
            )));
        }
        let host = match url.host() {
            Some(host) => host,
            None => return Err(FetchError::BadUrl(format!("{url} has no host"))),
        };
        if self.config.allow_private {
            return Ok(());
        }
        // Literal addresses never reach the resolver, so they are judged here.
        let literal: Option<IpAddr> = match host {
            url::Host::Ipv4(ip) => Some(ip.into()),
            url::Host::Ipv6(ip) => Some(ip.into()),
            url::Host::Domain(name) => {
                // `localhost.` is the same name, fully qualified.
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                if name == "localhost" || name.ends_with(".localhost") {
                    return Err(FetchError::Refused {
                        url: url.to_string(),
                        reason: "a loopback address",
                    });
                }
                None
            }
        };
        match literal.and_then(|ip| judge(ip, &self.config.allowed_networks)) {
            Some(reason) => Err(FetchError::Refused {
                url: url.to_string(),
                reason,
            }),
            None => Ok(()),
        }
    }

    /// GET with the body, following redirects.
    pub async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        self.request(
            Method::GET,
            url,
            "text/html,application/xhtml+xml,*/*;q=0.8",
        )
        .await
    }

    /// GET of a text resource (robots.txt, llms.txt, a sitemap).
    pub async fn get_text(&self, url: &Url) -> Result<Fetched, FetchError> {
        self.request(
            Method::GET,
            url,
            "text/plain,application/xml,text/*,*/*;q=0.5",
        )
        .await
    }

    /// The final status of a URL, without its body: HEAD, or GET where HEAD is not allowed.
    pub async fn status(&self, url: &Url) -> Result<u16, FetchError> {
        let head = self.request(Method::HEAD, url, "*/*").await?;
        if matches!(head.status, 405 | 501) {
            return Ok(self.request(Method::GET, url, "*/*").await?.status);
        }
        Ok(head.status)
    }

    async fn request(
        &self,
        method: Method,
        url: &Url,
        accept: &str,
    ) -> Result<Fetched, FetchError> {
        let deadline = self.config.timeout;
        tokio::time::timeout(deadline, self.follow(method, url.clone(), accept))
            .await
            .unwrap_or_else(|_| {
                Err(FetchError::Timeout {
                    url: url.to_string(),
                    seconds: deadline.as_secs(),
                })
            })
    }

    async fn follow(
        &self,
        method: Method,
        mut url: Url,
        accept: &str,
    ) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        let mut redirects = Vec::new();
        loop {
            self.check(&url)?;
            let response = self
                .client
                .request(method.clone(), url.clone())
                .header(header::ACCEPT, accept)
                .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
                .send()
                .await
                .map_err(|e| network_error(&url, &e))?;
            let status = response.status();
            if status.is_redirection()
                && status != StatusCode::NOT_MODIFIED
                && let Some(location) = response.headers().get(header::LOCATION)
            {
                if redirects.len() >= MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects {
                        url: url.to_string(),
                    });
                }
                let next = location
                    .to_str()
                    .ok()
                    .and_then(|l| url.join(l).ok())
                    .ok_or_else(|| FetchError::Network {
                        url: url.to_string(),
                        message: "a redirect with an unreadable Location".into(),
                    })?;
                redirects.push(Redirect {
                    from: url,
                    to: next.clone(),
                    status: status.as_u16(),
                });
                url = next;
                continue;
            }
            return self
                .answer(url, response, method == Method::HEAD, started, redirects)
                .await;
        }
    }

    /// Sends one request with a body (a webhook, a post to a social network) and answers the
    /// response as it came: redirects are not followed, since replaying a POST elsewhere is
    /// not what the sender asked for. The SSRF guard and the limits apply as to every fetch.
    pub async fn send(&self, request: Outgoing) -> Result<Fetched, FetchError> {
        let deadline = self.config.timeout;
        let url = request.url.clone();
        tokio::time::timeout(deadline, async {
            self.check(&request.url)?;
            let started = Instant::now();
            let mut builder = self
                .client
                .request(request.method, request.url.clone())
                .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
                .body(request.body);
            for (name, value) in request.headers {
                builder = builder.header(name, value);
            }
            let response = builder
                .send()
                .await
                .map_err(|e| network_error(&request.url, &e))?;
            self.answer(request.url, response, false, started, Vec::new())
                .await
        })
        .await
        .unwrap_or_else(|_| {
            Err(FetchError::Timeout {
                url: url.to_string(),
                seconds: deadline.as_secs(),
            })
        })
    }

    /// Reads a response's body within the limits into a [`Fetched`].
    async fn answer(
        &self,
        url: Url,
        response: reqwest::Response,
        bodiless: bool,
        started: Instant,
        redirects: Vec<Redirect>,
    ) -> Result<Fetched, FetchError> {
        let ttfb = started.elapsed();
        let status = response.status();
        let headers = response.headers().clone();
        let encoding = headers
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty() && v != "identity");
        let raw = if bodiless {
            Bytes::new()
        } else {
            self.read_capped(&url, response).await?
        };
        let wire_bytes = raw.len();
        let body = decode(&url, raw, encoding.as_deref(), self.config.max_bytes)?;
        Ok(Fetched {
            url,
            status: status.as_u16(),
            headers,
            body,
            wire_bytes,
            encoding,
            ttfb,
            elapsed: started.elapsed(),
            redirects,
        })
    }

    async fn read_capped(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Bytes, FetchError> {
        let limit = self.config.max_bytes;
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| network_error(url, &e))? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }
}

/// Undoes the content encoding, stopping at `limit` decoded bytes.
fn decode(
    url: &Url,
    raw: Bytes,
    encoding: Option<&str>,
    limit: usize,
) -> Result<Bytes, FetchError> {
    let reader: Box<dyn Read + '_> = match encoding {
        // An empty body (HEAD, 204, 304) has nothing to decode whatever the header says.
        _ if raw.is_empty() => return Ok(raw),
        None => return Ok(raw),
        Some("gzip" | "x-gzip") => Box::new(flate2::read::GzDecoder::new(&raw[..])),
        // "deflate" is meant to be zlib-wrapped; some servers send it raw.
        Some("deflate") if raw.first().is_some_and(|b| b & 0x0f == 8) => {
            Box::new(flate2::read::ZlibDecoder::new(&raw[..]))
        }
        Some("deflate") => Box::new(flate2::read::DeflateDecoder::new(&raw[..])),
        Some("br") => Box::new(brotli::Decompressor::new(&raw[..], 8192)),
        Some(other) => {
            return Err(FetchError::Network {
                url: url.to_string(),
                message: format!("the server used an unsupported content encoding {other:?}"),
            });
        }
    };
    let mut decoded = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut decoded)
        .map_err(|e| FetchError::Network {
            url: url.to_string(),
            message: format!("the compressed body is corrupt: {e}"),
        })?;
    if decoded.len() > limit {
        return Err(FetchError::TooLarge {
            url: url.to_string(),
            limit,
        });
    }
    Ok(Bytes::from(decoded))
}

/// Turns a reqwest error into ours, recognising the guard's refusal inside it.
fn network_error(url: &Url, error: &reqwest::Error) -> FetchError {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<ResolveRefused>() {
            return FetchError::Refused {
                url: url.to_string(),
                reason: refused.reason,
            };
        }
        source = cause.source();
    }
    let message = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        format!("cannot connect ({})", root_cause(error))
    } else {
        root_cause(error)
    };
    FetchError::Network {
        url: url.to_string(),
        message,
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// Why the guard refuses `ip`, unless it lies in an allowed network.
fn judge(ip: IpAddr, allowed: &[IpNet]) -> Option<&'static str> {
    if allowed.iter().any(|net| net.contains(&ip)) {
        return None;
    }
    refusal(ip)
}

/// The addresses of `host` (resolved to `found`) that may be connected to. A name with both
/// public and private addresses is connected to on the public ones only; with none left, the
/// refusal names why.
fn reachable(
    host: &str,
    found: Vec<SocketAddr>,
    allowed: &[IpNet],
) -> Result<Vec<SocketAddr>, ResolveRefused> {
    let reason = found
        .first()
        .and_then(|a| refusal(a.ip()))
        .unwrap_or("no address at all");
    let public: Vec<SocketAddr> = found
        .into_iter()
        .filter(|a| judge(a.ip(), allowed).is_none())
        .collect();
    if public.is_empty() {
        return Err(ResolveRefused {
            host: host.to_owned(),
            reason,
        });
    }
    Ok(public)
}

/// The resolver the client connects through: only public (or allowed) addresses come out of it.
struct GuardedResolver {
    allowed: Vec<IpNet>,
}

#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {reason}")]
struct ResolveRefused {
    host: String,
    reason: &'static str,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allowed = self.allowed.clone();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public = reachable(&host, found, &allowed)?;
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guarded() -> Fetcher {
        Fetcher::new(FetchConfig::new("http://127.0.0.1:8080")).unwrap()
    }

    #[test]
    fn a_name_is_reachable_on_its_public_addresses_only() {
        let at = |ip: &str| SocketAddr::new(ip.parse().unwrap(), 0);
        let mixed = vec![at("10.0.0.1"), at("93.184.215.14"), at("::1")];
        assert_eq!(
            reachable("mixed.example", mixed, &[]).unwrap(),
            vec![at("93.184.215.14")]
        );
        let private = vec![at("127.0.0.1"), at("169.254.169.254")];
        let refused = reachable("inside.example", private.clone(), &[]).unwrap_err();
        assert_eq!(refused.reason, refusal(at("127.0.0.1").ip()).unwrap());
        let opened = ["127.0.0.0/8".parse().unwrap()];
        assert_eq!(
            reachable("inside.example", private, &opened).unwrap(),
            vec![at("127.0.0.1")]
        );
        assert!(reachable("nothing.example", vec![], &[]).is_err());
    }

    /// A stored URL's name is resolved when it is given. This machine's own name is the one
    /// name a test can resolve without a network (from /etc/hosts); whatever it resolves to,
    /// `vet` must judge it as the resolver would.
    #[tokio::test]
    async fn vetting_resolves_the_name_now() {
        let f = guarded();
        for name in ["localhost.", "LOCALHOST", "a.localhost."] {
            assert!(
                matches!(
                    f.vet(&format!("http://{name}/hook")).await,
                    Err(FetchError::Refused { .. })
                ),
                "{name}"
            );
        }
        let own = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        let own = own.trim();
        if !own.is_empty() && !own.contains('.') {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((own, 0))
                .await
                .map(Iterator::collect)
                .unwrap_or_default();
            let vetted = f.vet(&format!("http://{own}/hook")).await;
            if !found.is_empty() && found.iter().all(|a| refusal(a.ip()).is_some()) {
                assert!(
                    matches!(vetted, Err(FetchError::Refused { .. })),
                    "{own}: {found:?}"
                );
                let open = Fetcher::new(FetchConfig {
                    allowed_networks: found.iter().map(|a| IpNet::from(a.ip())).collect(),
                    ..FetchConfig::new("http://127.0.0.1:8080")
                })
                .unwrap();
                assert!(open.vet(&format!("http://{own}/hook")).await.is_ok());
            } else {
                assert!(vetted.is_ok(), "{own}: {found:?} {vetted:?}");
            }
        }
        assert!(f.vet("https://93.184.215.14/hook").await.is_ok());
    }

    #[test]
    fn only_http_urls_with_public_literal_hosts_pass() {
        let f = guarded();
        assert!(f.parse("https://example.com/a").is_ok());
        assert_eq!(
            f.parse("example.com/pricing").unwrap().as_str(),
            "https://example.com/pricing"
        );
        assert!(matches!(
            f.parse("ftp://example.com/"),
            Err(FetchError::BadUrl(_))
        ));
        assert!(matches!(
            f.parse("file:///etc/passwd"),
            Err(FetchError::BadUrl(_))
        ));
        assert!(matches!(
            f.parse("not a url at all"),
            Err(FetchError::BadUrl(_))
        ));
        for refused in [
            "http://127.0.0.1/",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:10.0.0.1]/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://localhost:3000/",
            "http://api.localhost/",
        ] {
            assert!(
                matches!(f.parse(refused), Err(FetchError::Refused { .. })),
                "{refused} should be refused"
            );
        }
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused_by_the_resolver() {
        let resolver = GuardedResolver {
            allowed: Vec::new(),
        };
        let error = match resolver.resolve("localhost".parse().unwrap()).await {
            Ok(_) => panic!("localhost resolved through the guard"),
            Err(e) => e,
        };
        assert!(error.to_string().contains("loopback"), "{error}");
        let open = GuardedResolver {
            allowed: vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()],
        };
        assert!(open.resolve("localhost".parse().unwrap()).await.is_ok());
    }

    #[test]
    fn allowed_networks_open_one_private_range_only() {
        let mut config = FetchConfig::new("http://127.0.0.1:8080");
        config.allowed_networks = vec!["10.1.2.0/24".parse().unwrap()];
        let f = Fetcher::new(config).unwrap();
        assert!(f.parse("http://10.1.2.3/").is_ok());
        assert!(matches!(
            f.parse("http://10.1.3.3/"),
            Err(FetchError::Refused { .. })
        ));
    }

    #[test]
    fn decoding_stops_at_the_limit() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b'a'; 100_000]).unwrap();
        let bomb = Bytes::from(gz.finish().unwrap());
        let url = Url::parse("https://example.com/").unwrap();
        assert!(bomb.len() < 1_000);
        assert!(matches!(
            decode(&url, bomb.clone(), Some("gzip"), 10_000),
            Err(FetchError::TooLarge { .. })
        ));
        assert_eq!(
            decode(&url, bomb, Some("gzip"), 100_000).unwrap().len(),
            100_000
        );
    }
}
