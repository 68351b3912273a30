//! `list_events`: the caller's event log, newest first, with cursor pagination.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::rfc3339;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::EventQuery;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// Only events of this type, such as `tool.called`; a trailing `.*` matches a family
    /// (`content.*`).
    #[serde(rename = "type")]
    #[schemars(
        length(min = 1, max = 100),
        regex(pattern = r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$")
    )]
    pub kind: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// The `nextCursor` of the previous page.
    #[schemars(regex(pattern = r"^[0-9]{1,18}$"))]
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
}

/// One event.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Event {
    /// Position in the log; increases with every event.
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    /// When it happened (RFC 3339, UTC).
    pub timestamp: String,
    pub data: Value,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub events: Vec<Event>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

const DEFAULT_LIMIT: usize = 50;

pub struct ListEvents;

impl Tool for ListEvents {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let limit = input.limit.map_or(DEFAULT_LIMIT, |l| l as usize);
        let before_id = input
            .cursor
            .map(|c| {
                c.parse::<i64>().map_err(|_| Error::InvalidInput {
                    message: "/cursor: not a cursor this server issued".into(),
                    pointer: "/cursor".into(),
                })
            })
            .transpose()?;
        // Read-your-writes: the calls that led here are in the log before it is read.
        ctx.events.flush().await?;
        // One more than asked tells whether another page exists without a second query.
        let mut records = ctx
            .store
            .events(
                &ctx.principal.customer.id,
                EventQuery {
                    kind: input.kind,
                    since: input.since.map(|t| t.timestamp_millis()),
                    until: input.until.map(|t| t.timestamp_millis()),
                    before_id,
                    limit: limit + 1,
                },
            )
            .await?;
        let more = records.len() > limit;
        records.truncate(limit);
        let next_cursor = more
            .then(|| records.last().map(|r| r.id.to_string()))
            .flatten();
        let events = records
            .into_iter()
            .map(|r| Event {
                id: r.id,
                kind: r.kind,
                timestamp: rfc3339(r.at),
                data: r.data,
            })
            .collect();
        Ok(Output {
            events,
            next_cursor,
        })
    }

    fn render(&self, output: &Output) -> String {
        if output.events.is_empty() {
            return "No events.".into();
        }
        let mut text = String::new();
        for event in &output.events {
            text.push_str(&format!(
                "#{} {} {} {}\n",
                event.id, event.timestamp, event.kind, event.data
            ));
        }
        if let Some(cursor) = &output.next_cursor {
            text.push_str(&format!("More: call again with cursor {cursor}.\n"));
        }
        text
    }
}
