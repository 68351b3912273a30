//! `update_lead`: changes a lead's fields or stage, and scores it again.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::leads::score;
use crate::leads::{Lead, Stage};
use crate::registry::{Tool, ToolContext};

/// A field to set, or `null` to clear it.
type Change<T> = Option<Option<T>>;

/// Reads a field that may be absent (keep), `null` (clear) or a value (set).
fn change<'de, D, T>(deserializer: D) -> Result<Change<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^lead_[0-9a-f]{16}$"))]
    pub lead_id: String,
    pub stage: Option<Stage>,
    #[serde(default, deserialize_with = "change")]
    #[schemars(length(min = 1, max = 500))]
    pub name: Change<String>,
    #[serde(default, deserialize_with = "change")]
    #[schemars(length(min = 1, max = 500))]
    pub company: Change<String>,
    #[serde(default, deserialize_with = "change")]
    #[schemars(length(min = 1, max = 500))]
    pub title: Change<String>,
    #[serde(default, deserialize_with = "change")]
    #[schemars(length(min = 3, max = 253))]
    pub domain: Change<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, deserialize_with = "change")]
    #[schemars(regex(pattern = r"^[A-Za-z]{2}$"))]
    pub country: Change<String>,
    #[serde(default, deserialize_with = "change")]
    #[schemars(range(min = 0, max = 10_000_000))]
    pub employees: Change<u32>,
    #[serde(default, deserialize_with = "change")]
    #[schemars(length(min = 1, max = 500))]
    pub industry: Change<String>,
}

pub struct UpdateLead;

impl Tool for UpdateLead {
    type Input = Input;
    type Output = Lead;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Lead, Error> {
        let customer = &ctx.principal.customer.id;
        let mut patch = Map::new();
        let mut put = |key: &str, value: Change<Value>| {
            if let Some(value) = value {
                patch.insert(key.into(), value.unwrap_or(Value::Null));
            }
        };
        let text = |v: Change<String>| v.map(|v| v.map(|s| Value::String(s.trim().to_owned())));
        put("name", text(input.name));
        put("company", text(input.company));
        put("title", text(input.title));
        put(
            "domain",
            text(input.domain.map(|d| d.map(|d| d.to_ascii_lowercase()))),
        );
        put(
            "country",
            text(input.country.map(|c| c.map(|c| c.to_ascii_uppercase()))),
        );
        put("employees", input.employees.map(|e| e.map(Value::from)));
        put("industry", text(input.industry));
        let fields = (!patch.is_empty()).then(|| Value::Object(patch).to_string());
        let now = ctx.clock.now_millis();
        ctx.store
            .update_lead(
                customer,
                &input.lead_id,
                fields,
                input.stage.map(|s| s.as_str().to_owned()),
                now,
            )
            .await?
            .ok_or_else(|| Error::NotFound(format!("No lead {}", input.lead_id)))?;
        score::scored_lead(&ctx.store, customer, &input.lead_id, now).await
    }

    fn render(&self, lead: &Lead) -> String {
        lead.render()
    }
}
