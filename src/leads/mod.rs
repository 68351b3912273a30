//! Leads: people a customer may sell to, imported or captured, each scored on how well they fit
//! the customer's ideal customer profile ([`fit`]) and how much interest they have shown lately
//! ([`intent`]), the two combined in a grade (fit A–D × intent 1–4).
//!
//! A lead is known by its normalised email, so importing the same person twice updates them. An
//! erased lead leaves only a hash of its address on the suppression list, which keeps it from
//! being imported or mailed again.

pub mod capture;
pub mod fit;
pub mod import;
pub mod intent;
pub mod score;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What is known of a lead besides its email.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The company's domain; defaults to the email's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employees: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Anything else the import carried, by column name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, String>,
}

impl Fields {
    /// These fields with `newer`'s set ones written over them.
    pub fn merged(&self, newer: &Fields) -> Fields {
        let pick = |new: &Option<String>, old: &Option<String>| new.clone().or(old.clone());
        let mut custom = self.custom.clone();
        custom.extend(newer.custom.clone());
        Fields {
            name: pick(&newer.name, &self.name),
            company: pick(&newer.company, &self.company),
            title: pick(&newer.title, &self.title),
            domain: pick(&newer.domain, &self.domain),
            country: pick(&newer.country, &self.country),
            employees: newer.employees.or(self.employees),
            industry: pick(&newer.industry, &self.industry),
            custom,
        }
    }
}

/// Where a lead is in the customer's funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    New,
    Contacted,
    Replied,
    Qualified,
    Customer,
    Lost,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Contacted => "contacted",
            Stage::Replied => "replied",
            Stage::Qualified => "qualified",
            Stage::Customer => "customer",
            Stage::Lost => "lost",
        }
    }
}

/// An email as leads are keyed by it: trimmed and lower-cased, or why it is not one.
pub fn normalise_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("email is empty".into());
    }
    let parsed = email_address::EmailAddress::parse_with_options(
        &email,
        email_address::Options::default().without_display_text(),
    )
    .map_err(|e| format!("{raw:?} is not an email address: {e}"))?;
    if !parsed.domain().contains('.') {
        return Err(format!("{raw:?} has no domain with a dot"));
    }
    Ok(email)
}

/// The domain part of a normalised email.
pub fn email_domain(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, domain)| domain)
}

/// What the suppression list keeps of an erased or unsubscribed address: a hash bound to the
/// customer, so the list reveals no address and no one else's list matches it.
pub fn suppression_hash(customer: &str, email: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"heycmo-suppression\0");
    hash.update(customer.as_bytes());
    hash.update([0]);
    hash.update(email.as_bytes());
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            normalise_email("  Ann.Lee@Example.COM ").unwrap(),
            "ann.lee@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@localhost",
            "Ann <ann@example.com>",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad:?}");
        }
        assert_eq!(email_domain("ann@example.com"), "example.com");
    }

    #[test]
    fn newer_fields_win_and_older_ones_stay() {
        let old = Fields {
            name: Some("Ann".into()),
            title: Some("CTO".into()),
            ..Fields::default()
        };
        let new = Fields {
            title: Some("CEO".into()),
            employees: Some(40),
            ..Fields::default()
        };
        let merged = old.merged(&new);
        assert_eq!(merged.name.as_deref(), Some("Ann"));
        assert_eq!(merged.title.as_deref(), Some("CEO"));
        assert_eq!(merged.employees, Some(40));
    }
}

/// A lead as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    /// `lead_` and 16 hex digits.
    pub id: String,
    pub email: String,
    #[serde(flatten)]
    pub fields: Fields,
    /// Where the lead came from (an import's `source`, `capture`).
    pub source: Option<String>,
    /// new, contacted, replied, qualified, customer or lost.
    pub stage: String,
    /// 0 to 100; absent until an ideal customer profile is set.
    pub fit: Option<u32>,
    /// 0 to 100, from recent behaviour.
    pub intent: u32,
    /// Fit letter and intent digit, A1 best; absent without a fit.
    pub grade: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Why it scores so: each rule's and each action's part (get_lead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scoring: Option<score::Scoring>,
}

impl Lead {
    /// The lead as a line.
    pub fn render(&self) -> String {
        let who = [&self.fields.name, &self.fields.title, &self.fields.company]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "{} {}{}: {} (fit {}, intent {}), {}",
            self.id,
            self.email,
            if who.is_empty() {
                String::new()
            } else {
                format!(" ({who})")
            },
            self.grade.as_deref().unwrap_or("ungraded"),
            self.fit.map_or("—".into(), |f| f.to_string()),
            self.intent,
            self.stage
        )
    }
}
