//! Routing: which handler serves a method and path, plus what every response gets.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response};
use hyper::body::Incoming;
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::origin::HostPolicy;
use super::response::{self, Body};
use super::{ClientAddr, RequestId, new_request_id, rest};
use super::{sse::SseTransport, streamable::Streamable};
use crate::app::App;
use crate::auth::Principal;
use crate::discovery::Documents;
use crate::error::Error;
use crate::mcp::server::Shared;
use crate::registry::ToolSpec;

/// Serves every HTTP route.
pub struct Router {
    app: Arc<App>,
    docs: Documents,
    streamable: Streamable,
    sse: SseTransport,
    hosts: HostPolicy,
}

/// The routes that are not aliases, for 405 answers: a known path with another method.
const FIXED_ROUTES: &[(&str, &[Method])] = &[
    ("/api/health", &[Method::GET]),
    ("/api/health/ready", &[Method::GET]),
    ("/api/tools", &[Method::GET]),
    ("/api/admin/provision", &[Method::POST]),
    ("/mcp/sse", &[Method::GET]),
    ("/mcp/message", &[Method::POST]),
    ("/live", &[Method::GET]),
    ("/api/collect", &[Method::POST, Method::OPTIONS]),
    ("/js/heycmo.js", &[Method::GET]),
    ("/mcp", &[Method::GET, Method::POST, Method::DELETE]),
    ("/api/checkout", &[Method::POST]),
    ("/api/webhooks/stripe", &[Method::POST]),
    ("/welcome", &[Method::GET, Method::POST]),
    ("/login", &[Method::GET, Method::POST]),
    ("/login/link", &[Method::POST]),
    ("/logout", &[Method::POST]),
    ("/dashboard", &[Method::GET]),
    ("/team", &[Method::GET]),
    ("/api/public/status", &[Method::GET]),
    ("/status", &[Method::GET]),
];

/// A page's failure as a page a person can read, with the error's status (a 429 keeps its
/// `Retry-After`); the JSON body is for programs.
fn page(result: Result<Response<Body>, Error>) -> Result<Response<Body>, Error> {
    let error = match result {
        Ok(answer) => return Ok(answer),
        Err(error) => error,
    };
    let status = http::StatusCode::from_u16(error.status())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let title = match status.as_u16() {
        400 | 422 => "That did not work",
        401 | 403 => "Not allowed",
        404 => "Not found",
        409 | 410 => "Already done",
        429 => "Too many attempts",
        _ => "Something went wrong",
    };
    let page = crate::pages::notice::page(title, &error.to_string(), None);
    let mut answer = super::forms::page_with(status, page);
    if let Some(wait) = error.retry_after()
        && let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string())
    {
        answer
            .headers_mut()
            .insert(http::header::RETRY_AFTER, value);
    }
    Ok(answer)
}

/// An incoming `X-Request-ID` is kept when it is short and plain, so callers can correlate;
/// anything else is replaced, so it cannot forge log lines.
fn request_id(parts: &Parts) -> String {
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(new_request_id)
}

impl Router {
    /// Serves `shared`'s app, with its MCP tools and library.
    pub fn new(shared: Arc<Shared>, shutdown: CancellationToken) -> Router {
        let app = shared.app.clone();
        Router {
            docs: Documents::build(&app),
            streamable: Streamable::new(shared.clone(), &app, shutdown.clone()),
            sse: SseTransport::new(shared, shutdown),
            hosts: HostPolicy::new(
                &app.public_url,
                &app.config.allowed_hosts,
                &app.config.allowed_origins,
            ),
            app,
        }
    }

    /// Serves one request. Never fails: errors and panics become error responses.
    pub async fn handle(&self, request: Request<Incoming>, client: ClientAddr) -> Response<Body> {
        let (mut parts, body) = request.into_parts();
        let id = request_id(&parts);
        parts.extensions.insert(RequestId(id.clone()));
        parts.extensions.insert(client);
        // The query string is not logged: it may carry `token=`.
        let span = tracing::info_span!("request", id = %id, method = %parts.method, path = %parts.uri.path());
        let started = Instant::now();
        // Boxed: the routes' futures together weigh about 10 KB, which the wrappers below would
        // otherwise copy on every request.
        let route = Box::pin(self.route(parts, body));
        let routed = AssertUnwindSafe(route.instrument(span.clone())).catch_unwind();
        let mut response = match routed.await {
            Ok(response) => response,
            Err(_) => {
                span.in_scope(|| tracing::error!("handler panicked"));
                response::error(&Error::Internal("the handler panicked".into()), &id)
            }
        };
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-request-id", value);
        }
        response::declare_charset(response.headers_mut());
        span.in_scope(|| {
            tracing::info!(
                status = response.status().as_u16(),
                us = started.elapsed().as_micros() as u64,
                "served"
            )
        });
        response
    }

    async fn route(&self, parts: Parts, body: Incoming) -> Response<Body> {
        let id = rest::request_id(&parts);
        let path = parts.uri.path().to_owned();
        let app = &self.app;
        if (path == "/mcp" || path.starts_with("/mcp/"))
            && let Err(error) = self.hosts.check(&parts)
        {
            return response::error(&error, &id);
        }
        let result = match (&parts.method, path.as_str()) {
            (&Method::GET, "/") => Ok(self.docs.home(rest::mode(&parts).as_deref())),
            (&Method::GET, "/api/health") => Ok(rest::health(app)),
            (&Method::GET, "/api/health/ready") => Ok(rest::ready(app).await),
            (&Method::GET, "/api/public/status") => rest::public_status(app, &parts).await,
            (&Method::GET, "/status") => page(rest::status_page(app, &parts).await),
            (&Method::POST, "/api/admin/provision") => rest::provision(app, &parts, body).await,
            (&Method::GET, "/api/tools") => Ok(rest::list_tools(app)),
            (&Method::GET, "/live") => super::live::live(app, &parts).await,
            (&Method::POST, "/api/collect") => super::collect::collect(app, &parts, body).await,
            (&Method::OPTIONS, "/api/collect") => Ok(super::collect::preflight(&parts)),
            (&Method::GET, "/js/heycmo.js") => Ok(super::collect::script(&parts)),
            (&Method::POST, capture) if capture.starts_with("/api/capture/") => {
                super::capture::capture(app, &parts, &capture["/api/capture/".len()..], body).await
            }
            (&Method::OPTIONS, capture) if capture.starts_with("/api/capture/") => {
                super::capture::preflight(&parts, &capture["/api/capture/".len()..])
            }
            (&Method::POST, inbound) if inbound.starts_with("/api/inbound/") => {
                super::mail::inbound(app, &parts, &inbound["/api/inbound/".len()..], body).await
            }
            (method @ (&Method::GET | &Method::POST), link) if link.starts_with("/u/") => {
                super::mail::unsubscribe_link(
                    app,
                    &parts,
                    &link["/u/".len()..],
                    method == Method::POST,
                )
                .await
            }
            (&Method::GET, link) if link.starts_with("/c/") => {
                super::mail::click(app, &parts, &link["/c/".len()..]).await
            }
            (&Method::GET, pixel) if pixel.starts_with("/o/") => {
                super::mail::open(app, &parts, &pixel["/o/".len()..]).await
            }
            (&Method::POST, "/api/checkout") => super::signup::checkout(app, &parts, body).await,
            (&Method::POST, "/api/webhooks/stripe") => {
                super::signup::stripe_webhook(app, &parts, body).await
            }
            (&Method::GET, session) if session.starts_with("/api/session/") => {
                super::signup::session(app, &parts, &session["/api/session/".len()..]).await
            }
            (&Method::GET, "/welcome") => page(super::signup::welcome(app, &parts).await),
            (&Method::POST, "/welcome") => page(super::signup::reveal(app, &parts, body).await),
            (&Method::GET, "/login") => page(super::login::page(app, &parts, None).await),
            (&Method::POST, "/login") => page(super::login::with_key(app, &parts, body).await),
            (&Method::POST, "/login/link") => {
                page(super::login::mail_link(app, &parts, body).await)
            }
            (&Method::GET, link) if link.starts_with("/login/") => {
                page(super::login::link_page(app, &parts, &link["/login/".len()..]).await)
            }
            (&Method::POST, link) if link.starts_with("/login/") => {
                page(super::login::with_link(app, &parts, &link["/login/".len()..], body).await)
            }
            (&Method::POST, "/logout") => page(super::login::logout(app, &parts, body).await),
            (&Method::GET, "/dashboard") => page(super::dashboard::get(app, &parts, "").await),
            // The hosted product's address for the team page.
            (&Method::GET, "/team") => Ok(super::forms::see_other("/dashboard/team")),
            (&Method::GET, board) if board.starts_with("/dashboard/") => {
                page(super::dashboard::get(app, &parts, &board["/dashboard".len()..]).await)
            }
            (&Method::POST, action) if action.starts_with("/dashboard/do/") => page(
                super::dashboard::act(app, &parts, &action["/dashboard/do/".len()..], body).await,
            ),
            (&Method::GET, board) if board.starts_with("/api/dashboard/") => page(
                super::dashboard::customer(app, &parts, &board["/api/dashboard/".len()..]).await,
            ),
            (&Method::GET, trial) if trial.starts_with("/signup/") => {
                page(super::signup::trial_page(app, &parts, &trial["/signup/".len()..]).await)
            }
            (&Method::POST, trial) if trial.starts_with("/signup/") => page(
                super::signup::finish_trial(app, &parts, &trial["/signup/".len()..], body).await,
            ),
            (&Method::POST, tool) if tool.starts_with("/api/tools/") => {
                self.named_tool(&parts, body, &tool["/api/tools/".len()..])
                    .await
            }
            (&Method::GET | &Method::POST | &Method::DELETE, "/mcp") => {
                self.streamable.handle(parts, body).await
            }
            (&Method::GET, "/mcp/sse") => self.sse.open(&parts).await,
            (&Method::POST, "/mcp/message") => self.sse.message(&parts, body).await,
            (method, path) => {
                if let Some(doc) = (method == Method::GET)
                    .then(|| self.docs.get(path))
                    .flatten()
                {
                    Ok(doc)
                } else {
                    self.alias(parts, body).await
                }
            }
        };
        result.unwrap_or_else(|error| response::error(&error, &id))
    }

    /// `POST /api/tools/{name}`: an unknown name is a 404 before any key is asked for.
    async fn named_tool(
        &self,
        parts: &Parts,
        body: Incoming,
        name: &str,
    ) -> Result<Response<Body>, Error> {
        let spec = self.app.registry.get(name).ok_or_else(|| {
            Error::NotFound(format!("Unknown tool {name:?}; GET /api/tools lists them"))
        })?;
        let principal = rest::authenticated(&self.app, parts).await?;
        self.tool(parts, body, spec, Map::new(), principal).await
    }

    /// Runs `spec` for an authenticated request: `POST /api/tools/{name}` and the aliases both
    /// end here, each having charged the REST allowance once.
    async fn tool(
        &self,
        parts: &Parts,
        body: Incoming,
        spec: &ToolSpec,
        params: Map<String, Value>,
        principal: Principal,
    ) -> Result<Response<Body>, Error> {
        let app = &self.app;
        let input = if parts.method == Method::GET {
            let mut input = rest::query_input(spec, parts)?;
            input.extend(params);
            Value::Object(input)
        } else {
            rest::body_input(app, body, params).await?
        };
        let name = &spec.entry.name;
        Ok(rest::run_tool(app, name, principal, input, rest::request_id(parts)).await)
    }

    /// A catalogue alias such as `GET /api/customer/{customerId}`; otherwise 404 or 405.
    async fn alias(&self, parts: Parts, body: Incoming) -> Result<Response<Body>, Error> {
        let path = parts.uri.path();
        let matched = self.app.registry.routes().at(&parts.method, path);
        let Some(matched) = matched else {
            return Err(self.unrouted(&parts.method, path));
        };
        let spec = &self.app.registry.tools()[matched.tool];
        let mut params = Map::new();
        let mut customer = None;
        for (key, value) in matched.params {
            if key == "customerId" {
                customer = Some(value);
            } else {
                let value = rest::typed(spec, &key, &value)?;
                params.insert(key, value);
            }
        }
        // Authenticate before comparing, so a wrong id without a key is still a 401.
        let principal = rest::authenticated(&self.app, &parts).await?;
        if let Some(customer) = customer {
            principal.ensure_customer(&customer)?;
        }
        self.tool(&parts, body, spec, params, principal).await
    }

    /// 405 with `Allow` when the path exists for other methods; 404 otherwise.
    fn unrouted(&self, method: &Method, path: &str) -> Error {
        let mut allowed: Vec<Method> = FIXED_ROUTES
            .iter()
            .filter(|(p, _)| *p == path)
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        allowed.extend(self.app.registry.routes().methods_at(path));
        if self.docs.serves(path) {
            allowed.push(Method::GET);
        }
        if path.starts_with("/api/tools/") {
            allowed.push(Method::POST);
        }
        if allowed.is_empty() || allowed.contains(method) {
            Error::NotFound(format!("No route for {method} {path}"))
        } else {
            let list: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            Error::MethodNotAllowed {
                allowed: list.join(", "),
            }
        }
    }
}
