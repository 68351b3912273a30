//! The public status: probes recorded every interval (here a second), uptime measured from
//! them, and an incident opened after more than two failed probes and closed on recovery,
//! with the model engine probed on its model list as a real provider answers it.

mod common;

use std::time::{Duration, Instant};

use common::receiver::{Answer, Receiver};
use common::{Server, client};
use serde_json::{Value, json};

async fn status(server: &Server) -> Value {
    let answer = client()
        .get(server.url("/api/public/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

fn component<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {status}"))
}

/// Polls the status until `done` holds.
async fn until(server: &Server, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = status(server).await;
        if done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "never {what}: {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_healthy_server_reports_measured_uptime_on_the_api_and_the_page() {
    let server = Server::start(&["--status-probe-seconds", "1", "--rate-preauth", "10000"]);
    let now = until(&server, "probed", |s| {
        component(s, "database")["status"] == "up"
    })
    .await;
    assert_eq!(now["status"], "operational", "{now}");
    assert_eq!(now["uptime24h"], 100.0);
    assert_eq!(now["uptime7d"], 100.0);
    for name in ["job_queue", "webhook_delivery"] {
        assert_eq!(component(&now, name)["status"], "up", "{now}");
    }
    let model = component(&now, "model_engine");
    assert_eq!(model["status"], "not_configured");
    assert_eq!(
        model["uptime24h"],
        Value::Null,
        "nothing measured, nothing given"
    );
    assert_eq!(now["incidents"], json!([]));
    for key in [
        "status",
        "timestamp",
        "uptime24h",
        "uptime7d",
        "components",
        "incidents",
    ] {
        assert!(now.get(key).is_some(), "{key}");
    }

    let page = common::strict_page(client().get(server.url("/status")).send().await.unwrap()).await;
    assert!(
        page.contains("operational") && page.contains("job_queue"),
        "{page}"
    );
    assert!(page.contains("No incident in the last 7 days."));
}

#[tokio::test]
async fn an_engine_down_for_three_probes_opens_an_incident_that_closes_when_it_answers() {
    // The provider refuses the key four times (OpenAI's error body), then answers its list.
    let provider = Receiver::start(|received| {
        if received.len() <= 4 {
            Answer::json(
                401,
                json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}),
            )
        } else {
            Answer::json(200, json!({"object": "list", "data": [{"id": "gpt-test", "object": "model"}]}))
        }
    })
    .await;
    let base = format!("{}/v1", provider.base);
    let server = Server::start(&[
        "--status-probe-seconds",
        "1",
        "--rate-preauth",
        "10000",
        "--llm",
        "openai",
        "--llm-base-url",
        &base,
        "--llm-api-key",
        "sk-test-secret",
    ]);
    let down = until(&server, "an incident", |s| {
        !s["incidents"].as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(down["status"], "degraded", "{down}");
    let incident = &down["incidents"][0];
    assert_eq!(incident["component"], "model_engine");
    assert!(
        incident["detail"]
            .as_str()
            .unwrap()
            .contains("Incorrect API key"),
        "{incident}"
    );
    assert_eq!(incident["resolvedAt"], Value::Null);
    let probes = provider.received();
    assert!(
        probes.len() >= 3,
        "opened after three failed probes, not before"
    );
    assert_eq!(probes[0].path, "/v1/models");
    assert_eq!(probes[0].header("authorization"), "Bearer sk-test-secret");

    let up = until(&server, "recovered", |s| {
        s["incidents"][0]["resolvedAt"].is_string()
    })
    .await;
    assert_eq!(up["status"], "operational", "{up}");
    assert_eq!(component(&up, "model_engine")["status"], "up");
    let uptime = component(&up, "model_engine")["uptime24h"]
        .as_f64()
        .unwrap();
    assert!(uptime > 0.0 && uptime < 100.0, "measured: {uptime}");
}
