//! The server the official MCP conformance suite runs its whole active server suite against
//! (`tests/conformance/run.sh`): heycmo's own registry, MCP handler and HTTP transports, with the
//! fixture tools, resources and prompts the suite's scenarios name.
//!
//! Prints `key …` and `listening on http://ADDR`, then serves until killed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use heycmo::app::App;
use heycmo::config::Config;
use heycmo::error::Error;
use heycmo::mcp::library::{Library, PromptOutcome};
use heycmo::mcp::server::Shared;
use heycmo::ratelimit::RateLimits;
use heycmo::registry::{
    Answer, Ask, Capability, Content, DynTool, LogLevel, Question, Registry, Tool, ToolContext,
};
use rmcp::ErrorData as McpError;
use rmcp::model::{
    CompleteRequestParams, CompleteResult, CompletionInfo, GetPromptResult, JsonObject,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, Prompt, PromptArgument,
    PromptMessage, ReadResourceResult, Resource, ResourceContents, ResourceTemplate, Role,
};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";
/// A WAV header with no samples.
const WAV: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEARKwAAIhYAQACABAAZGF0YQAAAAA=";

/// No arguments.
#[derive(Deserialize, JsonSchema)]
struct Empty {}

/// What every fixture tool answers in `structuredContent`.
#[derive(Serialize, JsonSchema)]
struct Done {
    ok: bool,
}

/// A fixture tool whose result is fixed content.
struct Fixed(fn() -> Vec<Content>);

impl Tool for Fixed {
    type Input = Empty;
    type Output = Done;
    async fn call(&self, _ctx: &ToolContext, _input: Empty) -> Result<Done, Error> {
        Ok(Done { ok: true })
    }
    fn content(&self, _output: &Done) -> Vec<Content> {
        (self.0)()
    }
}

struct WithLogging;

impl Tool for WithLogging {
    type Input = Empty;
    type Output = Done;
    async fn call(&self, ctx: &ToolContext, _input: Empty) -> Result<Done, Error> {
        for (i, message) in [
            "Tool execution started",
            "Tool processing data",
            "Tool execution completed",
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            ctx.log(LogLevel::Info, *message).await;
        }
        Ok(Done { ok: true })
    }
    fn content(&self, _output: &Done) -> Vec<Content> {
        vec![Content::Text("Logging test completed".into())]
    }
}

struct WithProgress;

impl Tool for WithProgress {
    type Input = Empty;
    type Output = Done;
    async fn call(&self, ctx: &ToolContext, _input: Empty) -> Result<Done, Error> {
        for (i, (done, message)) in [(0.0, "Starting"), (50.0, "Halfway"), (100.0, "Complete")]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            ctx.progress(done, Some(100.0), message).await;
        }
        Ok(Done { ok: true })
    }
    fn content(&self, _output: &Done) -> Vec<Content> {
        vec![Content::Text("Progress test completed".into())]
    }
}

struct Failing;

impl Tool for Failing {
    type Input = Empty;
    type Output = Done;
    async fn call(&self, _ctx: &ToolContext, _input: Empty) -> Result<Done, Error> {
        Err(Error::Internal(
            "This tool intentionally returns an error for testing".into(),
        ))
    }
}

/// The input of `json_schema_2020_12_tool`: any object, published with the suite's schema as is.
#[derive(Deserialize)]
struct Rich(#[allow(dead_code)] Map<String, Value>);

impl JsonSchema for Rich {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Rich".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "$defs": {"address": {"$anchor": "addressDef", "type": "object",
                "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "#/$defs/address"},
                "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                "phone": {"type": "string"},
                "email": {"type": "string"}
            },
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
            "then": {"required": ["phone"]},
            "else": {"required": ["email"]},
            "additionalProperties": false
        })
    }
}

struct RichSchema;

impl Tool for RichSchema {
    type Input = Rich;
    type Output = Done;
    async fn call(&self, _ctx: &ToolContext, _input: Rich) -> Result<Done, Error> {
        Ok(Done { ok: true })
    }
}

#[derive(Deserialize, JsonSchema)]
struct PromptInput {
    /// The prompt to send to the client's model.
    prompt: String,
}

/// What a fixture tool that talks to the client says.
#[derive(Serialize, JsonSchema)]
struct Said {
    text: String,
}

fn say(output: &Said) -> Vec<Content> {
    vec![Content::Text(output.text.clone())]
}

struct Sampling;

impl Tool for Sampling {
    type Input = PromptInput;
    type Output = Said;
    async fn call(&self, ctx: &ToolContext, input: PromptInput) -> Result<Said, Error> {
        let reply = ctx.sample("reply", input.prompt, 100).await?;
        Ok(Said {
            text: format!("LLM response: {reply}"),
        })
    }
    fn content(&self, output: &Said) -> Vec<Content> {
        say(output)
    }
}

/// Needs the client's model: a client that did not declare sampling gets -32021 (SEP-2575).
struct NeedsSampling;

impl Tool for NeedsSampling {
    type Input = Empty;
    type Output = Said;
    async fn call(&self, ctx: &ToolContext, _input: Empty) -> Result<Said, Error> {
        if !ctx.client_supports(Capability::Sampling) {
            return Err(Error::MissingCapability("sampling"));
        }
        let reply = ctx.sample("reply", "Say hello.", 50).await?;
        Ok(Said {
            text: format!("LLM response: {reply}"),
        })
    }
    fn content(&self, output: &Said) -> Vec<Content> {
        say(output)
    }
}

#[derive(Deserialize, JsonSchema)]
struct MessageInput {
    /// The message to show the user.
    message: String,
}

fn answer_text(prefix: &str, answer: Answer) -> String {
    let (action, content) = match answer {
        Answer::Accepted(content) => ("accept", content),
        Answer::Declined => ("decline", Value::Null),
        Answer::Cancelled => ("cancel", Value::Null),
    };
    format!("{prefix}: action={action}, content={content}")
}

struct Elicit;

impl Tool for Elicit {
    type Input = MessageInput;
    type Output = Said;
    async fn call(&self, ctx: &ToolContext, input: MessageInput) -> Result<Said, Error> {
        let schema = json!({
            "type": "object",
            "properties": {
                "username": {"type": "string", "description": "User's response"},
                "email": {"type": "string", "description": "User's email address"}
            },
            "required": ["username", "email"]
        });
        let answer = ctx
            .elicit(
                "answer",
                Question {
                    message: input.message,
                    schema,
                },
            )
            .await?;
        Ok(Said {
            text: answer_text("User response", answer),
        })
    }
    fn content(&self, output: &Said) -> Vec<Content> {
        say(output)
    }
}

/// Asks a fixed question (the SEP-1034 defaults and SEP-1330 enum fixtures).
struct AskFixed(fn() -> Value);

impl Tool for AskFixed {
    type Input = Empty;
    type Output = Said;
    async fn call(&self, ctx: &ToolContext, _input: Empty) -> Result<Said, Error> {
        let question = Question {
            message: "Please answer the questions below".into(),
            schema: (self.0)(),
        };
        let answer = ctx.elicit("answer", question).await?;
        Ok(Said {
            text: answer_text("Elicitation completed", answer),
        })
    }
    fn content(&self, output: &Said) -> Vec<Content> {
        say(output)
    }
}

fn defaults_schema() -> Value {
    json!({"type": "object", "properties": {
        "name": {"type": "string", "description": "User's name", "default": "John Doe"},
        "age": {"type": "integer", "description": "User's age", "default": 30},
        "score": {"type": "number", "description": "User's score", "default": 95.5},
        "status": {"type": "string", "description": "User's status", "enum": ["active", "inactive", "pending"], "default": "active"},
        "verified": {"type": "boolean", "description": "Whether user is verified", "default": true}
    }})
}

fn enums_schema() -> Value {
    json!({"type": "object", "properties": {
        "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
        "titledSingle": {"type": "string", "oneOf": [
            {"const": "value1", "title": "First Option"},
            {"const": "value2", "title": "Second Option"},
            {"const": "value3", "title": "Third Option"}
        ]},
        "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]},
        "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
        "titledMulti": {"type": "array", "items": {"anyOf": [
            {"const": "value1", "title": "First Choice"},
            {"const": "value2", "title": "Second Choice"},
            {"const": "value3", "title": "Third Choice"}
        ]}}
    }})
}

fn ask_name(message: &str, field: &str) -> Ask {
    Ask::Elicit(Question {
        message: message.into(),
        schema: json!({"type": "object", "properties": {field: {"type": "string"}}, "required": [field]}),
    })
}

/// The SEP-2322 round-trip fixtures: each asks the client for input under the suite's keys and
/// answers once the replies are in. `Flow` picks which.
#[derive(Clone, Copy)]
enum Flow {
    Elicitation,
    Sampling,
    ListRoots,
    RequestState,
    MultipleInputs,
    MultiRound,
    TamperedState,
    Capabilities,
}

struct RoundTrip(Flow);

impl Tool for RoundTrip {
    type Input = Empty;
    type Output = Said;
    async fn call(&self, ctx: &ToolContext, _input: Empty) -> Result<Said, Error> {
        let confirm = || {
            Ask::Elicit(Question {
                message: "Please confirm".into(),
                schema: json!({"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}),
            })
        };
        let text = match self.0 {
            Flow::Elicitation => {
                let reply = ctx
                    .gather(vec![(
                        "user_name".into(),
                        ask_name("What is your name?", "name"),
                    )])
                    .await?;
                format!("Hello, {}!", name_in(&reply["user_name"], "name"))
            }
            Flow::Sampling => {
                let prompt = "What is the capital of France?";
                let reply = ctx.sample("capital_question", prompt, 100).await?;
                format!("The model says: {reply}")
            }
            Flow::ListRoots => {
                let reply = ctx
                    .gather(vec![("client_roots".into(), Ask::ListRoots)])
                    .await?;
                let roots: Vec<&str> = reply["client_roots"]["roots"]
                    .as_array()
                    .map(|roots| roots.iter().filter_map(|r| r["uri"].as_str()).collect())
                    .unwrap_or_default();
                format!("Roots: {}", roots.join(", "))
            }
            // The request state was verified before the handler ran; reaching here with the
            // reply means it was intact.
            Flow::RequestState | Flow::TamperedState => {
                ctx.gather(vec![("confirm".into(), confirm())]).await?;
                "Confirmed: state-ok".into()
            }
            Flow::MultipleInputs => {
                let reply = ctx
                    .gather(vec![
                        ("user_name".into(), ask_name("What is your name?", "name")),
                        (
                            "greeting".into(),
                            Ask::Sample(heycmo::registry::Sampling::prompt(
                                "Generate a greeting",
                                50,
                            )),
                        ),
                        ("client_roots".into(), Ask::ListRoots),
                    ])
                    .await?;
                format!(
                    "{} {}",
                    heycmo::registry::sampled_text(&reply["greeting"]),
                    name_in(&reply["user_name"], "name")
                )
            }
            Flow::MultiRound => {
                let first = ctx
                    .gather(vec![(
                        "step1".into(),
                        ask_name("Step 1: What is your name?", "name"),
                    )])
                    .await?;
                let second = ctx
                    .gather(vec![(
                        "step2".into(),
                        ask_name("Step 2: What is your favorite color?", "color"),
                    )])
                    .await?;
                format!(
                    "{} likes {}",
                    name_in(&first["step1"], "name"),
                    name_in(&second["step2"], "color")
                )
            }
            Flow::Capabilities => {
                let mut asks = Vec::new();
                if ctx.client_supports(Capability::Sampling) {
                    asks.push((
                        "greeting".into(),
                        Ask::Sample(heycmo::registry::Sampling::prompt(
                            "Generate a greeting",
                            50,
                        )),
                    ));
                }
                if ctx.client_supports(Capability::Elicitation) {
                    asks.push(("user_name".into(), ask_name("What is your name?", "name")));
                }
                let reply = ctx.gather(asks).await?;
                format!("Got {} replies", reply.len())
            }
        };
        Ok(Said { text })
    }
    fn content(&self, output: &Said) -> Vec<Content> {
        say(output)
    }
}

/// A string field of an accepted elicitation reply.
fn name_in(reply: &Value, field: &str) -> String {
    match heycmo::registry::answer(reply) {
        Answer::Accepted(content) => content[field].as_str().unwrap_or_default().to_owned(),
        _ => "(no answer)".into(),
    }
}

/// A parameter that also travels as the `Mcp-Param-Region` header (SEP-2243).
#[derive(Deserialize, JsonSchema)]
struct HeaderInput {
    #[schemars(extend("x-mcp-header" = "Region"))]
    region: String,
}

struct CustomHeaders;

impl Tool for CustomHeaders {
    type Input = HeaderInput;
    type Output = Said;
    async fn call(&self, _ctx: &ToolContext, input: HeaderInput) -> Result<Said, Error> {
        Ok(Said {
            text: format!("region={}", input.region),
        })
    }
    fn content(&self, output: &Said) -> Vec<Content> {
        say(output)
    }
}

fn entry(name: &str, description: &str) -> String {
    format!(
        "name = {name:?}\ntitle = {name:?}\ndescription = {description:?}\nscope = \"read-only\"\n\
         annotations = {{ readOnlyHint = true, destructiveHint = false, idempotentHint = true, openWorldHint = false }}\n"
    )
}

fn registry() -> Registry {
    let fixtures: Vec<(&'static str, &'static str, Box<dyn DynTool>)> = vec![
        (
            "test_simple_text",
            "Returns simple text content",
            Box::new(Fixed(|| {
                vec![Content::Text(
                    "This is a simple text response for testing.".into(),
                )]
            })),
        ),
        (
            "test_image_content",
            "Returns image content",
            Box::new(Fixed(|| {
                vec![Content::Image {
                    data: PNG.into(),
                    mime_type: "image/png".into(),
                }]
            })),
        ),
        (
            "test_audio_content",
            "Returns audio content",
            Box::new(Fixed(|| {
                vec![Content::Audio {
                    data: WAV.into(),
                    mime_type: "audio/wav".into(),
                }]
            })),
        ),
        (
            "test_embedded_resource",
            "Returns embedded resource content",
            Box::new(Fixed(|| {
                vec![Content::Resource {
                    uri: "test://embedded-resource".into(),
                    mime_type: "text/plain".into(),
                    text: "This is an embedded resource content.".into(),
                }]
            })),
        ),
        (
            "test_multiple_content_types",
            "Returns multiple content types",
            Box::new(Fixed(|| {
                vec![
                    Content::Text("Multiple content types test:".into()),
                    Content::Image {
                        data: PNG.into(),
                        mime_type: "image/png".into(),
                    },
                    Content::Resource {
                        uri: "test://mixed-content-resource".into(),
                        mime_type: "application/json".into(),
                        text: r#"{"test":"data","value":123}"#.into(),
                    },
                ]
            })),
        ),
        (
            "test_tool_with_logging",
            "Sends log notifications during execution",
            Box::new(WithLogging),
        ),
        (
            "test_tool_with_progress",
            "Reports progress notifications",
            Box::new(WithProgress),
        ),
        (
            "test_error_handling",
            "Always returns an error",
            Box::new(Failing),
        ),
        (
            "json_schema_2020_12_tool",
            "Tool with JSON Schema 2020-12 features",
            Box::new(RichSchema),
        ),
        (
            "test_sampling",
            "Requests LLM sampling from the client",
            Box::new(Sampling),
        ),
        (
            "test_input_required_result_elicitation",
            "Asks the client's user for a name (SEP-2322)",
            Box::new(RoundTrip(Flow::Elicitation)),
        ),
        (
            "test_input_required_result_sampling",
            "Asks the client's model (SEP-2322)",
            Box::new(RoundTrip(Flow::Sampling)),
        ),
        (
            "test_input_required_result_list_roots",
            "Asks the client's roots (SEP-2322)",
            Box::new(RoundTrip(Flow::ListRoots)),
        ),
        (
            "test_input_required_result_request_state",
            "Round trip with request state (SEP-2322)",
            Box::new(RoundTrip(Flow::RequestState)),
        ),
        (
            "test_input_required_result_multiple_inputs",
            "Several asks in one round (SEP-2322)",
            Box::new(RoundTrip(Flow::MultipleInputs)),
        ),
        (
            "test_input_required_result_multi_round",
            "Two rounds of asks (SEP-2322)",
            Box::new(RoundTrip(Flow::MultiRound)),
        ),
        (
            "test_input_required_result_tampered_state",
            "Refuses an altered request state (SEP-2322)",
            Box::new(RoundTrip(Flow::TamperedState)),
        ),
        (
            "test_input_required_result_capabilities",
            "Asks only what the client declared (SEP-2322)",
            Box::new(RoundTrip(Flow::Capabilities)),
        ),
        (
            "test_custom_headers",
            "Takes a parameter mirrored in a header",
            Box::new(CustomHeaders),
        ),
        (
            "test_elicitation",
            "Requests user input from the client",
            Box::new(Elicit),
        ),
        (
            "test_elicitation_sep1034_defaults",
            "Elicitation with default values (SEP-1034)",
            Box::new(AskFixed(defaults_schema)),
        ),
        (
            "test_elicitation_sep1330_enums",
            "Elicitation with every enum form (SEP-1330)",
            Box::new(AskFixed(enums_schema)),
        ),
        // SEP-2575's diagnostic tools.
        (
            "test_missing_capability",
            "Needs the client's sampling capability",
            Box::new(NeedsSampling),
        ),
        (
            "test_streaming_elicitation",
            "Asks the user a question, as an IncompleteResult on the 2026-07-28 generation",
            Box::new(AskFixed(defaults_schema)),
        ),
        (
            "test_logging_tool",
            "Logs only at the level a request asks for",
            Box::new(WithLogging),
        ),
    ];
    let extra = fixtures
        .into_iter()
        .map(|(name, description, handler)| (name, handler, entry(name, description)))
        .collect();
    Registry::builtin_with(extra).expect("the fixture catalogue is consistent")
}

/// The suite's resources and prompts.
struct Fixtures;

fn text_resource(uri: &str, mime: &str, text: &str) -> ReadResourceResult {
    ReadResourceResult::new(vec![ResourceContents::text(text, uri).with_mime_type(mime)])
}

impl Library for Fixtures {
    fn resources(&self) -> ListResourcesResult {
        let resource = |uri: &str, name: &str, description: &str, mime: &str| {
            let mut r = Resource::new(uri, name);
            r.description = Some(description.into());
            r.mime_type = Some(mime.into());
            r
        };
        ListResourcesResult::with_all_items(vec![
            resource(
                "test://static-text",
                "static-text",
                "A static text resource",
                "text/plain",
            ),
            resource(
                "test://static-binary",
                "static-binary",
                "A static binary resource (PNG)",
                "image/png",
            ),
            resource(
                "test://watched-resource",
                "watched-resource",
                "A resource clients may subscribe to",
                "text/plain",
            ),
        ])
    }

    fn templates(&self) -> ListResourceTemplatesResult {
        let mut template = ResourceTemplate::new("test://template/{id}/data", "template-data");
        template.description = Some("Data for an id".into());
        template.mime_type = Some("application/json".into());
        ListResourceTemplatesResult::with_all_items(vec![template])
    }

    fn read(&self, uri: &str) -> Result<ReadResourceResult, McpError> {
        match uri {
            "test://static-text" => Ok(text_resource(
                uri,
                "text/plain",
                "This is the content of the static text resource.",
            )),
            "test://watched-resource" => Ok(text_resource(
                uri,
                "text/plain",
                "Watched resource content.",
            )),
            "test://static-binary" => Ok(ReadResourceResult::new(vec![
                ResourceContents::blob(PNG, uri).with_mime_type("image/png"),
            ])),
            _ => {
                let id = uri
                    .strip_prefix("test://template/")
                    .and_then(|rest| rest.strip_suffix("/data"));
                match id {
                    Some(id) if !id.is_empty() && !id.contains('/') => {
                        let body = json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")});
                        Ok(text_resource(uri, "application/json", &body.to_string()))
                    }
                    _ => Err(McpError::resource_not_found(
                        "Resource not found",
                        Some(json!({"uri": uri})),
                    )),
                }
            }
        }
    }

    fn prompts(&self) -> ListPromptsResult {
        let argument = |name: &str, description: &str| {
            let mut a = PromptArgument::new(name);
            a.description = Some(description.into());
            a.required = Some(true);
            a
        };
        ListPromptsResult::with_all_items(vec![
            Prompt::new(
                "test_simple_prompt",
                Some("A simple prompt without arguments"),
                None,
            ),
            Prompt::new(
                "test_prompt_with_arguments",
                Some("A prompt with arguments"),
                Some(vec![
                    argument("arg1", "First test argument"),
                    argument("arg2", "Second test argument"),
                ]),
            ),
            Prompt::new(
                "test_prompt_with_embedded_resource",
                Some("A prompt with an embedded resource"),
                Some(vec![argument(
                    "resourceUri",
                    "URI of the resource to embed",
                )]),
            ),
            Prompt::new(
                "test_prompt_with_image",
                Some("A prompt with an image"),
                None,
            ),
            Prompt::new(
                "test_input_required_result_prompt",
                Some("A prompt that asks the user for context first (SEP-2322)"),
                None,
            ),
        ])
    }

    fn prompt(
        &self,
        name: &str,
        arguments: &JsonObject,
        answered: &BTreeMap<String, Value>,
    ) -> Result<PromptOutcome, McpError> {
        let arg = |key: &str| {
            arguments
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let messages = match name {
            "test_simple_prompt" => vec![PromptMessage::new_text(
                Role::User,
                "This is a simple prompt for testing.",
            )],
            "test_prompt_with_arguments" => vec![PromptMessage::new_text(
                Role::User,
                format!(
                    "Prompt with arguments: arg1='{}', arg2='{}'",
                    arg("arg1"),
                    arg("arg2")
                ),
            )],
            "test_prompt_with_embedded_resource" => vec![
                PromptMessage::new_resource(
                    Role::User,
                    arg("resourceUri"),
                    Some("text/plain".into()),
                    Some("Embedded resource content for testing.".into()),
                    None,
                    None,
                    None,
                ),
                PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
            ],
            "test_prompt_with_image" => vec![
                PromptMessage::new(
                    Role::User,
                    rmcp::model::ContentBlock::image(PNG, "image/png"),
                ),
                PromptMessage::new_text(Role::User, "Please analyze the image above."),
            ],
            "test_input_required_result_prompt" => match answered.get("user_context") {
                None => {
                    return Ok(PromptOutcome::NeedInput(vec![(
                        "user_context".into(),
                        ask_name("What context should the prompt use?", "context"),
                    )]));
                }
                Some(reply) => vec![PromptMessage::new_text(
                    Role::User,
                    format!("Use this context: {}", name_in(reply, "context")),
                )],
            },
            _ => return Err(McpError::invalid_params(format!("No prompt {name}"), None)),
        };
        Ok(PromptOutcome::Complete(GetPromptResult::new(messages)))
    }

    fn completions(&self) -> bool {
        true
    }

    fn complete(&self, request: &CompleteRequestParams) -> Result<CompleteResult, McpError> {
        let prefix = request.argument.value.to_lowercase();
        let values: Vec<String> = ["paris", "park", "party"]
            .iter()
            .filter(|v| v.starts_with(&prefix))
            .map(|v| v.to_string())
            .collect();
        let info = CompletionInfo::new(values).map_err(|e| McpError::internal_error(e, None))?;
        Ok(CompleteResult::new(info))
    }

    fn subscriptions(&self) -> bool {
        true
    }
}

#[tokio::main]
async fn main() {
    let bind = std::env::args()
        .skip_while(|a| a != "--bind")
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind(&bind).await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        db: dir.path().join("conformance.db"),
        limits: RateLimits::unlimited(),
        ..Config::default()
    };
    let app = App::with_registry(config, base.clone(), registry()).expect("app");
    let key = app
        .local_customer()
        .await
        .expect("local customer")
        .1
        .expect("a fresh key");
    println!("key {key}");
    println!("listening on {base}");
    let shared = Shared::new(app, Arc::new(Fixtures));
    heycmo::http::serve_with(shared, listener, CancellationToken::new()).await;
}
