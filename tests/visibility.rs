//! AI visibility through heycmo against local servers speaking the answer engines' wire formats
//! (`common::answers`): every kind asked and read, figures that count the answers and nothing
//! else, failures kept apart from the rates, stored runs with their trend, and no figure at all
//! when there is no engine to ask.

mod common;

use common::answers::{self, BRAND, COMPETITORS, DOMAIN, FakeEngines, assert_figure};
use common::sampling::Model;
use common::{Server, call, post};
use reqwest::Method;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

const QUERIES: [&str; 3] = [
    "best specialty coffee beans",
    "coffee subscription for offices",
    "best coffee for hikers",
];

fn start(fake: &FakeEngines) -> Server {
    let args = fake.args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start_with_env(&args, &FakeEngines::env())
}

async fn check(server: &Server, body: Value) -> (u16, Value) {
    post(
        server,
        &format!("/api/visibility/{}", server.customer_id),
        body,
    )
    .await
}

async fn get(server: &Server, path: &str) -> Value {
    let (status, body) = call(server, &server.key, Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

fn measured() -> Value {
    json!({"brand": BRAND, "domain": DOMAIN, "competitors": COMPETITORS, "queries": QUERIES})
}

#[tokio::test(flavor = "multi_thread")]
async fn every_engine_kind_is_asked_and_its_answers_counted() {
    let fake = FakeEngines::start().await;
    let server = start(&fake);
    let (status, run) = check(&server, measured()).await;
    assert_eq!(status, 200, "{run}");

    // 3 queries × 4 engines; the brand is named in the first two answers of each engine, not
    // in the third ("cafénoirish" is another word).
    let overall = &run["overall"];
    assert_eq!(overall["answers"], 12, "{run:#}");
    assert_eq!(overall["failed"], 0);
    assert_eq!(overall["mentioned"], 8);
    assert_figure(overall, "/visibilityRate", 0.667);
    // Named second after Blue Bottle in the first answer, first in the second.
    assert_figure(overall, "/averageFirstMentionRank", 1.5);
    // Three engines cite; each cites the brand's site in one answer of three. The plain chat
    // server cites nothing, so its citation share is not measured rather than zero.
    assert_figure(overall, "/citationShare", 0.333);
    assert_eq!(run["byEngine"]["local"]["citationShare"], Value::Null);
    assert_figure(&run["byEngine"]["local"], "/visibilityRate", 0.667);
    // Mentions: the brand 3 per engine, each competitor 2.
    let voices = overall["shareOfVoice"].as_array().unwrap();
    assert_eq!(voices[0]["name"], BRAND);
    assert_eq!(voices[0]["mentions"], 12);
    assert_figure(&voices[0], "/share", 0.429);
    assert_eq!(voices[1]["name"], "Blue Bottle");
    assert_eq!(voices[1]["answers"], 8);
    assert_eq!(
        run["engines"],
        json!([
            {"name": "gpt", "kind": "openai-responses", "model": "gpt-fixture", "cites": true},
            {"name": "sonar", "kind": "perplexity", "model": "sonar", "cites": true},
            {"name": "claude", "kind": "anthropic", "model": "claude-fixture", "cites": true},
            {"name": "local", "kind": "openai-chat", "model": "llama-fixture", "cites": false},
        ])
    );
    assert_eq!(
        run["trend"],
        Value::Null,
        "a first run has nothing to compare with"
    );

    // Each answer as read, in plan order.
    let answers = run["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 12);
    let first = &answers[0];
    assert_eq!(
        (&first["engine"], &first["query"], &first["repeat"]),
        (&json!("gpt"), &json!(QUERIES[0]), &json!(1))
    );
    assert_eq!(first["model"], "gpt-fixture-2026-01-01");
    assert_eq!(first["mentions"], 2);
    assert_eq!(first["firstMentionRank"], 2);
    assert_eq!(first["competitors"], json!({"Blue Bottle": 1}));
    assert_eq!(first["citesBrandDomain"], true);
    assert_eq!(
        first["citations"],
        json!([
            "https://www.cafenoir.example/beans",
            "https://review.example/best-beans"
        ])
    );
    let text = first["text"].as_str().unwrap();
    let offset = first["firstMentionOffset"].as_u64().unwrap() as usize;
    assert!(
        text.chars()
            .skip(offset)
            .collect::<String>()
            .starts_with("Café Noir")
    );
    assert!(
        first["excerpt"]
            .as_str()
            .unwrap()
            .contains("Café Noir roasts weekly")
    );
    assert_eq!(answers[2]["mentions"], 0, "{:#}", answers[2]);
    assert_eq!(answers[2]["excerpt"], Value::Null);
    assert_eq!(answers[9]["engine"], "local");
    assert_eq!(answers[9]["citations"], json!([]));

    // What went out: each query as written, with web search where the kind has it, each key in
    // its provider's header, and nothing else in the prompt.
    let gpt = fake.requests("/openai/");
    assert_eq!(gpt.len(), 3);
    let sent = gpt[0].json();
    assert_eq!(
        gpt[0].header("authorization"),
        format!("Bearer {}", answers::OPENAI_KEY)
    );
    assert!(QUERIES.contains(&sent["input"].as_str().unwrap()));
    assert_eq!(sent["tools"], json!([{"type": "web_search"}]));
    assert_eq!(sent["instructions"], Value::Null);
    let claude = fake.requests("/anthropic/");
    assert_eq!(claude[0].header("x-api-key"), answers::ANTHROPIC_KEY);
    assert_eq!(claude[0].json()["tools"][0]["name"], "web_search");
    assert_eq!(claude[0].json()["system"], Value::Null);
    let local = fake.requests("/local/");
    assert_eq!(local[0].header("authorization"), "");
    assert_eq!(local[0].json()["messages"].as_array().unwrap().len(), 1);
    let stderr = server.stderr();
    for key in [
        answers::OPENAI_KEY,
        answers::PERPLEXITY_KEY,
        answers::ANTHROPIC_KEY,
    ] {
        assert!(!stderr.contains(key), "an API key reached the logs");
    }

    // Tokens go to the customer's usage, per engine and model.
    let usage = get(&server, &format!("/api/usage/{}", server.customer_id)).await;
    let engines: Vec<&str> = usage["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["engine"].as_str().unwrap())
        .collect();
    for engine in [
        "openai-responses/gpt-fixture-2026-01-01",
        "perplexity/sonar",
        "anthropic/claude-fixture",
        "openai-chat/llama-fixture",
    ] {
        assert!(engines.contains(&engine), "{engine} in {usage}");
    }
    let query_words: u64 = QUERIES
        .iter()
        .map(|q| q.split_whitespace().count() as u64)
        .sum();
    assert_eq!(usage["totals"]["inputTokens"], 4 * query_words);
    assert_eq!(run["usage"]["inputTokens"], 4 * query_words);

    // The run is stored: listed without its answers, read back whole, and announced.
    let id = run["id"].as_str().unwrap();
    let list = get(&server, &format!("/api/visibility/{}", server.customer_id)).await;
    assert_eq!(list["runs"].as_array().unwrap().len(), 1);
    assert_eq!(list["runs"][0]["id"], id);
    assert_eq!(list["runs"][0]["answers"], Value::Null);
    let stored = get(
        &server,
        &format!("/api/visibility/{}/{id}", server.customer_id),
    )
    .await;
    assert_eq!(stored, run);
    let events = get(
        &server,
        &format!(
            "/api/events/{}?type=visibility.completed",
            server.customer_id
        ),
    )
    .await;
    assert_eq!(events["events"][0]["data"]["runId"], id, "{events}");
    assert_figure(&events["events"][0]["data"], "/visibilityRate", 0.667);

    // The engines start naming the brand in the third answer: the next run says by how much.
    fake.improve();
    let (status, second) = check(&server, measured()).await;
    assert_eq!(status, 200, "{second}");
    assert_figure(&second["overall"], "/visibilityRate", 1.0);
    let trend = &second["trend"];
    assert_eq!(trend["previousRunId"], id);
    assert_eq!(trend["comparable"], true);
    assert_figure(trend, "/visibilityRate", 0.333);
    assert_figure(trend, "/byEngine/gpt", 0.333);
    assert_figure(trend, "/citationShare", 0.333);
    let list = get(&server, &format!("/api/visibility/{}", server.customer_id)).await;
    assert_eq!(list["runs"][0]["id"], second["id"], "newest first");
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_stay_out_of_the_rates_and_a_run_without_answers_stores_nothing() {
    let fake = FakeEngines::start().await;
    let server = start(&fake);

    // A rate limit is waited out and asked again.
    let (status, run) = check(
        &server,
        json!({"brand": BRAND, "queries": ["flaky beans"], "engines": ["gpt"]}),
    )
    .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["overall"]["answers"], 1);
    assert_eq!(
        fake.requests("/openai/").len(),
        2,
        "one 429, then the answer"
    );

    // An engine that keeps failing is recorded as failed and left out of the rates.
    let (status, run) = check(
        &server,
        json!({"brand": BRAND, "queries": ["overloaded beans"], "engines": ["claude", "local"]}),
    )
    .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["overall"]["answers"], 1);
    assert_eq!(run["overall"]["failed"], 1);
    assert_figure(&run["overall"], "/visibilityRate", 1.0);
    assert_eq!(run["byEngine"]["claude"]["visibilityRate"], Value::Null);
    let failed = &run["answers"][0];
    assert_eq!(failed["engine"], "claude");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("overloaded_error: Overloaded"),
        "{failed}"
    );
    assert_eq!(fake.requests("/anthropic/").len(), 3, "three attempts");

    // When no engine answers, nothing was measured and nothing is stored.
    let runs_before = get(&server, &format!("/api/visibility/{}", server.customer_id)).await;
    let (status, error) = check(
        &server,
        json!({"brand": BRAND, "queries": ["overloaded beans"], "engines": ["claude"]}),
    )
    .await;
    assert_eq!(status, 502, "{error}");
    assert_eq!(error["code"], "E_LLM_FAILED");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("nothing was measured")
    );
    let runs_after = get(&server, &format!("/api/visibility/{}", server.customer_id)).await;
    assert_eq!(runs_before, runs_after);

    // Refusals come before anything is asked.
    let asked = fake.receiver.received().len();
    let many: Vec<String> = (0..20).map(|i| format!("question {i}")).collect();
    let (status, error) = check(
        &server,
        json!({"brand": BRAND, "queries": many, "repeats": 5}),
    )
    .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["code"], "E_BAD_REQUEST");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("would ask 400 questions"),
        "{error}"
    );
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("--visibility-max-asks")
    );
    let (status, error) = check(
        &server,
        json!({"brand": BRAND, "queries": ["q one"], "engines": ["bard"]}),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("gpt, sonar, claude, local"),
        "{error}"
    );
    let (status, error) = check(&server, json!({"queries": ["q one"]})).await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("analyze_brand_url"),
        "{error}"
    );
    assert_eq!(fake.receiver.received().len(), asked, "nothing was asked");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_engine_nothing_is_measured_and_the_schedule_stays_off() {
    let server = Server::start(&[]);
    let (status, error) = check(&server, measured()).await;
    assert_eq!(status, 409, "{error}");
    assert_eq!(error["code"], "E_UNSUPPORTED");
    let message = error["error"].as_str().unwrap();
    assert!(message.contains("nothing was measured"), "{message}");
    assert!(message.contains("--answer-engine NAME=KIND"), "{message}");
    assert!(message.contains("ai_seo_audit"), "{message}");

    let schedules = get(&server, &format!("/api/schedules/{}", server.customer_id)).await;
    let visibility = schedules["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["workflow"] == "ai_visibility")
        .expect("an ai_visibility schedule")
        .clone();
    assert_eq!(visibility["enabled"], false, "{visibility}");
    assert_eq!(visibility["cron"], "0 7 * * 1");
    let (status, error) = call(
        &server,
        &server.key,
        Method::PUT,
        &format!("/api/schedules/{}/ai_visibility", server.customer_id),
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, 409, "{error}");
    assert!(error["error"].as_str().unwrap().contains("--answer-engine"));
}

#[tokio::test(flavor = "multi_thread")]
async fn with_engines_the_weekly_schedule_can_be_turned_on() {
    let fake = FakeEngines::start().await;
    let server = start(&fake);
    let (status, schedule) = call(
        &server,
        &server.key,
        Method::PUT,
        &format!("/api/schedules/{}/ai_visibility", server.customer_id),
        Some(json!({"enabled": true, "timeZone": "Europe/Paris"})),
    )
    .await;
    assert_eq!(status, 200, "{schedule}");
    assert_eq!(schedule["enabled"], true);
    assert_eq!(schedule["cron"], "0 7 * * 1");
    assert!(schedule["nextRunAt"].is_string(), "{schedule}");
}

#[test]
fn a_missing_key_variable_or_a_bad_spec_stops_the_server_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let run = |spec: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_heycmo"))
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("heycmo.db"))
            .args(["--answer-engine", spec])
            .env_remove("HEYCMO_FIXTURE_UNSET_KEY")
            .output()
            .unwrap()
    };
    let out = run("sonar=perplexity,key_env=HEYCMO_FIXTURE_UNSET_KEY");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("HEYCMO_FIXTURE_UNSET_KEY") && stderr.contains("is not set"),
        "{stderr}"
    );
    let out = run("sonar=perplexity,colour=red");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown setting \"colour\""), "{stderr}");
}

/// A client whose model names the brand when asked about beans.
fn model() -> Model {
    Model::new("client-model-9", |prompt| {
        if prompt.contains("beans") {
            "Café Noir, then Blue Bottle."
        } else {
            "Acme Coffee."
        }
    })
}

/// A server with the client's model and the plain chat engine.
fn start_with_client_model(fake: &FakeEngines) -> Server {
    let local = format!(
        "local=openai-chat,base_url={}/local/v1,model=llama-fixture",
        fake.receiver.base
    );
    Server::start(&[
        "--answer-engine",
        "client=sampling",
        "--answer-engine",
        &local,
    ])
}

fn sampled_call() -> CallToolRequestParams {
    let mut params = CallToolRequestParams::new("check_ai_visibility");
    params.arguments =
        json!({"brand": BRAND, "competitors": COMPETITORS, "queries": QUERIES, "repeats": 2})
            .as_object()
            .cloned();
    params
}

fn check_sampled(out: &Value, model: &Model, fake: &FakeEngines) {
    assert_eq!(out["engines"][0]["kind"], "sampling", "{out:#}");
    assert_eq!(out["engines"][0]["cites"], false);
    let sampled: Vec<&Value> = out["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["engine"] == "client")
        .collect();
    assert_eq!(sampled.len(), 6, "3 queries × 2 repeats");
    assert_eq!(sampled[0]["model"], "sampling/client-model-9");
    assert_eq!(sampled[0]["firstMentionRank"], 1);
    assert_eq!(sampled[1]["repeat"], 2);
    assert_figure(&out["byEngine"]["client"], "/visibilityRate", 2.0 / 6.0);
    assert_eq!(out["byEngine"]["client"]["citationShare"], Value::Null);
    let prompts = model.asked();
    assert_eq!(prompts.len(), 6, "each prompt asked once: {prompts:?}");
    assert!(
        prompts.iter().all(|(_, system)| system.is_none()),
        "no system prompt"
    );
    assert!(QUERIES.contains(&prompts[0].0.as_str()));
    assert_eq!(
        fake.requests("/local/").len(),
        6,
        "the chat engine asked once each"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clients_own_model_answers_over_mcp_and_is_labelled_so() {
    let fake = FakeEngines::start().await;
    let server = start_with_client_model(&fake);
    let model = model();
    let transport = common::mcp_transport(server.url("/mcp"), server.key.clone());
    let client = model.clone().serve(transport).await.unwrap();
    let result = client.call_tool(sampled_call()).await.unwrap();
    let out = result.structured_content.unwrap();
    check_sampled(&out, &model, &fake);
    client.cancel().await.unwrap();

    // Over REST there is no client model: it is skipped and said so, or refused when named.
    let (status, run) = check(&server, json!({"brand": BRAND, "queries": ["best beans"]})).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["engines"].as_array().unwrap().len(), 1);
    assert_eq!(run["skipped"][0]["engine"], "client");
    assert!(
        run["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("sampling")
    );
    let (status, error) = check(
        &server,
        json!({"brand": BRAND, "queries": ["best beans"], "engines": ["client"]}),
    )
    .await;
    assert_eq!(status, 409, "{error}");
    assert_eq!(error["code"], "E_UNSUPPORTED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_2026_generation_the_client_model_is_asked_before_any_other_engine() {
    let fake = FakeEngines::start().await;
    let server = start_with_client_model(&fake);
    let model = model();
    let client = common::discover(model.clone(), &server).await;
    let result = client.call_tool(sampled_call()).await.unwrap();
    let out = result.structured_content.unwrap();
    // The call ran twice (asking the client, then finishing) and the chat engine was still
    // asked each question once.
    check_sampled(&out, &model, &fake);
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_run_asks_last_runs_questions_again_and_reports_the_trend() {
    use heycmo::app::App;
    use heycmo::config::Config;
    use heycmo::store::NewJob;
    use heycmo::visibility::{ClientModel, Quiet, Request};

    let fake = FakeEngines::start().await;
    let dir = tempfile::tempdir().unwrap();
    let local = format!(
        "local=openai-chat,base_url={}/local/v1,model=llama-fixture",
        fake.receiver.base
    );
    let config = Config {
        db: dir.path().join("heycmo.db"),
        answer_engines: vec![local.parse().unwrap()],
        ..Config::default()
    };
    let app = App::open(config, "http://127.0.0.1:8080".into()).unwrap();
    let customer = app
        .provision("weekly@example.com", "pro")
        .await
        .unwrap()
        .customer
        .id;
    let request = Request {
        brand: Some(BRAND.into()),
        competitors: COMPETITORS.map(String::from).to_vec(),
        queries: QUERIES.map(String::from).to_vec(),
        ..Request::default()
    };
    let plan = app
        .visibility
        .plan(&customer, request, ClientModel::Missing)
        .await
        .unwrap();
    let first = app
        .visibility
        .measure(
            &customer,
            plan,
            Vec::new().into_iter(),
            &Quiet,
            &Default::default(),
        )
        .await
        .unwrap();
    fake.improve();

    // The schedule's job, as the scheduler queues it, run by the engine's workers.
    app.jobs
        .enqueue(NewJob {
            customer_id: Some(customer.clone()),
            kind: heycmo::visibility::JOB.into(),
            payload: json!({"customer": customer}).to_string(),
            run_at: 0,
            max_attempts: 3,
            idempotency_key: None,
        })
        .await
        .unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let background = app.start_background(shutdown.clone());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let latest = loop {
        let runs = app.store.visibility_runs(&customer, None, 5).await.unwrap();
        if runs.len() == 2 {
            break heycmo::visibility::summary_of(&runs[0]).unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the scheduled run never landed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    shutdown.cancel();
    background.join_all().await;
    assert_eq!(latest.trigger, "cron");
    assert_eq!(latest.queries, first.summary.queries, "the same questions");
    assert_eq!(latest.competitors, first.summary.competitors);
    let trend = latest.trend.expect("a trend against the first run");
    assert!(trend.comparable);
    assert_eq!(trend.previous_run_id, first.summary.id);
    assert!(
        (trend.visibility_rate.unwrap() - 1.0 / 3.0).abs() < 0.001,
        "{trend:?}"
    );
}
