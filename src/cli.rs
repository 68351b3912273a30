//! The command line, as the README's "Command line" section lists it; scripts rely on it.
//! Every flag has a `HEYCMO_<FLAG>` environment variable.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::account::sse_endpoint;
use crate::app::{App, StartError};
use crate::auth::{self, Principal};
use crate::config::Config;
use crate::ratelimit::RateLimits;
use crate::registry::{Outcome, Registry, Surface};
use crate::store::KeyScope;

/// The public URL used when none is configured and no server is listening (export, CLI output).
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

#[derive(Debug, Parser)]
#[command(
    name = "heycmo",
    version,
    about = "Self-hostable, MCP-first AI CMO server"
)]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Globals {
    /// The SQLite database file (created on first start).
    #[arg(long, global = true, env = "HEYCMO_DB", default_value = "heycmo.db")]
    pub db: PathBuf,
    /// Let tools fetch loopback and private-network URLs (tests, intranet sites). Off by default:
    /// fetching them from a server is how SSRF attacks reach internal services.
    #[arg(long, global = true, env = "HEYCMO_ALLOW_PRIVATE_FETCH")]
    pub allow_private_fetch: bool,
    /// Private networks tools may fetch even with the guard on (CIDR, comma-separated), for one
    /// intranet site rather than --allow-private-fetch's all.
    #[arg(
        long = "allow-fetch-network",
        global = true,
        env = "HEYCMO_ALLOW_FETCH_NETWORKS",
        value_delimiter = ','
    )]
    pub allow_fetch_networks: Vec<ipnet::IpNet>,
    /// Private networks the keyless `/live` page may audit (CIDR, comma-separated). Neither
    /// --allow-private-fetch nor --allow-fetch-network reaches `/live`: anyone can call it, so
    /// what it may fetch is opened on its own.
    #[arg(
        long = "allow-live-network",
        global = true,
        env = "HEYCMO_ALLOW_LIVE_NETWORKS",
        value_delimiter = ','
    )]
    pub allow_live_networks: Vec<ipnet::IpNet>,
    /// Seconds a fetch of another site may take, redirects included.
    #[arg(
        long,
        global = true,
        env = "HEYCMO_FETCH_TIMEOUT_SECONDS",
        default_value_t = 15
    )]
    pub fetch_timeout_seconds: u64,
    /// Largest page or file fetched from another site, in bytes (also after decompression).
    #[arg(long, global = true, env = "HEYCMO_FETCH_MAX_BYTES", default_value_t = 5 * 1024 * 1024)]
    pub fetch_max_bytes: usize,
    /// The server's language model: none (the client's via sampling, or offline), an
    /// OpenAI-compatible server, or Anthropic.
    #[arg(
        long,
        global = true,
        env = "HEYCMO_LLM",
        value_enum,
        default_value = "none"
    )]
    pub llm: crate::llm::Provider,
    /// The provider's base URL (default: its public API; for Ollama http://127.0.0.1:11434/v1).
    #[arg(long, global = true, env = "HEYCMO_LLM_BASE_URL")]
    pub llm_base_url: Option<String>,
    /// The provider's API key; never logged.
    #[arg(
        long,
        global = true,
        env = "HEYCMO_LLM_API_KEY",
        hide_env_values = true
    )]
    pub llm_api_key: Option<String>,
    /// The model (default gpt-4o-mini for openai, claude-sonnet-4-5 for anthropic).
    #[arg(long, global = true, env = "HEYCMO_LLM_MODEL")]
    pub llm_model: Option<String>,
    /// Seconds one model call may take.
    #[arg(
        long,
        global = true,
        env = "HEYCMO_LLM_TIMEOUT_SECONDS",
        default_value_t = 120
    )]
    pub llm_timeout_seconds: u64,
    /// Attempts per model call on 429, 5xx and lost connections, the first included.
    #[arg(long, global = true, env = "HEYCMO_LLM_ATTEMPTS", default_value_t = 3)]
    pub llm_attempts: u32,
    /// An answer engine for check_ai_visibility, repeatable:
    /// NAME=KIND[,base_url=URL][,model=M][,key_env=VAR][,web_search=off], KIND one of
    /// openai-responses, perplexity, openai-chat, anthropic, sampling; the API key is read from
    /// the environment variable key_env names. HEYCMO_ANSWER_ENGINES holds several, split by ';'.
    #[arg(
        long = "answer-engine",
        global = true,
        env = "HEYCMO_ANSWER_ENGINES",
        value_delimiter = ';'
    )]
    pub answer_engines: Vec<crate::visibility::EngineSpec>,
    /// Most asks (queries × repeats × engines) one visibility run may make.
    #[arg(
        long,
        global = true,
        env = "HEYCMO_VISIBILITY_MAX_ASKS",
        default_value_t = 100
    )]
    pub visibility_max_asks: u32,
    /// The mail server sequences send through: smtp://user:password@host:587 (STARTTLS,
    /// required unless the host is loopback) or smtps://user:password@host:465 (TLS). Keep the
    /// password out of shell history: HEYCMO_SMTP_URL.
    #[arg(long, global = true, env = "HEYCMO_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of sequence mail, "Name <address>"; a sequence's `from` overrides it.
    #[arg(long, global = true, env = "HEYCMO_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Google's OAuth token endpoint, for Google Analytics and Search Console connections
    /// (default https://oauth2.googleapis.com/token).
    #[arg(long, global = true, env = "HEYCMO_GOOGLE_TOKEN_URL")]
    pub google_token_url: Option<String>,
    /// The GA4 Data API (default https://analyticsdata.googleapis.com).
    #[arg(long = "ga4-base-url", global = true, env = "HEYCMO_GA4_BASE_URL")]
    pub ga4_base_url: Option<String>,
    /// The Search Console API (default https://searchconsole.googleapis.com).
    #[arg(long, global = true, env = "HEYCMO_SEARCH_CONSOLE_BASE_URL")]
    pub search_console_base_url: Option<String>,
    /// Job workers (publishing, webhook deliveries, briefings) this process runs.
    #[arg(long, global = true, env = "HEYCMO_WORKERS", default_value_t = 2)]
    pub workers: usize,
    /// Milliseconds before a failed job's first retry; doubled per attempt, with ±20 % jitter.
    #[arg(
        long,
        global = true,
        env = "HEYCMO_JOB_BACKOFF_MS",
        default_value_t = 10_000
    )]
    pub job_backoff_ms: u64,
    /// Longest wait between two attempts of a job, in milliseconds.
    #[arg(
        long,
        global = true,
        env = "HEYCMO_JOB_MAX_BACKOFF_MS",
        default_value_t = 3_600_000
    )]
    pub job_max_backoff_ms: u64,
    /// Seconds a worker holds a job before another may take it over (after a crash).
    #[arg(
        long,
        global = true,
        env = "HEYCMO_JOB_LEASE_SECONDS",
        default_value_t = 300
    )]
    pub job_lease_seconds: u64,
    /// Failed webhook attempts in a row after which a subscription is disabled.
    #[arg(
        long,
        global = true,
        env = "HEYCMO_WEBHOOK_DISABLE_AFTER",
        default_value_t = 50
    )]
    pub webhook_disable_after: u32,
    /// The file holding the server key that seals stored secrets (created if missing;
    /// default: the database path plus `.key`). Back it up with the database.
    #[arg(long, global = true, env = "HEYCMO_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// The server key itself, as 64 hex digits, instead of a file.
    #[arg(long, global = true, env = "HEYCMO_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
}

impl Globals {
    /// The configuration these flags set; the rest is default.
    fn config(&self) -> Config {
        Config {
            db: self.db.clone(),
            allow_private_fetch: self.allow_private_fetch,
            allowed_fetch_networks: self.allow_fetch_networks.clone(),
            allowed_live_networks: self.allow_live_networks.clone(),
            fetch_timeout: std::time::Duration::from_secs(self.fetch_timeout_seconds.max(1)),
            fetch_max_bytes: self.fetch_max_bytes,
            llm: crate::llm::LlmConfig {
                provider: self.llm,
                base_url: self.llm_base_url.clone(),
                api_key: self.llm_api_key.clone().filter(|k| !k.is_empty()),
                model: self.llm_model.clone(),
                timeout: std::time::Duration::from_secs(self.llm_timeout_seconds.max(1)),
                attempts: self.llm_attempts.max(1),
            },
            answer_engines: self.answer_engines.clone(),
            visibility_max_asks: self.visibility_max_asks.max(1),
            smtp_url: self.smtp_url.clone().filter(|u| !u.is_empty()),
            mail_from: self.mail_from.clone().filter(|f| !f.is_empty()),
            google: {
                let default = crate::google::GoogleConfig::default();
                crate::google::GoogleConfig {
                    token_url: self.google_token_url.clone().unwrap_or(default.token_url),
                    ga4_base_url: self.ga4_base_url.clone().unwrap_or(default.ga4_base_url),
                    search_console_base_url: self
                        .search_console_base_url
                        .clone()
                        .unwrap_or(default.search_console_base_url),
                    ..default
                }
            },
            jobs: crate::jobs::JobConfig {
                workers: self.workers,
                backoff: std::time::Duration::from_millis(self.job_backoff_ms.max(1)),
                max_backoff: std::time::Duration::from_millis(self.job_max_backoff_ms.max(1)),
                lease: std::time::Duration::from_secs(self.job_lease_seconds.max(1)),
                ..crate::jobs::JobConfig::default()
            },
            webhooks: crate::webhooks::deliver::DeliveryPolicy {
                disable_after: self.webhook_disable_after.max(1),
                ..crate::webhooks::deliver::DeliveryPolicy::default()
            },
            secret_key: self.secret_key.clone().filter(|k| !k.is_empty()),
            secret_key_file: self.secret_key_file.clone(),
            ..Config::default()
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve REST, MCP (SSE and Streamable HTTP) and discovery over HTTP.
    Serve(Box<ServeArgs>),
    /// Serve MCP over stdin/stdout for a local agent.
    Stdio {
        /// Act as this customer (default: the local customer, created if missing).
        #[arg(long, env = "HEYCMO_CUSTOMER")]
        customer: Option<String>,
        /// The URL of the HTTP server on the same database, for links in results (default:
        /// the one that server recorded when it last started, else http://127.0.0.1:8080).
        #[arg(long, env = "HEYCMO_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Manage customers.
    #[command(subcommand)]
    Customers(CustomersCommand),
    /// Manage a customer's API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Print a one-time sign-in link (15 minutes) for the person with this email: the
    /// customer's owner, or a teammate whose key is labelled with it.
    LoginLink {
        #[arg(long)]
        email: String,
        /// The server's public URL (default: the one the server on this database recorded
        /// when it last started, else http://127.0.0.1:8080).
        #[arg(long, env = "HEYCMO_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// The tool registry.
    #[command(subcommand)]
    Tools(ToolsCommand),
    /// Run one tool as a customer and print its output.
    Call {
        tool: String,
        /// The input, as JSON (default `{}`).
        #[arg(default_value = "{}")]
        input: String,
        #[arg(long, env = "HEYCMO_CUSTOMER")]
        customer: Option<String>,
    },
    /// Write schemas/ and server-card/ (what `make schemas` runs).
    Export {
        #[arg(long, env = "HEYCMO_OUT", default_value = ".")]
        out: PathBuf,
        #[arg(long, env = "HEYCMO_PUBLIC_URL", default_value = DEFAULT_PUBLIC_URL)]
        public_url: String,
    },
    /// Client configuration snippets.
    #[command(subcommand)]
    Mcp(McpCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, env = "HEYCMO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// The URL clients reach this server at (default http://<bind>).
    #[arg(long, env = "HEYCMO_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Enables POST /api/admin/provision.
    #[arg(long, env = "HEYCMO_ADMIN_SECRET", hide_env_values = true)]
    pub admin_secret: Option<String>,
    /// Extra Host names accepted on the MCP endpoints (comma-separated).
    #[arg(
        long = "allowed-host",
        env = "HEYCMO_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed on the MCP endpoints (comma-separated).
    #[arg(
        long = "allowed-origin",
        env = "HEYCMO_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Largest request body, in bytes.
    #[arg(long, env = "HEYCMO_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds a verified key is trusted without a database read (a revoked key works at most
    /// this long); 0 checks the database on every request.
    #[arg(long, env = "HEYCMO_KEY_CACHE_SECONDS", default_value_t = 10)]
    pub key_cache_seconds: u64,
    /// Streamable HTTP sessions one customer may hold open; opening one more answers 429.
    #[arg(long, env = "HEYCMO_MAX_MCP_SESSIONS", default_value_t = 256)]
    pub max_mcp_sessions: usize,
    /// Seconds a request's headers may take to arrive; an idle keep-alive connection is closed
    /// after as long. Streaming responses are not affected.
    #[arg(long, env = "HEYCMO_HEADER_TIMEOUT_SECONDS", default_value_t = 10)]
    pub header_timeout_seconds: u64,
    /// Connections one client address may hold open before any of them authenticates; past
    /// it a new connection is closed at once.
    #[arg(long, env = "HEYCMO_MAX_PREAUTH_CONNECTIONS", default_value_t = 64)]
    pub max_preauth_connections: usize,
    /// Seconds between the status page's readiness probes (database, job queue, webhook
    /// delivery, model engine).
    #[arg(long, env = "HEYCMO_STATUS_PROBE_SECONDS", default_value_t = 60)]
    pub status_probe_seconds: u64,
    /// REST requests per minute per customer.
    #[arg(long, env = "HEYCMO_RATE_REST", default_value_t = RateLimits::default().rest)]
    pub rate_rest: u32,
    /// MCP tool calls per minute per customer.
    #[arg(long, env = "HEYCMO_RATE_MCP", default_value_t = RateLimits::default().mcp)]
    pub rate_mcp: u32,
    /// Unauthenticated attempts per minute per IP.
    #[arg(long, env = "HEYCMO_RATE_PREAUTH", default_value_t = RateLimits::default().preauth)]
    pub rate_preauth: u32,
    #[arg(long, env = "HEYCMO_RATE_CHECKOUT", default_value_t = RateLimits::default().checkout)]
    pub rate_checkout: u32,
    #[arg(long, env = "HEYCMO_RATE_WEBHOOKS", default_value_t = RateLimits::default().webhooks)]
    pub rate_webhooks: u32,
    /// Admin requests per minute per IP.
    #[arg(long, env = "HEYCMO_RATE_ADMIN", default_value_t = RateLimits::default().admin)]
    pub rate_admin: u32,
    /// Stripe's secret key (sk_…); with --stripe-price and --stripe-webhook-secret, sign-ups
    /// go through Stripe Checkout. Without it, POST /api/checkout starts a local 30-day trial.
    #[arg(long, env = "HEYCMO_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// The recurring price a sign-up subscribes to (price_…).
    #[arg(long, env = "HEYCMO_STRIPE_PRICE")]
    pub stripe_price: Option<String>,
    /// The signing secret of the webhook endpoint POST /api/webhooks/stripe (whsec_…).
    #[arg(long, env = "HEYCMO_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Stripe's API (default https://api.stripe.com).
    #[arg(
        long,
        env = "HEYCMO_STRIPE_BASE_URL",
        default_value = "https://api.stripe.com"
    )]
    pub stripe_base_url: String,
    /// Analytics hits per minute per IP (`POST /api/collect`).
    #[arg(long, env = "HEYCMO_RATE_COLLECT", default_value_t = RateLimits::default().collect)]
    pub rate_collect: u32,
}

#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// Create a customer with an owner key; prints {customerId, email, apiKey, mcpEndpoint}.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "pro")]
        plan: String,
        /// The server's public URL, for the printed endpoint (default: the one the server on
        /// this database recorded when it last started, else http://127.0.0.1:8080).
        #[arg(long, env = "HEYCMO_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// List the customers; prints {customers: [{customerId, email, plan, status, brandName, createdAt}]}.
    List,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Mint a key; prints it once.
    Create {
        #[arg(long, env = "HEYCMO_CUSTOMER")]
        customer: Option<String>,
        /// owner, member or read-only.
        #[arg(long, default_value = "member")]
        scope: KeyScope,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List keys (prefixes only; the secrets are not stored).
    List {
        #[arg(long, env = "HEYCMO_CUSTOMER")]
        customer: Option<String>,
    },
    /// Revoke a key by id.
    Revoke {
        key_id: String,
        #[arg(long, env = "HEYCMO_CUSTOMER")]
        customer: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// List the tools.
    List,
}

#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Print the Claude Desktop / Cursor snippet.
    Config {
        /// The server's public URL (default: the one the server on this database recorded when
        /// it last started, else http://127.0.0.1:8080).
        #[arg(long, env = "HEYCMO_PUBLIC_URL")]
        url: Option<String>,
        /// The API key to embed (default: a placeholder).
        #[arg(long, env = "HEYCMO_KEY", hide_env_values = true)]
        key: Option<String>,
        /// Print the stdio form (the client starts `heycmo stdio`) instead.
        #[arg(long)]
        stdio: bool,
    },
}

/// A failure of a command, printed to stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("{0}")]
    Api(#[from] crate::error::Error),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
}

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON prints")
    );
}

/// Opens the app on the command line's database, for a command whose printed endpoints name
/// `given` or, without it, the URL the server on this database recorded (see [`recorded_url`]).
async fn open(globals: &Globals, given: Option<String>) -> Result<(Arc<App>, String), CliError> {
    let config = globals.config();
    let existed = config.db.exists();
    let store = App::store(&config)?;
    let public_url = url_in(&store, given).await?;
    let app = on_store(config, store, public_url.clone(), existed)?;
    Ok((app, public_url))
}

/// Opens the app on `config`'s database for the HTTP server, which knows its own URL.
fn open_config(config: Config, public_url: &str) -> Result<Arc<App>, CliError> {
    let existed = config.db.exists();
    let store = App::store(&config)?;
    on_store(config, store, public_url.to_owned(), existed)
}

/// The app on `store`, saying on stderr when opening it created the database file (it had not
/// `existed`): a command run from another directory would otherwise act on an empty database
/// and customer without a word.
fn on_store(
    config: Config,
    store: crate::store::Store,
    public_url: String,
    existed: bool,
) -> Result<Arc<App>, CliError> {
    let registry = Registry::builtin().map_err(StartError::Registry)?;
    let app = App::on_store(config, store, public_url, registry)?;
    if !existed {
        eprintln!(
            "heycmo: created a new database at {} (there was none); point at another with --db PATH or HEYCMO_DB",
            absolute(&app.config.db).display()
        );
    }
    Ok(app)
}

/// The public URL printed endpoints use: the one given, else the one the HTTP server on this
/// database recorded when it last started (so a server on another port is named right), else
/// the default. Reads the database without creating it.
async fn recorded_url(globals: &Globals, given: Option<String>) -> Result<String, CliError> {
    if let Some(url) = given {
        return Ok(url);
    }
    if !globals.db.exists() {
        return Ok(DEFAULT_PUBLIC_URL.to_owned());
    }
    url_in(&crate::store::Store::open(&globals.db)?, None).await
}

/// `given`, else the public URL recorded in `store`, else the default.
async fn url_in(store: &crate::store::Store, given: Option<String>) -> Result<String, CliError> {
    Ok(match given {
        Some(url) => url,
        None => store
            .public_url()
            .await?
            .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_owned()),
    })
}

/// `path` made absolute against the working directory, for messages and client snippets that
/// are read or run from elsewhere.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// The customer a command acts for: the one named, or the local one.
async fn principal(app: &App, customer: Option<String>) -> Result<Principal, CliError> {
    let customer = match customer {
        Some(id) => app
            .store
            .customer(&id)
            .await?
            .ok_or_else(|| CliError::Usage(format!("no customer {id}")))?,
        None => app.local_customer().await?.0,
    };
    Ok(Principal::local(customer))
}

/// Runs the parsed command. `settled` is called once a long-running command has started and
/// is ready: the binary hands its allocator's start-up leftovers back to the system there.
pub async fn run(cli: Cli, settled: fn()) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => serve(&cli.globals, *args, settled).await,
        Command::Stdio {
            customer,
            public_url,
        } => {
            let (app, _) = open(&cli.globals, public_url).await?;
            let principal = principal(&app, customer).await?;
            let shutdown = CancellationToken::new();
            let background = app.start_background(shutdown.clone());
            let surface = crate::library::surface(app.clone());
            settled();
            let served = crate::mcp::stdio::serve(surface, principal).await;
            shutdown.cancel();
            background.join_all().await;
            app.events.flush().await?;
            Ok(served?)
        }
        Command::Customers(CustomersCommand::Create {
            email,
            plan,
            public_url,
        }) => {
            let (app, public_url) = open(&cli.globals, public_url).await?;
            let provisioned = app.provision(&email, &plan).await?;
            print_json(&json!({
                "customerId": provisioned.customer.id,
                "email": provisioned.customer.email,
                "apiKey": provisioned.api_key,
                "mcpEndpoint": sse_endpoint(&public_url, Some(&provisioned.api_key)),
            }));
            Ok(())
        }
        Command::Customers(CustomersCommand::List) => {
            let (app, _) = open(&cli.globals, None).await?;
            let customers: Vec<Value> = app
                .store
                .customers()
                .await?
                .into_iter()
                .map(|c| {
                    json!({
                        "customerId": c.id,
                        "email": c.email,
                        "plan": c.plan,
                        "status": c.status,
                        "brandName": c.brand_name,
                        "createdAt": crate::clock::rfc3339(c.created_at),
                    })
                })
                .collect();
            print_json(&json!({ "customers": customers }));
            Ok(())
        }
        Command::Keys(command) => keys(&cli.globals, command).await,
        Command::LoginLink { email, public_url } => {
            let (app, public_url) = open(&cli.globals, public_url).await?;
            let url =
                crate::auth::people::link(&app.store, app.clock.as_ref(), &public_url, &email)
                    .await?
                    .ok_or_else(|| {
                        crate::error::Error::NotFound(format!(
                            "No account or teammate key has the email {email}"
                        ))
                    })?;
            println!("{url}");
            Ok(())
        }
        Command::Tools(ToolsCommand::List) => {
            let registry = Registry::builtin().map_err(StartError::from)?;
            for spec in registry.tools() {
                println!(
                    "{:<24} {:<10} {}",
                    spec.name(),
                    spec.entry.scope.as_str(),
                    spec.entry.title
                );
            }
            Ok(())
        }
        Command::Call {
            tool,
            input,
            customer,
        } => {
            let input: Value = serde_json::from_str(&input)
                .map_err(|e| CliError::Usage(format!("the input is not JSON: {e}")))?;
            let (app, _) = open(&cli.globals, None).await?;
            let principal = principal(&app, customer).await?;
            let ctx = app.context(
                principal,
                Surface::Cli,
                crate::registry::new_request_id(),
                CancellationToken::new(),
                None,
            );
            let output = app.registry.call(&tool, &ctx, input).await;
            app.events.flush().await?;
            print_json(&output.and_then(Outcome::output)?.structured);
            Ok(())
        }
        Command::Export { out, public_url } => export(&out, &public_url),
        Command::Mcp(McpCommand::Config { url, key, stdio }) => {
            let url = recorded_url(&cli.globals, url).await?;
            let server = if stdio {
                // Absolute paths: the client starts the server from a directory of its own,
                // where neither `heycmo` nor a relative database path may be found.
                let binary = std::env::current_exe()
                    .map(|exe| exe.display().to_string())
                    .unwrap_or_else(|_| "heycmo".into());
                let db = absolute(&cli.globals.db);
                json!({"command": binary, "args": ["stdio", "--db", db]})
            } else {
                json!({"url": sse_endpoint(&url, Some(key.as_deref().unwrap_or("hcmo_live_..."))) })
            };
            print_json(&json!({"mcpServers": {"heycmo": server}}));
            Ok(())
        }
    }
}

async fn keys(globals: &Globals, command: KeysCommand) -> Result<(), CliError> {
    let (app, _) = open(globals, None).await?;
    match command {
        KeysCommand::Create {
            customer,
            scope,
            label,
        } => {
            let principal = principal(&app, customer).await?;
            let key = auth::mint_key(scope, &label, app.clock.as_ref());
            let id = key.record.id.clone();
            app.store
                .add_key(&principal.customer.id, key.record, None)
                .await?;
            print_json(
                &json!({"id": id, "customerId": principal.customer.id, "scope": scope.as_str(), "apiKey": key.secret}),
            );
        }
        KeysCommand::List { customer } => {
            let principal = principal(&app, customer).await?;
            let keys: Vec<crate::account::TeamKey> = app
                .store
                .keys(&principal.customer.id)
                .await?
                .iter()
                .map(crate::account::TeamKey::new)
                .collect();
            print_json(&json!({"customerId": principal.customer.id, "keys": keys}));
        }
        KeysCommand::Revoke { key_id, customer } => {
            let principal = principal(&app, customer).await?;
            app.store
                .revoke_key(
                    &principal.customer.id,
                    &key_id,
                    app.clock.now_millis(),
                    None,
                )
                .await?;
            print_json(&json!({"id": key_id, "revoked": true}));
        }
    }
    Ok(())
}

/// Writes the generated documents and removes schema files of tools that no longer exist.
fn export(out: &Path, public_url: &str) -> Result<(), CliError> {
    let registry = Registry::builtin().map_err(StartError::from)?;
    let files = crate::discovery::exported(&registry, public_url);
    for dir in ["schemas", "server-card"] {
        std::fs::create_dir_all(out.join(dir))?;
    }
    for entry in std::fs::read_dir(out.join("schemas"))? {
        let path = entry?.path();
        let relative = format!(
            "schemas/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        if !files.iter().any(|(name, _)| *name == relative) {
            std::fs::remove_file(&path)?;
        }
    }
    for (name, bytes) in &files {
        std::fs::write(out.join(name), bytes)?;
    }
    eprintln!("wrote {} files under {}", files.len(), out.display());
    Ok(())
}

async fn serve(globals: &Globals, args: ServeArgs, settled: fn()) -> Result<(), CliError> {
    let config = Config {
        bind: args.bind,
        public_url: args.public_url,
        admin_secret: args.admin_secret.filter(|s| !s.is_empty()),
        limits: RateLimits {
            rest: args.rate_rest,
            mcp: args.rate_mcp,
            preauth: args.rate_preauth,
            checkout: args.rate_checkout,
            webhooks: args.rate_webhooks,
            admin: args.rate_admin,
            collect: args.rate_collect,
        },
        allowed_hosts: args.allowed_hosts,
        allowed_origins: args.allowed_origins,
        max_body_bytes: args.max_body_bytes,
        key_cache_ttl: std::time::Duration::from_secs(args.key_cache_seconds),
        max_mcp_sessions: args.max_mcp_sessions.max(1),
        header_timeout: std::time::Duration::from_secs(args.header_timeout_seconds.max(1)),
        max_preauth_connections: args.max_preauth_connections.max(1),
        status_probe_interval: std::time::Duration::from_secs(args.status_probe_seconds.max(1)),
        stripe: args
            .stripe_secret_key
            .filter(|k| !k.is_empty())
            .map(|secret_key| crate::billing::StripeConfig {
                secret_key,
                price: args.stripe_price.unwrap_or_default(),
                webhook_secret: args.stripe_webhook_secret.unwrap_or_default(),
                base_url: args.stripe_base_url,
            }),
        ..globals.config()
    };
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.bind.to_string(),
            source,
        })?;
    let bound = listener.local_addr()?;
    let public_url = config.public_url(bound);
    let app = open_config(config, &public_url)?;
    app.store.set_public_url(&public_url).await?;
    let (customer, new_key) = app.local_customer().await?;
    let shutdown = CancellationToken::new();
    tokio::spawn(signal_shutdown(shutdown.clone())?);
    let mut out = std::io::stdout().lock();
    if let Some(key) = new_key {
        writeln!(
            out,
            "Created the local customer {} ({}).",
            customer.id, customer.email
        )?;
        writeln!(out, "  API key (shown once, store it now): {key}")?;
        writeln!(
            out,
            "  MCP endpoint (SSE):       {}",
            sse_endpoint(&public_url, Some(&key))
        )?;
        writeln!(
            out,
            "  MCP endpoint (Streamable): {public_url}/mcp  (Authorization: Bearer <key>)"
        )?;
    }
    writeln!(
        out,
        "heycmo listening on {public_url} (database {})",
        app.config.db.display()
    )?;
    let db = absolute(&app.config.db);
    writeln!(
        out,
        "  Documentation: {public_url}/  (tools, REST routes, errors)"
    )?;
    writeln!(
        out,
        "  A key for a client: heycmo keys create --db {}",
        db.display()
    )?;
    out.flush()?;
    drop(out);
    if app.config.allow_private_fetch {
        eprintln!(
            "heycmo: warning: --allow-private-fetch is on: tools may fetch loopback and private addresses (the SSRF guard is off); trust every key holder, or open single networks with --allow-fetch-network CIDR"
        );
    }
    let background = app.start_background(shutdown.clone());
    settled();
    crate::http::serve(app.clone(), listener, shutdown).await;
    background.join_all().await;
    app.flush().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Cancels `shutdown` on SIGINT or SIGTERM. The handlers are installed when this is called, not
/// when the returned future first runs, so a signal that arrives right after start-up is not lost.
fn signal_shutdown(shutdown: CancellationToken) -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutting down");
        shutdown.cancel();
    })
}
