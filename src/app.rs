//! The application: configuration, store, registry and limiters, shared by every surface.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::analytics::collector::Collector;
use crate::auth::{self, KeyCache, Principal};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::jobs::cron::Workflow;
use crate::jobs::{Handler, Jobs};
use crate::llm::Llm;
use crate::ratelimit::Limiters;
use crate::registry::{ClientLink, Registry, RegistryError, Surface, ToolContext};
use crate::research::{Research, ResearchJob};
use crate::social::publish::Publisher;
use crate::store::{
    Customer, DELIVERY_JOB, EventWriter, KeyScope, NewCustomer, PUBLISH_JOB, ScheduleDefault,
    Store, StoreError,
};
use crate::vault::Vault;
use crate::web::Fetcher;
use crate::webhooks::deliver::Deliverer;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("opening the database {path}: {source}")]
    Store { path: String, source: StoreError },
    #[error("the tool catalogue is inconsistent: {0}")]
    Registry(#[from] RegistryError),
    #[error("building the HTTP client: {0}")]
    Fetcher(#[from] crate::web::FetchError),
    #[error("configuring the language model: {0}")]
    Llm(crate::error::Error),
    #[error("configuring the answer engines: {0}")]
    AnswerEngines(crate::error::Error),
    #[error("configuring the mail server: {0}")]
    Mailer(String),
    #[error("configuring Stripe: {0}")]
    Stripe(String),
    #[error("configuring the Google client: {0}")]
    Google(crate::error::Error),
    #[error("opening the vault: {0}")]
    Vault(#[from] crate::vault::VaultError),
    #[error("starting the event writer: {0}")]
    EventWriter(StoreError),
    #[error("listening on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// Shared state; one per process.
pub struct App {
    pub config: Config,
    pub store: Store,
    pub events: EventWriter,
    /// Fetches other sites, behind the SSRF guard.
    pub fetcher: Fetcher,
    /// `/live`'s fetcher: guarded whatever the tools may reach ([`Config::live_fetch`]).
    pub live_fetcher: Fetcher,
    /// The server's own language model, when one is configured.
    pub llm: Option<Arc<dyn Llm>>,
    /// Changes to customers' records, for MCP resource subscribers on every transport.
    pub changes: crate::changes::Changes,
    pub registry: Registry,
    pub limiters: Limiters,
    /// Recently verified API keys.
    pub keys: KeyCache,
    pub clock: Arc<dyn Clock>,
    /// Set once the listening address is known.
    pub public_url: Arc<str>,
    /// Seals channel credentials and webhook secrets.
    pub vault: Vault,
    /// The durable job engine; its workers run from [`App::start_background`].
    pub jobs: Jobs,
    /// Google Analytics and Search Console, shared so access tokens are granted once.
    pub google: Arc<crate::google::Google>,
    /// AI visibility runs, on the configured answer engines.
    pub visibility: crate::visibility::Visibility,
    /// Sequence mail, when `--smtp-url` is set.
    pub mailer: Option<crate::sequences::mailer::Mailer>,
    /// Sign-ups, Stripe and the key hand-over.
    pub billing: crate::billing::Billing,
    /// The analytics collector, started by the first hit: a server that counts no site keeps
    /// no writer thread for it.
    collector: tokio::sync::OnceCell<Collector>,
}

/// The workflows that run on customers' schedules.
pub const WORKFLOWS: &[Workflow] = &[
    Workflow {
        name: crate::research::WORKFLOW,
        job: crate::research::JOB,
        default: ScheduleDefault {
            cron: crate::research::DEFAULT_CRON,
            enabled: true,
        },
    },
    Workflow {
        name: crate::visibility::WORKFLOW,
        job: crate::visibility::JOB,
        default: ScheduleDefault {
            cron: crate::visibility::DEFAULT_CRON,
            enabled: false,
        },
    },
];

/// A customer and the key minted for it, shown once.
pub struct Provisioned {
    pub customer: Customer,
    pub api_key: String,
}

impl App {
    /// Opens the database and builds the registry of every built-in tool.
    pub fn open(config: Config, public_url: String) -> Result<Arc<App>, StartError> {
        App::with_registry(config, public_url, Registry::builtin()?)
    }

    /// Opens the database and serves the given registry (tests and examples add fixture tools).
    pub fn with_registry(
        config: Config,
        public_url: String,
        registry: Registry,
    ) -> Result<Arc<App>, StartError> {
        let store = App::store(&config)?;
        App::on_store(config, store, public_url, registry)
    }

    /// Opens `config`'s database, for a caller that reads it before it builds the app (the
    /// public URL the server recorded there).
    pub fn store(config: &Config) -> Result<Store, StartError> {
        Store::open(&config.db).map_err(|source| StartError::Store {
            path: config.db.display().to_string(),
            source,
        })
    }

    /// The app on a store already open on `config`'s database.
    pub fn on_store(
        config: Config,
        store: Store,
        public_url: String,
        registry: Registry,
    ) -> Result<Arc<App>, StartError> {
        let events = store.event_writer().map_err(StartError::EventWriter)?;
        let fetcher = Fetcher::new(config.fetch(&public_url))?;
        let live_fetcher = Fetcher::new(config.live_fetch(&public_url))?;
        let llm = config.llm.engine().map_err(StartError::Llm)?;
        let vault = config.vault()?;
        let changes = crate::changes::channel();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let google = Arc::new(
            crate::google::Google::new(config.google.clone()).map_err(StartError::Google)?,
        );
        let visibility = crate::visibility::Visibility {
            store: store.clone(),
            engines: Arc::new(
                crate::visibility::Engines::new(
                    &config.answer_engines,
                    &|var| std::env::var(var).ok(),
                    config.llm.timeout,
                    config.llm.attempts,
                    config.visibility_max_asks,
                )
                .map_err(StartError::AnswerEngines)?,
            ),
            clock: clock.clone(),
        };
        let mailer = config.mailer().map_err(StartError::Mailer)?;
        let public: Arc<str> = public_url.into();
        let mut handlers: HashMap<String, Arc<dyn Handler>> = HashMap::new();
        handlers.insert(
            crate::store::SEND_JOB.into(),
            Arc::new(crate::sequences::send::Sender {
                store: store.clone(),
                mailer: mailer.clone(),
                clock: clock.clone(),
                public_url: public.clone(),
                vault: vault.clone(),
                lease: config.jobs.lease.as_millis() as i64,
            }),
        );
        handlers.insert(
            crate::visibility::JOB.into(),
            Arc::new(crate::visibility::VisibilityJob(visibility.clone())),
        );
        handlers.insert(
            DELIVERY_JOB.into(),
            Arc::new(Deliverer {
                store: store.clone(),
                fetcher: fetcher.clone(),
                vault: vault.clone(),
                clock: clock.clone(),
                policy: config.webhooks,
            }),
        );
        handlers.insert(
            PUBLISH_JOB.into(),
            Arc::new(Publisher {
                store: store.clone(),
                fetcher: fetcher.clone(),
                vault: vault.clone(),
                clock: clock.clone(),
                sessions: Default::default(),
                changes: changes.clone(),
            }),
        );
        handlers.insert(
            crate::research::JOB.into(),
            Arc::new(ResearchJob {
                research: Research {
                    store: store.clone(),
                    fetcher: fetcher.clone(),
                    clock: clock.clone(),
                    google: google.clone(),
                    vault: vault.clone(),
                },
                llm: llm.clone(),
            }),
        );
        handlers.insert(
            crate::onboarding::JOB.into(),
            Arc::new(crate::onboarding::ProfileJob {
                store: store.clone(),
                fetcher: fetcher.clone(),
                clock: clock.clone(),
                changes: changes.clone(),
            }),
        );
        let jobs = Jobs::new(store.clone(), clock.clone(), config.jobs.clone(), handlers);
        let billing = crate::billing::Billing {
            store: store.clone(),
            vault: vault.clone(),
            clock: clock.clone(),
            public_url: public.clone(),
            stripe: config.stripe().map_err(StartError::Stripe)?,
        };
        Ok(Arc::new(App {
            billing,
            fetcher,
            live_fetcher,
            llm,
            changes,
            limiters: Limiters::new(config.limits),
            keys: KeyCache::new(config.key_cache_ttl),
            registry,
            clock,
            public_url: public,
            vault,
            mailer,
            jobs,
            google,
            visibility,
            config,
            store,
            events,
            collector: tokio::sync::OnceCell::new(),
        }))
    }

    /// The collector, started on first use.
    pub async fn collector(&self) -> Result<&Collector, crate::error::Error> {
        self.collector
            .get_or_try_init(|| {
                Collector::start(self.store.clone(), self.clock.clone(), self.changes.clone())
            })
            .await
    }

    /// Commits every queued event and hit: at shutdown, so nothing queued is lost.
    pub async fn flush(&self) -> Result<(), crate::error::Error> {
        self.events.flush().await?;
        if let Some(collector) = self.collector.get() {
            collector.flush().await?;
        }
        Ok(())
    }

    /// A tool context for one call.
    pub fn context(
        &self,
        principal: Principal,
        surface: Surface,
        request_id: String,
        cancel: CancellationToken,
        client: Option<Arc<dyn ClientLink>>,
    ) -> ToolContext {
        ToolContext {
            principal,
            store: self.store.clone(),
            events: self.events.clone(),
            fetcher: self.fetcher.clone(),
            llm: self.llm.clone(),
            changes: self.changes.clone(),
            request_id,
            surface,
            clock: self.clock.clone(),
            public_url: self.public_url.clone(),
            cancel,
            client,
            suspension: Default::default(),
            vault: self.vault.clone(),
            jobs: self.jobs.clone(),
            google: self.google.clone(),
            visibility: self.visibility.clone(),
            mailer: self.mailer.clone(),
        }
    }

    /// Starts the job workers, the webhook fan-out, the status probes, the scheduler and retention; they stop when `shutdown` is cancelled
    /// and the returned set finishes once the jobs in hand are done.
    pub fn start_background(&self, shutdown: CancellationToken) -> JoinSet<()> {
        let mut tasks = self.jobs.start(shutdown.clone());
        tasks.spawn(crate::webhooks::fan_out(
            self.store.clone(),
            self.jobs.clone(),
            self.clock.clone(),
            shutdown.clone(),
        ));
        tasks.spawn(crate::jobs::retention::run(
            self.store.clone(),
            self.clock.clone(),
            shutdown.clone(),
        ));
        tasks.spawn(crate::status::run(
            self.prober(),
            self.config.status_probe_interval,
            shutdown.clone(),
        ));
        tasks.spawn(crate::jobs::cron::run(
            self.store.clone(),
            self.jobs.clone(),
            self.clock.clone(),
            WORKFLOWS.to_vec(),
            shutdown,
        ));
        tasks
    }

    /// What the status page's probes read.
    pub fn prober(&self) -> crate::status::Prober {
        crate::status::Prober {
            store: self.store.clone(),
            clock: self.clock.clone(),
            llm: self.llm.clone(),
        }
    }

    fn new_customer(&self, email: &str, plan: &str) -> NewCustomer {
        NewCustomer {
            id: format!("cust_{}", auth::random_hex(8)),
            email: email.trim().to_owned(),
            plan: plan.to_owned(),
            created_at: self.clock.now_millis(),
        }
    }

    /// Creates a customer with an owner key.
    pub async fn provision(&self, email: &str, plan: &str) -> Result<Provisioned, StoreError> {
        let new = self.new_customer(email, plan);
        let key = auth::mint_key(KeyScope::Owner, "owner", self.clock.as_ref());
        let id = new.id.clone();
        self.store.create_customer(new, key.record).await?;
        let customer = self
            .store
            .customer(&id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("customer {id} vanished")))?;
        Ok(Provisioned {
            customer,
            api_key: key.secret,
        })
    }

    /// The local customer, created on a fresh database; the key is returned only when it was
    /// created now, so it is shown exactly once.
    pub async fn local_customer(&self) -> Result<(Customer, Option<String>), StoreError> {
        let new = self.new_customer(LOCAL_EMAIL, "self-hosted");
        let key = auth::mint_key(KeyScope::Owner, "local", self.clock.as_ref());
        let created = self.store.ensure_local_customer(new, key.record).await?;
        let id = self
            .store
            .local_customer_id()
            .await?
            .ok_or_else(|| StoreError::NotFound("no local customer".into()))?;
        let customer =
            self.store.customer(&id).await?.ok_or_else(|| {
                StoreError::Corrupt(format!("the local customer {id} is missing"))
            })?;
        Ok((customer, created.then_some(key.secret)))
    }
}

/// The email of the customer a fresh server creates for its operator.
pub const LOCAL_EMAIL: &str = "local@heycmo.localhost";
