//! `query_ga4`: a GA4 Data API report on the connected property.

use crate::error::Error;
use crate::google::ga4::{self, Query, Report};
use crate::google::{self, Source};
use crate::registry::{Tool, ToolContext};

pub struct QueryGa4;

impl Tool for QueryGa4 {
    type Input = Query;
    type Output = Report;

    async fn call(&self, ctx: &ToolContext, input: Query) -> Result<Report, Error> {
        ga4::check(&input)?;
        let connection = google::connection(
            &ctx.store,
            &ctx.vault,
            &ctx.principal.customer.id,
            Source::GoogleAnalytics,
        )
        .await?;
        Ok(ctx
            .google
            .run_report(
                &connection.credential,
                &connection.target,
                &input,
                ctx.clock.now_millis(),
            )
            .await?)
    }

    fn render(&self, report: &Report) -> String {
        let mut lines = vec![format!(
            "GA4 property {}: {} of {} rows.",
            report.property_id,
            report.rows.len(),
            report.row_count
        )];
        if report.metadata.sampled {
            lines.push("Sampled: GA4 read a share of the events.".into());
        }
        if report.metadata.subject_to_thresholding {
            lines.push("Thresholded: GA4 withheld rows with small counts.".into());
        }
        let columns: Vec<&str> = report
            .dimension_headers
            .iter()
            .map(String::as_str)
            .chain(report.metric_headers.iter().map(|h| h.name.as_str()))
            .collect();
        if !report.rows.is_empty() {
            lines.push(columns.join(" | "));
        }
        for row in report.rows.iter().take(50) {
            let cells: Vec<String> = columns
                .iter()
                .map(|column| match &row[*column] {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect();
            lines.push(cells.join(" | "));
        }
        if report.rows.len() > 50 {
            lines.push(format!(
                "… {} more rows in the structured result.",
                report.rows.len() - 50
            ));
        }
        lines.join("\n")
    }
}
