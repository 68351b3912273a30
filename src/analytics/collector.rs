//! The collector behind `POST /api/collect`: checks a hit against its site, drops bots and
//! visitors who asked not to be tracked, assigns the visit, and queues the hit for the batch
//! writer.
//!
//! No cookie and nothing in the browser identifies a visitor. The visitor id is an HMAC of
//! (site, IP address, user agent) under a salt that changes every UTC day and is kept only in
//! its own table (two days at most), the way Plausible counts: the same browser is one visitor
//! within a day, and after the salt is gone no one, the operator included, can tell whose
//! visits they were. The IP address and user agent are never stored.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::channel::{self, Arrival};
use super::site::{Settings, parse_settings};
use crate::changes::{self, Changes, Record};
use crate::clock::Clock;
use crate::error::Error;
use crate::store::{HitWriter, IDENTIFY, Millis, NewHit, SiteRecord, Slot, Store, VisitStart};

/// Largest body `POST /api/collect` reads.
pub const MAX_BODY: usize = 4 * 1024;

/// A visit ends after this long without a hit.
const VISIT_TIMEOUT: Millis = 30 * 60 * 1000;

/// Longest a visit goes on: a browser that kept sending hits for a day without a 30-minute
/// pause is no person's visit, and its next hit starts another. It also bounds when a day's
/// counts can no longer change (`stats`: a closed day).
pub const LONGEST_VISIT: Millis = 24 * 3600 * 1000;

/// How long a site read from the store is trusted before it is read again: a changed domain
/// list or a deleted site takes effect within this.
const SITE_TTL: Millis = 10_000;

/// How long after a site's first uncounted-for hit its statistics are announced as changed:
/// at most one announcement per site in this time, and always after the hits are committed
/// (the batch writer commits within a few milliseconds).
const ANNOUNCE_AFTER: Duration = Duration::from_secs(2);

/// Most custom properties one event may carry.
const MAX_PROPS: usize = 30;

/// The click ids whose presence (never their value) is recorded.
const CLICK_IDS: [&str; 5] = ["gclid", "fbclid", "msclkid", "li_fat_id", "ttclid"];

static BOTS: LazyLock<isbot::Bots> = LazyLock::new(isbot::Bots::default);

/// What the script sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// The site's public id.
    pub site: String,
    /// The page's full URL (UTM parameters and click ids are read from its query).
    pub url: String,
    #[serde(default)]
    pub referrer: Option<String>,
    /// `pageview` (the default), `identify`, or a custom event's name.
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub props: Option<serde_json::Map<String, Value>>,
    /// The viewport's width in CSS pixels, reported only as a class. A number: JSON writers
    /// may send `1280.0` for an integer.
    #[serde(default)]
    pub width: Option<f64>,
    /// With `identify`: the visitor's email, stored only as a hash.
    #[serde(default)]
    pub email: Option<String>,
}

/// What the HTTP layer knows of the request.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub ip: Option<IpAddr>,
    pub user_agent: &'a str,
    /// The `Origin` header's host, when the browser sent one.
    pub origin_host: Option<&'a str>,
    /// `DNT: 1` or `Sec-GPC: 1`.
    pub opted_out: bool,
}

/// Why a well-formed hit was not counted; the sender is told 202 all the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Counted, for this visitor id (which `track_revenue` takes as `visitorId`).
    Counted(String),
    Bot,
    OptedOut,
}

/// The collector: cheap to share; one per server.
pub struct Collector {
    store: Store,
    hits: HitWriter,
    clock: Arc<dyn Clock>,
    changes: Changes,
    /// Sites whose statistics will be announced as changed shortly.
    announcing: Arc<Mutex<HashSet<String>>>,
    sites: Mutex<HashMap<String, Cached>>,
    visits: Mutex<Visits>,
    salts: Mutex<Option<Salts>>,
}

/// A site's owner and settings (`None`: no such site) and when they were read.
type Cached = (Option<Arc<(String, Settings)>>, Millis);

/// The UTC day the salts are for, its salt and the day before's.
type Salts = (i64, Vec<u8>, Vec<u8>);

/// Visits that may still go on, by (site, visitor).
#[derive(Default)]
struct Visits {
    /// Each visit's id, last hit and start.
    active: HashMap<(String, String), (i64, Millis, Millis)>,
    /// When the map was last swept of visits that ended.
    swept: Millis,
}

impl Collector {
    /// Starts the collector, resuming the visits still open in the store.
    pub async fn start(
        store: Store,
        clock: Arc<dyn Clock>,
        changes: Changes,
    ) -> Result<Collector, Error> {
        let hits = store.hit_writer()?;
        let now = clock.now_millis();
        let mut visits = Visits {
            swept: now,
            ..Visits::default()
        };
        for visit in store
            .active_visits(now - VISIT_TIMEOUT, now - LONGEST_VISIT)
            .await?
        {
            visits.active.insert(
                (visit.site_id, visit.visitor),
                (visit.visit_id, visit.last_at, visit.started_at),
            );
        }
        Ok(Collector {
            store,
            hits,
            clock,
            changes,
            announcing: Arc::default(),
            sites: Mutex::default(),
            visits: Mutex::new(visits),
            salts: Mutex::default(),
        })
    }

    /// Waits until every hit queued so far is committed (readers of the stats, shutdown).
    pub async fn flush(&self) -> Result<(), Error> {
        Ok(self.hits.flush().await?)
    }

    /// The owner and settings of the site `id` (a short-lived cache in front of the store).
    async fn site(&self, id: &str, now: Millis) -> Result<Option<Arc<(String, Settings)>>, Error> {
        if let Some((settings, at)) = self.sites.lock().get(id)
            && now - at < SITE_TTL
        {
            return Ok(settings.clone());
        }
        let record: Option<SiteRecord> = self.store.collecting_site(id).await?;
        let settings = match record {
            Some(record) => Some(Arc::new((
                record.customer_id.clone(),
                parse_settings(&record.settings)?,
            ))),
            None => None,
        };
        let mut sites = self.sites.lock();
        if sites.len() > 10_000 {
            sites.clear();
        }
        sites.insert(id.to_owned(), (settings.clone(), now));
        Ok(settings)
    }

    /// Today's and yesterday's salts (UTC days), read once a day.
    async fn salts(&self, now: Millis) -> Result<(Vec<u8>, Vec<u8>), Error> {
        let day = now.div_euclid(86_400_000);
        if let Some((at, today, yesterday)) = self.salts.lock().as_ref()
            && *at == day
        {
            return Ok((today.clone(), yesterday.clone()));
        }
        let today = self.store.salt(day).await?;
        let yesterday = self.store.salt(day - 1).await?;
        *self.salts.lock() = Some((day, today.clone(), yesterday.clone()));
        Ok((today, yesterday))
    }

    /// Takes one hit. `Err` is a bad request (malformed, unknown site, wrong origin), which the
    /// HTTP layer answers in the error format.
    pub async fn collect(&self, body: &[u8], request: &Request<'_>) -> Result<Outcome, Error> {
        if body.len() > MAX_BODY {
            return Err(Error::PayloadTooLarge { limit: MAX_BODY });
        }
        let payload: Payload = serde_json::from_slice(body).map_err(|e| {
            Error::BadRequest(format!(
                "The hit is not valid: {e}. Send JSON {{\"site\", \"url\", \"referrer\"?, \"event\"?, \"props\"?, \"width\"?}}"
            ))
        })?;
        let now = self.clock.now_millis();
        let site = self
            .site(&payload.site, now)
            .await?
            .ok_or_else(|| Error::NotFound(format!("No site {}", payload.site)))?;
        let (customer, settings) = (&site.0, &site.1);
        let page = url::Url::parse(&payload.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                Error::BadRequest(format!("url {:?} is not an http(s) URL", payload.url))
            })?;
        let host = page.host_str().unwrap_or_default();
        if let Some(origin) = request.origin_host
            && !settings.allows_host(origin)
        {
            return Err(Error::Forbidden(format!(
                "{origin} is not a domain of site {}; add it with update_site",
                payload.site
            )));
        }
        if !settings.allows_host(host) {
            return Err(Error::Forbidden(format!(
                "{host} is not a domain of site {}; add it with update_site",
                payload.site
            )));
        }
        let event = match payload.event.as_deref().map(str::trim) {
            None | Some("pageview") => None,
            Some("") => return Err(Error::BadRequest("event must not be empty".into())),
            Some(name) if name.chars().count() > 100 => {
                return Err(Error::BadRequest(
                    "event names are at most 100 characters".into(),
                ));
            }
            Some(name) => Some(name.to_owned()),
        };
        let email_hash = match (event.as_deref(), payload.email.as_deref()) {
            (Some(IDENTIFY), Some(email)) if email.contains('@') => {
                Some(email_hash(&payload.site, email))
            }
            (Some(IDENTIFY), _) => {
                return Err(Error::BadRequest("identify needs an email".into()));
            }
            (_, Some(_)) => {
                return Err(Error::BadRequest("email is sent only with identify".into()));
            }
            _ => None,
        };
        let props = match payload.props {
            Some(props) if props.len() > MAX_PROPS => {
                return Err(Error::BadRequest(format!(
                    "at most {MAX_PROPS} properties per event"
                )));
            }
            Some(props) if props.values().any(|v| v.is_object() || v.is_array()) => {
                return Err(Error::BadRequest(
                    "property values are strings, numbers or booleans".into(),
                ));
            }
            Some(props) if !props.is_empty() => Some(Value::Object(props).to_string()),
            _ => None,
        };
        if request.user_agent.trim().is_empty() || BOTS.is_bot(request.user_agent) {
            return Ok(Outcome::Bot);
        }
        if settings.respect_do_not_track && request.opted_out {
            return Ok(Outcome::OptedOut);
        }

        let (today, yesterday) = self.salts(now).await?;
        let ip = request.ip.map(|ip| ip.to_string()).unwrap_or_default();
        let visitor = visitor_id(&today, &payload.site, &ip, request.user_agent);
        let carried = visitor_id(&yesterday, &payload.site, &ip, request.user_agent);
        let path = truncate(page.path(), 500);
        let entry = path.clone();
        let start = || {
            let query: HashMap<String, String> = page.query_pairs().into_owned().collect();
            let utm = |name: &str| {
                query
                    .get(name)
                    .map(|v| truncate(v.trim(), 200))
                    .filter(|v| !v.is_empty())
            };
            let clicks: Vec<&str> = CLICK_IDS
                .into_iter()
                .filter(|id| query.contains_key(*id))
                .collect();
            let referrer_host = payload
                .referrer
                .as_deref()
                .and_then(|r| url::Url::parse(r).ok())
                .and_then(|r| r.host_str().map(str::to_ascii_lowercase))
                .filter(|r| !settings.allows_host(r));
            let (utm_source, utm_medium) = (utm("utm_source"), utm("utm_medium"));
            let arrival = Arrival {
                referrer_host: referrer_host.as_deref(),
                utm_source: utm_source.as_deref(),
                utm_medium: utm_medium.as_deref(),
                click_ids: &clicks,
            };
            VisitStart {
                visitor: visitor.clone(),
                entry_path: entry,
                channel: channel::classify(&arrival).as_str().to_owned(),
                source: channel::source(&arrival),
                utm_campaign: utm("utm_campaign"),
                utm_term: utm("utm_term"),
                utm_content: utm("utm_content"),
                click_id: clicks.first().map(|c| (*c).to_owned()),
                screen: payload
                    .width
                    .filter(|w| w.is_finite() && *w >= 0.0)
                    .map(|w| screen(w.min(f64::from(u32::MAX)) as u32).to_owned()),
                referrer_host,
                utm_source,
                utm_medium,
            }
        };
        let site_id = payload.site.clone();
        let hit = NewHit {
            site_id: payload.site,
            visit_id: 0,
            start: None,
            at: now,
            path,
            event,
            props,
            email_hash,
        };
        // Room in the writer's queue first (a writer far behind slows senders down rather than
        // losing their hits), then the visit and the queueing under one lock.
        let slot = self.hits.reserve().await?;
        self.enqueue(slot, hit, &visitor, &carried, now, start);
        self.announce(customer, &site_id);
        Ok(Outcome::Counted(visitor))
    }

    /// Tells the site's statistics' subscribers, shortly, that there are new hits.
    fn announce(&self, customer: &str, site: &str) {
        if !self.announcing.lock().insert(site.to_owned()) {
            return;
        }
        let (changes, announcing) = (self.changes.clone(), self.announcing.clone());
        let (customer, site) = (customer.to_owned(), site.to_owned());
        tokio::spawn(async move {
            tokio::time::sleep(ANNOUNCE_AFTER).await;
            announcing.lock().remove(&site);
            changes::announce(&changes, &customer, Record::SiteStats(site));
        });
    }

    /// Assigns the hit to its visit and queues it, both under the visits' lock: a visit of the
    /// same visitor (or of the same browser under yesterday's salt, for a visit that spans
    /// midnight) within the timeout, and younger than a day, goes on; otherwise the hit starts
    /// one as `start` makes it
    /// (only then: reading where a visit came from is work its later hits do not need). Queued
    /// in the order visits were assigned, a visit's first hit always reaches the writer before
    /// the hits that extend it (a burst of one page's beacons lost all but the first when they
    /// were queued after the lock was let go); `slot` is the room already held for the hit.
    fn enqueue(
        &self,
        slot: Slot<'_, NewHit>,
        mut hit: NewHit,
        visitor: &str,
        carried: &str,
        now: Millis,
        start: impl FnOnce() -> VisitStart,
    ) {
        let mut visits = self.visits.lock();
        if now - visits.swept > VISIT_TIMEOUT {
            visits
                .active
                .retain(|_, (_, last, _)| now - *last <= VISIT_TIMEOUT);
            visits.swept = now;
        }
        let going_on = [visitor, carried]
            .into_iter()
            .map(|visitor| (hit.site_id.clone(), visitor.to_owned()))
            .find(|key| {
                visits.active.get(key).is_some_and(|(_, last, started)| {
                    now - *last <= VISIT_TIMEOUT && now - *started < LONGEST_VISIT
                })
            });
        let (key, started) = match going_on {
            Some(key) => {
                let (id, _, started) = visits.active[&key];
                hit.visit_id = id;
                (key, started)
            }
            None => {
                // Positive 63-bit ids: SQLite's INTEGER PRIMARY KEY; a collision is 1 in 2^63.
                hit.visit_id = (rand::random::<u64>() >> 1) as i64;
                hit.start = Some(start());
                ((hit.site_id.clone(), visitor.to_owned()), now)
            }
        };
        visits.active.insert(key, (hit.visit_id, now, started));
        slot.append(hit);
    }
}

/// The salted visitor hash: 16 hex digits of HMAC-SHA256.
fn visitor_id(salt: &[u8], site: &str, ip: &str, user_agent: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(salt).expect("HMAC takes any key length");
    for part in [site, ip, user_agent] {
        mac.update(part.as_bytes());
        mac.update(&[0]);
    }
    hex::encode(&mac.finalize().into_bytes()[..8])
}

/// The hash an email is known by for one site: revenue tracked with the same email finds the
/// visits without the address being stored.
pub fn email_hash(site: &str, email: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(site.as_bytes());
    hash.update([0]);
    hash.update(email.trim().to_lowercase().as_bytes());
    hex::encode(hash.finalize())
}

/// The screen class of a viewport width (Plausible's breakpoints).
pub fn screen(width: u32) -> &'static str {
    match width {
        0..576 => "mobile",
        576..992 => "tablet",
        992..1440 => "laptop",
        _ => "desktop",
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock the test moves.
    struct At(std::sync::atomic::AtomicI64);

    impl Clock for At {
        fn now_millis(&self) -> Millis {
            self.0.load(std::sync::atomic::Ordering::SeqCst)
        }
    }

    #[tokio::test]
    async fn a_visit_ends_after_a_day_however_often_it_is_extended() {
        use crate::store::{KeyScope, NewCustomer};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db")).unwrap();
        let key = crate::auth::mint_key(KeyScope::Owner, "t", &crate::clock::SystemClock);
        let customer = NewCustomer {
            id: "cust_c".into(),
            email: "c@example.com".into(),
            plan: "t".into(),
            created_at: 0,
        };
        store.create_customer(customer, key.record).await.unwrap();
        let settings = r#"{"domains": ["c.example"], "timeZone": "UTC", "goals": [], "respectDoNotTrack": false}"#;
        store
            .create_site(SiteRecord {
                id: "site_00000000000000cc".into(),
                customer_id: "cust_c".into(),
                name: "c".into(),
                settings: settings.into(),
                created_at: 0,
                updated_at: 0,
            })
            .await
            .unwrap();
        // 2026-11-02 00:10 UTC: one hit every 20 minutes for a day and a bit.
        let start = 1_793_578_200_000;
        let clock = Arc::new(At(start.into()));
        let collector = Collector::start(store, clock.clone(), crate::changes::channel())
            .await
            .unwrap();
        let request = Request {
            ip: Some("203.0.113.9".parse().unwrap()),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            origin_host: Some("c.example"),
            opted_out: false,
        };
        let body = br#"{"site": "site_00000000000000cc", "url": "https://c.example/"}"#;
        for n in 0..=75 {
            clock
                .0
                .store(start + n * 20 * 60_000, std::sync::atomic::Ordering::SeqCst);
            collector.collect(body, &request).await.unwrap();
        }
        collector.flush().await.unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("c.db")).unwrap();
        let visits: Vec<(i64, i64)> = conn
            .prepare("SELECT pageviews, last_at - started_at FROM visits ORDER BY started_at")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // 72 hits fill the day (0:10 to 23:50 the next morning); the 73rd, at 24 h, begins
        // another visit.
        assert_eq!(visits, vec![(72, 71 * 20 * 60_000), (4, 3 * 20 * 60_000)]);
    }

    #[test]
    fn the_visitor_id_depends_on_the_salt_site_ip_and_agent() {
        let a = visitor_id(b"salt-1", "site_a", "203.0.113.7", "Firefox");
        assert_eq!(a.len(), 16);
        assert_eq!(a, visitor_id(b"salt-1", "site_a", "203.0.113.7", "Firefox"));
        for other in [
            visitor_id(b"salt-2", "site_a", "203.0.113.7", "Firefox"),
            visitor_id(b"salt-1", "site_b", "203.0.113.7", "Firefox"),
            visitor_id(b"salt-1", "site_a", "203.0.113.8", "Firefox"),
            visitor_id(b"salt-1", "site_a", "203.0.113.7", "Chrome"),
            // The separator keeps the parts apart.
            visitor_id(b"salt-1", "site_a2", "03.0.113.7", "Firefox"),
        ] {
            assert_ne!(a, other);
        }
    }

    #[test]
    fn screens_and_emails() {
        assert_eq!(screen(375), "mobile");
        assert_eq!(screen(800), "tablet");
        assert_eq!(screen(1280), "laptop");
        assert_eq!(screen(1920), "desktop");
        assert_eq!(
            email_hash("site_a", " Ann@Example.com "),
            email_hash("site_a", "ann@example.com")
        );
        assert_ne!(
            email_hash("site_a", "ann@example.com"),
            email_hash("site_b", "ann@example.com")
        );
    }

    #[test]
    fn known_bots_are_recognised() {
        assert!(
            BOTS.is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
        );
        assert!(BOTS.is_bot("curl/8.5.0"));
        assert!(BOTS.is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36"
        ));
        assert!(!BOTS.is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
        ));
    }
}
