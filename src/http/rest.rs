//! The REST routes of the hosted API (docs/hosted-api.md) and the projection of the registry onto REST.

use std::borrow::Cow;
use std::sync::Arc;

use http::request::Parts;
use http::{Response, StatusCode};
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::RequestId;
use super::auth::{self, query_param};
use super::body;
use super::response::{Body, error, json};
use crate::account::sse_endpoint;
use crate::app::App;
use crate::auth::{Principal, admin};
use crate::clock::rfc3339;
use crate::error::Error;
use crate::ratelimit::Bucket;
use crate::registry::{Outcome, Surface, ToolSpec};

/// The request id set by the router (a fresh one for parts that did not pass through it).
pub fn request_id(parts: &Parts) -> String {
    parts
        .extensions
        .get::<RequestId>()
        .map_or_else(super::new_request_id, |r| r.0.clone())
}

/// `GET /api/health`: the process is up.
pub fn health(app: &App) -> Response<Body> {
    json(
        StatusCode::OK,
        &json!({"status": "ok", "timestamp": rfc3339(app.clock.now_millis())}),
    )
}

/// `GET /api/health/ready`: the database answers.
pub async fn ready(app: &App) -> Response<Body> {
    let timestamp = rfc3339(app.clock.now_millis());
    if app.store.ping().await {
        json(
            StatusCode::OK,
            &json!({"status": "ready", "db": true, "timestamp": timestamp}),
        )
    } else {
        json(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"status": "not_ready", "db": false, "timestamp": timestamp}),
        )
    }
}

/// The measured status, for `GET /api/public/status` and `/status`: no key, so limited per
/// address like every unauthenticated route.
async fn public(app: &App, parts: &Parts) -> Result<crate::status::Status, Error> {
    app.limiters
        .check(Bucket::Preauth, &auth::client_ip(parts))?;
    Ok(crate::status::status(&app.prober()).await)
}

/// `GET /api/public/status`.
pub async fn public_status(app: &App, parts: &Parts) -> Result<Response<Body>, Error> {
    Ok(json(StatusCode::OK, &public(app, parts).await?))
}

/// `GET /status`: the same, as a page.
pub async fn status_page(app: &App, parts: &Parts) -> Result<Response<Body>, Error> {
    let status = public(app, parts).await?;
    Ok(super::response::page(crate::pages::status::page(&status)))
}

/// Authenticates and counts the request against the customer's REST allowance.
pub async fn authenticated(app: &App, parts: &Parts) -> Result<Principal, Error> {
    let principal = auth::principal(app, parts).await?;
    app.limiters.check(Bucket::Rest, &principal.customer.id)?;
    Ok(principal)
}

/// `GET /api/tools`: the registry, with schemas.
pub fn list_tools(app: &App) -> Response<Body> {
    let tools: Vec<Value> = app.registry.tools().iter().map(tool_summary).collect();
    json(StatusCode::OK, &json!({"tools": tools}))
}

/// A tool as REST lists it.
pub fn tool_summary(spec: &ToolSpec) -> Value {
    let mut value = spec.describe();
    value["endpoint"] = json!(format!("/api/tools/{}", spec.entry.name));
    if let Some(route) = &spec.entry.route {
        value["route"] = json!(format!("{} {}", route.method, route.path));
    }
    value
}

/// Runs a tool over REST: 200 with the structured output, or the error format.
pub async fn run_tool(
    app: &Arc<App>,
    name: &str,
    principal: Principal,
    input: Value,
    request_id: String,
) -> Response<Body> {
    let ctx = app.context(
        principal,
        Surface::Rest,
        request_id.clone(),
        CancellationToken::new(),
        None,
    );
    match app
        .registry
        .call(name, &ctx, input)
        .await
        .and_then(Outcome::output)
    {
        Ok(output) => json(StatusCode::OK, &output.structured),
        Err(e) => error(&e, &request_id),
    }
}

/// Turns query parameters into tool input, typed by the input schema: `?limit=5` becomes the
/// integer 5 where the schema says integer. The key (`token`) is never input.
pub fn query_input(spec: &ToolSpec, parts: &Parts) -> Result<Map<String, Value>, Error> {
    let mut input = Map::new();
    let Some(query) = parts.uri.query() else {
        return Ok(input);
    };
    for (key, raw) in url::form_urlencoded::parse(query.as_bytes()) {
        if key == "token" {
            continue;
        }
        let property = spec
            .input_schema
            .get("properties")
            .and_then(|p| p.get(key.as_ref()));
        // A list is its key repeated (`?models=linear&models=first_touch`), OpenAPI's default
        // form style for query arrays; each item is typed by the list's item schema.
        if let Some(items) = property
            .filter(|p| types_of(p).iter().any(|t| t == "array"))
            .and_then(|p| p.get("items"))
        {
            let item = typed_as(items, &key, &raw)?;
            // Only this branch writes a list's key, so the entry is always a list.
            if let Value::Array(list) = input
                .entry(key.into_owned())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                list.push(item);
            }
            continue;
        }
        let value = typed(spec, &key, &raw)?;
        input.insert(key.into_owned(), value);
    }
    Ok(input)
}

/// The JSON types a schema allows.
fn types_of(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => vec![],
    }
}

/// A text from a URL (query or path) as the JSON value the input schema's `key` wants.
pub fn typed(spec: &ToolSpec, key: &str, raw: &str) -> Result<Value, Error> {
    match spec.input_schema.get("properties").and_then(|p| p.get(key)) {
        Some(property) => typed_as(property, key, raw),
        None => Ok(Value::String(raw.to_owned())),
    }
}

/// `raw` as the JSON value `schema` wants: a number, a boolean, else the text.
fn typed_as(schema: &Value, key: &str, raw: &str) -> Result<Value, Error> {
    let types = types_of(schema);
    let is = |kind: &str| types.iter().any(|t| t == kind);
    let invalid = |what: &str| Error::InvalidInput {
        message: format!("/{key}: {raw:?} is not {what}"),
        pointer: format!("/{key}"),
    };
    Ok(if is("integer") || is("number") {
        serde_json::from_str::<serde_json::Number>(raw)
            .map(Value::Number)
            .map_err(|_| invalid("a number"))?
    } else if is("boolean") {
        match raw {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => return Err(invalid("true or false")),
        }
    } else {
        Value::String(raw.to_owned())
    })
}

/// The body of a POST as tool input, with path parameters merged in. No body is no input
/// (`{}`); JSON `null` is a value, and not the object a tool takes.
pub async fn body_input(
    app: &App,
    body: Incoming,
    path_params: Map<String, Value>,
) -> Result<Value, Error> {
    let mut input = body::read_json(body, app.config.max_body_bytes)
        .await?
        .unwrap_or_else(|| Value::Object(Map::new()));
    if path_params.is_empty() && !input.is_null() {
        return Ok(input);
    }
    let Value::Object(object) = &mut input else {
        return Err(Error::InvalidInput {
            message: "/: the body must be a JSON object".into(),
            pointer: String::new(),
        });
    };
    if let Some(repeated) = path_params.keys().find(|key| object.contains_key(*key)) {
        return Err(Error::InvalidInput {
            message: format!("/{repeated}: given by the path; leave it out of the body"),
            pointer: format!("/{repeated}"),
        });
    }
    object.extend(path_params);
    Ok(input)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvisionRequest {
    email: String,
    #[serde(default)]
    plan: Option<String>,
}

/// A plausible address: something, `@`, a dotted domain, no spaces. Delivery is the real test.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `POST /api/admin/provision`: creates a customer with an owner key (admin secret required).
pub async fn provision(
    app: &Arc<App>,
    parts: &Parts,
    body: Incoming,
) -> Result<Response<Body>, Error> {
    app.limiters
        .check(Bucket::Admin, &super::auth::client_ip(parts))?;
    let presented = parts
        .headers
        .get("x-admin-secret")
        .and_then(|v| v.to_str().ok())
        .map(Cow::Borrowed)
        .or_else(|| auth::token(parts));
    // Without a secret the answer is 401 whether or not provisioning is switched on, so that a
    // stranger learns nothing of this deployment's settings.
    let Some(presented) = presented else {
        return Err(Error::AuthRequired);
    };
    let Some(configured) = app.config.admin_secret.as_deref() else {
        return Err(Error::Disabled(
            "Provisioning is disabled: no admin secret is configured".into(),
        ));
    };
    if !admin::secret_matches(configured, &presented) {
        return Err(Error::Forbidden("Invalid admin secret".into()));
    }
    let bytes = body::read(body, app.config.max_body_bytes).await?;
    let request: ProvisionRequest = serde_json::from_slice(&bytes)
        .map_err(|e| Error::BadRequest(format!("Expected {{\"email\", \"plan\"?}}: {e}")))?;
    if !plausible_email(&request.email) {
        return Err(Error::InvalidInput {
            message: "/email: not an email address".into(),
            pointer: "/email".into(),
        });
    }
    let plan = request.plan.unwrap_or_else(|| "pro".into());
    let provisioned = app.provision(&request.email, &plan).await?;
    Ok(json(
        StatusCode::OK,
        &json!({
            "customerId": provisioned.customer.id,
            "email": provisioned.customer.email,
            "apiKey": provisioned.api_key,
            "mcpEndpoint": sse_endpoint(&app.public_url, Some(&provisioned.api_key)),
        }),
    ))
}

/// The value of `?mode=`.
pub fn mode(parts: &Parts) -> Option<String> {
    query_param(&parts.uri, "mode")
}

#[cfg(test)]
mod tests {
    #[test]
    fn emails() {
        assert!(super::plausible_email("a@b.co"));
        assert!(!super::plausible_email("a@b"));
        assert!(!super::plausible_email("@b.co"));
        assert!(!super::plausible_email("a b@c.co"));
    }
}
