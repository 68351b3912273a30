//! The list pages described in [`sections::SECTIONS`]: each panel a table of one read-only
//! tool's output, its rows carrying the forms of the write tools the person's role may run.

use serde_json::{Value, json};

use super::Board;
use crate::pages::dashboard::sections::{self, Format, Panel, RowAction, Section};
use crate::pages::dashboard::table::{self, Cell, Row, Table, at};
use crate::pages::dashboard::{Block, Filter, Form, Input, InputKind, View};

/// The text a row action's condition compares: a string as is, anything else as JSON
/// (`true`, `null`).
fn key_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The rows of a list: an array's items, or an object's entries with their key as `key`.
fn rows(list: &Value) -> Vec<Value> {
    match list {
        Value::Array(items) => items.clone(),
        Value::Object(entries) => entries
            .iter()
            .map(|(key, value)| {
                let mut row = value.clone();
                if let Some(object) = row.as_object_mut() {
                    object.insert("key".into(), json!(key));
                }
                row
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn cell(column: &sections::Column, row: &Value) -> Cell {
    let value = at(row, column.field);
    let cell = match column.format {
        Format::Plain => Cell::text(table::display(value)),
        Format::Badge => Cell::text(table::display(value)).badge(),
        Format::When => Cell::text(table::when(value)),
        Format::Percent => Cell::text(table::percent(value)),
    };
    match column.link {
        // An empty prefix: the value is itself the link (a published post's URL).
        Some("") => match value.as_str() {
            Some(url) => cell.link(url),
            None => cell,
        },
        Some(prefix) => {
            let id = key_text(at(row, "/id"));
            cell.link(&format!(
                "{prefix}{}",
                url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
            ))
        }
        None => cell,
    }
}

impl Board<'_> {
    /// The one-button form of `action` on `row`, when the row qualifies and the role may.
    pub(super) fn row_action(&self, action: &RowAction, row: &Value) -> Option<Form> {
        if !self.offers(action.tool) {
            return None;
        }
        if let Some((field, values)) = action.when
            && !values.contains(&key_text(at(row, field)).as_str())
        {
            return None;
        }
        let mut hidden = vec![
            (action.id.1.to_owned(), key_text(at(row, action.id.0))),
            ("back".to_owned(), self.back.clone()),
        ];
        hidden.extend(
            action
                .fixed
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Some(Form {
            title: None,
            action: format!("/dashboard/do/{}", action.tool),
            submit: action.label.to_owned(),
            hidden,
            inputs: action
                .ask
                .map(|(name, label)| vec![Input::new(name, label, InputKind::Text)])
                .unwrap_or_default(),
            danger: action.danger,
        })
    }

    /// A table from a tool output already read.
    pub(super) fn table(&self, panel: &Panel, output: &Value) -> Table {
        let rows = rows(at(output, panel.list))
            .iter()
            .map(|row| Row {
                cells: panel.columns.iter().map(|c| cell(c, row)).collect(),
                actions: panel
                    .actions
                    .iter()
                    .filter_map(|action| self.row_action(action, row))
                    .collect(),
            })
            .collect();
        // A paged list (the event log) links its next page, the filters kept.
        let next = output
            .get("nextCursor")
            .and_then(Value::as_str)
            .map(|cursor| {
                let mut pairs: Vec<(String, String)> = self
                    .query
                    .iter()
                    .filter(|(k, _)| k != "cursor")
                    .cloned()
                    .collect();
                pairs.push(("cursor".into(), cursor.to_owned()));
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&pairs)
                    .finish();
                format!(
                    "{}?{query}",
                    self.back.split('?').next().unwrap_or_default()
                )
            });
        Table {
            title: panel.title.to_owned(),
            columns: panel.columns.iter().map(|c| c.header.to_owned()).collect(),
            rows,
            empty: panel.empty.to_owned(),
            next,
        }
    }

    /// A panel's block: its table, or why it cannot be shown.
    pub(super) async fn panel(&self, panel: &Panel) -> Block {
        if !self.can(panel.tool) {
            return Block::Note {
                text: format!(
                    "{}: your role ({}) cannot see this.",
                    panel.title,
                    self.principal.scope.as_str()
                ),
                link: None,
            };
        }
        match self.load(panel, None).await {
            Ok(output) => Block::Table(self.table(panel, &output)),
            Err(error) => self.failed(panel.title, &error),
        }
    }

    /// The filter links of a section, the current one marked.
    fn filters(&self, section: &Section) -> Option<Block> {
        if section.filters.is_empty() {
            return None;
        }
        let path = format!("/dashboard/{}", section.slug);
        let current: Vec<(String, String)> = self
            .query
            .iter()
            .filter(|(k, _)| k != "cursor")
            .cloned()
            .collect();
        Some(Block::Filters(
            section
                .filters
                .iter()
                .map(|(label, query)| {
                    let pairs: Vec<(String, String)> =
                        url::form_urlencoded::parse(query.as_bytes())
                            .into_owned()
                            .collect();
                    Filter {
                        label: (*label).to_owned(),
                        href: if query.is_empty() {
                            path.clone()
                        } else {
                            format!("{path}?{query}")
                        },
                        current: pairs == current,
                    }
                })
                .collect(),
        ))
    }
}

/// A list page.
pub async fn section(board: &Board<'_>, section: &'static Section) -> View {
    let mut blocks = vec![Block::Note {
        text: section.intro.to_owned(),
        link: None,
    }];
    blocks.extend(board.filters(section));
    for panel in section.panels {
        blocks.push(board.panel(panel).await);
    }
    if section.slug == "team" && board.offers("invite_member") {
        blocks.push(Block::Form(Form {
            title: Some("Invite a teammate".into()),
            action: "/dashboard/do/invite_member".into(),
            submit: "Invite".into(),
            hidden: vec![("back".into(), board.back.clone())],
            inputs: vec![
                Input::new("email", "Their email", InputKind::Email).required(),
                Input::new(
                    "role",
                    "Role",
                    InputKind::Select(vec![
                        ("member".into(), "Member: writes and reviews content".into()),
                        (
                            "read-only".into(),
                            "Read-only: sees everything, changes nothing".into(),
                        ),
                        (
                            "owner".into(),
                            "Owner: also keys, webhooks and connections".into(),
                        ),
                    ]),
                )
                .value("member"),
            ],
            danger: false,
        }));
    }
    board.view_of(section.slug, section.title.to_owned(), blocks)
}
