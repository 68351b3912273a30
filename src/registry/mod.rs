//! The one list of tools that every surface serves.
//!
//! A [`ToolSpec`] joins a catalogue entry (data, `tools/<name>.toml`) to its handler (code,
//! `src/tools/<name>.rs`) and the schemas generated from the handler's types. MCP, REST, the
//! discovery documents and the CLI all read this list; none of them knows a tool by name.

pub mod catalogue;
pub mod context;
pub mod routes;
pub mod schema;
pub mod tool;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use serde::Serialize;
use serde_json::{Map, Value, json};

pub use catalogue::{Annotations, CatalogueEntry, Example, Route};
pub use context::{
    Answer, Ask, Capability, ClientLink, Gathered, LogLevel, Pending, Question, RequestId,
    Sampling, Surface, ToolContext, answer, new_request_id, sampled_text,
};
pub use tool::{Content, DynTool, Tool, ToolOutput};

use crate::error::Error;
use crate::store::{NewEvent, TOOL_CALLED};

/// How a call that did not fail ended.
#[derive(Debug)]
pub enum Outcome {
    Done(ToolOutput),
    /// The tool waits for the client's replies (2026-07-28 generation, SEP-2322).
    NeedsInput(Pending),
    /// The client cancelled the request or went away.
    Cancelled,
}

impl Outcome {
    /// The output, for surfaces that neither answer the tool's asks nor cancel (REST, the CLI):
    /// a tool there that waits for input could not have been served.
    pub fn output(self) -> Result<ToolOutput, Error> {
        match self {
            Outcome::Done(output) => Ok(output),
            Outcome::NeedsInput(_) | Outcome::Cancelled => Err(context::needs_client()),
        }
    }
}
use routes::Routes;
use schema::Validator;

/// A tool as every surface sees it.
pub struct ToolSpec {
    pub entry: CatalogueEntry,
    pub input_schema: Arc<Map<String, Value>>,
    pub output_schema: Arc<Map<String, Value>>,
    /// Both validators are compiled when first needed: an idle server would otherwise hold
    /// every tool's schemas compiled for tools it may never run (the output ones alone, which
    /// only the example tests check, were 2 MB of an idle release build). Every schema is
    /// compiled once at start, to refuse a bad catalogue then, and the compiled form dropped.
    input_validator: OnceLock<Result<Validator, String>>,
    output_validator: OnceLock<Result<Validator, String>>,
    handler: Box<dyn DynTool>,
}

impl ToolSpec {
    pub fn name(&self) -> &str {
        &self.entry.name
    }

    /// The tool's contract as every document publishes it: name, title, description, scope,
    /// annotations and both schemas.
    pub fn describe(&self) -> Value {
        json!({
            "name": self.entry.name,
            "title": self.entry.title,
            "description": self.entry.description,
            "scope": self.entry.scope.as_str(),
            "annotations": self.entry.annotations,
            "inputSchema": *self.input_schema,
            "outputSchema": *self.output_schema,
        })
    }

    /// Checks an output against the published output schema (used by the example tests).
    pub fn check_output(&self, output: &Value) -> Result<(), Error> {
        self.validator(&self.output_validator, &self.output_schema, "output")?
            .check(output)
    }

    /// Checks an input against the published input schema.
    pub fn check_input(&self, input: &Value) -> Result<(), Error> {
        self.validator(&self.input_validator, &self.input_schema, "input")?
            .check(input)
    }

    fn validator<'a>(
        &self,
        cell: &'a OnceLock<Result<Validator, String>>,
        schema: &Map<String, Value>,
        what: &str,
    ) -> Result<&'a Validator, Error> {
        cell.get_or_init(|| Validator::compile(&Value::Object(schema.clone())))
            .as_ref()
            .map_err(|message| {
                Error::Internal(format!(
                    "tool {}: {what} schema: {message}",
                    self.entry.name
                ))
            })
    }
}

/// Why the registry could not be built: the catalogue and the handlers disagree.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{0}")]
    Catalogue(String),
    #[error("tool {0} has a handler (src/tools/{0}.rs) but no catalogue entry (tools/{0}.toml)")]
    MissingEntry(String),
    #[error("catalogue entry tools/{0}.toml has no handler (src/tools/{0}.rs)")]
    MissingHandler(String),
    #[error("tools/{file} names the tool {name:?}; the file must be named after the tool")]
    Misnamed { file: String, name: String },
    #[error("tool {tool}: {what} schema: {message}")]
    Schema {
        tool: String,
        what: &'static str,
        message: String,
    },
    #[error("tool {tool}: route {route}: {message}")]
    Route {
        tool: String,
        route: String,
        message: String,
    },
    #[error("tool {tool}: example {title:?}: {message}")]
    Example {
        tool: String,
        title: String,
        message: String,
    },
}

/// The payload of the `tool.called` event every call appends.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ToolCalled<'a> {
    tool: &'a str,
    outcome: &'static str,
    duration_ms: f64,
    surface: &'static str,
    request_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'static str>,
}

/// The tools, in name order.
pub struct Registry {
    tools: Vec<ToolSpec>,
    by_name: HashMap<String, usize>,
    routes: Routes,
}

fn object(
    schema: Value,
    tool: &str,
    what: &'static str,
) -> Result<Map<String, Value>, RegistryError> {
    match schema {
        Value::Object(map) if map.get("type") == Some(&json!("object")) => Ok(map),
        _ => Err(RegistryError::Schema {
            tool: tool.to_owned(),
            what,
            message: "must describe a JSON object".into(),
        }),
    }
}

/// Every call an example needs first names a tool of the registry and an input it accepts.
fn check_givens(tools: &[ToolSpec], by_name: &HashMap<String, usize>) -> Result<(), RegistryError> {
    for spec in tools {
        for example in &spec.entry.examples {
            for given in &example.given {
                let refused = |message: String| RegistryError::Example {
                    tool: spec.entry.name.clone(),
                    title: example.title.clone(),
                    message,
                };
                let Some(&index) = by_name.get(&given.tool) else {
                    return Err(refused(format!("given: there is no tool {}", given.tool)));
                };
                // Compiled for the check and dropped, as in `build`.
                Validator::compile(&Value::Object((*tools[index].input_schema).clone()))
                    .map_err(|message| refused(format!("given {}: {message}", given.tool)))?
                    .check(&given.input)
                    .map_err(|e| {
                        refused(format!(
                            "given {}: does not match its input schema: {e}",
                            given.tool
                        ))
                    })?;
            }
        }
    }
    Ok(())
}

impl Registry {
    /// The registry of every tool compiled into this binary.
    pub fn builtin() -> Result<Registry, RegistryError> {
        Registry::build(crate::tools::handlers(), crate::tools::CATALOGUE)
    }

    /// The built-in tools plus `extra` ones, each a name, a handler and its catalogue entry's
    /// text; how tests, benchmarks and the conformance fixture server add tools of their own.
    pub fn builtin_with(
        extra: Vec<(&'static str, Box<dyn DynTool>, String)>,
    ) -> Result<Registry, RegistryError> {
        let mut handlers = crate::tools::handlers();
        let mut files = Vec::with_capacity(extra.len());
        for (name, handler, entry) in extra {
            handlers.push((name, handler));
            files.push((format!("{name}.toml"), entry));
        }
        let mut catalogue = crate::tools::CATALOGUE.to_vec();
        catalogue.extend(
            files
                .iter()
                .map(|(file, text)| (file.as_str(), text.as_str())),
        );
        Registry::build(handlers, &catalogue)
    }

    /// Joins handlers to catalogue files, refusing any mismatch.
    pub fn build(
        handlers: Vec<(&'static str, Box<dyn DynTool>)>,
        catalogue: &[(&str, &str)],
    ) -> Result<Registry, RegistryError> {
        let mut entries = HashMap::new();
        for (file, text) in catalogue {
            let entry = catalogue::parse(file, text).map_err(RegistryError::Catalogue)?;
            if file.strip_suffix(".toml") != Some(entry.name.as_str()) {
                return Err(RegistryError::Misnamed {
                    file: (*file).into(),
                    name: entry.name,
                });
            }
            entries.insert(entry.name.clone(), entry);
        }
        let mut tools = Vec::with_capacity(handlers.len());
        for (name, handler) in handlers {
            let entry = entries
                .remove(name)
                .ok_or_else(|| RegistryError::MissingEntry(name.into()))?;
            let input_schema = object(handler.input_schema(), name, "input")?;
            let output_schema = object(handler.output_schema(), name, "output")?;
            let compile = |schema: &Map<String, Value>, what| {
                Validator::compile(&Value::Object(schema.clone())).map_err(|message| {
                    RegistryError::Schema {
                        tool: name.into(),
                        what,
                        message,
                    }
                })
            };
            let input_validator = compile(&input_schema, "input")?;
            compile(&output_schema, "output")?;
            for example in &entry.examples {
                input_validator
                    .check(&example.input)
                    .map_err(|e| RegistryError::Example {
                        tool: name.into(),
                        title: example.title.clone(),
                        message: format!("does not match the input schema: {e}"),
                    })?;
            }
            tools.push(ToolSpec {
                entry,
                input_schema: Arc::new(input_schema),
                output_schema: Arc::new(output_schema),
                input_validator: OnceLock::new(),
                output_validator: OnceLock::new(),
                handler,
            });
        }
        if let Some(orphan) = entries.into_keys().min() {
            return Err(RegistryError::MissingHandler(orphan));
        }
        tools.sort_by(|a, b| a.entry.name.cmp(&b.entry.name));
        let by_name: HashMap<String, usize> = tools
            .iter()
            .enumerate()
            .map(|(i, t)| (t.entry.name.clone(), i))
            .collect();
        check_givens(&tools, &by_name)?;
        let routes = Routes::build(&tools)?;
        Ok(Registry {
            tools,
            by_name,
            routes,
        })
    }

    pub fn tools(&self) -> &[ToolSpec] {
        &self.tools
    }

    /// The catalogue's REST aliases.
    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    pub fn get(&self, name: &str) -> Option<&ToolSpec> {
        self.by_name.get(name).map(|&i| &self.tools[i])
    }

    /// Runs a tool for `ctx.principal`: checks scope and input, runs the handler until it ends,
    /// waits for the client or is cancelled, and appends a `tool.called` event with the outcome
    /// and duration.
    pub async fn call(
        &self,
        name: &str,
        ctx: &ToolContext,
        input: Value,
    ) -> Result<Outcome, Error> {
        let spec = self.get(name).ok_or_else(|| {
            Error::NotFound(format!("Unknown tool {name:?}; GET /api/tools lists them"))
        })?;
        let started = Instant::now();
        let result = self.run(spec, ctx, input).await;
        let called = ToolCalled {
            tool: spec.name(),
            // A 2026-07-28 round that waits for the client is neither a success nor a failure.
            outcome: match &result {
                Ok(Outcome::Done(_)) => "success",
                Ok(Outcome::NeedsInput(_)) => "input_required",
                Ok(Outcome::Cancelled) => "cancelled",
                Err(_) => "error",
            },
            duration_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
            surface: ctx.surface.as_str(),
            request_id: &ctx.request_id,
            error_code: result.as_ref().err().map(Error::code),
        };
        let event = NewEvent::new(
            ctx.principal.customer.id.as_str(),
            TOOL_CALLED,
            &called,
            ctx.clock.now_millis(),
        );
        if let Err(error) = ctx.events.append(event).await {
            // The call itself succeeded or failed on its own terms; losing its audit record is
            // logged loudly but does not turn a good answer into an error.
            tracing::error!(%error, tool = name, "could not record the tool event");
        }
        result
    }

    /// Runs a read-only tool to show its output on a page. Unlike [`Registry::call`] it
    /// appends no `tool.called` event: looking at a page is not an action, and a dashboard
    /// left open would otherwise fill the event log it shows.
    pub async fn view(&self, name: &str, ctx: &ToolContext, input: Value) -> Result<Value, Error> {
        let spec = self
            .get(name)
            .ok_or_else(|| Error::Internal(format!("the dashboard names no tool {name:?}")))?;
        if !spec.entry.annotations.read_only_hint {
            return Err(Error::Internal(format!(
                "the dashboard viewed {name}, which is not read-only"
            )));
        }
        Ok(self.run(spec, ctx, input).await?.output()?.structured)
    }

    async fn run(
        &self,
        spec: &ToolSpec,
        ctx: &ToolContext,
        input: Value,
    ) -> Result<Outcome, Error> {
        ctx.principal.ensure_scope(spec.entry.scope)?;
        if !spec.entry.annotations.read_only_hint
            && crate::billing::writes_blocked(&ctx.principal.customer)
        {
            return Err(Error::PaymentRequired {
                message: format!(
                    "The subscription is {}: reads still work; {} writes again once billing is fixed",
                    ctx.principal.customer.status,
                    spec.name()
                ),
                billing_url: format!("{}/dashboard", ctx.public_url.trim_end_matches('/')),
            });
        }
        // A missing input means "no arguments", which MCP clients send as an absent field.
        let mut input = if input.is_null() { json!({}) } else { input };
        // JSON does not tell 3 from 3.0, and JSON Schema counts both as integers; serde does
        // not, so integral numbers are made integers before anything reads them.
        schema::integral_floats_to_integers(&mut input);
        spec.check_input(&input)?;
        tokio::select! {
            // The handler first: most finish on their first poll, before the cancellation
            // future would have registered a waiter with the token.
            biased;
            result = spec.handler.call_json(ctx, input) => result.map(Outcome::Done),
            pending = ctx.suspension.suspended() => Ok(Outcome::NeedsInput(pending)),
            () = ctx.cancel.cancelled() => Ok(Outcome::Cancelled),
        }
    }
}
