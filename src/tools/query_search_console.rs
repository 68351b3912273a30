//! `query_search_console`: Search Analytics for the connected Search Console property.

use crate::error::Error;
use crate::google::search_console::{self, Performance, Query};
use crate::google::{self, Source};
use crate::registry::{Tool, ToolContext};

pub struct QuerySearchConsole;

impl Tool for QuerySearchConsole {
    type Input = Query;
    type Output = Performance;

    async fn call(&self, ctx: &ToolContext, input: Query) -> Result<Performance, Error> {
        let now = ctx.clock.now_millis();
        search_console::days(&input, now)?;
        let connection = google::connection(
            &ctx.store,
            &ctx.vault,
            &ctx.principal.customer.id,
            Source::SearchConsole,
        )
        .await?;
        Ok(ctx
            .google
            .search_analytics(&connection.credential, &connection.target, &input, now)
            .await?)
    }

    fn render(&self, performance: &Performance) -> String {
        let mut lines = vec![format!(
            "Search Console {}, {} to {}: {} rows.",
            performance.site_url,
            performance.start_date,
            performance.end_date,
            performance.rows.len()
        )];
        for row in performance.rows.iter().take(50) {
            let keys: Vec<String> = row
                .iter()
                .filter(|(name, _)| {
                    !["clicks", "impressions", "ctr", "position"].contains(&name.as_str())
                })
                .map(|(_, value)| value.as_str().unwrap_or_default().to_owned())
                .collect();
            let number = |name: &str| {
                row.get(name)
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or(0.0)
            };
            let label = if keys.is_empty() {
                "(all)".to_owned()
            } else {
                keys.join(" · ")
            };
            lines.push(format!(
                "{label}: {} clicks, {} impressions, CTR {:.1} %, position {:.1}",
                number("clicks"),
                number("impressions"),
                number("ctr") * 100.0,
                number("position")
            ));
        }
        if performance.rows.len() > 50 {
            lines.push(format!(
                "… {} more rows in the structured result.",
                performance.rows.len() - 50
            ));
        }
        lines.join("\n")
    }
}
