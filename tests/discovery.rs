//! The discovery documents, as an agent finds them: generated from the registry, with the media
//! types and headers docs/hosted-api.md and the RFCs name.

mod common;

use common::{Server, client, tool_names};
use serde_json::Value;

async fn get(server: &Server, path: &str) -> (reqwest::header::HeaderMap, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let headers = response.headers().clone();
    (headers, response.text().await.unwrap())
}

#[tokio::test]
async fn the_home_page_links_every_document_exactly_as_the_hosted_api_does() {
    let server = Server::start(&[]);
    let (headers, body) = get(&server, "/").await;
    let link = headers["link"].to_str().unwrap();
    let expected = [
        r#"</sitemap.xml>; rel="sitemap""#,
        r#"</index.md>; rel="alternate"; type="text/markdown""#,
        r#"</openapi.json>; rel="service-desc"; type="application/openapi+json""#,
        r#"</.well-known/api-catalog>; rel="api-catalog"; type="application/linkset+json""#,
        r#"</.well-known/agent.json>; rel="describedby"; type="application/json""#,
        r#"</.well-known/mcp/server-card.json>; rel="related"; title="MCP server card""#,
        r#"</llms.txt>; rel="alternate"; type="text/plain"; title="llms.txt""#,
    ];
    assert_eq!(link, expected.join(", "));
    assert!(body.contains("get_account"));
    // Every linked document is served.
    for target in link.split(", ").map(|l| &l[1..l.find('>').unwrap()]) {
        let response = client().get(server.url(target)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{target}");
    }

    let (headers, body) = get(&server, "/?mode=agent").await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let agent: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(agent["interfaces"]["openapi"], server.url("/openapi.json"));
}

#[tokio::test]
async fn server_cards_list_every_tool() {
    let server = Server::start(&[]);
    let (headers, body) = get(&server, "/.well-known/mcp/server-card.json").await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let card: Value = serde_json::from_str(&body).unwrap();
    let names: Vec<&str> = card["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, tool_names());
    for tool in card["tools"].as_array().unwrap() {
        assert!(tool["description"].as_str().is_some_and(|d| d.len() > 40));
        assert_eq!(tool["inputSchema"]["type"], "object");
        assert_eq!(tool["outputSchema"]["type"], "object");
    }
    let versions: Vec<&str> = card["protocolVersions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        [
            "2024-11-05",
            "2025-03-26",
            "2025-06-18",
            "2025-11-25",
            "2026-07-28"
        ]
    );
    let remotes = card["remotes"].as_array().unwrap();
    assert_eq!(remotes[0]["url"], server.url("/mcp"));
    assert_eq!(remotes[1]["url"], server.url("/mcp/sse"));

    let (headers, body) = get(&server, "/mcp/server-card").await;
    assert_eq!(headers["content-type"], "application/mcp-server-card+json");
    let card: Value = serde_json::from_str(&body).unwrap();
    for field in ["$schema", "name", "version", "description", "remotes"] {
        assert!(card.get(field).is_some(), "SEP-2127 field {field}");
    }
    assert_eq!(
        card["name"].as_str().unwrap().matches('/').count(),
        1,
        "reverse-DNS name with one slash"
    );
}

#[tokio::test]
async fn openapi_describes_every_route_and_tool() {
    let server = Server::start(&[]);
    let (headers, body) = get(&server, "/openapi.json").await;
    assert_eq!(headers["content-type"], "application/openapi+json");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/health",
        "/api/health/ready",
        "/api/tools",
        "/api/tools/get_account",
        "/api/tools/list_events",
        "/api/customer/{customerId}",
        "/api/events/{customerId}",
        "/api/admin/provision",
        "/mcp/sse",
        "/mcp/message",
        "/mcp",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    // Tool routes carry their schemas; every operation documents the error schema.
    let post = &paths["/api/tools/list_events"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"]["properties"]["limit"]["maximum"],
        200
    );
    let events_alias = &paths["/api/events/{customerId}"]["get"];
    let params: Vec<&str> = events_alias["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        params.contains(&"customerId") && params.contains(&"limit") && params.contains(&"cursor")
    );
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            if path.starts_with("/mcp") && path != "/mcp/sse" && path != "/mcp/server-card" {
                // What the protocol refuses is a JSON-RPC error; what the key check refuses is
                // the error format.
                let either = &responses["4XX"]["content"]["application/json"]["schema"]["oneOf"];
                assert_eq!(
                    either,
                    &serde_json::json!([
                        {"$ref": "#/components/schemas/Error"},
                        {"$ref": "#/components/schemas/JsonRpcError"},
                    ]),
                    "{method} {path}"
                );
                continue;
            }
            assert_eq!(
                responses["4XX"]["$ref"], "#/components/responses/Error",
                "{method} {path}"
            );
            assert_eq!(
                responses["5XX"]["$ref"], "#/components/responses/Error",
                "{method} {path}"
            );
        }
    }
    // The document is as strict as the server: path parameters carry the patterns the server
    // checks, an alias's body leaves out what its path gives, and a body is required exactly
    // when the tool requires a field.
    let approve = &paths["/api/content/{customerId}/{contentId}/approve"]["post"];
    let patterns: Vec<&str> = approve["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["schema"]["pattern"].as_str().expect("a pattern"))
        .collect();
    assert_eq!(patterns, ["^cust_[0-9a-f]{16}$", "^cnt_[0-9a-f]{16}$"]);
    assert_eq!(approve["requestBody"]["required"], false);
    let body = &approve["requestBody"]["content"]["application/json"]["schema"];
    assert!(body["properties"].get("contentId").is_none(), "{body}");
    let create = &paths["/api/tools/run_content_creation"]["post"]["requestBody"];
    assert_eq!(create["required"], true);
    assert_eq!(
        paths["/api/tools/get_account"]["post"]["requestBody"]["required"],
        false
    );
    let error = &doc["components"]["schemas"]["Error"];
    assert_eq!(
        error["required"],
        serde_json::json!(["error", "code", "requestId"])
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn well_known_documents() {
    let server = Server::start(&[]);
    let (headers, body) = get(&server, "/.well-known/api-catalog").await;
    assert_eq!(headers["content-type"], "application/linkset+json");
    let catalog: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        catalog["linkset"][0]["service-desc"][0]["href"],
        server.url("/openapi.json")
    );

    let (_, body) = get(&server, "/.well-known/oauth-protected-resource").await;
    let resource: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        resource["bearer_methods_supported"],
        serde_json::json!(["header"])
    );
    assert_eq!(resource["authorization_servers"], serde_json::json!([]));
    assert_eq!(resource["resource"], server.base);

    let (_, body) = get(&server, "/.well-known/agent.json").await;
    let agent: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        agent["skills"].as_array().unwrap().len(),
        tool_names().len()
    );

    let (headers, body) = get(&server, "/llms.txt").await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(body.starts_with("# HeyCMO") && body.contains("`list_events`"));
    let (headers, body) = get(&server, "/index.md").await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    assert!(body.contains("E_RATE_LIMITED"));
    let (_, body) = get(&server, "/sitemap.xml").await;
    assert!(body.contains(&format!("<loc>{}/index.md</loc>", server.base)));

    let (_, body) = get(&server, "/api/tools").await;
    let tools: Value = serde_json::from_str(&body).unwrap();
    let listed = tools["tools"].as_array().unwrap();
    assert_eq!(listed.len(), tool_names().len());
    let account = listed.iter().find(|t| t["name"] == "get_account").unwrap();
    assert_eq!(account["route"], "GET /api/customer/{customerId}");
}
