//! Analytics (sites, their traffic, revenue attribution) and AI visibility: the measured
//! figures, as tables and charts; nothing here is estimated.

use serde_json::json;

use super::Board;
use crate::pages::dashboard::chart::{self, Point, Series};
use crate::pages::dashboard::sections::{RUNS, SITES};
use crate::pages::dashboard::table::{self, Cell, Row, Table, at};
use crate::pages::dashboard::{Block, Filter, View};

impl Board<'_> {
    /// The traffic of one site over the last 30 days.
    async fn traffic(&self, site: &str) -> Vec<Block> {
        let stats = match self
            .view("site_stats", json!({"siteId": site, "period": "30d"}))
            .await
        {
            Ok(stats) => stats,
            Err(error) => return vec![self.failed("The site's traffic", &error)],
        };
        let summary = |field: &str| table::display(at(&stats, &format!("/summary/{field}")));
        let mut blocks = vec![Block::Facts {
            title: format!(
                "Last 30 days ({} to {})",
                table::display(at(&stats, "/from")),
                table::display(at(&stats, "/to"))
            ),
            facts: vec![
                ("Visitors".into(), summary("visitors")),
                ("Visits".into(), summary("visits")),
                ("Pageviews".into(), summary("pageviews")),
                ("Bounce rate".into(), format!("{} %", summary("bounceRate"))),
                ("Conversions".into(), summary("conversions")),
                (
                    "Conversion rate".into(),
                    format!("{} %", summary("conversionRate")),
                ),
            ],
        }];
        let series: Vec<(f64, f64, String)> = at(&stats, "/series")
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(index, day)| {
                let visitors = at(day, "/visitors").as_f64()?;
                let date = table::display(at(day, "/date"));
                Some((
                    index as f64,
                    visitors,
                    format!("{date}: {visitors} visitors"),
                ))
            })
            .collect();
        let top = series.iter().map(|p| p.1).fold(0.0, f64::max);
        if top > 0.0 {
            let first = table::display(at(&stats, "/from"));
            let last = table::display(at(&stats, "/to"));
            let line = Series {
                name: "visitors".into(),
                points: series
                    .into_iter()
                    .map(|(x, y, label)| Point { x, y, label })
                    .collect(),
            };
            if let Some(svg) = chart::line("Visitors per day", &[line], top, &first, &last) {
                blocks.push(Block::Chart {
                    title: "Visitors per day".into(),
                    svg,
                    summary: format!("Unique visitors each day from {first} to {last}; the busiest day had {top}."),
                });
            }
        }
        blocks.push(Block::Table(Table {
            title: "Top pages".into(),
            columns: table::headers(&["Page", "Pageviews", "Visits"]),
            rows: table::rows(at(&stats, "/topPages"), &["/path", "/pageviews", "/visits"]),
            empty: "No pageviews in these 30 days.".into(),
            next: None,
        }));
        blocks.push(Block::Table(Table {
            title: "Sources".into(),
            columns: table::headers(&["Source", "Visits", "Visitors"]),
            rows: table::rows(at(&stats, "/sources"), &["/source", "/visits", "/visitors"]),
            empty: "No visits in these 30 days.".into(),
            next: None,
        }));
        blocks
    }

    /// Revenue credited to channels, per currency, under each model.
    async fn attribution(&self) -> Vec<Block> {
        let report = match self.view("attribution_report", json!({})).await {
            Ok(report) => report,
            Err(error) => return vec![self.failed("Attribution", &error)],
        };
        let currencies = at(&report, "/currencies")
            .as_array()
            .cloned()
            .unwrap_or_default();
        if currencies.is_empty() {
            return vec![Block::Note {
                text: "No revenue recorded: track_revenue records orders, and attribution credits them to the visits before.".into(),
                link: None,
            }];
        }
        currencies
            .iter()
            .map(|currency| {
                let mut table_rows = Vec::new();
                for model in at(currency, "/models").as_array().into_iter().flatten() {
                    let name = table::display(at(model, "/model"));
                    for group in at(model, "/groups").as_array().into_iter().flatten() {
                        table_rows.push(Row {
                            cells: vec![
                                Cell::text(name.clone()),
                                Cell::text(table::display(at(group, "/key"))),
                                Cell::text(table::display(at(group, "/formatted"))),
                                Cell::text(table::display(at(group, "/orders"))),
                            ],
                            actions: Vec::new(),
                        });
                    }
                }
                Block::Table(Table {
                    title: format!(
                        "Revenue in {}: {} net from {} orders",
                        table::display(at(currency, "/currency")),
                        table::display(at(currency, "/netFormatted")),
                        table::display(at(currency, "/orders"))
                    ),
                    columns: table::headers(&["Model", "Channel", "Credited", "Orders"]),
                    rows: table_rows,
                    empty: String::new(),
                    next: None,
                })
            })
            .collect()
    }
}

/// `/dashboard/analytics`: the sites, one site's traffic (`?site=`, else the first), and
/// attribution.
pub async fn analytics(board: &Board<'_>) -> View {
    let mut blocks = Vec::new();
    match board.load(&SITES, None).await {
        Ok(output) => {
            let ids: Vec<(String, String)> = at(&output, "/sites")
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|site| {
                    Some((
                        site.get("id")?.as_str()?.to_owned(),
                        table::display(at(site, "/name")),
                    ))
                })
                .collect();
            let chosen = board
                .param("site")
                .filter(|site| ids.iter().any(|(id, _)| id == site))
                .map(str::to_owned)
                .or_else(|| ids.first().map(|(id, _)| id.clone()));
            if ids.len() > 1 {
                blocks.push(Block::Filters(
                    ids.iter()
                        .map(|(id, name)| Filter {
                            label: name.clone(),
                            href: format!("/dashboard/analytics?site={id}"),
                            current: chosen.as_deref() == Some(id),
                        })
                        .collect(),
                ));
            }
            if let Some(site) = chosen {
                blocks.extend(board.traffic(&site).await);
            }
            blocks.push(Block::Table(board.table(&SITES, &output)));
        }
        Err(error) => blocks.push(board.failed("Sites", &error)),
    }
    blocks.push(Block::Note {
        text: "Attribution: revenue credited to the channels of the visits before each order."
            .into(),
        link: None,
    });
    blocks.extend(board.attribution().await);
    board.view_of("analytics", "Analytics".into(), blocks)
}

/// `/dashboard/visibility`: whether answer engines name the brand, run by run.
pub async fn visibility(board: &Board<'_>) -> View {
    let mut blocks = vec![Block::Note {
        text: "How often the answer engines people ask name your brand and cite your site, measured from their answers."
            .into(),
        link: None,
    }];
    match board.load(&RUNS, None).await {
        Ok(output) => {
            let mut points: Vec<Point> = at(&output, "/runs")
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|run| {
                    let rate = at(run, "/overall/visibilityRate").as_f64()?;
                    let x = table::millis(at(run, "/createdAt"))?;
                    Some(Point {
                        x,
                        y: rate * 100.0,
                        label: format!(
                            "{} — {}",
                            table::when(at(run, "/createdAt")),
                            table::percent(&json!(rate))
                        ),
                    })
                })
                .collect();
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            if points.len() > 1 {
                let line = Series {
                    name: "named".into(),
                    points,
                };
                if let Some(svg) = chart::line(
                    "Answers naming the brand, %",
                    &[line],
                    100.0,
                    "oldest",
                    "latest",
                ) {
                    blocks.push(Block::Chart {
                        title: "Answers naming the brand".into(),
                        svg,
                        summary: "The share of answers, run by run, that named the brand.".into(),
                    });
                }
            }
            blocks.push(Block::Table(board.table(&RUNS, &output)));
        }
        Err(error) => blocks.push(board.failed("Visibility runs", &error)),
    }
    board.view_of("visibility", "AI visibility".into(), blocks)
}
