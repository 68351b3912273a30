//! Scores and grades, and rescoring a customer's leads with what the collector has seen since.
//!
//! The grade is the fit letter (A ≥ 75, B ≥ 50, C ≥ 25, else D) and the intent digit (1 ≥ 60,
//! 2 ≥ 30, 3 ≥ 10, else 4): A1 is a good fit acting now, D4 neither. Without a profile there is
//! no fit, so no grade: nothing is made up.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::fit::{self, Fit, Icp};
use super::intent::{self, Action, Signal};
use super::{Fields, Lead};
use crate::clock::rfc3339;
use crate::error::Error;
use crate::store::{LeadAction, LeadRecord, Millis, NewEvent, ScoreUpdate, SeenSignal, Store};

/// The grade of a fit and an intent.
pub fn grade(fit: Option<u32>, intent: u32) -> Option<String> {
    let letter = match fit? {
        75.. => 'A',
        50.. => 'B',
        25.. => 'C',
        _ => 'D',
    };
    let digit = match intent {
        60.. => '1',
        30.. => '2',
        10.. => '3',
        _ => '4',
    };
    Some(format!("{letter}{digit}"))
}

/// Why a lead scores what it scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Scoring {
    /// Absent until the customer sets an ideal customer profile (`set_icp`).
    pub fit: Option<Fit>,
    /// The largest contributions to the intent score, each with its date.
    pub intent: Vec<intent::Contribution>,
    pub half_life_days: u32,
    pub scored_at: String,
}

/// A lead's new scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub id: String,
    pub fit: Option<u32>,
    pub intent: u32,
    pub grade: Option<String>,
    pub scoring: Scoring,
}

/// Who to score: a lead's id, email and fields.
pub struct ToScore<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub fields: &'a Fields,
}

/// The collector's signals by the email hash they were seen under, with the sites seen, and
/// the actions heycmo recorded itself by lead.
#[derive(Default)]
pub struct Signals {
    pub by_hash: HashMap<String, Vec<Signal>>,
    pub sites: Vec<String>,
    pub by_lead: HashMap<String, Vec<Signal>>,
}

impl Signals {
    /// Adds recorded actions; one whose name is unknown (written by a later version) is left
    /// out rather than guessed.
    pub fn with_actions(mut self, actions: Vec<LeadAction>) -> Signals {
        for action in actions {
            let Ok(kind) =
                serde_json::from_value::<Action>(serde_json::Value::String(action.action))
            else {
                continue;
            };
            self.by_lead
                .entry(action.lead_id)
                .or_default()
                .push(Signal {
                    action: kind,
                    at: action.at,
                    detail: action.detail,
                });
        }
        self
    }

    pub fn from_seen(seen: Vec<SeenSignal>) -> Signals {
        let mut signals = Signals::default();
        for row in seen {
            let signal = match row.path {
                None => Signal {
                    action: Action::Visit,
                    at: row.at,
                    detail: None,
                },
                Some(path) if intent::high_intent(&path) => Signal {
                    action: Action::HighIntentPage,
                    at: row.at,
                    detail: Some(path),
                },
                Some(_) => continue,
            };
            if !signals.sites.contains(&row.site_id) {
                signals.sites.push(row.site_id);
            }
            signals
                .by_hash
                .entry(row.email_hash)
                .or_default()
                .push(signal);
        }
        signals
    }
}

/// Scores `leads` at `now`: fit from `icp`, intent from their signals on any of the sites;
/// with `explain`, each score's breakdown (which many leads at once do without).
pub fn score_all(
    leads: &[ToScore<'_>],
    icp: Option<&Icp>,
    signals: &Signals,
    now: Millis,
    explain: bool,
) -> Vec<Scored> {
    let half_life = icp.map_or(14, Icp::half_life_days);
    let prepared = icp.filter(|icp| icp.has_rules()).map(fit::Prepared::new);
    let mut mine: Vec<Signal> = Vec::new();
    leads
        .iter()
        .map(|lead| {
            mine.clear();
            if let Some(own) = signals.by_lead.get(lead.id) {
                mine.extend(own.iter().cloned());
            }
            for site in &signals.sites {
                let hash = crate::analytics::collector::email_hash(site, lead.email);
                if let Some(found) = signals.by_hash.get(&hash) {
                    mine.extend(found.iter().cloned());
                }
            }
            let fit = prepared
                .as_ref()
                .map(|p| p.fit(lead.email, lead.fields, explain));
            let (intent, contributions) = intent::intent(&mine, now, half_life, explain);
            let fit_score = fit.as_ref().map(|f| f.score);
            Scored {
                id: lead.id.to_owned(),
                fit: fit_score,
                intent,
                grade: grade(fit_score, intent),
                scoring: Scoring {
                    fit,
                    intent: contributions,
                    half_life_days: half_life,
                    scored_at: rfc3339(now),
                },
            }
        })
        .collect()
}

/// A lead whose grade changed in a rescoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Regraded {
    pub lead_id: String,
    pub grade: Option<String>,
    pub previous_grade: Option<String>,
}

/// What a rescoring did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rescored {
    pub scored: u32,
    /// Leads whose fit or intent moved.
    pub changed: u32,
    pub regraded: Vec<Regraded>,
    /// Each lead's scores with their breakdown, for a caller that shows one.
    #[serde(skip)]
    #[schemars(skip)]
    pub scores: Vec<Scored>,
}

/// The customer's profile, if set.
pub async fn profile(store: &Store, customer: &str) -> Result<Option<Icp>, Error> {
    store
        .icp(customer)
        .await?
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| Error::Internal(format!("the stored profile is unreadable: {e}")))
        })
        .transpose()
}

/// A stored lead's fields.
pub fn fields_of(record: &LeadRecord) -> Result<Fields, Error> {
    serde_json::from_str(&record.fields)
        .map_err(|e| Error::Internal(format!("lead {} is unreadable: {e}", record.id)))
}

/// Stores `icp` as the customer's ideal customer profile and scores every lead against it
/// again: `set_icp`, and the brand interview's answers about the ideal customer.
pub async fn apply_icp(
    store: &Store,
    customer: &str,
    icp: &super::fit::Icp,
    now: Millis,
) -> Result<Rescored, Error> {
    let text = serde_json::to_string(icp).map_err(|e| Error::Internal(e.to_string()))?;
    store.set_icp(customer, &text, now).await?;
    rescore(store, customer, now, None).await
}

/// Rescores the customer's leads (or those of `only`), stores what moved and appends
/// `lead.scored` for each grade that changed, in one transaction; the breakdown is not stored
/// (it is worked out again whenever a lead is read whole).
pub async fn rescore(
    store: &Store,
    customer: &str,
    now: Millis,
    only: Option<&[String]>,
) -> Result<Rescored, Error> {
    let icp = profile(store, customer).await?;
    let records = store.leads_to_score(customer, only).await?;
    let fields: Vec<Fields> = records.iter().map(fields_of).collect::<Result<_, _>>()?;
    // A few leads read only their own signals: the hashes their emails have on each site.
    let hashes = match only {
        None => None,
        Some(_) => {
            let sites = store.sites(customer).await?;
            Some(
                records
                    .iter()
                    .flat_map(|r| {
                        sites
                            .iter()
                            .map(|site| crate::analytics::collector::email_hash(&site.id, &r.email))
                    })
                    .collect::<Vec<_>>(),
            )
        }
    };
    let signals = Signals::from_seen(
        store
            .lead_signals(customer, intent::HIGH_INTENT, hashes.as_deref())
            .await?,
    )
    .with_actions(store.lead_actions(customer, only).await?);
    let leads: Vec<ToScore<'_>> = records
        .iter()
        .zip(&fields)
        .map(|(r, f)| ToScore {
            id: &r.id,
            email: &r.email,
            fields: f,
        })
        .collect();
    let scored = score_all(&leads, icp.as_ref(), &signals, now, only.is_some());
    let mut rescored = Rescored {
        scored: scored.len() as u32,
        ..Rescored::default()
    };
    let (mut updates, mut events) = (Vec::new(), Vec::new());
    for (record, score) in records.iter().zip(&scored) {
        if record.fit == score.fit && record.intent == score.intent {
            continue;
        }
        rescored.changed += 1;
        if record.grade != score.grade && score.grade.is_some() {
            events.push(NewEvent::new(
                customer.to_owned(),
                "lead.scored",
                &json!({
                    "leadId": record.id,
                    "grade": score.grade,
                    "previousGrade": record.grade,
                    "fit": score.fit,
                    "intent": score.intent,
                }),
                now,
            ));
            rescored.regraded.push(Regraded {
                lead_id: record.id.clone(),
                grade: score.grade.clone(),
                previous_grade: record.grade.clone(),
            });
        }
        updates.push(ScoreUpdate {
            id: score.id.clone(),
            fit: score.fit,
            intent: score.intent,
            grade: score.grade.clone(),
        });
    }
    if !updates.is_empty() {
        store.save_scores(customer, updates, events, now).await?;
    }
    rescored.scores = scored;
    Ok(rescored)
}

/// One lead scored again as of `now` (intent decays with time), whole with its breakdown.
pub async fn scored_lead(
    store: &Store,
    customer: &str,
    id: &str,
    now: Millis,
) -> Result<Lead, Error> {
    let missing = || Error::NotFound(format!("No lead {id}"));
    store.lead(customer, id).await?.ok_or_else(missing)?;
    let ids = [id.to_owned()];
    let scoring = rescore(store, customer, now, Some(&ids))
        .await?
        .scores
        .pop()
        .map(|s| s.scoring);
    let record = store.lead(customer, id).await?.ok_or_else(missing)?;
    lead_of(&record, scoring)
}

/// A stored lead as its owner sees it, with `scoring`'s breakdown when given.
pub fn lead_of(record: &LeadRecord, scoring: Option<Scoring>) -> Result<Lead, Error> {
    Ok(Lead {
        id: record.id.clone(),
        email: record.email.clone(),
        fields: fields_of(record)?,
        source: record.source.clone(),
        stage: record.stage.clone(),
        fit: record.fit,
        intent: record.intent,
        grade: record.grade.clone(),
        created_at: rfc3339(record.created_at),
        updated_at: rfc3339(record.updated_at),
        scoring,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_combine_fit_letters_and_intent_digits() {
        assert_eq!(grade(Some(90), 70).as_deref(), Some("A1"));
        assert_eq!(grade(Some(50), 29).as_deref(), Some("B3"));
        assert_eq!(grade(Some(24), 0).as_deref(), Some("D4"));
        assert_eq!(grade(None, 99), None);
    }

    #[test]
    fn signals_reach_the_lead_whose_email_they_were_seen_under() {
        let hash = crate::analytics::collector::email_hash("site_a", "ann@acme.example");
        let signals = Signals::from_seen(vec![
            SeenSignal {
                site_id: "site_a".into(),
                email_hash: hash.clone(),
                at: 1000,
                path: None,
            },
            SeenSignal {
                site_id: "site_a".into(),
                email_hash: hash.clone(),
                at: 1000,
                path: Some("/pricing".into()),
            },
            SeenSignal {
                site_id: "site_a".into(),
                email_hash: hash,
                at: 1000,
                path: Some("/blog".into()),
            },
        ]);
        let fields = Fields::default();
        let leads = [
            ToScore {
                id: "lead_ann",
                email: "ann@acme.example",
                fields: &fields,
            },
            ToScore {
                id: "lead_bob",
                email: "bob@acme.example",
                fields: &fields,
            },
        ];
        let scored = score_all(&leads, None, &signals, 1000, true);
        assert_eq!(scored[0].intent, 20, "a visit and a pricing page");
        assert_eq!(scored[0].scoring.intent.len(), 2);
        assert_eq!(scored[1].intent, 0);
        assert_eq!(scored[0].grade, None, "no profile, no fit, no grade");
    }
}
