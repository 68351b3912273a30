//! `enroll_leads`: puts leads in a sequence, chosen by id or by score, each with its first
//! send planned in its own window; suppressed addresses are left out and said so.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::leads::{Fields, suppression_hash};
use crate::registry::{Tool, ToolContext};
use crate::sequences::send::{due_at, id_domain};
use crate::sequences::{MAX_ENROLL, definition_of, message_id};
use crate::store::{LeadQuery, NewEnrollment, NewSend};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^seq_[0-9a-f]{16}$"))]
    pub sequence_id: String,
    /// These leads; or leave it out and choose by score below.
    #[schemars(
        length(min = 1, max = 1000),
        inner(regex(pattern = r"^lead_[0-9a-f]{16}$"))
    )]
    pub lead_ids: Option<Vec<String>>,
    #[schemars(range(max = 100))]
    pub min_fit: Option<u32>,
    #[schemars(range(max = 100))]
    pub min_intent: Option<u32>,
    /// A grade (`A1`) or a fit letter (`A`).
    #[schemars(regex(pattern = r"^[A-D][1-4]?$"))]
    pub grade: Option<String>,
    /// Most leads chosen by score, best first (default 100).
    #[schemars(range(min = 1, max = 1000))]
    pub limit: Option<u32>,
}

/// A lead that was not enrolled, and why.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub lead_id: String,
    pub reason: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub sequence_id: String,
    pub enrolled: Vec<String>,
    /// Already in the sequence (whatever its state there): left as they were.
    pub already_enrolled: Vec<String>,
    pub skipped: Vec<Skipped>,
}

pub struct EnrollLeads;

impl Tool for EnrollLeads {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let mailer = ctx.mailer.as_ref().ok_or_else(|| {
            Error::Unsupported(
                "No mail server is configured: start heycmo with --smtp-url and --mail-from \
                 (HEYCMO_SMTP_URL, HEYCMO_MAIL_FROM) to send sequences"
                    .into(),
            )
        })?;
        let sequence = ctx
            .store
            .sequence(customer, &input.sequence_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("No sequence {}", input.sequence_id)))?;
        let definition = definition_of(&sequence)?;
        let by_score =
            input.min_fit.is_some() || input.min_intent.is_some() || input.grade.is_some();
        let mut leads = match (&input.lead_ids, by_score) {
            (Some(ids), false) => {
                let found = ctx.store.leads_to_score(customer, Some(ids)).await?;
                if let Some(missing) = ids.iter().find(|id| !found.iter().any(|l| &l.id == *id)) {
                    return Err(Error::NotFound(format!("No lead {missing}")));
                }
                found
            }
            (None, true) => {
                ctx.store
                    .leads(
                        customer,
                        LeadQuery {
                            min_fit: input.min_fit,
                            min_intent: input.min_intent,
                            grade: input.grade.clone(),
                            limit: input.limit.unwrap_or(100).min(MAX_ENROLL as u32),
                            ..LeadQuery::default()
                        },
                    )
                    .await?
            }
            _ => {
                return Err(Error::invalid(
                    "",
                    "give leadIds, or choose by score with minFit, minIntent or grade (not both)",
                ));
            }
        };
        leads.sort_by(|a, b| a.id.cmp(&b.id));
        leads.dedup_by(|a, b| a.id == b.id);
        let now = ctx.clock.now_millis();
        let domain = id_domain(&definition, mailer);
        let (mut skipped, mut planned) = (Vec::new(), Vec::new());
        for lead in &leads {
            if ctx
                .store
                .suppressed(customer, &suppression_hash(customer, &lead.email))
                .await?
            {
                skipped.push(Skipped {
                    lead_id: lead.id.clone(),
                    reason: "the address is on the suppression list (unsubscribed or bounced)"
                        .into(),
                });
                continue;
            }
            let fields: Fields = crate::leads::score::fields_of(lead)?;
            let send = format!("snd_{}", crate::auth::random_hex(8));
            planned.push(NewEnrollment {
                id: format!("enr_{}", crate::auth::random_hex(8)),
                lead_id: lead.id.clone(),
                first: NewSend {
                    message_id: message_id(&send, &domain),
                    id: send,
                    step: 0,
                    due_at: due_at(now, definition.steps[0].delay_days, &fields, &definition),
                },
            });
        }
        let ids: Vec<String> = planned.iter().map(|p| p.lead_id.clone()).collect();
        let outcomes = ctx
            .store
            .enroll(customer, &sequence.id, planned, now)
            .await?;
        ctx.jobs.wake();
        let (mut enrolled, mut already_enrolled) = (Vec::new(), Vec::new());
        for (id, new) in ids.into_iter().zip(outcomes) {
            if new {
                enrolled.push(id);
            } else {
                already_enrolled.push(id);
            }
        }
        Ok(Output {
            sequence_id: sequence.id,
            enrolled,
            already_enrolled,
            skipped,
        })
    }

    fn render(&self, output: &Output) -> String {
        let mut text = format!(
            "{} leads enrolled in {}, {} already in it, {} skipped.",
            output.enrolled.len(),
            output.sequence_id,
            output.already_enrolled.len(),
            output.skipped.len()
        );
        for skip in &output.skipped {
            text.push_str(&format!("\n{}: {}", skip.lead_id, skip.reason));
        }
        text
    }
}
