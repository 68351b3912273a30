//! The daily briefing: its cron schedule in the customer's time zone (on a real SQLite file with
//! a pinned clock), and `run_research` end to end against the fixture site, offline and with a
//! server-side model speaking the OpenAI wire format.

mod common;

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use common::receiver::{Answer, Receiver};
use common::site::{self, SITE_NETWORK};
use common::{Server, call, post};
use heycmo::app::{App, WORKFLOWS};
use heycmo::clock::Clock;
use heycmo::config::Config;
use heycmo::jobs::cron;
use heycmo::store::{Millis, ScheduleChange, ScheduleDefault};

/// The research workflow's schedule before a customer changes it.
const RESEARCH: ScheduleDefault<'static> = ScheduleDefault {
    cron: "0 8 * * *",
    enabled: true,
};
use reqwest::Method;
use serde_json::json;

/// A clock the test moves.
struct Pinned(AtomicI64);

impl Clock for Pinned {
    fn now_millis(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

fn at(text: &str) -> Millis {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp_millis()
}

#[tokio::test(flavor = "multi_thread")]
async fn schedules_fire_once_per_planned_run_in_the_customers_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        db: dir.path().join("heycmo.db"),
        ..Config::default()
    };
    let app = App::open(config, "http://127.0.0.1:8080".into()).unwrap();
    let customer = app
        .provision("cron@example.com", "pro")
        .await
        .unwrap()
        .customer
        .id;
    let clock = Pinned(AtomicI64::new(at("2025-11-26T10:00:00Z")));
    let tick = || cron::tick(&app.store, &app.jobs, &clock, WORKFLOWS);
    let schedule = || async {
        let schedules = app.store.schedules(&customer).await.unwrap();
        schedules
            .into_iter()
            .find(|s| s.workflow == "research")
            .expect("the research schedule")
    };
    let jobs = || async { app.store.jobs(&customer, None, 50).await.unwrap() };

    tick().await.unwrap();
    let planned = schedule().await;
    assert_eq!(
        (
            planned.workflow.as_str(),
            planned.cron.as_str(),
            planned.time_zone.as_str()
        ),
        ("research", "0 8 * * *", "UTC")
    );
    assert_eq!(planned.next_run_at, Some(at("2025-11-27T08:00:00Z")));
    assert!(jobs().await.is_empty(), "planning queues nothing");

    let change = ScheduleChange {
        time_zone: Some("Europe/Paris".into()),
        ..ScheduleChange::default()
    };
    app.store
        .change_schedule(&customer, "research", RESEARCH, change, clock.now_millis())
        .await
        .unwrap();
    tick().await.unwrap();
    assert_eq!(
        schedule().await.next_run_at,
        Some(at("2025-11-27T07:00:00Z")),
        "08:00 in Paris"
    );

    clock.0.store(at("2025-11-27T07:00:01Z"), Ordering::SeqCst);
    tick().await.unwrap();
    tick().await.unwrap();
    let queued = jobs().await;
    assert_eq!(queued.len(), 1, "one run per planned time: {queued:?}");
    assert_eq!(queued[0].kind, "workflow.research");
    assert_eq!(queued[0].run_at, at("2025-11-27T07:00:00Z"));
    let fired = schedule().await;
    assert_eq!(fired.last_run_at, Some(at("2025-11-27T07:00:00Z")));
    assert_eq!(fired.next_run_at, Some(at("2025-11-28T07:00:00Z")));

    // Down for a week: the missed run fires once, then the next is planned after now.
    clock.0.store(at("2025-12-05T12:00:00Z"), Ordering::SeqCst);
    let (a, b) = tokio::join!(tick(), tick());
    a.unwrap();
    b.unwrap();
    assert_eq!(
        jobs().await.len(),
        2,
        "two processes ticking together fire it once"
    );
    assert_eq!(
        schedule().await.next_run_at,
        Some(at("2025-12-06T07:00:00Z"))
    );

    // Summer time: still 08:00 in Paris.
    clock.0.store(at("2026-07-01T10:00:00Z"), Ordering::SeqCst);
    tick().await.unwrap();
    assert_eq!(
        schedule().await.next_run_at,
        Some(at("2026-07-02T06:00:00Z"))
    );
    assert_eq!(
        jobs().await.len(),
        3,
        "the run missed since last December fired once"
    );

    let off = ScheduleChange {
        enabled: Some(false),
        ..ScheduleChange::default()
    };
    app.store
        .change_schedule(&customer, "research", RESEARCH, off, clock.now_millis())
        .await
        .unwrap();
    clock.0.store(at("2026-07-09T10:00:00Z"), Ordering::SeqCst);
    tick().await.unwrap();
    assert_eq!(jobs().await.len(), 3, "a disabled schedule does not fire");

    // The queued runs write briefings when the workers take them.
    let shutdown = tokio_util::sync::CancellationToken::new();
    let workers = app.start_background(shutdown.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while jobs().await.iter().any(|j| j.state != "succeeded") {
        assert!(tokio::time::Instant::now() < deadline, "{:?}", jobs().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let briefings = app.store.briefings(&customer, 10).await.unwrap();
    assert_eq!(briefings.len(), 3);
    assert!(briefings.iter().all(|b| b.trigger == "cron"));
    shutdown.cancel();
    workers.join_all().await;
}

/// An OpenAI-compatible server that answers every completion with one summary, and its model
/// list to the status page's probe.
async fn model() -> Receiver {
    Receiver::start(|seen| {
        let request = seen.last().unwrap();
        if request.path == "/v1/models" {
            return Answer::json(200, json!({"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]}));
        }
        assert_eq!(request.path, "/v1/chat/completions");
        Answer::json(
            200,
            json!({
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1_795_000_000, "model": "gpt-4o-mini",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "Fix the failed post first, then review the drafts."}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 812, "completion_tokens": 14, "total_tokens": 826}
            }),
        )
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_briefing_reports_site_pipeline_and_events_and_announces_itself() {
    let site = site::serve("good").await;
    let model = model().await;
    let refusing =
        Receiver::start(|_| Answer::json(410, json!({"error": "this endpoint is gone"}))).await;
    let hooks = Receiver::start(|_| Answer::status(204)).await;
    let llm_base = model.url("/v1");
    let server = Server::start(&[
        "--allow-fetch-network",
        SITE_NETWORK,
        "--rate-rest",
        "100000",
        "--llm",
        "openai",
        "--llm-base-url",
        &llm_base,
        "--llm-api-key",
        "sk-test",
    ]);
    let customer = server.customer_id.clone();

    let research = format!("/api/research/{customer}");
    let (status, empty) = post(&server, &research, json!({"engine": "offline"})).await;
    assert_eq!(status, 200, "{empty}");
    assert!(empty["site"].is_null());
    assert!(
        empty["highlights"][0]
            .as_str()
            .unwrap()
            .contains("analyze_brand_url")
    );

    let (status, _) = post(
        &server,
        &format!("/api/onboard/{customer}/auto-extract"),
        json!({"url": site.url("/")}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, hook) = post(
        &server,
        &format!("/api/hooks/{customer}"),
        json!({"url": hooks.url("/h"), "events": ["workflow.completed"]}),
    )
    .await;
    assert_eq!(status, 200, "{hook}");
    common::draft(&server, "trail shoes").await;
    let (status, brief) = post(
        &server,
        &format!("/api/content/{customer}"),
        json!({"topic": "hut coffee", "format": "social", "engine": "offline"}),
    )
    .await;
    assert_eq!((status, brief["state"].as_str()), (200, Some("brief")));
    let (status, _) = post(
        &server,
        &format!("/api/connections/{customer}"),
        json!({"platform": "webhook", "url": refusing.url("/posts")}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &server,
        &format!("/api/posts/{customer}"),
        json!({"text": "Hello trail", "channels": ["webhook"]}),
    )
    .await;
    assert_eq!(status, 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (_, failed) = call(
            &server,
            &server.key,
            Method::GET,
            &format!("/api/posts/{customer}?state=failed"),
            None,
        )
        .await;
        if !failed["posts"].as_array().unwrap().is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the post never failed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (status, briefing) = post(&server, &research, json!({"engine": "offline"})).await;
    assert_eq!(status, 200, "{briefing}");
    assert_eq!(briefing["trigger"], "tool");
    assert_eq!(briefing["engine"], "offline");
    assert!(
        briefing["summary"]
            .as_str()
            .unwrap()
            .starts_with("Offline briefing")
    );
    assert_eq!(
        briefing["since"], empty["createdAt"],
        "the period starts at the previous briefing"
    );
    let site_report = &briefing["site"];
    assert_eq!(site_report["url"], site.url("/"));
    assert!(site_report["auditId"].as_str().unwrap().starts_with("aud_"));
    assert!(site_report["overall"].as_u64().unwrap() > 0);
    assert_eq!(briefing["pipeline"]["content"]["draft"], 1);
    assert_eq!(
        briefing["pipeline"]["draftsWaiting"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let failed = &briefing["pipeline"]["failedPosts"][0];
    assert_eq!(failed["channel"], "webhook");
    assert!(
        failed["error"].as_str().unwrap().contains("410"),
        "{failed}"
    );
    assert_eq!(
        briefing["pipeline"]["briefsWaiting"],
        json!([{"id": brief["id"], "title": "hut coffee"}])
    );
    assert_eq!(briefing["events"]["content.created"], 2);
    let highlights = briefing["highlights"].to_string();
    assert!(
        highlights.contains("failed on webhook")
            && highlights.contains("draft(s) wait for review")
            && highlights.contains("1 brief(s) wait for their text"),
        "{highlights}"
    );

    // With the server's model, the summary is written by it and its tokens are counted.
    let (status, written) = post(&server, &research, json!({"engine": "server"})).await;
    assert_eq!(status, 200, "{written}");
    assert_eq!(
        written["summary"],
        "Fix the failed post first, then review the drafts."
    );
    assert_eq!(written["engine"], "openai/gpt-4o-mini");
    assert_eq!(written["usage"]["inputTokens"], 812);
    assert_eq!(
        written["site"]["overallDelta"], 0,
        "compared with the previous briefing's audit"
    );
    let prompt = model
        .received()
        .into_iter()
        .find(|r| r.path == "/v1/chat/completions")
        .expect("a completion")
        .json();
    assert!(
        prompt["messages"].to_string().contains("failedPosts"),
        "the model is given the facts"
    );

    let (status, listed) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/briefings/{customer}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = listed["briefings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            written["id"].as_str().unwrap(),
            briefing["id"].as_str().unwrap(),
            empty["id"].as_str().unwrap()
        ]
    );

    let delivered = hooks
        .wait_for(
            Duration::from_secs(20),
            "workflow.completed deliveries",
            |r| r.len() >= 2,
        )
        .await;
    let body = delivered[0].json();
    assert_eq!(body["type"], "workflow.completed");
    assert_eq!(body["data"]["workflow"], "research");
    assert_eq!(body["data"]["briefingId"], briefing["id"]);

    let (status, schedules) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/schedules/{customer}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let research = schedules["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["workflow"] == "research")
        .expect("the research schedule");
    assert_eq!(research["cron"], "0 8 * * *");
    let path = format!("/api/schedules/{customer}/research");
    let (status, bad) = call(
        &server,
        &server.key,
        Method::PUT,
        &path,
        Some(json!({"cron": "*/5 * * * *"})),
    )
    .await;
    assert_eq!(
        (status, bad["code"].as_str().unwrap()),
        (422, "E_INVALID_INPUT")
    );
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("more than once an hour")
    );
    let (status, set) = call(
        &server,
        &server.key,
        Method::PUT,
        &path,
        Some(json!({"cron": "30 7 * * MON-FRI", "timeZone": "America/New_York"})),
    )
    .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["timeZone"], "America/New_York");
    assert!(
        set["nextRunAt"]
            .as_str()
            .unwrap()
            .contains("T11:30:00.000Z")
            || set["nextRunAt"]
                .as_str()
                .unwrap()
                .contains("T12:30:00.000Z")
    );
}
