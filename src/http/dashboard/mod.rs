//! The dashboard's routes: `GET /dashboard[/{page}[/{id}]]` for a signed-in person,
//! `POST /dashboard/do/{tool}` for its forms, and `GET /api/dashboard/{customerId}` (the
//! overview, for a session or a Bearer key, as the hosted API has it).
//!
//! A page runs read-only tools through the registry with the person's own principal, so a role
//! sees what its key could read and nothing more; a form runs one of the write tools the
//! dashboard offers ([`sections::ACTIONS`]), CSRF-checked against the session, and lands back
//! on the page it came from.

mod details;
mod insights;
mod lists;
mod overview;

use std::sync::Arc;

use ::http::request::Parts;
use hyper::body::Incoming;
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use super::forms;
use super::response::{self, Body};
use crate::app::App;
use crate::auth::{Principal, csrf};
use crate::error::Error;
use crate::pages::dashboard::{self as pages, Block, View, sections};
use crate::ratelimit::Bucket;
use crate::registry::{Outcome, Surface, ToolContext};

type Response = hyper::Response<Body>;

/// Who is looking, and what a page needs to run tools for them.
pub struct Board<'a> {
    app: &'a Arc<App>,
    principal: Principal,
    /// The session's form token; empty for a Bearer key, which gets no forms.
    csrf: String,
    request_id: String,
    /// The page's path and filters, without `done`: where its forms come back to.
    back: String,
    /// The query's pairs, `done` left out.
    query: Vec<(String, String)>,
    /// The tool the last form ran, shown once after its redirect.
    done: Option<String>,
}

impl Board<'_> {
    fn context(&self) -> ToolContext {
        self.app.context(
            self.principal.clone(),
            Surface::Dashboard,
            self.request_id.clone(),
            CancellationToken::new(),
            None,
        )
    }

    /// A read-only tool's output.
    async fn view(&self, tool: &str, input: Value) -> Result<Value, Error> {
        self.app.registry.view(tool, &self.context(), input).await
    }

    /// Whether this person's role may run `tool`.
    fn can(&self, tool: &str) -> bool {
        self.app
            .registry
            .get(tool)
            .is_some_and(|spec| self.principal.scope >= spec.entry.scope)
    }

    /// Whether the page may draw forms that run `tool`.
    fn offers(&self, tool: &str) -> bool {
        !self.csrf.is_empty() && self.can(tool)
    }

    /// The query's value for `key`.
    fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `base` with the query's pairs that `tool`'s input takes, typed by its schema (so
    /// `?state=draft` filters `list_content`); other pairs are the page's own.
    fn input(&self, tool: &str, base: &str) -> Result<Value, Error> {
        let mut input: Map<String, Value> = serde_json::from_str(base)
            .map_err(|e| Error::Internal(format!("dashboard input for {tool}: {e}")))?;
        let Some(spec) = self.app.registry.get(tool) else {
            return Err(Error::Internal(format!(
                "the dashboard names no tool {tool}"
            )));
        };
        let properties = spec.input_schema.get("properties");
        for (key, raw) in &self.query {
            if properties.and_then(|p| p.get(key)).is_some() && !raw.is_empty() {
                input.insert(key.clone(), super::rest::typed(spec, key, raw)?);
            }
        }
        Ok(Value::Object(input))
    }

    /// A panel's output: its tool run with its input, the page's filters and `extra` (the
    /// record a page is about).
    async fn load(
        &self,
        panel: &sections::Panel,
        extra: Option<(&str, Value)>,
    ) -> Result<Value, Error> {
        let mut input = self.input(panel.tool, panel.input)?;
        if let (Some((key, value)), Some(object)) = (extra, input.as_object_mut()) {
            object.insert(key.to_owned(), value);
        }
        self.view(panel.tool, input).await
    }

    /// A panel that failed to load says why, instead of failing the whole page.
    fn failed(&self, what: &str, error: &Error) -> Block {
        Block::Alert(format!("{what} could not be shown: {error}"))
    }

    fn view_of(&self, current: &'static str, title: String, blocks: Vec<Block>) -> View {
        let customer = &self.principal.customer;
        let notice = self
            .done
            .as_deref()
            .and_then(|tool| self.app.registry.get(tool))
            .map(|spec| format!("{}: done.", spec.entry.title));
        View {
            current,
            title,
            brand: customer.brand_name.clone(),
            email: customer.email.clone(),
            role: self.principal.scope.as_str().to_owned(),
            csrf: self.csrf.clone(),
            notice,
            blocks,
        }
    }
}

fn board<'a>(app: &'a Arc<App>, parts: &Parts, principal: Principal, csrf: String) -> Board<'a> {
    let mut query = Vec::new();
    let mut done = None;
    if let Some(raw) = parts.uri.query() {
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()).into_owned() {
            match key.as_str() {
                "done" => done = Some(value),
                "token" => {}
                _ => query.push((key, value)),
            }
        }
    }
    let mut back = parts.uri.path().to_owned();
    if !query.is_empty() {
        back.push('?');
        back.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&query)
                .finish(),
        );
    }
    Board {
        app,
        principal,
        csrf,
        request_id: super::rest::request_id(parts),
        back,
        query,
        done,
    }
}

/// The signed-in person's board, counted against their customer's REST allowance once per
/// page; none when nobody is signed in.
async fn signed_in<'a>(app: &'a Arc<App>, parts: &Parts) -> Result<Option<Board<'a>>, Error> {
    let Some(person) = super::login::person(app, parts).await? else {
        return Ok(None);
    };
    app.limiters
        .check(Bucket::Rest, &person.principal.customer.id)?;
    let token = csrf::token(&app.vault, &person.binding);
    Ok(Some(board(app, parts, person.principal, token)))
}

/// `GET /dashboard/…`: `rest` is the path after `/dashboard`.
pub async fn get(app: &Arc<App>, parts: &Parts, rest: &str) -> Result<Response, Error> {
    let Some(board) = signed_in(app, parts).await? else {
        return Ok(forms::see_other("/login"));
    };
    let rest = rest.trim_matches('/');
    let (page, id) = match rest.split_once('/') {
        Some((page, id)) => (page, Some(id)),
        None => (rest, None),
    };
    let view = match (page, id) {
        ("", None) => overview::overview(&board).await,
        ("calendar", None) => overview::calendar(&board).await,
        ("usage", None) => overview::usage(&board).await,
        ("analytics", None) => insights::analytics(&board).await,
        ("visibility", None) => insights::visibility(&board).await,
        ("onboarding", None) => details::onboarding(&board).await,
        ("audits", Some(id)) => details::audit(&board, id).await,
        ("content", Some(id)) => details::content(&board, id).await,
        ("webhooks", Some(id)) => details::webhook(&board, id).await,
        (slug, None) => match sections::section(slug) {
            Some(section) => lists::section(&board, section).await,
            None => return Err(not_found(parts)),
        },
        _ => return Err(not_found(parts)),
    };
    Ok(response::page(pages::render(view)))
}

fn not_found(parts: &Parts) -> Error {
    Error::NotFound(format!("There is no dashboard page {}", parts.uri.path()))
}

/// `GET /api/dashboard/{customerId}`: the overview, for a session or a Bearer key of that
/// customer (the seed's route). A key draws no forms: it has no session to bind them to.
pub async fn customer(app: &Arc<App>, parts: &Parts, customer: &str) -> Result<Response, Error> {
    let board = match signed_in(app, parts).await? {
        Some(board) => board,
        None => {
            let principal = super::rest::authenticated(app, parts).await?;
            board(app, parts, principal, String::new())
        }
    };
    board.principal.ensure_customer(customer)?;
    Ok(response::page(pages::render(
        overview::overview(&board).await,
    )))
}

/// Where a form may send the person back to: a dashboard page, nothing else.
fn back_to(form: &std::collections::HashMap<String, String>) -> String {
    match form.get("back") {
        Some(back)
            if (back == "/dashboard"
                || back.starts_with("/dashboard/")
                || back.starts_with("/dashboard?"))
                && !back.contains("//")
                && !back.contains('\\') =>
        {
            back.clone()
        }
        _ => "/dashboard".to_owned(),
    }
}

/// `POST /dashboard/do/{tool}`: runs one of the dashboard's write tools with the form's
/// fields as input, typed by the tool's schema (a list field is split at commas and lines),
/// then goes back to the page with a notice; a tool whose answer holds a secret shown once
/// (a new teammate's key) answers a page with it instead.
pub async fn act(
    app: &Arc<App>,
    parts: &Parts,
    tool: &str,
    body: Incoming,
) -> Result<Response, Error> {
    let Some((_, reveal)) = sections::ACTIONS.iter().find(|(name, _)| *name == tool) else {
        return Err(Error::NotFound(format!(
            "The dashboard has no action {tool:?}"
        )));
    };
    let Some(person) = super::login::person(app, parts).await? else {
        return Ok(forms::see_other("/login"));
    };
    let form = forms::read(body).await?;
    forms::check_csrf(&app.vault, &person.binding, &form)?;
    app.limiters
        .check(Bucket::Rest, &person.principal.customer.id)?;
    let spec = app.registry.get(tool).ok_or_else(|| {
        Error::Internal(format!("the dashboard offers {tool}, which does not exist"))
    })?;
    let mut input = Map::new();
    let properties = spec.input_schema.get("properties");
    for (key, raw) in &form {
        let Some(property) = properties.and_then(|p| p.get(key)) else {
            continue;
        };
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let is_list = property.get("type").is_some_and(|t| {
            t == "array" || t.as_array().is_some_and(|l| l.iter().any(|t| t == "array"))
        });
        let value = if is_list {
            Value::Array(
                raw.split([',', '\n'])
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| Value::String(item.to_owned()))
                    .collect(),
            )
        } else {
            super::rest::typed(spec, key, raw)?
        };
        input.insert(key.clone(), value);
    }
    // The token again, so the answer's page keeps its sign-out form.
    let token = csrf::token(&app.vault, &person.binding);
    let board = board(app, parts, person.principal, token);
    let back = back_to(&form);
    let output = match app
        .registry
        .call(tool, &board.context(), Value::Object(input))
        .await
        .and_then(Outcome::output)
    {
        Ok(output) => output,
        // The tool refused (a draft approved twice, a bad field): its words, and the way back.
        Err(error) => {
            let status = ::http::StatusCode::from_u16(error.status())
                .unwrap_or(::http::StatusCode::INTERNAL_SERVER_ERROR);
            let view = board.view_of(
                "",
                format!("{}: not done", spec.entry.title),
                vec![
                    Block::Alert(error.to_string()),
                    Block::Note {
                        text: String::new(),
                        link: Some((back, "Back".into())),
                    },
                ],
            );
            return Ok(forms::page_with(status, pages::render(view)));
        }
    };
    if *reveal {
        let text = output
            .content
            .iter()
            .filter_map(|c| match c {
                crate::registry::Content::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        return Ok(response::page(pages::render(View {
            blocks: vec![
                Block::Text {
                    title: "Shown once".into(),
                    text,
                },
                Block::Note {
                    text: "Copy it now: it is not stored and cannot be shown again.".into(),
                    link: Some((back, "Back".into())),
                },
            ],
            ..board.view_of("", spec.entry.title.clone(), Vec::new())
        })));
    }
    let separator = if back.contains('?') { '&' } else { '?' };
    Ok(forms::see_other(&format!("{back}{separator}done={tool}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    #[test]
    fn every_tool_the_dashboard_names_exists_and_actions_write() {
        let registry = Registry::builtin().unwrap();
        let pages = sections::SECTIONS.iter().flat_map(|section| section.panels);
        let own = [&sections::DELIVERIES, &sections::SITES, &sections::RUNS];
        for panel in pages.chain(own) {
            let spec = registry.get(panel.tool).expect(panel.tool);
            assert!(spec.entry.annotations.read_only_hint, "{}", panel.tool);
            serde_json::from_str::<Map<String, Value>>(panel.input).expect(panel.tool);
        }
        for (tool, _) in sections::ACTIONS {
            let spec = registry.get(tool).expect(tool);
            assert!(!spec.entry.annotations.read_only_hint, "{tool}");
        }
    }

    #[test]
    fn forms_go_back_only_to_dashboard_pages() {
        let form = |back: &str| std::iter::once(("back".to_owned(), back.to_owned())).collect();
        assert_eq!(
            back_to(&form("/dashboard/content?state=draft")),
            "/dashboard/content?state=draft"
        );
        assert_eq!(back_to(&form("https://evil.example/")), "/dashboard");
        assert_eq!(back_to(&form("/dashboard//evil.example")), "/dashboard");
        assert_eq!(back_to(&form("/dashboardx")), "/dashboard");
        assert_eq!(back_to(&std::collections::HashMap::new()), "/dashboard");
    }
}
