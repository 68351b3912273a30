//! Server configuration, built by the CLI from flags and `HEYCMO_*` variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::ratelimit::RateLimits;

/// Everything `serve` and `stdio` need to know.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub db: PathBuf,
    /// The base URL clients reach this server at; links and endpoints are built from it.
    /// Defaults to `http://<bind>`.
    pub public_url: Option<String>,
    /// Enables `POST /api/admin/provision`; without it the route answers `E_DISABLED`.
    pub admin_secret: Option<String>,
    pub limits: RateLimits,
    /// Extra `Host` values accepted besides loopback and the public URL's host (DNS-rebinding guard).
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed to call the MCP endpoints; others are refused.
    pub allowed_origins: Vec<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long a verified key is trusted without a database read; bounds how long a revoked
    /// key keeps working.
    pub key_cache_ttl: Duration,
    /// Lets tools fetch loopback and private addresses (the SSRF guard is off).
    pub allow_private_fetch: bool,
    /// Private networks fetches may reach with the guard on.
    pub allowed_fetch_networks: Vec<ipnet::IpNet>,
    /// Private networks the keyless `/live` may reach; the two settings above never apply to it.
    pub allowed_live_networks: Vec<ipnet::IpNet>,
    /// Deadline of one fetch of another site, redirects included.
    pub fetch_timeout: Duration,
    /// Largest body fetched from another site, before and after decompression.
    pub fetch_max_bytes: usize,
    /// The server's own language model, if any.
    pub llm: crate::llm::LlmConfig,
    /// The answer engines `check_ai_visibility` asks.
    pub answer_engines: Vec<crate::visibility::EngineSpec>,
    /// Most asks (queries × repeats × engines) one visibility run may make.
    pub visibility_max_asks: u32,
    /// The SMTP server sequences send through (`--smtp-url`); holds a password.
    pub smtp_url: Option<String>,
    /// Sequence mail's sender (`--mail-from`).
    pub mail_from: Option<String>,
    /// Stripe, when sign-ups are paid (`--stripe-*`); without it `POST /api/checkout` starts a
    /// local 30-day trial.
    pub stripe: Option<crate::billing::StripeConfig>,
    /// Where Google Analytics and Search Console are reached.
    pub google: crate::google::GoogleConfig,
    /// Streamable HTTP sessions one customer may hold open at once.
    pub max_mcp_sessions: usize,
    /// How long a request's head may take to arrive, and so how long an idle keep-alive
    /// connection stays open (see `http::connections`).
    pub header_timeout: Duration,
    /// Connections one client address may hold open before any of them authenticates.
    pub max_preauth_connections: usize,
    /// How often the status page's readiness probes run.
    pub status_probe_interval: Duration,
    /// The job engine's workers and retry timing.
    pub jobs: crate::jobs::JobConfig,
    /// When webhook deliveries give up and subscriptions are disabled.
    pub webhooks: crate::webhooks::deliver::DeliveryPolicy,
    /// The server key that seals stored secrets, as 64 hex digits; else read from (or created
    /// at) `secret_key_file`.
    pub secret_key: Option<String>,
    /// Where the server key lives; default: beside the database, `<db>.key`.
    pub secret_key_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: PathBuf::from("heycmo.db"),
            public_url: None,
            admin_secret: None,
            limits: RateLimits::default(),
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            max_body_bytes: 1024 * 1024,
            key_cache_ttl: Duration::from_secs(10),
            allow_private_fetch: false,
            allowed_fetch_networks: Vec::new(),
            allowed_live_networks: Vec::new(),
            fetch_timeout: Duration::from_secs(15),
            fetch_max_bytes: 5 * 1024 * 1024,
            llm: crate::llm::LlmConfig::default(),
            answer_engines: Vec::new(),
            visibility_max_asks: 100,
            smtp_url: None,
            mail_from: None,
            stripe: None,
            google: crate::google::GoogleConfig::default(),
            max_mcp_sessions: 256,
            header_timeout: Duration::from_secs(10),
            status_probe_interval: Duration::from_secs(60),
            max_preauth_connections: 64,
            jobs: crate::jobs::JobConfig::default(),
            webhooks: crate::webhooks::deliver::DeliveryPolicy::default(),
            secret_key: None,
            secret_key_file: None,
        }
    }
}

impl Config {
    /// The mailer of `--smtp-url` and `--mail-from`: none without a URL; both or neither.
    pub fn mailer(&self) -> Result<Option<crate::sequences::mailer::Mailer>, String> {
        match (&self.smtp_url, &self.mail_from) {
            (None, None) => Ok(None),
            (Some(url), Some(from)) => crate::sequences::mailer::Mailer::new(url, from).map(Some),
            (Some(_), None) => Err("--smtp-url needs --mail-from, the sender's address".into()),
            (None, Some(_)) => Err("--mail-from needs --smtp-url, the mail server".into()),
        }
    }

    /// The Stripe client of `--stripe-*`: none without a secret key; the key, the price and
    /// the webhook secret together or not at all.
    pub fn stripe(&self) -> Result<Option<crate::billing::Stripe>, String> {
        let Some(config) = &self.stripe else {
            return Ok(None);
        };
        for (flag, value) in [
            ("--stripe-secret-key", &config.secret_key),
            ("--stripe-price", &config.price),
            ("--stripe-webhook-secret", &config.webhook_secret),
        ] {
            if value.is_empty() {
                return Err(format!("Stripe needs {flag} as well"));
            }
        }
        if !config.webhook_secret.starts_with("whsec_") {
            return Err("--stripe-webhook-secret is the endpoint's signing secret, whsec_…".into());
        }
        crate::billing::Stripe::new(config.clone())
            .map(Some)
            .map_err(|e| e.to_string())
    }

    /// The public base URL without a trailing slash; `bound` is the address actually listened on
    /// (which differs from `bind` when the port was 0).
    /// The fetcher's settings; `public_url` goes into its user agent.
    pub fn fetch(&self, public_url: &str) -> crate::web::FetchConfig {
        crate::web::FetchConfig {
            allow_private: self.allow_private_fetch,
            timeout: self.fetch_timeout,
            max_bytes: self.fetch_max_bytes,
            allowed_networks: self.allowed_fetch_networks.clone(),
            ..crate::web::FetchConfig::new(public_url)
        }
    }

    /// The settings of `/live`'s fetcher: the tools' limits, with the guard always on and only
    /// the networks opened for `/live` itself. It needs no key, so it must never let an
    /// anonymous visitor probe the operator's private network.
    pub fn live_fetch(&self, public_url: &str) -> crate::web::FetchConfig {
        crate::web::FetchConfig {
            allow_private: false,
            allowed_networks: self.allowed_live_networks.clone(),
            ..self.fetch(public_url)
        }
    }

    /// The vault sealing stored secrets, keyed as configured.
    pub fn vault(&self) -> Result<crate::vault::Vault, crate::vault::VaultError> {
        match &self.secret_key {
            Some(key) => crate::vault::Vault::from_hex(key),
            None => {
                crate::vault::Vault::from_file(&self.secret_key_file.clone().unwrap_or_else(|| {
                    let mut path = self.db.clone().into_os_string();
                    path.push(".key");
                    PathBuf::from(path)
                }))
            }
        }
    }

    pub fn public_url(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }
}
