//! The examples in `examples/` work as the README says.

mod common;

use common::Server;

// Multi-threaded: the script blocks this thread while the fixture site serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_curl_walkthrough_runs_against_a_real_server() {
    let site = common::site::serve("good").await;
    let server = Server::start(&["--allow-fetch-network", common::site::SITE_NETWORK]);
    let output = std::process::Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/curl_walkthrough.sh"
        ))
        .env("BASE", &server.base)
        .env("KEY", &server.key)
        .env("SITE", site.url("/"))
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(&server.customer_id), "{stdout}");
    assert!(stdout.contains("\"type\":\"tool.called\""), "{stdout}");
    assert!(stdout.contains("(status 422)"), "{stdout}");
    assert!(stdout.contains("\"name\":\"Acme Trail\""), "{stdout}");
    assert!(stdout.contains("\"overall\":100"), "{stdout}");
}

#[test]
fn the_client_configs_are_valid_json_and_match_mcp_config() {
    for file in ["claude_desktop_config.json", "cursor_mcp.json"] {
        let path = format!("{}/examples/{file}", env!("CARGO_MANIFEST_DIR"));
        let value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(value["mcpServers"]["heycmo"].is_object(), "{file}");
    }
    // With no server ever started on the database, the default URL.
    let none = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_heycmo"))
        .args(["mcp", "config", "--key", "hcmo_live_abc", "--db"])
        .arg(none.path().join("none.db"))
        .output()
        .unwrap();
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        printed["mcpServers"]["heycmo"]["url"],
        "http://127.0.0.1:8080/mcp/sse?token=hcmo_live_abc"
    );
    // The stdio entry is started by the client from a directory of its own: both paths in it
    // are absolute, and the binary is this one.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_heycmo"))
        .args(["mcp", "config", "--stdio", "--db", "relative.db"])
        .output()
        .unwrap();
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entry = &printed["mcpServers"]["heycmo"];
    let command = std::path::Path::new(entry["command"].as_str().unwrap());
    assert!(command.is_absolute() && command.exists(), "{entry}");
    let db = std::path::Path::new(entry["args"][2].as_str().unwrap());
    assert!(db.is_absolute() && db.ends_with("relative.db"), "{entry}");
    assert!(!db.exists(), "printing a snippet creates no database");
}

/// Commands beside a running server print its endpoints, on whatever port it runs, and list
/// its customers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printed_endpoints_name_the_server_that_runs_on_the_database() {
    let server = Server::start(&[]);
    assert!(!server.base.ends_with(":8080"), "{}", server.base);
    let config = server.cli(&["mcp", "config", "--key", "hcmo_live_abc"]);
    assert_eq!(
        config["mcpServers"]["heycmo"]["url"],
        format!("{}/mcp/sse?token=hcmo_live_abc", server.base)
    );
    let created = server.cli(&["customers", "create", "--email", "second@example.com"]);
    let endpoint = created["mcpEndpoint"].as_str().unwrap();
    assert!(endpoint.starts_with(&format!("{}/mcp/sse?token=hcmo_live_", server.base)));
    let account = server.cli(&["call", "get_account"]);
    assert!(
        account["mcpEndpoint"]
            .as_str()
            .unwrap()
            .starts_with(&server.base),
        "{account}"
    );
    // An explicit URL wins.
    let config = server.cli(&["mcp", "config", "--url", "https://cmo.example.com"]);
    assert!(
        config["mcpServers"]["heycmo"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://cmo.example.com/mcp/sse")
    );
    let listed = server.cli(&["customers", "list"]);
    let ids: Vec<&str> = listed["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customerId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            server.customer_id.as_str(),
            created["customerId"].as_str().unwrap()
        ]
    );
    assert_eq!(listed["customers"][1]["email"], "second@example.com");
}

/// `examples/python_client.py` works on the official Python SDK it pins
/// (`examples/requirements.txt`, installed into `examples/.venv` by `make unit`), and the SDK
/// ends its session without complaint (`DELETE /mcp` answers 204).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_client_runs_on_the_pinned_sdk() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("HEYCMO_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("examples/.venv/bin/python"));
    assert!(
        python.exists(),
        "{} is missing: run `make venv` (or set HEYCMO_PYTHON to a Python with examples/requirements.txt)",
        python.display()
    );
    let server = Server::start(&[]);
    let output = tokio::process::Command::new(&python)
        .arg(root.join("examples/python_client.py"))
        .arg(&server.base)
        .env("HEYCMO_KEY", &server.key)
        .output()
        .await
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("get_account"),
        "the tools are listed: {stdout}"
    );
    assert!(
        stdout.contains(&server.customer_id),
        "the account is read: {stdout}"
    );
    assert!(
        stdout.contains("tool.called get_account"),
        "the events are read: {stdout}"
    );
    assert!(
        !stderr.contains("termination failed") && !stderr.contains("Traceback"),
        "{stderr}"
    );
}

/// A command that finds no database creates one and says where, on stderr.
#[test]
fn a_command_that_creates_a_database_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_heycmo"))
            .current_dir(dir.path())
            .args(["call", "list_events", "{}"])
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success());
    let said = String::from_utf8(first.stderr).unwrap();
    let path = dir.path().join("heycmo.db");
    assert!(
        said.contains(&format!("created a new database at {}", path.display()))
            && said.contains("--db"),
        "{said}"
    );
    let second = String::from_utf8(run().stderr).unwrap();
    assert!(!second.contains("created a new database"), "{second}");
}

/// The README's table of error codes is the one the server is built from, row for row.
#[test]
fn the_readme_lists_every_error_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = heycmo::error::Error::markdown_table();
    assert!(
        readme.contains(&table),
        "README's error table differs from Error::KINDS; paste this:\n{table}"
    );
}
