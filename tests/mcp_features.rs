//! Progress, cancellation and logging over MCP, on a fixture tool added to the real registry and
//! served by the library's HTTP server in-process on loopback.

#![allow(deprecated)] // MCP logging is deprecated by SEP-2577 but still served to handshake clients.

mod common;

use std::sync::Arc;
use std::time::Duration;

use heycmo::app::App;
use heycmo::config::Config;
use heycmo::error::Error;
use heycmo::registry::{LogLevel, Registry, Tool, ToolContext};
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientRequest, LoggingLevel,
    LoggingMessageNotificationParam, ProgressNotificationParam, SetLevelRequestParams,
};
use rmcp::service::{NotificationContext, PeerRequestOptions};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CountInput {
    #[schemars(range(min = 1, max = 20))]
    steps: u32,
    /// After counting, wait until the call is cancelled.
    #[serde(default)]
    wait_for_cancel: bool,
}

#[derive(Serialize, JsonSchema)]
struct CountOutput {
    counted: u32,
}

struct Count;

impl Tool for Count {
    type Input = CountInput;
    type Output = CountOutput;
    async fn call(&self, ctx: &ToolContext, input: CountInput) -> Result<CountOutput, Error> {
        for step in 1..=input.steps {
            ctx.progress(
                f64::from(step),
                Some(f64::from(input.steps)),
                format!("step {step}"),
            )
            .await;
            ctx.log(LogLevel::Info, format!("counted {step}")).await;
        }
        ctx.log(LogLevel::Debug, "done counting").await;
        if input.wait_for_cancel {
            std::future::pending::<()>().await;
        }
        Ok(CountOutput {
            counted: input.steps,
        })
    }
}

const COUNT_ENTRY: &str = r#"
name = "count"
title = "Count"
description = "Counts, reporting progress."
scope = "read-only"
annotations = { readOnlyHint = true, destructiveHint = false, idempotentHint = true, openWorldHint = false }
"#;

struct Running {
    base: String,
    key: String,
    app: Arc<App>,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let registry =
        Registry::builtin_with(vec![("count", Box::new(Count), COUNT_ENTRY.into())]).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        db: dir.path().join("heycmo.db"),
        ..Config::default()
    };
    let app = App::with_registry(config, base.clone(), registry).unwrap();
    let key = app.local_customer().await.unwrap().1.expect("a fresh key");
    let shutdown = CancellationToken::new();
    tokio::spawn(heycmo::http::serve(app.clone(), listener, shutdown.clone()));
    Running {
        base,
        key,
        app,
        shutdown,
        _dir: dir,
    }
}

/// A client that records the notifications it receives.
#[derive(Clone)]
struct Recorder(mpsc::UnboundedSender<String>);

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(format!(
            "progress {}/{} {}",
            params.progress,
            params.total.unwrap_or(0.0),
            params.message.unwrap_or_default()
        ));
    }
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self
            .0
            .send(format!("log {:?} {}", params.level, params.data));
    }
}

async fn connect(
    running: &Running,
) -> (
    rmcp::service::RunningService<RoleClient, Recorder>,
    mpsc::UnboundedReceiver<String>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let transport = common::mcp_transport(format!("{}/mcp", running.base), running.key.clone());
    (Recorder(tx).serve(transport).await.unwrap(), rx)
}

fn count(steps: u32, wait_for_cancel: bool) -> CallToolRequestParams {
    let mut params = CallToolRequestParams::new("count");
    params.arguments = json!({"steps": steps, "wait_for_cancel": wait_for_cancel})
        .as_object()
        .cloned();
    params
}

fn drain(rx: &mut mpsc::UnboundedReceiver<String>) -> Vec<String> {
    let mut seen = Vec::new();
    while let Ok(message) = rx.try_recv() {
        seen.push(message);
    }
    seen
}

#[tokio::test]
async fn progress_reaches_the_client() {
    let running = start().await;
    let (client, mut rx) = connect(&running).await;
    let result = client.call_tool(count(3, false)).await.unwrap();
    assert_eq!(result.structured_content.unwrap()["counted"], 3);
    let seen = drain(&mut rx);
    let progress: Vec<&String> = seen.iter().filter(|m| m.starts_with("progress")).collect();
    assert_eq!(
        progress,
        [
            "progress 1/3 step 1",
            "progress 2/3 step 2",
            "progress 3/3 step 3"
        ]
    );
    // No level was set, so no log messages were sent.
    assert!(!seen.iter().any(|m| m.starts_with("log")), "{seen:?}");
    client.cancel().await.unwrap();
    running.shutdown.cancel();
}

#[tokio::test]
async fn log_messages_follow_the_level_the_client_sets() {
    let running = start().await;
    let (client, mut rx) = connect(&running).await;
    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Info))
        .await
        .unwrap();
    client.call_tool(count(2, false)).await.unwrap();
    let logs: Vec<String> = drain(&mut rx)
        .into_iter()
        .filter(|m| m.starts_with("log"))
        .collect();
    assert_eq!(
        logs,
        ["log Info \"counted 1\"", "log Info \"counted 2\""],
        "debug is below the level"
    );

    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Debug))
        .await
        .unwrap();
    client.call_tool(count(1, false)).await.unwrap();
    let logs: Vec<String> = drain(&mut rx)
        .into_iter()
        .filter(|m| m.starts_with("log"))
        .collect();
    assert_eq!(
        logs,
        ["log Info \"counted 1\"", "log Debug \"done counting\""]
    );
    client.cancel().await.unwrap();
    running.shutdown.cancel();
}

#[tokio::test]
async fn cancelling_a_request_cancels_its_handler() {
    let running = start().await;
    let (client, mut rx) = connect(&running).await;
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(count(2, true)));
    let handle = client
        .send_request_with_option(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    // Wait until the handler has counted, so it is inside its wait.
    let mut progressed = 0;
    while progressed < 2 {
        let message = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        progressed += usize::from(message.starts_with("progress"));
    }
    handle.cancel(Some("changed my mind".into())).await.unwrap();

    // The handler stops, and its event says so.
    let customer = running.app.local_customer().await.unwrap().0;
    let mut outcome = None;
    for _ in 0..100 {
        let events = running
            .app
            .store
            .events(
                &customer.id,
                heycmo::store::EventQuery {
                    kind: Some("tool.called".into()),
                    limit: 1,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if let Some(event) = events.first().filter(|e| e.data["tool"] == "count") {
            outcome = Some(event.data.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let outcome = outcome.expect("the cancelled call was recorded");
    assert_eq!(outcome["outcome"], "cancelled");
    // A cancellation is an outcome, not a failure: no error code.
    assert!(outcome.get("errorCode").is_none(), "{outcome}");

    // The session carries on.
    assert_eq!(
        client
            .call_tool(count(1, false))
            .await
            .unwrap()
            .structured_content
            .unwrap()["counted"],
        1
    );
    client.cancel().await.unwrap();
    running.shutdown.cancel();
}

/// A library whose one prompt needs the user's name first.
struct Asking;

impl heycmo::mcp::library::Library for Asking {
    fn resources(&self) -> rmcp::model::ListResourcesResult {
        rmcp::model::ListResourcesResult::with_all_items(vec![])
    }
    fn templates(&self) -> rmcp::model::ListResourceTemplatesResult {
        rmcp::model::ListResourceTemplatesResult::with_all_items(vec![])
    }
    fn read(&self, uri: &str) -> Result<rmcp::model::ReadResourceResult, rmcp::ErrorData> {
        Err(rmcp::ErrorData::resource_not_found(
            format!("No resource {uri}"),
            None,
        ))
    }
    fn prompts(&self) -> rmcp::model::ListPromptsResult {
        rmcp::model::ListPromptsResult::with_all_items(vec![rmcp::model::Prompt::new(
            "greet",
            Some("Greets the user by name"),
            None,
        )])
    }
    fn prompt(
        &self,
        _name: &str,
        _arguments: &rmcp::model::JsonObject,
        answered: &std::collections::BTreeMap<String, serde_json::Value>,
    ) -> Result<heycmo::mcp::library::PromptOutcome, rmcp::ErrorData> {
        use heycmo::mcp::library::PromptOutcome;
        use heycmo::registry::{Answer, Ask, Question};
        let Some(reply) = answered.get("name") else {
            let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]});
            return Ok(PromptOutcome::NeedInput(vec![(
                "name".into(),
                Ask::Elicit(Question {
                    message: "Your name?".into(),
                    schema,
                }),
            )]));
        };
        let name = match heycmo::registry::answer(reply) {
            Answer::Accepted(content) => content["name"].as_str().unwrap_or_default().to_owned(),
            _ => "stranger".into(),
        };
        Ok(PromptOutcome::Complete(rmcp::model::GetPromptResult::new(
            vec![rmcp::model::PromptMessage::new_text(
                rmcp::model::Role::User,
                format!("Hello, {name}"),
            )],
        )))
    }
}

/// A client whose user always answers "Ada".
struct Ada;

impl ClientHandler for Ada {
    fn get_info(&self) -> rmcp::model::ClientConfig {
        rmcp::model::ClientConfig::new(
            rmcp::model::ClientCapabilities::builder()
                .enable_elicitation()
                .build(),
            rmcp::model::Implementation::new("ada", "1"),
        )
    }
    async fn create_elicitation(
        &self,
        _request: rmcp::model::ElicitRequestParams,
        _context: rmcp::service::RequestContext<RoleClient>,
    ) -> Result<rmcp::model::ElicitResult, rmcp::ErrorData> {
        let mut result = rmcp::model::ElicitResult::new(rmcp::model::ElicitationAction::Accept);
        result.content = Some(json!({"name": "Ada"}));
        Ok(result)
    }
}

#[tokio::test]
async fn a_prompt_asks_the_client_on_the_handshake_generation() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        db: dir.path().join("heycmo.db"),
        ..Config::default()
    };
    let app = App::with_registry(config, base.clone(), Registry::builtin().unwrap()).unwrap();
    let key = app.local_customer().await.unwrap().1.expect("a fresh key");
    let shutdown = CancellationToken::new();
    let shared = heycmo::mcp::server::Shared::new(app, Arc::new(Asking));
    tokio::spawn(heycmo::http::serve_with(shared, listener, shutdown.clone()));
    let transport = common::mcp_transport(format!("{base}/mcp"), key);
    let client = Ada.serve(transport).await.unwrap();
    let prompt = client
        .get_prompt(rmcp::model::GetPromptRequestParams::new("greet"))
        .await
        .unwrap();
    let text = serde_json::to_string(&prompt.messages).unwrap();
    assert!(text.contains("Hello, Ada"), "{text}");
    client.cancel().await.unwrap();
    shutdown.cancel();
}

/// Waits (bounded) until `done` holds; says what it waited for if it never does.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never: {what}");
}

/// A handshake-generation session forwards record changes from its first subscription until its
/// last unsubscription or its end. Its forwarding task once lived as long as the process: after
/// an unsubscription, after the session ended, and through shutdown. Each forwarding task holds
/// one receiver of the change feed, so the feed's receiver count shows the tasks alive.
#[tokio::test]
#[expect(
    deprecated,
    reason = "resources/subscribe is the handshake generation's way of subscribing"
)]
async fn forwarding_record_changes_ends_with_the_subscription_and_the_session() {
    use rmcp::model::{SubscribeRequestParams, UnsubscribeRequestParams};
    let running = start().await;
    let feed = running.app.changes.clone();
    let (client, _rx) = connect(&running).await;
    assert_eq!(feed.receiver_count(), 0);
    for _ in 0..2 {
        client
            .subscribe(SubscribeRequestParams::new("heycmo://brand"))
            .await
            .unwrap();
    }
    assert_eq!(feed.receiver_count(), 1, "one task per session");
    client
        .unsubscribe(UnsubscribeRequestParams::new("heycmo://brand"))
        .await
        .unwrap();
    eventually("the task ends with the last unsubscription", || {
        feed.receiver_count() == 0
    })
    .await;

    client
        .subscribe(SubscribeRequestParams::new("heycmo://brand"))
        .await
        .unwrap();
    assert_eq!(
        feed.receiver_count(),
        1,
        "a new subscription forwards again"
    );
    client.cancel().await.unwrap();
    eventually("the task ends with the session", || {
        feed.receiver_count() == 0
    })
    .await;

    let (client, _rx) = connect(&running).await;
    client
        .subscribe(SubscribeRequestParams::new("heycmo://brand"))
        .await
        .unwrap();
    assert_eq!(feed.receiver_count(), 1);
    running.shutdown.cancel();
    eventually("the task ends when the server shuts down", || {
        feed.receiver_count() == 0
    })
    .await;
    drop(client);
}
