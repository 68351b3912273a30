//! The overview (account, brand, audit scores over time, what needs attention), the calendar
//! of scheduled posts, and usage against the server's limits.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Board;
use crate::pages::dashboard::chart::{self, Point, Series};
use crate::pages::dashboard::table::{self, Cell, Row, Table, at};
use crate::pages::dashboard::{Block, View};

/// How many records a count on the overview looks at; more reads as "100+".
const COUNT_LIMIT: usize = 100;

/// A count as the overview shows it: past the records it looked at, "100+".
fn shown(n: usize) -> String {
    if n >= COUNT_LIMIT {
        format!("{COUNT_LIMIT}+")
    } else {
        n.to_string()
    }
}

/// How many items of the array at `list` match `matches`.
fn count(output: &Value, list: &str, matches: impl Fn(&Value) -> bool) -> usize {
    at(output, list)
        .as_array()
        .map_or(0, |items| items.iter().filter(|item| matches(item)).count())
}

impl Board<'_> {
    fn account(&self) -> Block {
        let customer = &self.principal.customer;
        let mut facts = vec![
            (
                "Account".to_owned(),
                format!("{} ({})", customer.email, customer.id),
            ),
            (
                "Plan".to_owned(),
                format!("{}, {}", customer.plan, customer.status),
            ),
            (
                "Your role".to_owned(),
                self.principal.scope.as_str().to_owned(),
            ),
        ];
        if let Some(at) = customer.trial_ends_at {
            facts.push((
                "Trial until".into(),
                table::when(&json!(crate::clock::rfc3339(at))),
            ));
        }
        Block::Facts {
            title: "Account".into(),
            facts,
        }
    }

    async fn brand(&self) -> Block {
        match self.view("get_brand_profile", json!({})).await {
            Ok(profile) => {
                let mut facts = Vec::new();
                for (label, field) in [
                    ("Name", "/name"),
                    ("Site", "/url"),
                    ("Tagline", "/tagline"),
                    ("Value proposition", "/valueProposition"),
                    ("Audience", "/audience"),
                    ("Calls to action", "/callsToAction"),
                    ("Analysed", "/analyzedAt"),
                ] {
                    let value = at(&profile, field);
                    if !value.is_null() {
                        let text = if field == "/analyzedAt" {
                            table::when(value)
                        } else {
                            table::display(value)
                        };
                        facts.push((label.to_owned(), text));
                    }
                }
                Block::Facts {
                    title: "Brand".into(),
                    facts,
                }
            }
            Err(crate::error::Error::NotFound(_)) => Block::Note {
                text: "No brand profile yet.".into(),
                link: Some(("/dashboard/onboarding".into(), "Start onboarding".into())),
            },
            Err(error) => self.failed("The brand profile", &error),
        }
    }

    /// The audit scores over time, one line per kind of audit, and the latest of each.
    async fn scores(&self) -> Vec<Block> {
        let audits = match self.view("list_audits", json!({"limit": 100})).await {
            Ok(output) => output,
            Err(error) => return vec![self.failed("Audit scores", &error)],
        };
        let mut by_kind: BTreeMap<String, Vec<(f64, f64, String)>> = BTreeMap::new();
        for audit in at(&audits, "/audits").as_array().into_iter().flatten() {
            let (Some(x), Some(score)) = (
                table::millis(at(audit, "/createdAt")),
                at(audit, "/overall").as_f64(),
            ) else {
                continue;
            };
            let kind = table::display(at(audit, "/kind"));
            let label = format!(
                "{kind} {score:.0} — {}",
                table::when(at(audit, "/createdAt"))
            );
            by_kind.entry(kind).or_default().push((x, score, label));
        }
        if by_kind.is_empty() {
            return vec![Block::Note {
                text: "No audits yet: ask your agent to run ai_seo_audit on your site, and its scores appear here."
                    .into(),
                link: None,
            }];
        }
        let mut latest = Vec::new();
        let series: Vec<Series> = by_kind
            .into_iter()
            .map(|(kind, mut points)| {
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                if let Some((_, score, _)) = points.last() {
                    latest.push((kind.clone(), format!("{score:.0} / 100")));
                }
                Series {
                    name: kind,
                    points: points
                        .into_iter()
                        .map(|(x, y, label)| Point { x, y, label })
                        .collect(),
                }
            })
            .collect();
        let times = || series.iter().flat_map(|s| s.points.iter().map(|p| p.x));
        let day = |x: f64| {
            crate::clock::rfc3339(x as i64)
                .split('T')
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        let (first, last) = (
            day(times().fold(f64::INFINITY, f64::min)),
            day(times().fold(f64::NEG_INFINITY, f64::max)),
        );
        let mut blocks = vec![Block::Facts {
            title: "Latest audit scores".into(),
            facts: latest,
        }];
        if let Some(svg) = chart::line("Audit scores over time", &series, 100.0, &first, &last) {
            blocks.push(Block::Chart {
                title: "Audit scores over time".into(),
                svg,
                summary: format!("Overall score (0 to 100) of every audit from {first} to {last}, one line per kind."),
            });
        }
        blocks
    }

    /// What is waiting on someone, each with where to see it.
    async fn attention(&self) -> Block {
        let mut items: Vec<Row> = Vec::new();
        let mut add = |what: &str, count: String, href: &str| {
            items.push(Row {
                cells: vec![Cell::text(what).link(href), Cell::text(count)],
                actions: Vec::new(),
            });
        };
        // Each a tool read and a filter of its answer: (what, tool, input, list, which, page).
        type Check = (
            &'static str,
            &'static str,
            Value,
            &'static str,
            fn(&Value) -> bool,
            &'static str,
        );
        let any = |_: &Value| true;
        let checks: [Check; 6] = [
            (
                "Drafts waiting for review",
                "list_content",
                json!({"state": "draft", "limit": COUNT_LIMIT}),
                "/content",
                any,
                "/dashboard/content?state=draft",
            ),
            (
                "Briefs waiting for a writer",
                "list_content",
                json!({"state": "brief", "limit": COUNT_LIMIT}),
                "/content",
                any,
                "/dashboard/content?state=brief",
            ),
            (
                "Posts that failed",
                "list_posts",
                json!({"state": "failed", "limit": COUNT_LIMIT}),
                "/posts",
                any,
                "/dashboard/posts?state=failed",
            ),
            (
                "Jobs that failed",
                "list_jobs",
                json!({"state": "failed", "limit": COUNT_LIMIT}),
                "/jobs",
                any,
                "/dashboard/jobs?state=failed",
            ),
            (
                "Jobs that gave up",
                "list_jobs",
                json!({"state": "dead", "limit": COUNT_LIMIT}),
                "/jobs",
                any,
                "/dashboard/jobs?state=dead",
            ),
            (
                "Webhooks disabled after failures",
                "list_webhooks",
                json!({}),
                "/webhooks",
                |hook| at(hook, "/enabled") == &Value::Bool(false),
                "/dashboard/webhooks",
            ),
        ];
        for (what, tool, input, list, which, href) in checks {
            if !self.can(tool) {
                continue;
            }
            match self.view(tool, input).await {
                Ok(output) => match count(&output, list, which) {
                    0 => {}
                    n => add(what, shown(n), href),
                },
                Err(error) => add(&format!("{what}: {error}"), "?".into(), href),
            }
        }
        // Until onboarding is complete, the questions still open.
        if let Ok(onboarding) = self.view("get_onboarding", json!({})).await
            && at(&onboarding, "/status") != "completed"
        {
            let open = count(&onboarding, "/questions", |q| {
                at(q, "/answered") == &Value::Bool(false)
            });
            if open > 0 {
                add(
                    "Onboarding questions to answer",
                    shown(open),
                    "/dashboard/onboarding",
                );
            }
        }
        Block::Table(Table {
            title: "Needs attention".into(),
            columns: vec!["What".into(), "How many".into()],
            rows: items,
            empty: "Nothing is waiting on you.".into(),
            next: None,
        })
    }
}

/// `/dashboard`.
pub async fn overview(board: &Board<'_>) -> View {
    let mut blocks = Vec::new();
    if crate::billing::writes_blocked(&board.principal.customer) {
        blocks.push(Block::Alert(format!(
            "The subscription is {}: everything can be read, nothing changed until billing is fixed.",
            board.principal.customer.status
        )));
    }
    blocks.push(board.attention().await);
    blocks.extend(board.scores().await);
    blocks.push(board.brand().await);
    blocks.push(board.account());
    board.view_of("", "Overview".into(), blocks)
}

/// `/dashboard/calendar`: the queued posts, day by day.
pub async fn calendar(board: &Board<'_>) -> View {
    let mut blocks = vec![Block::Note {
        text: "Posts waiting to go out, by the day they are due (UTC).".into(),
        link: Some(("/dashboard/posts".into(), "Every post".into())),
    }];
    match board
        .view("list_posts", json!({"state": "queued", "limit": 200}))
        .await
    {
        Ok(output) => {
            let mut days: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for post in at(&output, "/posts").as_array().into_iter().flatten() {
                let run_at = at(post, "/runAt").as_str().unwrap_or_default();
                days.entry(run_at.chars().take(10).collect())
                    .or_default()
                    .push(post.clone());
            }
            if days.is_empty() {
                blocks.push(Block::Note {
                    text:
                        "Nothing is scheduled: schedule_content queues approved content for a time."
                            .into(),
                    link: None,
                });
            }
            for (day, mut posts) in days {
                posts.sort_by(|a, b| at(a, "/runAt").as_str().cmp(&at(b, "/runAt").as_str()));
                let rows = posts
                    .iter()
                    .map(|post| Row {
                        cells: vec![
                            Cell::text(table::when(at(post, "/runAt"))),
                            Cell::text(table::display(at(post, "/channel"))),
                            Cell::text(table::display(at(post, "/text"))),
                        ],
                        actions: Vec::new(),
                    })
                    .collect();
                blocks.push(Block::Table(Table {
                    title: day,
                    columns: vec!["When".into(), "Channel".into(), "Text".into()],
                    rows,
                    empty: String::new(),
                    next: None,
                }));
            }
        }
        Err(error) => blocks.push(board.failed("The calendar", &error)),
    }
    board.view_of("calendar", "Calendar".into(), blocks)
}

/// `/dashboard/usage`: the model's tokens, and the limits this server applies.
pub async fn usage(board: &Board<'_>) -> View {
    let mut blocks = Vec::new();
    match board.view("get_usage", json!({})).await {
        Ok(output) => {
            blocks.push(Block::Facts {
                title: "Language-model usage, all time".into(),
                facts: vec![
                    ("Calls".into(), table::display(at(&output, "/totals/calls"))),
                    (
                        "Input tokens".into(),
                        table::display(at(&output, "/totals/inputTokens")),
                    ),
                    (
                        "Output tokens".into(),
                        table::display(at(&output, "/totals/outputTokens")),
                    ),
                ],
            });
            let rows = table::rows(
                at(&output, "/days"),
                &["/day", "/engine", "/calls", "/inputTokens", "/outputTokens"],
            );
            blocks.push(Block::Table(Table {
                title: "By day".into(),
                columns: table::headers(&["Day", "Engine", "Calls", "Input tokens", "Output tokens"]),
                rows,
                empty: "No server-side model has written anything for you: writing through your agent's own model (sampling) or offline costs this server nothing.".into(),
                next: None,
            }));
        }
        Err(error) => blocks.push(board.failed("Usage", &error)),
    }
    let limits = &board.app.config.limits;
    blocks.push(Block::Facts {
        title: "Limits".into(),
        facts: vec![
            (
                "REST requests and dashboard pages".into(),
                format!("{} a minute", limits.rest),
            ),
            ("MCP tool calls".into(), format!("{} a minute", limits.mcp)),
            (
                "AI visibility asks per run".into(),
                board.app.config.visibility_max_asks.to_string(),
            ),
        ],
    });
    board.view_of("usage", "Usage".into(), blocks)
}
