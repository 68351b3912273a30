//! Lead capture: the form of a lead magnet's page, posted by a visitor's browser with no key.
//!
//! The site's domains say where a form may be posted from; a honeypot field that people never
//! see (`website`) is filled only by bots, whose post is answered as if it were taken and
//! stores nothing. A captured lead records the capture (intent points) and, when the page sent
//! the collector's visitor id, ties that visitor's visits to the lead.

use serde::Deserialize;

use super::intent::Action;
use super::{Fields, normalise_email, suppression_hash};
use crate::analytics::site::parse_settings;
use crate::error::Error;
use crate::store::{Identify, Imported, NewLead, SiteRecord, Store};

/// Largest capture body, in bytes.
pub const MAX_BODY: usize = 16 * 1024;

/// What the form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// The honeypot: hidden from people, filled by bots.
    #[serde(default)]
    pub website: Option<String>,
    /// What was offered (a lead magnet's content id or title), kept with the capture.
    #[serde(default)]
    pub magnet: Option<String>,
    /// The collector's visitor id of the browser (`heycmo.visitor`), to tie its visits.
    #[serde(default)]
    pub visitor: Option<String>,
}

/// What became of a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Captured {
    Lead {
        id: String,
        created: bool,
    },
    /// The honeypot was filled: nothing stored.
    Bot,
    /// The address is on the suppression list: nothing stored.
    Suppressed,
}

fn clean(value: Option<String>, field: &str) -> Result<Option<String>, Error> {
    match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > 200 => Err(Error::invalid(
            &format!("/{field}"),
            "longer than 200 characters",
        )),
        other => Ok(other),
    }
}

/// Captures `form` for `site`, whose settings must allow `origin` (the browser's page host).
pub async fn capture(
    store: &Store,
    site: &SiteRecord,
    origin: Option<&str>,
    form: Form,
    now: i64,
) -> Result<Captured, Error> {
    let settings = parse_settings(&site.settings)?;
    match origin {
        Some(host) if settings.allows_host(host) => {}
        Some(host) => {
            return Err(Error::Forbidden(format!(
                "{host} is not a domain of site {}; add it with update_site",
                site.id
            )));
        }
        None => {
            return Err(Error::Forbidden(
                "A capture is posted by a page of the site: Origin or Referer is missing".into(),
            ));
        }
    }
    if form
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        return Ok(Captured::Bot);
    }
    let email =
        normalise_email(&form.email).map_err(|message| Error::invalid("/email", message))?;
    let fields = Fields {
        name: clean(form.name, "name")?,
        company: clean(form.company, "company")?,
        title: clean(form.title, "title")?,
        ..Fields::default()
    };
    let visitor = form
        .visitor
        .filter(|v| v.len() == 16 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let customer = &site.customer_id;
    let identify = visitor.map(|visitor| Identify {
        site_id: site.id.clone(),
        visitor,
        email_hash: crate::analytics::collector::email_hash(&site.id, &email),
    });
    let lead = NewLead {
        id: format!("lead_{}", crate::auth::random_hex(8)),
        suppression_hash: suppression_hash(customer, &email),
        email,
        fields: serde_json::to_string(&fields).map_err(|e| Error::Internal(e.to_string()))?,
        source: Some("capture".into()),
    };
    let detail = clean(form.magnet, "magnet")?;
    let outcome = store
        .capture_lead(
            customer,
            lead,
            Action::Capture.as_str(),
            detail,
            identify,
            now,
        )
        .await?;
    Ok(match outcome {
        Imported::Created(id) => Captured::Lead { id, created: true },
        Imported::Updated(id) => Captured::Lead { id, created: false },
        Imported::Suppressed => Captured::Suppressed,
    })
}
