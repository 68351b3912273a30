//! The DNS-rebinding guard the MCP spec requires: `Host` must name this server and a browser's
//! `Origin`, when present, must be one we trust.
//!
//! A web page on another site can make a browser send requests to a server on localhost through
//! a DNS name it controls; the `Host` header then carries that name, and `Origin` the page's site.
//! Both MCP transports run this check before anything else, so the two behave alike.

use http::header;
use http::request::Parts;

use crate::error::Error;

/// Which `Host` and `Origin` values are accepted.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    /// Host names, optionally with `:port`; a name without a port matches any port.
    hosts: Vec<String>,
    /// Exact origins (`scheme://host[:port]`).
    origins: Vec<String>,
}

/// `host[:port]` of a URL, lowercased.
fn authority_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

/// Pages served from this machine (any port): a DNS-rebinding page always carries its own,
/// foreign origin, and a local page can reach loopback directly anyway.
fn is_loopback_origin(origin: &str) -> bool {
    url::Url::parse(origin).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https")
            && matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
    })
}

/// Splits `host[:port]`, keeping IPv6 brackets intact.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[')
        && let Some(end) = rest.find(']')
    {
        let host = &authority[..end + 2];
        let port = authority[end + 2..].strip_prefix(':');
        return (host, port);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, Some(port)),
        _ => (authority, None),
    }
}

impl HostPolicy {
    /// Loopback names, the public URL's host, and whatever the operator adds.
    pub fn new(public_url: &str, extra_hosts: &[String], extra_origins: &[String]) -> HostPolicy {
        let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .map(String::from)
            .to_vec();
        hosts.extend(authority_of(public_url).map(|a| split_port(&a).0.to_owned()));
        hosts.extend(extra_hosts.iter().map(|h| h.to_ascii_lowercase()));
        let mut origins: Vec<String> = origin_of(public_url).into_iter().collect();
        origins.extend(
            extra_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase()),
        );
        HostPolicy { hosts, origins }
    }

    fn host_allowed(&self, authority: &str) -> bool {
        let (host, port) = split_port(authority);
        self.hosts.iter().any(|allowed| {
            let (allowed_host, allowed_port) = split_port(allowed);
            allowed_host.eq_ignore_ascii_case(host) && allowed_port.is_none_or(|p| Some(p) == port)
        })
    }

    /// Refuses requests whose `Host` or `Origin` is not ours.
    pub fn check(&self, parts: &Parts) -> Result<(), Error> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()));
        match host {
            Some(host) if self.host_allowed(host) => {}
            Some(_) => {
                return Err(Error::Forbidden(
                    "Host not allowed (DNS-rebinding protection); see --allowed-host".into(),
                ));
            }
            None => return Err(Error::BadRequest("Missing Host header".into())),
        }
        if let Some(origin) = parts.headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or_default().to_ascii_lowercase();
            if !self.origins.contains(&origin) && !is_loopback_origin(&origin) {
                return Err(Error::Forbidden(
                    "Origin not allowed; see --allowed-origin".into(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(host: &str, origin: Option<&str>) -> Parts {
        let mut builder = http::Request::builder().uri("/mcp").header("host", host);
        if let Some(origin) = origin {
            builder = builder.header("origin", origin);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn loopback_and_public_hosts_pass_others_do_not() {
        let policy = HostPolicy::new("https://cmo.example.com", &[], &[]);
        assert!(policy.check(&parts("127.0.0.1:8080", None)).is_ok());
        assert!(policy.check(&parts("localhost", None)).is_ok());
        assert!(policy.check(&parts("[::1]:9000", None)).is_ok());
        assert!(
            policy
                .check(&parts("cmo.example.com", Some("https://cmo.example.com")))
                .is_ok()
        );
        assert!(policy.check(&parts("evil.example", None)).is_err());
        assert!(
            policy
                .check(&parts("127.0.0.1:8080", Some("https://evil.example")))
                .is_err()
        );
    }

    #[test]
    fn operator_additions_count() {
        let policy = HostPolicy::new(
            "http://127.0.0.1:8080",
            &["intranet:8080".into()],
            &["http://intranet:8080".into()],
        );
        assert!(
            policy
                .check(&parts("intranet:8080", Some("http://intranet:8080")))
                .is_ok()
        );
        assert!(policy.check(&parts("intranet:9090", None)).is_err());
    }
}
