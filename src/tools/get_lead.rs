//! `get_lead`: one lead, rescored now, with why it scores so and what it did.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::error::Error;
use crate::leads::Lead;
use crate::leads::score;
use crate::registry::{Tool, ToolContext};
use crate::store::EventQuery;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^lead_[0-9a-f]{16}$"))]
    pub lead_id: String,
}

/// Something that happened to or by the lead.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Moment {
    pub at: String,
    pub what: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    #[serde(flatten)]
    pub lead: Lead,
    /// Newest first: the grade changes, the actions that count for intent, the import.
    pub timeline: Vec<Moment>,
}

/// Grade changes read back for the timeline.
const GRADE_EVENTS: usize = 500;

pub struct GetLead;

impl Tool for GetLead {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let lead = score::scored_lead(&ctx.store, customer, &input.lead_id, ctx.clock.now_millis())
            .await?;
        let mut timeline: Vec<(String, Moment)> = Vec::new();
        let grades = ctx
            .store
            .events(
                customer,
                EventQuery {
                    kind: Some("lead.scored".into()),
                    limit: GRADE_EVENTS,
                    ..EventQuery::default()
                },
            )
            .await?;
        for event in grades {
            let data = &event.data;
            if data["leadId"] == input.lead_id.as_str() {
                let at = rfc3339(event.at);
                timeline.push((
                    at.clone(),
                    Moment {
                        at,
                        what: format!(
                            "graded {} (was {})",
                            data["grade"].as_str().unwrap_or("—"),
                            data["previousGrade"].as_str().unwrap_or("ungraded")
                        ),
                    },
                ));
            }
        }
        for part in lead.scoring.iter().flat_map(|s| &s.intent) {
            timeline.push((
                part.at.clone(),
                Moment {
                    at: part.at.clone(),
                    what: format!(
                        "{}{} ({} intent points now)",
                        serde_json::to_value(part.action)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        part.detail
                            .as_ref()
                            .map(|d| format!(" {d}"))
                            .unwrap_or_default(),
                        part.points
                    ),
                },
            ));
        }
        timeline.push((
            lead.created_at.clone(),
            Moment {
                at: lead.created_at.clone(),
                what: format!(
                    "added{}",
                    lead.source
                        .as_ref()
                        .map(|s| format!(" from {s}"))
                        .unwrap_or_default()
                ),
            },
        ));
        timeline.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(Output {
            lead,
            timeline: timeline.into_iter().map(|(_, m)| m).collect(),
        })
    }

    fn render(&self, output: &Output) -> String {
        let mut lines = vec![output.lead.render()];
        if let Some(scoring) = &output.lead.scoring {
            for part in scoring.fit.iter().flat_map(|f| &f.contributions) {
                lines.push(format!(
                    "- fit {}: {}/{} — {}",
                    part.rule, part.points, part.of, part.why
                ));
            }
        }
        for moment in output.timeline.iter().take(20) {
            lines.push(format!("- {}: {}", moment.at, moment.what));
        }
        lines.join("\n")
    }
}
