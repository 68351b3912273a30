//! The content lifecycle over REST against the real binary: with no model here, the writing
//! brief and the caller's submit_draft (the model engines are in tests/llm.rs), the checks,
//! transitions and their events, conflicts naming the current state, and one customer's
//! content hidden from another.

mod common;

use common::{Server, call};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_draft_moves_through_review_and_every_step_is_an_event() {
    let server = Server::start(&[]);
    let (key, customer) = (server.key.clone(), server.customer_id.clone());
    let (status, item) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/content/{customer}"),
        Some(json!({"topic": "trail maintenance", "format": "blog", "keywords": ["trail maintenance"]})),
    )
    .await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["state"], "brief");
    assert_eq!(
        item["engine"], "offline",
        "no model configured and REST offers no sampling"
    );
    assert_eq!(item["revision"], 1);
    assert_eq!(item["body"], "", "nothing offline is presented as copy");
    assert!(item["seo"].is_null());
    let brief = &item["brief"];
    assert!(
        brief["task"]
            .as_str()
            .unwrap()
            .contains("\"trail maintenance\""),
        "{brief}"
    );
    assert_eq!(
        brief["length"],
        json!({"unit": "words", "target": 900, "min": 630, "max": 1170})
    );
    assert_eq!(brief["keywords"], json!(["trail maintenance"]));
    let held: Vec<&str> = brief["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        held.contains(&"content.keyword-in-title") && held.contains(&"content.length"),
        "{held:?}"
    );
    let id = item["id"].as_str().unwrap().to_owned();
    assert!(brief["nextStep"].as_str().unwrap().contains(&id));
    let base = format!("/api/content/{customer}/{id}");

    // A brief is not approvable, nor edited: its text comes through submit_draft.
    for (method, path, body) in [
        (Method::POST, format!("{base}/approve"), None),
        (Method::PATCH, base.clone(), Some(json!({"title": "New"}))),
    ] {
        let (status, refused) = call(&server, &key, method, &path, body).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (409, Some("E_CONFLICT"))
        );
        let message = refused["error"].as_str().unwrap();
        assert!(
            message.contains("is brief") && message.contains("submit_draft"),
            "{message}"
        );
    }

    // The caller's text is checked against the brief: a keyword in the title, but 12 words
    // for a target of 900.
    let (status, item) = call(
        &server,
        &key,
        Method::POST,
        &format!("{base}/draft"),
        Some(json!({
            "title": "Trail maintenance: a season plan",
            "metaDescription": "When to clear, drain and repair a trail through the year.",
            "body": "Trail maintenance starts when the snow melts.\n\n## Drainage\n\nClear every drain first."
        })),
    )
    .await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(
        (
            item["state"].as_str(),
            item["engine"].as_str(),
            item["revision"].as_u64()
        ),
        (Some("draft"), Some("client"), Some(2))
    );
    assert_eq!(item["slug"], "trail-maintenance-a-season-plan");
    assert_eq!(item["outline"], json!(["Drainage"]));
    assert_eq!(item["brief"], *brief, "the brief stays with the item");
    let findings = item["seo"]["findings"].as_array().unwrap();
    let passed = |id: &str| {
        findings
            .iter()
            .find(|f| f["id"] == id)
            .map(|f| f["passed"].clone())
    };
    assert_eq!(passed("content.keyword-in-title"), Some(json!(true)));
    assert_eq!(passed("seo.h1"), Some(json!(true)));
    assert_eq!(passed("content.length"), Some(json!(false)));
    let blank = json!({"title": " ", "body": "text"});
    let (status, refused) = call(
        &server,
        &key,
        Method::POST,
        &format!("{base}/draft"),
        Some(blank),
    )
    .await;
    assert_eq!(
        (
            status,
            refused["code"].as_str(),
            refused["pointer"].as_str()
        ),
        (422, Some("E_INVALID_INPUT"), Some("/title")),
        "{refused}"
    );
    assert!(
        refused["error"].as_str().unwrap().contains("not blank"),
        "{refused}"
    );

    let (status, approved) = call(
        &server,
        &key,
        Method::POST,
        &format!("{base}/approve"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(
        (approved["state"].as_str(), approved["revision"].as_u64()),
        (Some("approved"), Some(3))
    );
    let (status, again) = call(
        &server,
        &key,
        Method::POST,
        &format!("{base}/approve"),
        None,
    )
    .await;
    assert_eq!((status, again["code"].as_str()), (409, Some("E_CONFLICT")));
    assert!(
        again["error"].as_str().unwrap().contains("is approved"),
        "{again}"
    );
    let (status, edit) = call(
        &server,
        &key,
        Method::PATCH,
        &base,
        Some(json!({"title": "New"})),
    )
    .await;
    assert_eq!(
        (status, edit["code"].as_str()),
        (409, Some("E_CONFLICT")),
        "approved content is not edited"
    );

    let (status, rejected) = call(
        &server,
        &key,
        Method::POST,
        &format!("{base}/reject"),
        Some(json!({"reason": "Too generic"})),
    )
    .await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["rejectionReason"], "Too generic");
    let (status, edited) = call(
        &server,
        &key,
        Method::PATCH,
        &base,
        Some(json!({"title": "Trail maintenance in spring", "body": "Trail maintenance starts in March.\n\n## Tools\n\nA rake."})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["state"], "draft");
    assert_eq!(edited["revision"], 5);
    assert_eq!(edited["slug"], "trail-maintenance-in-spring");
    assert_eq!(edited["outline"], json!(["Tools"]));
    assert!(edited.get("rejectionReason").is_none());
    let (_, fetched) = call(&server, &key, Method::GET, &base, None).await;
    assert_eq!(fetched, edited);

    let (_, events) = call(
        &server,
        &key,
        Method::GET,
        &format!("/api/events/{customer}?type=content.*"),
        None,
    )
    .await;
    let kinds: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "content.updated",
            "content.rejected",
            "content.approved",
            "content.updated",
            "content.created"
        ]
    );
    assert_eq!(events["events"][1]["data"]["reason"], "Too generic");
    assert_eq!(events["events"][4]["data"]["contentId"], id.as_str());
    assert_eq!(events["events"][4]["data"]["state"], "brief");

    let (_, listed) = call(
        &server,
        &key,
        Method::GET,
        &format!("/api/content/{customer}?state=draft"),
        None,
    )
    .await;
    assert_eq!(listed["content"].as_array().unwrap().len(), 1);
    let (_, none) = call(
        &server,
        &key,
        Method::GET,
        &format!("/api/content/{customer}?state=approved"),
        None,
    )
    .await;
    assert_eq!(none["content"], json!([]));

    // Another customer cannot see or change it.
    let (other, other_key) = server.create_customer("other@example.com");
    let (status, _) = call(
        &server,
        &other_key,
        Method::GET,
        &format!("/api/content/{other}/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &server,
        &other_key,
        Method::POST,
        &format!("{base}/approve"),
        None,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn lead_magnets_come_with_landing_copy_and_bad_input_is_refused() {
    let server = Server::start(&[]);
    let (key, customer) = (server.key.clone(), server.customer_id.clone());
    let (status, quiz) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/lead-magnets/{customer}"),
        Some(json!({"topic": "trail readiness", "kind": "quiz"})),
    )
    .await;
    assert_eq!(status, 200, "{quiz}");
    assert_eq!(quiz["leadMagnet"], "quiz");
    assert_eq!(quiz["state"], "brief");
    // A quiz is what a template does well: its skeleton comes with the brief, as a skeleton.
    let skeleton = quiz["brief"]["skeleton"].as_str().unwrap();
    assert!(
        skeleton.contains("## Your score") && skeleton.contains("[Question]"),
        "{skeleton}"
    );
    assert!(
        quiz["brief"]["constraints"]
            .to_string()
            .contains("landingCopy")
    );
    let id = quiz["id"].as_str().unwrap();
    let (status, written) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/content/{customer}/{id}/draft"),
        Some(json!({
            "title": "Are you ready for the trail?",
            "body": "# Trail readiness quiz\n\n## Questions\n\n1. Do you carry water?",
            "landingCopy": {"headline": "Ready for the trail?", "subheadline": "Ten questions.", "bullets": ["Water", "Boots"], "callToAction": "Take the quiz"}
        })),
    )
    .await;
    assert_eq!(status, 200, "{written}");
    assert_eq!(written["landingCopy"]["callToAction"], "Take the quiz");
    assert_eq!(written["engine"], "client");
    let (status, bad) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/lead-magnets/{customer}"),
        Some(json!({"topic": "x y", "kind": "poster"})),
    )
    .await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (422, Some("E_INVALID_INPUT")),
        "{bad}"
    );
    let (status, bad) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/content/{customer}"),
        Some(json!({"topic": "boots", "format": "blog", "length": 5})),
    )
    .await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (422, Some("E_INVALID_INPUT")),
        "{bad}"
    );
    let (status, bad) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/content/{customer}"),
        Some(json!({"topic": "boots", "format": "blog", "engine": "sampling"})),
    )
    .await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (409, Some("E_UNSUPPORTED")),
        "{bad}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[expect(
    deprecated,
    reason = "resources/subscribe is the handshake generation's way; subscriptions/listen is tested below"
)]
async fn content_is_a_resource_and_subscribers_hear_of_changes_made_anywhere() {
    use rmcp::ServiceExt;

    let posts = common::receiver::Receiver::start(|_| common::receiver::Answer::status(200)).await;
    let server = Server::start(&["--allow-fetch-network", common::site::SITE_NETWORK]);
    let (key, customer) = (server.key.clone(), server.customer_id.clone());
    let id = common::draft(&server, "spring trails").await;
    let uri = format!("heycmo://content/{id}");

    let (sender, mut updates) = tokio::sync::mpsc::unbounded_channel();
    let transport = common::mcp_transport(server.url("/mcp"), key.clone());
    let client = common::Watcher(sender).serve(transport).await.unwrap();
    assert_eq!(
        client
            .peer_info()
            .unwrap()
            .capabilities
            .resources
            .as_ref()
            .unwrap()
            .subscribe,
        Some(true)
    );
    let listed = client.list_all_resources().await.unwrap();
    assert!(listed.iter().any(|r| r.uri == uri), "{listed:?}");
    let read = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(uri.clone()))
        .await
        .unwrap();
    let text = serde_json::to_string(&read.contents).unwrap();
    assert!(text.contains("spring trails"), "{text}");
    let missing = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(
            "heycmo://content/cnt_0000000000000000",
        ))
        .await;
    assert!(missing.is_err());

    client
        .subscribe(rmcp::model::SubscribeRequestParams::new(uri.clone()))
        .await
        .unwrap();
    // Approved over REST; the MCP session hears of it.
    let (status, _) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/content/{customer}/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let heard = tokio::time::timeout(std::time::Duration::from_secs(5), updates.recv())
        .await
        .expect("an update")
        .unwrap();
    assert_eq!(heard, uri);
    // Published by a background job, not by any session: subscribers hear of it as well.
    let (status, _) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/connections/{customer}"),
        Some(json!({"platform": "webhook", "url": posts.url("/posts")})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, queued) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/posts/{customer}"),
        Some(json!({"contentId": id, "channels": ["webhook"]})),
    )
    .await;
    assert_eq!(status, 200, "{queued}");
    for step in ["scheduled", "published"] {
        let heard = tokio::time::timeout(std::time::Duration::from_secs(10), updates.recv())
            .await
            .unwrap_or_else(|_| panic!("an update when {step}"))
            .unwrap();
        assert_eq!(heard, uri);
    }
    let (_, item) = call(
        &server,
        &key,
        Method::GET,
        &format!("/api/content/{customer}/{id}"),
        None,
    )
    .await;
    assert_eq!(item["state"], "published");
    // Another customer's changes are not announced to this session.
    let (other, other_key) = server.create_customer("other@example.com");
    let (_, theirs) = call(
        &server,
        &other_key,
        Method::POST,
        &format!("/api/content/{other}"),
        Some(json!({"topic": "x y", "format": "social"})),
    )
    .await;
    // Their item cannot be subscribed to from here: it is not found, like an id of nothing.
    let their_uri = format!("heycmo://content/{}", theirs["id"].as_str().unwrap());
    for refused in [
        their_uri,
        "heycmo://content/cnt_0000000000000000".to_owned(),
        "heycmo://nothing".to_owned(),
    ] {
        let error = client
            .subscribe(rmcp::model::SubscribeRequestParams::new(refused.clone()))
            .await
            .expect_err(&refused);
        let rmcp::ServiceError::McpError(error) = error else {
            panic!("{refused}: {error:?}");
        };
        assert_eq!(
            error.code,
            rmcp::model::ErrorCode::RESOURCE_NOT_FOUND,
            "{refused}"
        );
    }
    let (_, _) = call(
        &server,
        &other_key,
        Method::POST,
        &format!(
            "/api/content/{other}/{}/approve",
            theirs["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(500), updates.recv())
            .await
            .is_err()
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn on_the_2026_generation_subscribers_listen_for_changes() {
    use rmcp::model::{ProtocolVersion, ServerNotification, SubscriptionFilter};
    use rmcp::service::{ClientLifecycleMode, ClientServiceExt};

    let server = Server::start(&[]);
    let (key, customer) = (server.key.clone(), server.customer_id.clone());
    let id = common::draft(&server, "autumn trails").await;
    let uri = format!("heycmo://content/{id}");
    let transport = common::mcp_transport(server.url("/mcp"), key.clone());
    let client = ()
        .serve_with_lifecycle(
            transport,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("server/discover");
    let filter = SubscriptionFilter::builder()
        .resource_subscriptions([uri.clone(), "https://example.com/".to_owned()])
        .build();
    let mut subscription = client.listen(filter).await.expect("subscriptions/listen");
    assert_eq!(
        subscription.acknowledged().resource_subscriptions,
        Some(vec![uri.clone()]),
        "only the customer's records are accepted"
    );
    let (status, _) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/content/{customer}/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let heard = tokio::time::timeout(std::time::Duration::from_secs(5), subscription.next())
        .await
        .expect("a notification in time")
        .expect("a notification")
        .expect("the subscription is open");
    match heard {
        ServerNotification::ResourceUpdatedNotification(update) => {
            assert_eq!(update.params.uri, uri)
        }
        other => panic!("unexpected {other:?}"),
    }
    client.cancel().await.unwrap();
}

/// One tool call over MCP: its structured result and its text.
async fn call_tool(
    client: &rmcp::service::RunningService<rmcp::RoleClient, ()>,
    name: &'static str,
    arguments: serde_json::Value,
) -> (serde_json::Value, String) {
    let mut params = rmcp::model::CallToolRequestParams::new(name);
    params.arguments = arguments.as_object().cloned();
    let result = client.call_tool(params).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let text = result.content[0].as_text().unwrap().text.clone();
    (result.structured_content.unwrap(), text)
}

#[tokio::test]
async fn a_client_without_sampling_writes_from_the_brief_and_heycmo_checks_it() {
    use rmcp::ServiceExt;

    let server = Server::start(&[]);
    // rmcp's client with no capabilities: no sampling, as most desktop clients today.
    let client = ()
        .serve(common::mcp_transport(
            server.url("/mcp"),
            server.key.clone(),
        ))
        .await
        .unwrap();
    let (item, text) = call_tool(
        &client,
        "run_content_creation",
        json!({"topic": "trail running in the rain", "format": "blog", "keywords": ["trail running"], "length": 120}),
    )
    .await;
    assert_eq!(
        (item["state"].as_str(), item["engine"].as_str()),
        (Some("brief"), Some("offline"))
    );
    assert!(text.contains("NOTHING IS WRITTEN YET"), "{text}");
    assert!(
        text.contains("## Checks the draft will be held to"),
        "{text}"
    );
    assert!(text.contains("submit_draft"), "{text}");
    let id = item["id"].as_str().unwrap().to_owned();

    // A first text: too short and without the keyword in its title; the answer says so.
    let (first, text) = call_tool(
        &client,
        "submit_draft",
        json!({"contentId": id, "title": "Running when it pours", "body": "Wet trails need care."}),
    )
    .await;
    assert_eq!(
        (first["state"].as_str(), first["engine"].as_str()),
        (Some("draft"), Some("client"))
    );
    let failed: Vec<&str> = first["seo"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["passed"] == false)
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"content.keyword-in-title"), "{failed:?}");
    assert!(failed.contains(&"content.length"), "{failed:?}");
    assert!(text.contains("CHECKS FAILED"), "{text}");
    assert!(text.contains("Put the main keyword in the title"), "{text}");

    // The revision fixes them: keyword in title and opening, about 120 words.
    let paragraph = "Trail running in wet weather asks for shorter strides, shoes with deep lugs and a \
                     jacket that breathes. Start slower than usual and watch roots and rocks.";
    let body = format!(
        "{paragraph}\n\n## Shoes\n\n{paragraph}\n\n## Pace\n\n{paragraph}\n\n## After the run\n\n{paragraph}"
    );
    let (second, text) = call_tool(
        &client,
        "submit_draft",
        json!({
            "contentId": id,
            "title": "Trail running in the rain: a practical guide",
            "metaDescription": "How to keep trail running when it rains: shoes that grip, a safer pace, and what to do after a wet run.",
            "body": body
        }),
    )
    .await;
    assert_eq!(second["revision"], 3);
    let still: Vec<&serde_json::Value> = second["seo"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["passed"] == false)
        .collect();
    assert!(still.is_empty(), "{still:?}");
    assert!(text.contains("Checks: all"), "{text}");
    let (approved, _) = call_tool(&client, "approve_content", json!({"contentId": id})).await;
    assert_eq!(approved["state"], "approved");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn an_email_is_held_to_its_subject_preview_and_call_to_action() {
    let server = Server::start(&[]);
    let (key, customer) = (server.key.clone(), server.customer_id.clone());
    let (status, item) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/content/{customer}"),
        Some(json!({"topic": "the autumn roast", "format": "email", "length": 40})),
    )
    .await;
    assert_eq!(status, 200, "{item}");
    let held: Vec<&str> = item["brief"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "email.subject-length",
        "email.subject-tone",
        "email.preview-text",
        "email.call-to-action",
        "content.length",
    ] {
        assert!(held.contains(&id), "{held:?}");
    }
    let draft = format!(
        "/api/content/{customer}/{}/draft",
        item["id"].as_str().unwrap()
    );
    let failing = |findings: &Value| -> Vec<String> {
        findings["seo"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["passed"] == false)
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let body = "The autumn roast is in: a washed coffee from 1,800 metres, roasted on Tuesday \
                and packed the same day, with notes of plum and cocoa that hold up in a hut \
                kettle.\n\n[Order a bag](https://trailbrew.example/shop)";
    let (status, shouted) = call(
        &server,
        &key,
        Method::POST,
        &draft,
        Some(json!({"title": "FREE ROAST TODAY!!!", "body": body})),
    )
    .await;
    assert_eq!(status, 200, "{shouted}");
    assert_eq!(
        failing(&shouted),
        ["email.subject-tone", "email.preview-text"]
    );
    let (status, fixed) = call(
        &server,
        &key,
        Method::POST,
        &draft,
        Some(json!({"title": "The autumn roast is in", "metaDescription": "Plum and cocoa, from 1,800 metres.", "body": body})),
    )
    .await;
    assert_eq!(status, 200, "{fixed}");
    assert!(failing(&fixed).is_empty(), "{fixed}");
}
