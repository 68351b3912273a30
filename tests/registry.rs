//! The registry's contract: every catalogue entry has a handler and every handler an entry, every
//! example runs and its output matches the published schema and the expected fields, and the
//! checked-in schemas and server card are what `make schemas` produces.

mod common;

use std::sync::Arc;

use heycmo::app::App;
use heycmo::auth::Principal;
use heycmo::config::Config;
use heycmo::error::Error;
use heycmo::registry::{
    DynTool, Outcome, Registry, RegistryError, Surface, Tool, ToolContext, catalogue,
};
use heycmo::store::KeyScope;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

fn open(dir: &tempfile::TempDir, registry: Registry) -> Arc<App> {
    let config = Config {
        db: dir.path().join("heycmo.db"),
        allowed_fetch_networks: vec![common::site::SITE_NETWORK.parse().unwrap()],
        ..Config::default()
    };
    App::with_registry(config, "http://127.0.0.1:8080".into(), registry).unwrap()
}

fn context(app: &App, principal: Principal) -> ToolContext {
    app.context(
        principal,
        Surface::Cli,
        "test".into(),
        CancellationToken::new(),
        None,
    )
}

#[test]
fn every_entry_has_a_handler_and_every_handler_an_entry() {
    let registry = Registry::builtin().expect("the built-in catalogue is consistent");
    let handlers: Vec<&str> = heycmo::tools::handlers()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let entries: Vec<String> = heycmo::tools::CATALOGUE
        .iter()
        .map(|(file, text)| catalogue::parse(file, text).unwrap().name)
        .collect();
    let mut sorted_entries = entries.clone();
    sorted_entries.sort();
    assert_eq!(handlers, sorted_entries);
    assert_eq!(registry.tools().len(), handlers.len());
    for spec in registry.tools() {
        assert!(
            !spec.entry.description.trim().is_empty(),
            "{} has a description",
            spec.name()
        );
        assert!(
            !spec.entry.examples.is_empty(),
            "{} has at least one example",
            spec.name()
        );
        assert_eq!(spec.input_schema["type"], "object");
        assert_eq!(spec.output_schema["type"], "object");
        assert!(
            spec.input_schema["$schema"]
                .as_str()
                .unwrap()
                .contains("2020-12"),
            "schemas are JSON Schema 2020-12"
        );
        // Output schemas compile when first used; each must compile, and refuse a non-object.
        let refused = spec.check_output(&json!(null)).unwrap_err();
        assert_eq!(
            refused.code(),
            "E_INVALID_INPUT",
            "{}: {refused:?}",
            spec.name()
        );
    }
}

#[tokio::test]
async fn every_catalogue_example_runs_and_matches_its_schema() {
    // Examples that fetch a site name https://example.com; here it is the clean fixture site.
    let site = common::site::serve("good").await;
    let on_fixture = |value: &Value| -> Value {
        serde_json::from_str(&value.to_string().replace("https://example.com", &site.base)).unwrap()
    };
    let registry = Registry::builtin().unwrap();
    for spec in registry.tools() {
        for example in &spec.entry.examples {
            // A database and customer of its own: an example has only the state its `given`
            // calls make.
            let dir = tempfile::tempdir().unwrap();
            let app = open(&dir, Registry::builtin().unwrap());
            let customer = app
                .provision("owner@example.com", "self-hosted")
                .await
                .unwrap()
                .customer;
            let ctx = context(&app, Principal::local(customer.clone()));
            for given in &example.given {
                app.registry
                    .call(&given.tool, &ctx, on_fixture(&given.input))
                    .await
                    .and_then(Outcome::output)
                    .unwrap_or_else(|e| {
                        panic!(
                            "{} / {}: given {}: {e}",
                            spec.name(),
                            example.title,
                            given.tool
                        )
                    });
            }
            let result = app
                .registry
                .call(spec.name(), &ctx, on_fixture(&example.input))
                .await
                .and_then(Outcome::output);
            if let Some(code) = &example.expect_error {
                let error = result.err().unwrap_or_else(|| {
                    panic!("{} / {}: expected {code}", spec.name(), example.title)
                });
                assert_eq!(error.code(), code, "{} / {}", spec.name(), example.title);
                continue;
            }
            let output =
                result.unwrap_or_else(|e| panic!("{} / {}: {e}", spec.name(), example.title));
            spec.check_output(&output.structured).unwrap_or_else(|e| {
                panic!(
                    "{} / {}: output violates its schema: {e}",
                    spec.name(),
                    example.title
                )
            });
            assert!(
                catalogue::contains(&output.structured, &on_fixture(&example.expect)),
                "{} / {}: expected {} in {}",
                spec.name(),
                example.title,
                example.expect,
                output.structured
            );
            assert!(!output.content.is_empty());
        }
    }
}

#[test]
fn generated_documents_match_the_checked_in_copies() {
    let registry = Registry::builtin().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = heycmo::discovery::exported(&registry, heycmo::cli::DEFAULT_PUBLIC_URL);
    for (name, bytes) in &files {
        let on_disk = std::fs::read(root.join(name)).unwrap_or_default();
        assert!(
            on_disk == *bytes,
            "{name} is out of date: run `make schemas` and commit the result"
        );
    }
    let generated: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    for entry in std::fs::read_dir(root.join("schemas")).unwrap() {
        let name = format!("schemas/{}", entry.unwrap().file_name().to_string_lossy());
        assert!(
            generated.contains(&name.as_str()),
            "{name} belongs to no tool: run `make schemas`"
        );
    }
}

/// A tool for exercising the registry's own rules.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct EchoInput {
    #[schemars(length(min = 1))]
    text: String,
}

#[derive(Serialize, JsonSchema)]
struct EchoOutput {
    text: String,
}

struct Echo;

impl Tool for Echo {
    type Input = EchoInput;
    type Output = EchoOutput;
    async fn call(&self, _ctx: &ToolContext, input: EchoInput) -> Result<EchoOutput, Error> {
        Ok(EchoOutput { text: input.text })
    }
}

const ECHO_ENTRY: &str = r#"
name = "echo"
title = "Echo"
description = "Echoes its input."
scope = "member"
annotations = { readOnlyHint = true, destructiveHint = false, idempotentHint = true, openWorldHint = false }
[[examples]]
title = "hello"
input = { text = "hello" }
expect = { text = "hello" }
"#;

fn echo() -> Vec<(&'static str, Box<dyn DynTool>)> {
    vec![("echo", Box::new(Echo))]
}

#[test]
fn mismatched_catalogues_are_refused() {
    assert!(
        matches!(Registry::build(echo(), &[]), Err(RegistryError::MissingEntry(name)) if name == "echo")
    );
    assert!(matches!(
        Registry::build(vec![], &[("echo.toml", ECHO_ENTRY)]),
        Err(RegistryError::MissingHandler(name)) if name == "echo"
    ));
    assert!(matches!(
        Registry::build(echo(), &[("other.toml", ECHO_ENTRY)]),
        Err(RegistryError::Misnamed { .. })
    ));
    let bad_example = ECHO_ENTRY.replace("input = { text = \"hello\" }", "input = { text = 5 }");
    assert!(matches!(
        Registry::build(echo(), &[("echo.toml", &bad_example)]),
        Err(RegistryError::Example { .. })
    ));
    let unknown_given = ECHO_ENTRY.replace(
        "input = { text = \"hello\" }",
        "given = [{ tool = \"nope\" }]\ninput = { text = \"hello\" }",
    );
    assert!(matches!(
        Registry::build(echo(), &[("echo.toml", &unknown_given)]),
        Err(RegistryError::Example { message, .. }) if message.contains("no tool nope")
    ));
    let bad_given = ECHO_ENTRY.replace(
        "input = { text = \"hello\" }",
        "given = [{ tool = \"echo\", input = { text = 5 } }]\ninput = { text = \"hello\" }",
    );
    assert!(matches!(
        Registry::build(echo(), &[("echo.toml", &bad_given)]),
        Err(RegistryError::Example { message, .. }) if message.contains("given echo")
    ));
    let unknown_field = format!("{ECHO_ENTRY}\nsurprise = true\n");
    assert!(matches!(
        Registry::build(echo(), &[("echo.toml", &unknown_field)]),
        Err(RegistryError::Catalogue(_))
    ));
    assert!(Registry::build(echo(), &[("echo.toml", ECHO_ENTRY)]).is_ok());

    // Two tools claiming one REST route is refused at start, naming the route.
    let routed = ECHO_ENTRY.replace(
        "scope = \"member\"",
        "scope = \"member\"\nroute = \"POST /api/echo\"",
    );
    let twin = routed.replace("name = \"echo\"", "name = \"echo_too\"");
    let handlers: Vec<(&'static str, Box<dyn DynTool>)> =
        vec![("echo", Box::new(Echo)), ("echo_too", Box::new(Echo))];
    match Registry::build(
        handlers,
        &[("echo.toml", &routed), ("echo_too.toml", &twin)],
    ) {
        Err(RegistryError::Route { route, .. }) => assert_eq!(route, "POST /api/echo"),
        Err(other) => panic!("expected a route conflict, got {other}"),
        Ok(_) => panic!("expected a route conflict"),
    }
}

#[tokio::test]
async fn scope_input_validation_and_events_apply_to_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(
        &dir,
        Registry::build(echo(), &[("echo.toml", ECHO_ENTRY)]).unwrap(),
    );
    let customer = app
        .provision("scope@example.com", "pro")
        .await
        .unwrap()
        .customer;
    let reader = Principal::new(customer.clone(), KeyScope::ReadOnly);
    let member = Principal::new(customer.clone(), KeyScope::Member);

    let denied = app
        .registry
        .call("echo", &context(&app, reader), json!({"text": "hi"}))
        .await;
    assert!(
        matches!(denied, Err(Error::Forbidden(_))),
        "a read-only key cannot call a member tool"
    );

    let ctx = context(&app, member);
    let invalid = app.registry.call("echo", &ctx, json!({"text": ""})).await;
    match invalid {
        Err(Error::InvalidInput { pointer, message }) => {
            assert_eq!(pointer, "/text");
            assert!(message.starts_with("/text:"), "{message}");
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
    let output = app
        .registry
        .call("echo", &ctx, json!({"text": "hi"}))
        .await
        .and_then(Outcome::output)
        .unwrap();
    assert_eq!(output.structured, json!({"text": "hi"}));
    assert!(matches!(
        app.registry.call("nope", &ctx, Value::Null).await,
        Err(Error::NotFound(_))
    ));

    // Three calls reached the handler path (denied, invalid, ok) and each left an event.
    app.events.flush().await.unwrap();
    let events = app
        .store
        .events(
            &customer.id,
            heycmo::store::EventQuery {
                kind: Some("tool.*".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let outcomes: Vec<(&str, Option<&str>)> = events
        .iter()
        .map(|e| {
            (
                e.data["outcome"].as_str().unwrap(),
                e.data["errorCode"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("success", None),
            ("error", Some("E_INVALID_INPUT")),
            ("error", Some("E_FORBIDDEN"))
        ]
    );
}

#[tokio::test]
async fn a_cancelled_call_stops_its_handler() {
    struct Forever;
    impl Tool for Forever {
        type Input = EchoInput;
        type Output = EchoOutput;
        async fn call(&self, _ctx: &ToolContext, _input: EchoInput) -> Result<EchoOutput, Error> {
            std::future::pending().await
        }
    }
    let entry = ECHO_ENTRY.replace("name = \"echo\"", "name = \"forever\"").replace("[[examples]]\ntitle = \"hello\"\ninput = { text = \"hello\" }\nexpect = { text = \"hello\" }\n", "");
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::build(
        vec![("forever", Box::new(Forever))],
        &[("forever.toml", &entry)],
    )
    .unwrap();
    let app = open(&dir, registry);
    let customer = app
        .provision("cancel@example.com", "pro")
        .await
        .unwrap()
        .customer;
    let cancel = CancellationToken::new();
    let ctx = app.context(
        Principal::local(customer),
        Surface::Cli,
        "t".into(),
        cancel.clone(),
        None,
    );
    let call = app.registry.call("forever", &ctx, json!({"text": "x"}));
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        cancel.cancel();
    });
    assert!(matches!(call.await, Ok(Outcome::Cancelled)));
}
