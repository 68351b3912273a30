//! A site whose visits heycmo counts: its public id, the domains its pages are served from,
//! its time zone (days are counted in it) and the goals that count as conversions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::store::SiteRecord;

/// A host name as the tools' schemas take it (`example.com`, `*.example.com`); the same
/// rules [`Settings::validated`] applies, so a schema-valid domain is one the site accepts.
pub const DOMAIN_PATTERN: &str = r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$";

/// Most domains one site may list.
pub const MAX_DOMAINS: usize = 20;
/// Most goals one site may have.
pub const MAX_GOALS: usize = 50;

/// A visit or an event that counts as a conversion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Goal {
    /// A pageview of this path; a trailing `*` matches every path that starts with the rest.
    Path {
        #[schemars(length(min = 1, max = 300), regex(pattern = r"^/"))]
        path: String,
    },
    /// A custom event of this name (`heycmo('signup')`).
    Event {
        #[schemars(length(min = 1, max = 100))]
        event: String,
    },
}

impl Goal {
    /// The goal as reports name it: `/thank-you` or `event: signup`.
    pub fn label(&self) -> String {
        match self {
            Goal::Path { path } => path.clone(),
            Goal::Event { event } => format!("event: {event}"),
        }
    }

    /// Whether a hit (a pageview of `path`, or an event named `event`) reaches this goal.
    pub fn reached_by(&self, path: &str, event: Option<&str>) -> bool {
        match (self, event) {
            (Goal::Event { event: goal }, Some(name)) => goal == name,
            (Goal::Path { path: goal }, None) => match goal.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => path == goal,
            },
            _ => false,
        }
    }
}

/// What a site's owner sets; every field is checked by [`Settings::validated`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Host names the tracking script may report from (`example.com`, `*.example.com` for
    /// every subdomain); browsers on other origins are refused.
    pub domains: Vec<String>,
    /// An IANA time zone (`Europe/Berlin`); days in reports begin at its midnight.
    pub time_zone: String,
    pub goals: Vec<Goal>,
    /// When true, browsers that send Do-Not-Track or Global Privacy Control are not counted.
    pub respect_do_not_track: bool,
}

impl Settings {
    /// Normalises and checks the settings: host names lower-cased and without a trailing dot,
    /// duplicates dropped, the time zone known.
    pub fn validated(mut self) -> Result<Settings, Error> {
        let mut domains = Vec::with_capacity(self.domains.len());
        for domain in &self.domains {
            let domain = normalise_domain(domain)?;
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        if domains.is_empty() {
            return Err(Error::invalid("/domains", "list at least one domain"));
        }
        if domains.len() > MAX_DOMAINS {
            return Err(Error::invalid(
                "/domains",
                format!("at most {MAX_DOMAINS} domains"),
            ));
        }
        self.domains = domains;
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(Error::invalid(
                "/timeZone",
                format!(
                    "{:?} is not an IANA time zone (for example Europe/Berlin or UTC)",
                    self.time_zone
                ),
            ));
        }
        let mut goals: Vec<Goal> = Vec::with_capacity(self.goals.len());
        for goal in self.goals {
            if !goals.contains(&goal) {
                goals.push(goal);
            }
        }
        if goals.len() > MAX_GOALS {
            return Err(Error::invalid(
                "/goals",
                format!("at most {MAX_GOALS} goals"),
            ));
        }
        self.goals = goals;
        Ok(self)
    }

    /// The site's time zone; settings are validated when stored, so an unknown one (a database
    /// edited by hand) falls back to UTC.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// Whether a browser on `host` may report for this site.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.domains
            .iter()
            .any(|domain| match domain.strip_prefix("*.") {
                Some(parent) => {
                    host == parent
                        || host
                            .strip_suffix(parent)
                            .is_some_and(|sub| sub.ends_with('.'))
                }
                None => host == *domain,
            })
    }
}

/// A site as the tools answer it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    /// `site_` and 16 hex digits: public (the tracking snippet carries it), not a secret.
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub settings: Settings,
    /// The tag to put in every page's `<head>`.
    pub snippet: String,
    pub created_at: String,
    pub updated_at: String,
}

impl Site {
    /// The site of `record`, with the snippet that loads the script from `public_url`.
    pub fn of(record: &SiteRecord, public_url: &str) -> Result<Site, Error> {
        let settings = parse_settings(&record.settings)?;
        Ok(Site {
            snippet: format!(
                "<script defer src=\"{}/js/heycmo.js\" data-site=\"{}\"></script>",
                public_url.trim_end_matches('/'),
                record.id
            ),
            id: record.id.clone(),
            name: record.name.clone(),
            settings,
            created_at: crate::clock::rfc3339(record.created_at),
            updated_at: crate::clock::rfc3339(record.updated_at),
        })
    }
}

/// Reads stored settings.
pub fn parse_settings(json: &str) -> Result<Settings, Error> {
    serde_json::from_str(json)
        .map_err(|e| Error::Internal(format!("stored site settings do not read: {e}")))
}

/// A new public site id.
pub fn new_id() -> String {
    format!("site_{}", crate::auth::random_hex(8))
}

/// A host name as the browser's `Origin` carries it: no scheme, path or port.
fn normalise_domain(raw: &str) -> Result<String, Error> {
    let domain = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let (wildcard, host) = match domain.strip_prefix("*.") {
        Some(rest) => ("*.", rest),
        None => ("", domain.as_str()),
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if host.len() > 253 || !host.split('.').all(label_ok) {
        return Err(Error::invalid(
            "/domains",
            format!(
                "{raw:?} is not a host name: write it as the browser's address bar shows it, \
                 without scheme, port or path (example.com, shop.example.com or *.example.com)"
            ),
        ));
    }
    Ok(format!("{wildcard}{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(domains: &[&str]) -> Settings {
        Settings {
            domains: domains.iter().map(|d| (*d).to_owned()).collect(),
            time_zone: "Europe/Berlin".into(),
            goals: Vec::new(),
            respect_do_not_track: false,
        }
    }

    #[test]
    fn domains_are_host_names_and_wildcards_cover_subdomains() {
        let site = settings(&["Example.COM.", "*.shop.example", "example.com"])
            .validated()
            .unwrap();
        assert_eq!(site.domains, ["example.com", "*.shop.example"]);
        assert!(site.allows_host("example.com"));
        assert!(!site.allows_host("www.example.com"));
        assert!(site.allows_host("eu.shop.example"));
        assert!(site.allows_host("shop.example"));
        assert!(!site.allows_host("evilshop.example"));
        for bad in [
            "https://example.com",
            "example.com/",
            "example.com:8080",
            "",
            "-a.com",
        ] {
            let error = settings(&[bad]).validated().unwrap_err();
            assert_eq!(error.code(), "E_INVALID_INPUT", "{bad}");
        }
        assert!(settings(&[]).validated().is_err());
    }

    #[test]
    fn the_schema_pattern_and_the_check_agree() {
        let pattern = regex::Regex::new(DOMAIN_PATTERN).unwrap();
        for domain in [
            "example.com",
            "Shop.Example.",
            "*.example.com",
            "127.0.0.2",
            "a-b.c",
            "https://example.com",
            "example.com/",
            "example.com:8080",
            "-a.com",
            "a-.com",
            "*.",
            "a..b",
            "ex ample.com",
        ] {
            assert_eq!(
                pattern.is_match(domain),
                settings(&[domain]).validated().is_ok(),
                "{domain}"
            );
        }
    }

    #[test]
    fn the_time_zone_must_be_known() {
        let mut s = settings(&["example.com"]);
        s.time_zone = "Mars/Olympus".into();
        let message = s.validated().unwrap_err().to_string();
        assert!(message.contains("IANA"), "{message}");
    }

    #[test]
    fn goals_match_paths_prefixes_and_events() {
        let thanks = Goal::Path {
            path: "/thank-you".into(),
        };
        let docs = Goal::Path {
            path: "/docs/*".into(),
        };
        let signup = Goal::Event {
            event: "signup".into(),
        };
        assert!(thanks.reached_by("/thank-you", None));
        assert!(!thanks.reached_by("/thank-you/2", None));
        assert!(docs.reached_by("/docs/start", None));
        assert!(!docs.reached_by("/doc", None));
        assert!(signup.reached_by("/pricing", Some("signup")));
        assert!(!signup.reached_by("/signup", None));
        assert!(!thanks.reached_by("/thank-you", Some("signup")));
    }
}
