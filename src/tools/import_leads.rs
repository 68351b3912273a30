//! `import_leads`: leads from CSV text or JSON rows, each row checked on its own, all that pass
//! imported in one transaction and scored.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::leads::import::{self, Rejected};
use crate::leads::score::{self, Regraded};
use crate::leads::suppression_hash;
use crate::registry::{Tool, ToolContext};
use crate::store::{Imported, NewLead};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// CSV with a header row: email (required), name or first_name and last_name, company,
    /// title, domain, country (ISO 3166 alpha-2), employees, industry, source; other columns
    /// are kept as custom fields.
    #[schemars(length(min = 6, max = 2_000_000))]
    pub csv: Option<String>,
    /// The same as JSON objects, instead of `csv`.
    #[schemars(length(min = 1, max = 10_000))]
    pub rows: Option<Vec<serde_json::Map<String, serde_json::Value>>>,
    /// The source of rows that name none (a list's name, an event).
    #[schemars(length(min = 1, max = 100))]
    pub source: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// New leads.
    pub created: u32,
    /// Leads already known by their email, their fields merged.
    pub updated: u32,
    /// Rows refused, with the reason; nothing of them was imported.
    pub rejected: Vec<Rejected>,
    /// The ids of the leads imported, in row order.
    pub lead_ids: Vec<String>,
    /// Leads whose grade the import changed.
    pub regraded: Vec<Regraded>,
}

pub struct ImportLeads;

impl Tool for ImportLeads {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let mut parsed = match (&input.csv, &input.rows) {
            (Some(text), None) => {
                import::csv(text).map_err(|message| Error::invalid("/csv", message))?
            }
            (None, Some(rows)) => import::json(rows),
            _ => {
                return Err(Error::invalid("", "give either csv or rows"));
            }
        };
        let rows: Vec<NewLead> = parsed
            .rows
            .iter()
            .map(|row| NewLead {
                id: format!("lead_{}", crate::auth::random_hex(8)),
                email: row.email.clone(),
                fields: serde_json::to_string(&row.fields).unwrap_or_else(|_| "{}".into()),
                source: row.source.clone().or(input.source.clone()),
                suppression_hash: suppression_hash(customer, &row.email),
            })
            .collect();
        let now = ctx.clock.now_millis();
        let outcomes = ctx.store.import_leads(customer, rows, now).await?;
        let (mut created, mut updated, mut ids) = (0, 0, Vec::new());
        for (row, outcome) in parsed.rows.iter().zip(outcomes) {
            match outcome {
                Imported::Created(id) => {
                    created += 1;
                    ids.push(id);
                }
                Imported::Updated(id) => {
                    updated += 1;
                    ids.push(id);
                }
                Imported::Suppressed => parsed.rejected.push(Rejected {
                    row: row.row,
                    email: Some(row.email.clone()),
                    reason: "this address was erased or unsubscribed: it is on the suppression \
                             list and is not imported again"
                        .into(),
                }),
            }
        }
        parsed.rejected.sort_by_key(|r| r.row);
        let rescored = score::rescore(&ctx.store, customer, now, Some(&ids)).await?;
        Ok(Output {
            created,
            updated,
            rejected: parsed.rejected,
            lead_ids: ids,
            regraded: rescored.regraded,
        })
    }

    fn render(&self, output: &Output) -> String {
        let mut lines = vec![format!(
            "{} leads created, {} updated, {} rows rejected.",
            output.created,
            output.updated,
            output.rejected.len()
        )];
        for rejected in output.rejected.iter().take(20) {
            lines.push(format!("- row {}: {}", rejected.row, rejected.reason));
        }
        lines.join("\n")
    }
}
