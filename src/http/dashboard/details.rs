//! The pages of one record: an audit's findings, a content item with its edit form, a
//! webhook's delivery log.

use serde_json::{Value, json};

use super::Board;
use crate::pages::dashboard::sections::{CONTENT_ACTIONS, DELIVERIES};
use crate::pages::dashboard::table::{self, Cell, Row, Table, at};
use crate::pages::dashboard::{Block, Form, Input, InputKind, View};

fn fact(label: &str, value: &Value) -> Option<(String, String)> {
    (!value.is_null()).then(|| (label.to_owned(), table::display(value)))
}

/// `/dashboard/audits/{auditId}`: scores, then what to fix, worst first, then what passed.
pub async fn audit(board: &Board<'_>, id: &str) -> View {
    let mut blocks = Vec::new();
    let mut title = "Audit".to_owned();
    match board.view("get_audit", json!({"auditId": id})).await {
        Ok(audit) => {
            title = format!("Audit of {}", table::display(at(&audit, "/url")));
            let mut facts: Vec<(String, String)> = [
                fact("Kind", at(&audit, "/kind")),
                fact("Score", at(&audit, "/scores/overall")),
                fact("Status", at(&audit, "/status")),
                fact("Final URL", at(&audit, "/finalUrl")),
                Some(("Fetched".into(), table::when(at(&audit, "/fetchedAt")))),
                fact("Not audited", at(&audit, "/notAudited")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if let Some(categories) = at(&audit, "/scores/categories").as_object() {
                facts.extend(
                    categories
                        .iter()
                        .map(|(name, score)| (format!("{name} score"), table::display(score))),
                );
            }
            blocks.push(Block::Facts {
                title: "Scores".into(),
                facts,
            });
            let findings: Vec<&Value> = at(&audit, "/findings")
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            let rank = |severity: &Value| match severity.as_str() {
                Some("critical") => 0,
                Some("high") => 1,
                Some("medium") => 2,
                _ => 3,
            };
            let mut failed: Vec<&Value> = findings
                .iter()
                .copied()
                .filter(|f| at(f, "/passed") == &Value::Bool(false))
                .collect();
            failed.sort_by_key(|f| rank(at(f, "/severity")));
            let row = |finding: &&Value, fix: bool| Row {
                cells: [
                    Some("/title"),
                    Some("/severity"),
                    Some("/category"),
                    Some("/evidence"),
                    fix.then_some("/fix"),
                ]
                .into_iter()
                .flatten()
                .map(|field| Cell::text(table::display(at(finding, field))))
                .collect(),
                actions: Vec::new(),
            };
            blocks.push(Block::Table(Table {
                title: "What to fix".into(),
                columns: table::headers(&[
                    "Finding",
                    "Severity",
                    "Category",
                    "Evidence",
                    "How to fix",
                ]),
                rows: failed.iter().map(|f| row(f, true)).collect(),
                empty: "Every check passed.".into(),
                next: None,
            }));
            blocks.push(Block::Table(Table {
                title: "What passes".into(),
                columns: table::headers(&["Check", "Severity", "Category", "Evidence"]),
                rows: findings
                    .iter()
                    .filter(|f| at(f, "/passed") == &Value::Bool(true))
                    .map(|f| row(f, false))
                    .collect(),
                empty: "No check passed.".into(),
                next: None,
            }));
        }
        Err(error) => blocks.push(board.failed("The audit", &error)),
    }
    board.view_of("audits", title, blocks)
}

/// `/dashboard/content/{contentId}`: the item, its approve and reject buttons while it is a
/// draft, and its edit form for roles that write.
pub async fn content(board: &Board<'_>, id: &str) -> View {
    let mut blocks = Vec::new();
    let mut title = "Content".to_owned();
    match board.view("get_content", json!({"contentId": id})).await {
        Ok(item) => {
            title = table::display(at(&item, "/title"));
            let facts = [
                fact("State", at(&item, "/state")),
                fact("Format", at(&item, "/format")),
                fact("Topic", at(&item, "/topic")),
                fact("Revision", at(&item, "/revision")),
                fact("Keywords", at(&item, "/keywords")),
                fact("Meta description", at(&item, "/metaDescription")),
                fact("Why rejected", at(&item, "/rejectionReason")),
                fact("Written by", at(&item, "/engine")),
                Some(("Updated".into(), table::when(at(&item, "/updatedAt")))),
            ]
            .into_iter()
            .flatten()
            .collect();
            blocks.push(Block::Facts {
                title: "About".into(),
                facts,
            });
            for action in CONTENT_ACTIONS {
                if let Some(form) = board.row_action(action, &item) {
                    blocks.push(Block::Form(form));
                }
            }
            let body = at(&item, "/body").as_str().unwrap_or_default().to_owned();
            if board.offers("update_content") {
                let list = |v: &Value| {
                    v.as_array()
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default()
                };
                blocks.push(Block::Form(Form {
                    title: Some("Edit".into()),
                    action: "/dashboard/do/update_content".into(),
                    submit: "Save".into(),
                    hidden: vec![
                        ("contentId".into(), id.to_owned()),
                        ("back".into(), board.back.clone()),
                    ],
                    inputs: vec![
                        Input::new("title", "Title", InputKind::Text)
                            .value(at(&item, "/title").as_str().unwrap_or_default())
                            .required(),
                        Input::new("metaDescription", "Meta description", InputKind::Text)
                            .value(at(&item, "/metaDescription").as_str().unwrap_or_default()),
                        Input::new("keywords", "Keywords, separated by commas", InputKind::Text)
                            .value(list(at(&item, "/keywords"))),
                        Input::new("body", "Body (Markdown)", InputKind::Textarea).value(body),
                    ],
                    danger: false,
                }));
            } else if !body.is_empty() {
                blocks.push(Block::Text {
                    title: "Body".into(),
                    text: body,
                });
            }
        }
        Err(error) => blocks.push(board.failed("The content item", &error)),
    }
    board.view_of("content", title, blocks)
}

/// `/dashboard/webhooks/{hookId}`: its delivery log.
pub async fn webhook(board: &Board<'_>, id: &str) -> View {
    let block = match board.load(&DELIVERIES, Some(("hookId", json!(id)))).await {
        Ok(output) => Block::Table(board.table(&DELIVERIES, &output)),
        Err(error) => board.failed("The delivery log", &error),
    };
    board.view_of("webhooks", format!("Webhook {id}"), vec![block])
}

/// `/dashboard/onboarding`: the steps, the start form, and the brand interview as a form.
pub async fn onboarding(board: &Board<'_>) -> View {
    let mut blocks = Vec::new();
    let state = match board.view("get_onboarding", json!({})).await {
        Ok(state) => state,
        Err(error) => {
            return board.view_of(
                "onboarding",
                "Onboarding".into(),
                vec![board.failed("Onboarding", &error)],
            );
        }
    };
    let status = at(&state, "/status")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    blocks.push(Block::Note {
        text: match status.as_str() {
            "completed" => "Onboarding is complete. Answers can still be changed below.".into(),
            "not_started" => "Start by giving your website: heycmo reads it into a brand profile while you answer a few questions about the brand.".into(),
            _ => "heycmo reads your site in the background; answer the interview meanwhile.".into(),
        },
        link: None,
    });
    let steps: Vec<Row> = at(&state, "/steps")
        .as_array()
        .into_iter()
        .flatten()
        .map(|step| Row {
            cells: vec![
                Cell::text(table::display(at(step, "/step"))),
                Cell::text(table::display(at(step, "/state"))).badge(),
                Cell::text(table::display(at(step, "/detail"))),
            ],
            actions: Vec::new(),
        })
        .collect();
    if !steps.is_empty() {
        blocks.push(Block::Table(Table {
            title: "Steps".into(),
            columns: vec!["Step".into(), "State".into(), "What it needs".into()],
            rows: steps,
            empty: String::new(),
            next: None,
        }));
    }
    if board.offers("start_onboarding") {
        blocks.push(Block::Form(Form {
            title: Some(if status == "not_started" {
                "Start onboarding".into()
            } else {
                "Read the site again".into()
            }),
            action: "/dashboard/do/start_onboarding".into(),
            submit: "Start".into(),
            hidden: vec![("back".into(), board.back.clone())],
            inputs: vec![
                Input::new("url", "Website", InputKind::Text)
                    .value(at(&state, "/url").as_str().unwrap_or_default()),
            ],
            danger: false,
        }));
    }
    if status != "not_started" && board.offers("answer_onboarding") {
        let inputs = at(&state, "/questions")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|q| {
                let id = q.get("id")?.as_str()?;
                let label = format!(
                    "{} {}",
                    table::display(at(q, "/question")),
                    table::display(at(q, "/hint"))
                );
                let answer = at(&state, &format!("/answers/{id}"));
                let value = match answer {
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    Value::String(text) => text.clone(),
                    _ => String::new(),
                };
                Some(Input::new(id, &label, InputKind::Text).value(value))
            })
            .collect();
        blocks.push(Block::Form(Form {
            title: Some("The brand interview".into()),
            action: "/dashboard/do/answer_onboarding".into(),
            submit: "Save answers".into(),
            hidden: vec![("back".into(), board.back.clone())],
            inputs,
            danger: false,
        }));
    }
    board.view_of("onboarding", "Onboarding".into(), blocks)
}
