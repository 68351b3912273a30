//! Onboarding: `POST /api/onboard/{id}` starts the durable workflow (the site read into a
//! brand profile by a job), the brand interview is answered over REST, MCP (the
//! `brand_interview` prompt) and the dashboard's form, and the answers reach writing briefs
//! and lead scoring.

mod common;

use std::time::{Duration, Instant};

use common::site::{self, SITE_NETWORK};
use common::{Server, call, post, post_form};
use reqwest::Method;
use rmcp::ServiceExt;
use rmcp::model::GetPromptRequestParams;
use serde_json::{Value, json};

fn onboard(server: &Server) -> String {
    format!("/api/onboard/{}", server.customer_id)
}

async fn progress(server: &Server) -> Value {
    let (status, state) = call(server, &server.key, Method::GET, &onboard(server), None).await;
    assert_eq!(status, 200, "{state}");
    state
}

fn step<'a>(state: &'a Value, name: &str) -> &'a Value {
    state["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {state}"))
}

/// Polls until the profile step has ended (the job runs in the background).
async fn profile_settled(server: &Server) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state = progress(server).await;
        let profile = step(&state, "profile")["state"]
            .as_str()
            .unwrap()
            .to_owned();
        if ["done", "failed", "skipped"].contains(&profile.as_str()) {
            return state;
        }
        assert!(
            Instant::now() < deadline,
            "the profile step never ended: {state}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const ANSWERS: &str = r#"{
    "voice": "Plain, warm and practical; never hype",
    "audience": "Trail runners who race on weekends",
    "competitors": ["Acme Trails", "RidgeRun"],
    "offers": "Shoes from $120; free returns",
    "icpIndustries": ["Sporting goods"],
    "icpCountries": ["fr"]
}"#;

#[tokio::test]
async fn onboarding_reads_the_site_and_the_interview_grounds_writing_and_scoring() {
    let site = site::serve("good").await;
    let server = Server::start(&["--allow-fetch-network", SITE_NETWORK]);
    assert_eq!(progress(&server).await["status"], "not_started");
    // Answers before a start are refused: there is nothing to attach them to.
    let (status, body) = call(
        &server,
        &server.key,
        Method::PUT,
        &format!("{}/answers", onboard(&server)),
        Some(json!({"voice": "x"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("E_CONFLICT")),
        "{body}"
    );
    let (status, body) = post(
        &server,
        &onboard(&server),
        json!({"url": "ftp://example.com/"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    let (status, started) = post(&server, &onboard(&server), json!({"url": site.url("/")})).await;
    assert_eq!(
        (status, started["status"].as_str()),
        (200, Some("onboarding_started")),
        "{started}"
    );
    let state = profile_settled(&server).await;
    assert_eq!(step(&state, "profile")["state"], "done", "{state}");
    let (_, profile) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/brand/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(
        profile["version"], 1,
        "the job stored the profile: {profile}"
    );
    assert_eq!(
        state["status"], "onboarding_started",
        "the interview is not answered yet"
    );

    // A lead in the answers' industry has no fit until the interview sets the profile.
    let csv = "email,company,industry,country\nann@shoes.example,Shoes,Sporting goods,FR\n";
    let (status, _) = post(
        &server,
        &format!("/api/leads/{}", server.customer_id),
        json!({"csv": csv}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, answered) = call(
        &server,
        &server.key,
        Method::PUT,
        &format!("{}/answers", onboard(&server)),
        Some(serde_json::from_str(ANSWERS).unwrap()),
    )
    .await;
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["status"], "completed", "{answered}");
    assert_eq!(step(&answered, "interview")["state"], "done");
    let (_, leads) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/leads/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(leads["leads"][0]["fit"], 100, "{leads}");
    let (_, events) = call(
        &server,
        &server.key,
        Method::GET,
        &format!(
            "/api/events/{}?type=onboarding.completed",
            server.customer_id
        ),
        None,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1, "{events}");

    // A writing brief now carries the brand's own words.
    let (status, brief) = post(
        &server,
        "/api/tools/run_content_creation",
        json!({"topic": "racing in the rain", "format": "blog"}),
    )
    .await;
    assert_eq!(status, 200, "{brief}");
    let text = brief.to_string();
    assert!(
        text.contains("In the brand's own words: Plain, warm and practical"),
        "{text}"
    );
    assert!(
        text.contains("Trail runners who race on weekends"),
        "{text}"
    );
    assert!(text.contains("interview: offers"), "{text}");

    // Starting again reads the site again and keeps the answers; completion is not repeated.
    let (_, again) = post(&server, &onboard(&server), json!({})).await;
    assert_eq!(
        again["answers"]["competitors"],
        json!(["Acme Trails", "RidgeRun"])
    );
    let state = profile_settled(&server).await;
    assert_eq!(step(&state, "profile")["state"], "done");
    let (_, events) = call(
        &server,
        &server.key,
        Method::GET,
        &format!(
            "/api/events/{}?type=onboarding.completed",
            server.customer_id
        ),
        None,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_interview_is_an_mcp_prompt_and_a_dashboard_form() {
    let server = Server::start(&[]);
    let client = ()
        .serve(common::mcp_transport(
            server.url("/mcp"),
            server.key.clone(),
        ))
        .await
        .unwrap();
    let prompts = client.list_prompts(None).await.unwrap();
    assert!(prompts.prompts.iter().any(|p| p.name == "brand_interview"));
    let prompt = client
        .get_prompt(GetPromptRequestParams::new("brand_interview"))
        .await
        .unwrap();
    let text = serde_json::to_string(&prompt.messages).unwrap();
    for field in [
        "[voice]",
        "[audience]",
        "[competitors]",
        "[offers]",
        "[icpIndustries]",
        "answer_onboarding",
        "start_onboarding",
    ] {
        assert!(text.contains(field), "{field} in {text}");
    }
    client.cancel().await.unwrap();

    // The dashboard: start without a site (the step is skipped), then answer in the form.
    let session = common::session::sign_in(&server, &server.key).await;
    let page = common::session::page(&server, &session, "/dashboard/onboarding").await;
    assert!(page.contains("Start onboarding"), "{page}");
    let token = common::session::csrf(&page);
    let answer = post_form(
        &server.url("/dashboard/do/start_onboarding"),
        &[
            ("csrf", &token),
            ("back", "/dashboard/onboarding"),
            ("url", ""),
        ],
        Some(&session),
    )
    .await;
    assert_eq!(answer.status(), 303);
    let page = common::session::page(
        &server,
        &session,
        "/dashboard/onboarding?done=start_onboarding",
    )
    .await;
    assert!(
        page.contains("The brand interview") && page.contains("skipped"),
        "{page}"
    );
    let answer = post_form(
        &server.url("/dashboard/do/answer_onboarding"),
        &[
            ("csrf", &token),
            ("back", "/dashboard/onboarding"),
            ("voice", "Plain and warm"),
            ("audience", "Weekend racers"),
            ("competitors", "Acme Trails, RidgeRun"),
            ("offers", "Shoes from $120"),
            ("icpEmployees", "11-200"),
            ("icpTitles", ""),
        ],
        Some(&session),
    )
    .await;
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap());
    let state = progress(&server).await;
    assert_eq!(
        state["answers"]["competitors"],
        json!(["Acme Trails", "RidgeRun"]),
        "{state}"
    );
    assert_eq!(state["answers"]["icpEmployees"], "11-200");
    assert_eq!(state["status"], "completed", "{state}");
}
