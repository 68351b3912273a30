//! OpenAPI 3.1 for every route: the hosted API's endpoints (docs/hosted-api.md), the tool projection with each tool's
//! schemas, the catalogue aliases and the MCP endpoints.

use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::registry::schema::Validator;
use crate::registry::{Registry, ToolSpec};

fn error_responses(responses: Map<String, Value>) -> Value {
    with_errors(responses, json!({"$ref": "#/components/responses/Error"}))
}

/// `responses` with `error` for every 4xx and 5xx, and the rate-limited answer for 429.
fn with_errors(mut responses: Map<String, Value>, error: Value) -> Value {
    responses.insert(
        "429".into(),
        json!({"$ref": "#/components/responses/RateLimited"}),
    );
    responses.insert("4XX".into(), error.clone());
    responses.insert("5XX".into(), error);
    Value::Object(responses)
}

fn ok(description: &str, content_type: &str, schema: Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(
        "200".into(),
        json!({"description": description, "content": {content_type: {"schema": schema}}}),
    );
    map
}

/// A JSON-RPC 2.0 message: a request, a notification or a response.
fn json_rpc_body() -> Value {
    json!({
        "type": "object",
        "properties": {
            "jsonrpc": {"const": "2.0"},
            "id": {"type": ["string", "integer"]},
            "method": {"type": "string", "minLength": 1},
            "params": {"type": "object"},
        },
        "required": ["jsonrpc", "method"],
    })
}

/// One server-sent event as OpenAPI 3.1 describes an event stream's items.
fn sse_event_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "event": {"type": "string"},
            "data": {"type": "string"},
            "id": {"type": "string"},
            "retry": {"type": "integer"},
        },
    })
}

/// The responses of the MCP endpoints: what the key, Host and rate checks refuse is the error
/// format of every route; what the protocol refuses (a body that is not one JSON-RPC message,
/// a missing `Accept`, an unknown session) is a JSON-RPC error response.
fn mcp_responses(responses: Map<String, Value>) -> Value {
    let error = json!({
        "description": "An error: the error format, or a JSON-RPC error response (id null)",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}},
        "content": {"application/json": {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/Error"},
            {"$ref": "#/components/schemas/JsonRpcError"},
        ]}}},
    });
    with_errors(responses, error)
}

fn authed() -> Value {
    json!([{"bearer": []}, {"token": []}])
}

/// Query parameters for a GET alias, one per input property.
fn query_parameters(spec: &ToolSpec) -> Vec<Value> {
    let required: Vec<&str> = spec
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    spec.input_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, schema)| {
                    json!({
                        "name": name,
                        "in": "query",
                        "required": required.contains(&name.as_str()),
                        "description": schema.get("description").cloned().unwrap_or(Value::Null),
                        "schema": schema,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The names of a route's path parameters (`{customerId}` and the like).
fn path_names(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// A route's path parameters, each with the schema the server checks it against: the tool's
/// own for its input fields, and the customer id's form for `{customerId}`.
fn path_parameters(spec: &ToolSpec, path: &str) -> Vec<Value> {
    path_names(path)
        .into_iter()
        .map(|name| {
            let schema = spec
                .input_schema
                .get("properties")
                .and_then(|p| p.get(name))
                .cloned()
                .map(not_null)
                .unwrap_or_else(|| customer_id_schema(name));
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect()
}

/// A path segment is never JSON `null`: an optional input field's `["string", "null"]` is just
/// a string there.
fn not_null(mut schema: Value) -> Value {
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            schema["type"] = only.clone();
        }
    }
    schema
}

fn customer_id_schema(name: &str) -> Value {
    if name == "customerId" {
        json!({"type": "string", "pattern": "^cust_[0-9a-f]{16}$", "description": "The customer the key belongs to; any other answers 403"})
    } else {
        json!({"type": "string"})
    }
}

/// The tool's input schema less the fields a route takes from its path, which the body must
/// not repeat.
fn body_schema(spec: &ToolSpec, path_fields: &[&str]) -> Value {
    let mut schema = (*spec.input_schema).clone();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for field in path_fields {
            properties.remove(*field);
        }
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|r| r.as_str().is_none_or(|r| !path_fields.contains(&r)));
    }
    Value::Object(schema)
}

fn tool_operation(spec: &ToolSpec, method: &http::Method, path: &str) -> Value {
    let mut operation = json!({
        "operationId": if path.starts_with("/api/tools/") { spec.entry.name.clone() } else { format!("{}_alias", spec.entry.name) },
        "summary": spec.entry.title,
        "description": spec.entry.description,
        "tags": ["tools"],
        "security": authed(),
        "responses": error_responses(ok("The tool's structured output", "application/json", Value::Object((*spec.output_schema).clone()))),
        "x-mcp-tool": spec.entry.name,
        "x-required-scope": spec.entry.scope.as_str(),
    });
    let mut parameters = path_parameters(spec, path);
    let from_path = path_names(path);
    if method == http::Method::GET {
        parameters.extend(
            query_parameters(spec)
                .into_iter()
                .filter(|p| p["name"].as_str().is_none_or(|n| !from_path.contains(&n))),
        );
    } else {
        // A body is needed exactly when no input (`{}`) is not enough: the tool requires a field
        // the path does not give, or one of several.
        let schema = body_schema(spec, &from_path);
        let required =
            Validator::compile(&schema).is_ok_and(|validator| validator.check(&json!({})).is_err());
        operation["requestBody"] = json!({
            "required": required,
            "content": {"application/json": {"schema": schema}},
        });
    }
    if !parameters.is_empty() {
        operation["parameters"] = Value::Array(parameters);
    }
    operation
}

fn simple(summary: &str, tag: &str, security: Value, responses: Map<String, Value>) -> Value {
    json!({"summary": summary, "tags": [tag], "security": security, "responses": error_responses(responses)})
}

/// The whole document.
pub fn openapi(registry: &Registry, base: &str) -> Value {
    let mut paths = Map::new();
    let none = json!([]);
    let mut put = |path: &str, method: &str, operation: Value| {
        paths
            .entry(path.to_owned())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("path item")
            .insert(method.to_owned(), operation);
    };
    let health = json!({"type": "object", "properties": {"status": {"type": "string"}, "timestamp": {"type": "string", "format": "date-time"}}, "required": ["status", "timestamp"]});
    put(
        "/api/health",
        "get",
        simple(
            "Liveness",
            "health",
            none.clone(),
            ok("Up", "application/json", health),
        ),
    );
    let ready = json!({"type": "object", "properties": {"status": {"enum": ["ready", "not_ready"]}, "db": {"type": "boolean"}, "timestamp": {"type": "string", "format": "date-time"}}, "required": ["status", "db", "timestamp"]});
    let mut ready_responses = ok("Ready", "application/json", ready.clone());
    ready_responses.insert("503".into(), json!({"description": "The database is unreachable", "content": {"application/json": {"schema": ready}}}));
    put(
        "/api/health/ready",
        "get",
        simple(
            "Readiness (database reachable)",
            "health",
            none.clone(),
            ready_responses,
        ),
    );
    let status = crate::registry::schema::generate::<crate::status::Status>();
    put(
        "/api/public/status",
        "get",
        simple(
            "Measured status: uptime and incidents from the probes recorded every minute",
            "health",
            none.clone(),
            ok("The status", "application/json", status),
        ),
    );
    let tool_list = json!({"type": "object", "properties": {"tools": {"type": "array", "items": {"type": "object"}}}, "required": ["tools"]});
    put(
        "/api/tools",
        "get",
        simple(
            "List the tools with their schemas",
            "tools",
            none.clone(),
            ok("The registry", "application/json", tool_list),
        ),
    );
    let provisioned = json!({"type": "object", "properties": {"customerId": {"type": "string"}, "email": {"type": "string"}, "apiKey": {"type": "string", "pattern": "^hcmo_live_[0-9a-f]{64}$"}, "mcpEndpoint": {"type": "string"}}, "required": ["customerId", "email", "apiKey", "mcpEndpoint"]});
    let mut provision = simple(
        "Provision a customer (admin)",
        "admin",
        // The secret goes in X-Admin-Secret, or as the bearer token for clients that can only
        // send that.
        json!([{"adminSecret": []}, {"bearer": []}]),
        ok(
            "The customer and its key, shown once",
            "application/json",
            provisioned,
        ),
    );
    provision["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}, "plan": {"type": "string"}}, "required": ["email"], "additionalProperties": false}}}});
    put("/api/admin/provision", "post", provision);

    let mut live = simple(
        "Watch the SEO and conversion audits of any URL as they run (no key)",
        "audits",
        none.clone(),
        ok(
            "With `Accept: text/event-stream`, the stream: `start`, one `finding` per check as it completes, then `summary`, or `error` (a missing or refused URL too). Otherwise the page that draws that stream",
            "text/event-stream",
            sse_event_schema(),
        ),
    );
    live["responses"]["200"]["content"]["text/html"] = json!({"schema": {"type": "string"}});
    live["parameters"] = json!([
        {"name": "url", "in": "query", "required": false, "description": "The page to audit; the stream answers an `error` event without it, the page a form", "schema": {"type": "string"}},
        {"name": "Accept", "in": "header", "required": false, "description": "`text/event-stream` for the stream; anything else gets the page", "schema": {"type": "string"}}
    ]);
    put("/live", "get", live);

    let hit = json!({"type": "object", "additionalProperties": false, "required": ["site", "url"], "properties": {
        "site": {"type": "string", "description": "The site's public id (`site_…`)"},
        "url": {"type": "string", "description": "The page's full http(s) URL; its host must be one of the site's domains"},
        "referrer": {"type": "string"},
        "event": {"type": "string", "minLength": 1, "maxLength": 100, "description": "`pageview` (the default), `identify` (with `email`) or a custom event's name"},
        "props": {"type": "object", "maxProperties": 30, "additionalProperties": {"type": ["string", "number", "boolean", "null"]}},
        "width": {"type": "integer", "minimum": 0, "maximum": 4294967295u32},
        "email": {"type": "string", "description": "With `identify` only; stored as a hash"}
    }});
    let accepted = json!({"type": "object", "required": ["counted", "dropped"], "properties": {"counted": {"type": "boolean"}, "dropped": {"type": ["string", "null"], "enum": ["bot", "do-not-track", null]}, "visitor": {"type": "string", "pattern": "^[0-9a-f]{16}$", "description": "The visitor id of a counted hit (track_revenue's visitorId); it changes every day"}}});
    let mut collect_responses = Map::new();
    collect_responses.insert("202".into(), json!({"description": "Taken: counted, or dropped (a bot, an opt-out) and said so", "content": {"application/json": {"schema": accepted}}}));
    let mut collect = simple(
        "Record one hit of the tracking script (no key; the browser's origin and the page must be on the site's domains)",
        "analytics",
        none.clone(),
        collect_responses,
    );
    collect["requestBody"] = json!({"required": true, "content": {
        "text/plain": {"schema": hit.clone()},
        "application/json": {"schema": hit}
    }});
    put("/api/collect", "post", collect);
    let mut preflight_responses = Map::new();
    preflight_responses.insert("204".into(), json!({"description": "The CORS preflight, allowed; the hit itself is checked against its site"}));
    put(
        "/api/collect",
        "options",
        simple(
            "CORS preflight of a hit",
            "analytics",
            none.clone(),
            preflight_responses,
        ),
    );
    let form = json!({"type": "object", "additionalProperties": false, "required": ["email"], "properties": {
        "email": {"type": "string", "minLength": 3, "maxLength": 320, "description": "The visitor's address"},
        "name": {"type": "string", "maxLength": 200},
        "company": {"type": "string", "maxLength": 200},
        "title": {"type": "string", "maxLength": 200},
        "website": {"type": "string", "maxLength": 200, "description": "The honeypot: hidden from people and left empty; a post that fills it is answered the same and stores nothing"},
        "magnet": {"type": "string", "maxLength": 200, "description": "What was offered, kept with the capture"},
        "visitor": {"type": "string", "maxLength": 16, "description": "The collector's visitor id of the browser, to tie its visits to the lead"}
    }});
    let mut capture_responses = Map::new();
    capture_responses.insert("202".into(), json!({"description": "Taken (JSON posts); the same answer whatever became of the address", "content": {"application/json": {"schema": {"type": "object", "required": ["captured"], "properties": {"captured": {"const": true}}}}}}));
    capture_responses.insert("200".into(), json!({"description": "The thank-you page (form posts); the same page whatever became of the address", "content": {"text/html": {"schema": {"type": "string"}}}}));
    let mut capture = simple(
        "Capture a lead from a page's form (no key; the page must be on the site's domains; the pre-auth limit per IP)",
        "leads",
        none.clone(),
        capture_responses,
    );
    capture["parameters"] = json!([{"name": "siteId", "in": "path", "required": true, "description": "The site's public id", "schema": {"type": "string", "pattern": "^site_[0-9a-f]{16}$"}}]);
    capture["requestBody"] = json!({"required": true, "content": {
        "application/x-www-form-urlencoded": {"schema": form.clone()},
        "application/json": {"schema": form}
    }});
    put("/api/capture/{siteId}", "post", capture);
    let mut capture_preflight = Map::new();
    capture_preflight.insert("204".into(), json!({"description": "The CORS preflight, allowed; the post itself is checked against its site"}));
    let mut preflight_operation = simple(
        "CORS preflight of a capture",
        "leads",
        none.clone(),
        capture_preflight,
    );
    preflight_operation["parameters"] = json!([{"name": "siteId", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^site_[0-9a-f]{16}$"}}]);
    put("/api/capture/{siteId}", "options", preflight_operation);
    let applied = json!({"type": "object", "required": ["kind", "matched", "duplicate"], "properties": {
        "kind": {"enum": ["reply", "bounce", "other"]},
        "matched": {"type": "boolean", "description": "It answers or returns a message a sequence sent"},
        "duplicate": {"type": "boolean", "description": "Seen before (same Message-ID or webhook-id): nothing changed"},
        "leadId": {"type": "string"},
        "sequenceId": {"type": "string"}
    }});
    let mut inbound = simple(
        "Take an inbound reply or bounce from a mail relay (no key; signed with the customer's inbound secret, Standard Webhooks headers)",
        "sequences",
        none.clone(),
        ok("What the message did", "application/json", applied),
    );
    inbound["parameters"] = json!([
        {"name": "customerId", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 64}},
        {"name": "webhook-id", "in": "header", "required": true, "schema": {"type": "string", "minLength": 1}},
        {"name": "webhook-timestamp", "in": "header", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}},
        {"name": "webhook-signature", "in": "header", "required": true, "schema": {"type": "string", "minLength": 1}}
    ]);
    inbound["requestBody"] = json!({"required": true, "content": {
        "message/rfc822": {"schema": {"type": "string", "description": "The raw RFC 5322 message"}},
        "text/plain": {"schema": {"type": "string", "description": "The same, for relays that cannot set message/rfc822"}}
    }});
    put("/api/inbound/{customerId}", "post", inbound);
    let token = json!([{"name": "token", "in": "path", "required": true, "description": "The recipient's opaque token from the message", "schema": {"type": "string", "pattern": "^[0-9a-f]{48}$"}}]);
    let mut page_responses = ok("The page", "text/html", json!({"type": "string"}));
    page_responses.insert("404".into(), json!({"description": "A link this server never sent (a page saying so)", "content": {"text/html": {"schema": {"type": "string"}}}}));
    let mut unsubscribe_page = simple(
        "The unsubscribe page of a sequence message: one button (no key)",
        "sequences",
        none.clone(),
        page_responses.clone(),
    );
    unsubscribe_page["parameters"] = token.clone();
    put("/u/{token}", "get", unsubscribe_page);
    let mut unsubscribe = simple(
        "Unsubscribe at once: the page's button or a mailbox provider's RFC 8058 one-click post (no key)",
        "sequences",
        none.clone(),
        page_responses,
    );
    unsubscribe["parameters"] = token;
    unsubscribe["requestBody"] = json!({"required": false, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"List-Unsubscribe": {"const": "One-Click"}}}}}});
    put("/u/{token}", "post", unsubscribe);
    let signed = json!([{"name": "token", "in": "path", "required": true, "description": "Written by this server into a message, with its MAC", "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"}}]);
    let mut click_responses = Map::new();
    click_responses.insert(
        "303".into(),
        json!({"description": "On to the URL the message had (Location)"}),
    );
    click_responses.insert("404".into(), json!({"description": "A link this server did not write, or one changed on the way", "content": {"text/html": {"schema": {"type": "string"}}}}));
    let mut click = simple(
        "A tracked link of a sequence message: counts the click, then redirects (no key; never an open redirect)",
        "sequences",
        none.clone(),
        click_responses.clone(),
    );
    click["parameters"] = signed.clone();
    put("/c/{token}", "get", click);
    let mut pixel_responses = ok(
        "The pixel",
        "image/gif",
        json!({"type": "string", "format": "binary"}),
    );
    pixel_responses.insert("404".into(), click_responses["404"].clone());
    let mut pixel = simple(
        "The open pixel of a sequence message: counts the first open (no key)",
        "sequences",
        none.clone(),
        pixel_responses,
    );
    pixel["parameters"] = signed;
    put("/o/{token}", "get", pixel);
    let mut script_responses = ok(
        "The script (cached for a day, with an ETag)",
        "text/javascript",
        json!({"type": "string"}),
    );
    script_responses.insert(
        "304".into(),
        json!({"description": "Not modified (If-None-Match matched the ETag)"}),
    );
    put(
        "/js/heycmo.js",
        "get",
        simple(
            "The tracking script",
            "analytics",
            none.clone(),
            script_responses,
        ),
    );

    let mut sse = simple(
        "Open a legacy MCP SSE session (spec 2024-11-05)",
        "mcp",
        authed(),
        ok(
            "An event stream; the first event is `endpoint`",
            "text/event-stream",
            sse_event_schema(),
        ),
    );
    sse["parameters"] =
        json!([{"name": "token", "in": "query", "required": false, "schema": {"type": "string"}}]);
    put("/mcp/sse", "get", sse);
    let mut message = simple(
        "Send a JSON-RPC message to a legacy SSE session",
        "mcp",
        json!([]),
        Map::new(),
    );
    message["parameters"] = json!([{"name": "sessionId", "in": "query", "required": true, "schema": {"type": "string"}}]);
    message["requestBody"] =
        json!({"required": true, "content": {"application/json": {"schema": json_rpc_body()}}});
    let mut accepted = Map::new();
    accepted.insert(
        "202".into(),
        json!({"description": "Accepted; the response travels on the session's stream"}),
    );
    message["responses"] = mcp_responses(accepted);
    put("/mcp/message", "post", message);
    for method in ["get", "post", "delete"] {
        let mut op = simple("MCP Streamable HTTP", "mcp", authed(), Map::new());
        let mut answers = Map::new();
        let session = json!({"name": "Mcp-Session-Id", "in": "header", "required": true, "description": "The session the server issued at initialize", "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,128}$"}});
        let accept = |value: &str| json!({"name": "Accept", "in": "header", "required": true, "description": "The media types the client reads answers in", "schema": {"type": "string", "enum": [value]}});
        op["parameters"] = match method {
            "post" => json!([accept("application/json, text/event-stream")]),
            "get" => json!([accept("text/event-stream"), session]),
            _ => json!([session]),
        };
        match method {
            "post" => {
                answers.insert(
                    "200".into(),
                    json!({"description": "The JSON-RPC response", "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "text/event-stream": {"schema": sse_event_schema()},
                    }}),
                );
                answers.insert(
                    "202".into(),
                    json!({"description": "A notification or response was accepted"}),
                );
                op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": json_rpc_body()}}});
            }
            "get" => {
                answers.insert("200".into(), json!({"description": "The session's stream of server messages", "content": {"text/event-stream": {"schema": sse_event_schema()}}}));
            }
            _ => {
                answers.insert("204".into(), json!({"description": "The session is ended"}));
            }
        }
        op["responses"] = mcp_responses(answers);
        put("/mcp", method, op);
    }
    for (path, summary, content_type) in [
        ("/openapi.json", "This document", "application/openapi+json"),
        (
            "/.well-known/mcp/server-card.json",
            "MCP server card with every tool",
            "application/json",
        ),
        (
            "/mcp/server-card",
            "SEP-2127 MCP server card",
            "application/mcp-server-card+json",
        ),
        (
            "/.well-known/agent.json",
            "Agent capability descriptor",
            "application/json",
        ),
        (
            "/.well-known/api-catalog",
            "RFC 9727 API catalog",
            "application/linkset+json",
        ),
        (
            "/.well-known/oauth-protected-resource",
            "RFC 9728 protected resource metadata",
            "application/json",
        ),
        ("/llms.txt", "llms.txt", "text/plain"),
        ("/index.md", "Documentation in Markdown", "text/markdown"),
        ("/sitemap.xml", "Sitemap", "application/xml"),
        (
            "/",
            "Home page (`?mode=agent` for the agent descriptor); carries the RFC 8288 Link header",
            "text/html",
        ),
    ] {
        put(
            path,
            "get",
            simple(
                summary,
                "discovery",
                none.clone(),
                ok(summary, content_type, json!({})),
            ),
        );
    }
    for spec in registry.tools() {
        let path = format!("/api/tools/{}", spec.entry.name);
        put(
            &path,
            "post",
            tool_operation(spec, &http::Method::POST, &path),
        );
        if let Some(route) = &spec.entry.route {
            let method = route.method.as_str().to_ascii_lowercase();
            put(
                &route.path,
                &method,
                tool_operation(spec, &route.method, &route.path),
            );
        }
    }
    let codes: Vec<&str> = Error::KINDS.iter().map(|kind| kind.code).collect();
    let meanings: Vec<String> = Error::KINDS
        .iter()
        .map(|kind| format!("- `{}` ({}): {}", kind.code, kind.status, kind.meaning))
        .collect();
    let error_description = format!(
        "An error; `code` is stable and one of:\n{}",
        meanings.join("\n")
    );
    let error_schema = json!({
        "type": "object",
        "properties": {
            "error": {"type": "string", "description": "What went wrong, for people"},
            "code": {"type": "string", "enum": codes, "description": "Stable machine-readable code"},
            "requestId": {"type": "string", "description": "Also in the X-Request-ID header; quote it when reporting a problem"},
        },
        "required": ["error", "code", "requestId"],
    });
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "HeyCMO API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": env!("CARGO_PKG_DESCRIPTION"),
        },
        "servers": [{"url": base}],
        "security": authed(),
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "hcmo_live_<64 hex>"},
                "token": {"type": "apiKey", "in": "query", "name": "token"},
                "adminSecret": {"type": "apiKey", "in": "header", "name": "X-Admin-Secret"},
            },
            "schemas": {
                "Error": error_schema,
                "JsonRpcError": {
                    "type": "object",
                    "properties": {
                        "jsonrpc": {"const": "2.0"},
                        "id": {"type": ["string", "integer", "null"]},
                        "error": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "integer"},
                                "message": {"type": "string"},
                                "data": {"type": "object", "properties": {"code": {"type": "string", "enum": codes.clone()}, "requestId": {"type": "string"}}},
                            },
                            "required": ["code", "message"],
                        },
                    },
                    "required": ["jsonrpc", "error"],
                },
            },
            "headers": {
                "X-Request-ID": {"schema": {"type": "string"}, "description": "The request's id"},
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"},
            },
            "responses": {
                "Error": {
                    "description": error_description,
                    "headers": {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
                "RateLimited": {
                    "description": "Rate limit exceeded",
                    "headers": {
                        "Retry-After": {"$ref": "#/components/headers/Retry-After"},
                        "X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"},
                    },
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        },
    })
}
