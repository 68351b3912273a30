//! The content lifecycle over REST against the real binary: drafting (offline here; the model
//! engines are in tests/llm.rs), the on-page checks, transitions and their events, conflicts
//! naming the current state, and one customer's content hidden from another.

mod common;

use common::{Server, call};
use reqwest::Method;
use serde_json::json;

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
    assert_eq!(item["state"], "draft");
    assert_eq!(
        item["engine"], "offline",
        "no model configured and REST offers no sampling"
    );
    assert_eq!(item["revision"], 1);
    assert_eq!(item["slug"], "trail-maintenance-a-practical-guide");
    assert!(item["body"].as_str().unwrap().contains("## Step by step"));
    assert_eq!(item["outline"][0], "Why trail maintenance matters");
    let findings = item["seo"]["findings"].as_array().unwrap();
    let passed = |id: &str| {
        findings
            .iter()
            .find(|f| f["id"] == id)
            .map(|f| f["passed"].clone())
    };
    assert_eq!(passed("content.keyword-in-title"), Some(json!(true)));
    assert_eq!(passed("seo.h1"), Some(json!(true)));
    // The offline draft is far shorter than 900 words, and the check says so.
    assert_eq!(passed("content.length"), Some(json!(false)));
    let id = item["id"].as_str().unwrap().to_owned();
    let base = format!("/api/content/{customer}/{id}");

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
        (Some("approved"), Some(2))
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
    assert_eq!(edited["revision"], 4);
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
            "content.created"
        ]
    );
    assert_eq!(events["events"][1]["data"]["reason"], "Too generic");
    assert_eq!(events["events"][3]["data"]["contentId"], id.as_str());

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
    assert_eq!(quiz["landingCopy"]["callToAction"], "Download the quiz");
    assert!(quiz["body"].as_str().unwrap().contains("## Your score"));
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

/// An MCP client that passes on the resource updates it hears of.
#[derive(Clone)]
struct Watcher(tokio::sync::mpsc::UnboundedSender<String>);

impl rmcp::ClientHandler for Watcher {
    async fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _context: rmcp::service::NotificationContext<rmcp::RoleClient>,
    ) {
        let _ = self.0.send(params.uri);
    }
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
    let (_, item) = call(
        &server,
        &key,
        Method::POST,
        &format!("/api/content/{customer}"),
        Some(json!({"topic": "spring trails", "format": "email"})),
    )
    .await;
    let id = item["id"].as_str().unwrap().to_owned();
    let uri = format!("heycmo://content/{id}");

    let (sender, mut updates) = tokio::sync::mpsc::unbounded_channel();
    let transport = common::mcp_transport(server.url("/mcp"), key.clone());
    let client = Watcher(sender).serve(transport).await.unwrap();
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
