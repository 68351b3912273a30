//! The generated documents, pinned as `insta` snapshots under `tests/snapshots/`, so a change
//! to a tool, a schema or the error table shows up in review as a readable diff of what agents
//! and clients will see. After an intended change: `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test snapshots`), then commit the `.snap` files.
//!
//! The checked-in `schemas/` and `server-card/` stay too (other programs read them); a test in
//! `registry.rs` keeps them equal to what `heycmo export` writes.

use heycmo::cli::DEFAULT_PUBLIC_URL;
use heycmo::discovery;
use heycmo::registry::Registry;

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap()
}

#[test]
fn tool_schemas() {
    let registry = Registry::builtin().unwrap();
    for spec in registry.tools() {
        let input = serde_json::Value::Object((*spec.input_schema).clone());
        let output = serde_json::Value::Object((*spec.output_schema).clone());
        insta::assert_snapshot!(format!("{}.input", spec.name()), pretty(&input));
        insta::assert_snapshot!(format!("{}.output", spec.name()), pretty(&output));
    }
}

#[test]
fn discovery_documents() {
    let registry = Registry::builtin().unwrap();
    let base = DEFAULT_PUBLIC_URL;
    insta::assert_snapshot!("openapi.json", pretty(&discovery::openapi(&registry, base)));
    insta::assert_snapshot!(
        "server-card.json",
        pretty(&discovery::server_card(&registry, base))
    );
    insta::assert_snapshot!(
        "mcp-server-card-sep2127.json",
        pretty(&discovery::sep2127_card(base))
    );
    insta::assert_snapshot!("agent.json", pretty(&discovery::agent(&registry, base)));
    insta::assert_snapshot!("api-catalog", pretty(&discovery::api_catalog(base)));
    insta::assert_snapshot!("llms.txt", discovery::llms_txt(&registry, base));
    insta::assert_snapshot!("index.md", discovery::index_md(&registry, base));
}
