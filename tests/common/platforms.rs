//! Local servers speaking the social platforms' wire formats, as their public documentation
//! gives them: Mastodon's statuses API (with `Idempotency-Key`), Bluesky's XRPC (sessions,
//! `createRecord`, `getRecord`), LinkedIn's versioned Posts API and X's v2 tweets, each with the
//! platform's error bodies and rate-limit headers. Each keeps what it accepted, so tests can
//! count what was published; `Trouble` makes the next requests fail the platform's way.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use unicode_segmentation::UnicodeSegmentation;

use super::receiver::{Answer, Received, Receiver};

pub const GOOD_TOKEN: &str = "good-token";
pub const BLUESKY_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
pub const BLUESKY_DID: &str = "did:plc:brand7x4kq2";

/// What the next publishing requests should meet.
#[derive(Debug, Clone, Default)]
pub struct Trouble {
    /// Answer 429 with the platform's rate-limit headers, resetting this many seconds on.
    pub rate_limited: Option<i64>,
    /// Answer 503.
    pub unavailable: bool,
    /// Refuse the post for good (422 / 400 with the platform's message).
    pub refuse: bool,
    /// Accept the post but fail to answer (500 after storing it: a lost answer).
    pub lose_answer: bool,
    /// How many publishing requests this applies to.
    pub times: usize,
}

/// One platform's server and what it accepted.
pub struct Platform {
    pub receiver: Receiver,
    /// Accepted posts: (the platform's id, the request body).
    pub posts: Arc<Mutex<Vec<(String, Value)>>>,
    trouble: Arc<Mutex<Trouble>>,
    /// Delay before every publishing answer.
    pub slow: Arc<Mutex<Duration>>,
}

impl Platform {
    pub fn base(&self) -> String {
        self.receiver.base.clone()
    }

    pub fn trouble(&self, trouble: Trouble) {
        *self.trouble.lock().unwrap() = trouble;
    }

    pub fn posts(&self) -> Vec<(String, Value)> {
        self.posts.lock().unwrap().clone()
    }

    pub fn requests(&self) -> Vec<Received> {
        self.receiver.received()
    }
}

/// Takes one unit of trouble, if any is left.
fn take(trouble: &Mutex<Trouble>) -> Option<Trouble> {
    let mut t = trouble.lock().unwrap();
    if t.times == 0 {
        return None;
    }
    t.times -= 1;
    Some(t.clone())
}

fn bearer_ok(request: &Received, token: &str) -> bool {
    request.header("authorization") == format!("Bearer {token}")
}

struct Shared {
    posts: Arc<Mutex<Vec<(String, Value)>>>,
    trouble: Arc<Mutex<Trouble>>,
    slow: Arc<Mutex<Duration>>,
}

impl Shared {
    fn new() -> Shared {
        Shared {
            posts: Arc::default(),
            trouble: Arc::default(),
            slow: Arc::new(Mutex::new(Duration::ZERO)),
        }
    }

    fn into_platform(self, receiver: Receiver) -> Platform {
        Platform {
            receiver,
            posts: self.posts,
            trouble: self.trouble,
            slow: self.slow,
        }
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Mastodon: verify_credentials, and statuses with `Idempotency-Key` (the same key answers the
/// first status again).
pub async fn mastodon() -> Platform {
    let shared = Shared::new();
    let (posts, trouble, slow) = (
        shared.posts.clone(),
        shared.trouble.clone(),
        shared.slow.clone(),
    );
    let keys: Mutex<HashMap<String, Value>> = Mutex::default();
    let receiver = Receiver::start(move |seen| {
        let request = seen.last().unwrap();
        if !bearer_ok(request, GOOD_TOKEN) {
            return Answer::json(401, json!({"error": "The access token is invalid"}));
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/api/v1/accounts/verify_credentials") => Answer::json(
                200,
                json!({"id": "109", "username": "brand", "acct": "brand", "display_name": "Brand", "url": "https://mastodon.example/@brand"}),
            ),
            ("POST", "/api/v1/statuses") => {
                let delay = *slow.lock().unwrap();
                let key = request.header("idempotency-key").to_owned();
                if let Some(status) = keys.lock().unwrap().get(&key) {
                    return Answer::json(200, status.clone()).after(delay);
                }
                if let Some(t) = take(&trouble) {
                    if let Some(seconds) = t.rate_limited {
                        let reset = chrono::Utc::now() + chrono::Duration::seconds(seconds);
                        return Answer::json(429, json!({"error": "Too many requests"}))
                            .with_header("x-ratelimit-limit", "300")
                            .with_header("x-ratelimit-remaining", "0")
                            .with_header("x-ratelimit-reset", &reset.to_rfc3339());
                    }
                    if t.unavailable {
                        return Answer::status(503);
                    }
                    if t.refuse {
                        return Answer::json(422, json!({"error": "Validation failed: Text can't be blank"}));
                    }
                }
                let body = request.json();
                let text = body["status"].as_str().unwrap_or_default();
                if text.is_empty() {
                    return Answer::json(422, json!({"error": "Validation failed: Text can't be blank"}));
                }
                if text.chars().count() > 500 {
                    return Answer::json(422, json!({"error": "Validation failed: Text character limit of 500 exceeded"}));
                }
                let mut all = posts.lock().unwrap();
                let id = format!("1100{}", all.len() + 1);
                let status = json!({
                    "id": id,
                    "url": format!("https://mastodon.example/@brand/{id}"),
                    "uri": format!("https://mastodon.example/users/brand/statuses/{id}"),
                    "content": format!("<p>{text}</p>"),
                    "visibility": body["visibility"],
                    "created_at": chrono::Utc::now().to_rfc3339(),
                });
                all.push((id, body));
                if !key.is_empty() {
                    keys.lock().unwrap().insert(key, status.clone());
                }
                Answer::json(200, status).after(delay)
            }
            _ => Answer::json(404, json!({"error": "Record not found"})),
        }
    })
    .await;
    shared.into_platform(receiver)
}

fn xrpc_error(status: u16, error: &str, message: &str) -> Answer {
    Answer::json(status, json!({"error": error, "message": message}))
}

/// Bluesky: createSession, createRecord (a record key used twice is a 500, as the PDS answers)
/// and getRecord.
pub async fn bluesky() -> Platform {
    let shared = Shared::new();
    let (posts, trouble, slow) = (
        shared.posts.clone(),
        shared.trouble.clone(),
        shared.slow.clone(),
    );
    let receiver = Receiver::start(move |seen| {
        let request = seen.last().unwrap();
        let path = request.path.split('?').next().unwrap_or_default();
        if path == "/xrpc/com.atproto.server.createSession" {
            let body = request.json();
            if body["password"] != BLUESKY_PASSWORD {
                return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password");
            }
            return Answer::json(
                200,
                json!({"did": BLUESKY_DID, "handle": body["identifier"], "accessJwt": "access-jwt-1", "refreshJwt": "refresh-jwt-1", "active": true}),
            );
        }
        if !bearer_ok(request, "access-jwt-1") {
            return xrpc_error(400, "ExpiredToken", "Token has expired");
        }
        match path {
            "/xrpc/com.atproto.repo.getRecord" => {
                let query: HashMap<String, String> = url::form_urlencoded::parse(
                    request.path.split_once('?').map(|(_, q)| q).unwrap_or_default().as_bytes(),
                )
                .into_owned()
                .collect();
                let uri = format!("at://{}/{}/{}", query["repo"], query["collection"], query["rkey"]);
                match posts.lock().unwrap().iter().find(|(id, _)| *id == uri) {
                    Some((_, body)) => Answer::json(200, json!({"uri": uri, "cid": "bafyreib2", "value": body["record"]})),
                    None => xrpc_error(400, "RecordNotFound", &format!("Could not locate record: {uri}")),
                }
            }
            "/xrpc/com.atproto.repo.createRecord" => {
                let delay = *slow.lock().unwrap();
                let body = request.json();
                let trouble = take(&trouble);
                if let Some(t) = &trouble {
                    if let Some(seconds) = t.rate_limited {
                        return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded")
                            .with_header("ratelimit-limit", "5000")
                            .with_header("ratelimit-remaining", "0")
                            .with_header("ratelimit-reset", &(unix_now() + seconds).to_string());
                    }
                    if t.unavailable {
                        return xrpc_error(503, "UpstreamFailure", "Upstream Failure");
                    }
                    if t.refuse {
                        return xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes");
                    }
                }
                let record = &body["record"];
                let text = record["text"].as_str().unwrap_or_default();
                if record["$type"] != "app.bsky.feed.post" || body["collection"] != "app.bsky.feed.post" || body["repo"] != BLUESKY_DID {
                    return xrpc_error(400, "InvalidRequest", "Invalid record");
                }
                if text.graphemes(true).count() > 300 {
                    return xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes");
                }
                for facet in record["facets"].as_array().cloned().unwrap_or_default() {
                    let (start, end) = (facet["index"]["byteStart"].as_u64().unwrap() as usize, facet["index"]["byteEnd"].as_u64().unwrap() as usize);
                    if text.get(start..end) != facet["features"][0]["uri"].as_str() {
                        return xrpc_error(400, "InvalidRequest", "Invalid facet byte range");
                    }
                }
                let uri = format!("at://{BLUESKY_DID}/app.bsky.feed.post/{}", body["rkey"].as_str().unwrap_or("3l4generated22"));
                let mut all = posts.lock().unwrap();
                if all.iter().any(|(id, _)| *id == uri) {
                    return xrpc_error(500, "InternalServerError", "Internal Server Error");
                }
                all.push((uri.clone(), body));
                if trouble.is_some_and(|t| t.lose_answer) {
                    return xrpc_error(502, "UpstreamFailure", "Upstream Failure");
                }
                Answer::json(200, json!({"uri": uri, "cid": "bafyreib2", "commit": {"cid": "bafyc", "rev": "3l4"}})).after(delay)
            }
            _ => xrpc_error(404, "MethodNotImplemented", "Method Not Implemented"),
        }
    })
    .await;
    shared.into_platform(receiver)
}

/// LinkedIn: userinfo, and the versioned Posts API answering 201 with `x-restli-id`.
pub async fn linkedin() -> Platform {
    let shared = Shared::new();
    let (posts, trouble, slow) = (
        shared.posts.clone(),
        shared.trouble.clone(),
        shared.slow.clone(),
    );
    let receiver = Receiver::start(move |seen| {
        let request = seen.last().unwrap();
        if !bearer_ok(request, GOOD_TOKEN) {
            return Answer::json(401, json!({"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"}));
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/v2/userinfo") => Answer::json(200, json!({"sub": "782bbtaQ", "name": "Brand Person", "email_verified": true})),
            ("POST", "/rest/posts") => {
                let version = request.header("linkedin-version");
                if version.len() != 6 || request.header("x-restli-protocol-version") != "2.0.0" {
                    return Answer::json(400, json!({"status": 400, "code": "VERSION_MISSING", "message": "A version must be present. Please specify a version by adding the LinkedIn-Version header."}));
                }
                if let Some(t) = take(&trouble) {
                    if let Some(seconds) = t.rate_limited {
                        return Answer::json(429, json!({"status": 429, "message": "Resource level throttle limit for calls to this resource is reached."}))
                            .with_header("retry-after", &seconds.to_string());
                    }
                    if t.unavailable {
                        return Answer::json(503, json!({"status": 503, "message": "Service Unavailable"}));
                    }
                    if t.refuse {
                        return Answer::json(422, json!({"status": 422, "serviceErrorCode": 100, "code": "UNPROCESSABLE_ENTITY", "message": "ERROR :: /commentary :: is too long"}));
                    }
                }
                let body = request.json();
                if body["lifecycleState"] != "PUBLISHED" || body["distribution"]["feedDistribution"] != "MAIN_FEED" || body["author"].as_str().is_none_or(|a| !a.starts_with("urn:li:")) {
                    return Answer::json(422, json!({"status": 422, "message": "ERROR :: /author :: is missing"}));
                }
                let mut all = posts.lock().unwrap();
                let urn = format!("urn:li:share:7{:018}", all.len() + 1);
                all.push((urn.clone(), body));
                let mut answer = Answer::status(201).after(*slow.lock().unwrap());
                answer = answer.with_header("x-restli-id", &urn);
                answer
            }
            _ => Answer::json(404, json!({"status": 404, "message": "No virtual resource found"})),
        }
    })
    .await;
    shared.into_platform(receiver)
}

/// X: users/me and v2 tweets, with X's problem-details errors and `x-rate-limit-*` headers.
pub async fn x() -> Platform {
    let shared = Shared::new();
    let (posts, trouble, slow) = (
        shared.posts.clone(),
        shared.trouble.clone(),
        shared.slow.clone(),
    );
    let receiver = Receiver::start(move |seen| {
        let request = seen.last().unwrap();
        if !bearer_ok(request, GOOD_TOKEN) {
            return Answer::json(401, json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}));
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/2/users/me") => Answer::json(200, json!({"data": {"id": "2244994945", "name": "Brand", "username": "brand"}})),
            ("POST", "/2/tweets") => {
                if let Some(t) = take(&trouble) {
                    if let Some(seconds) = t.rate_limited {
                        return Answer::json(429, json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}))
                            .with_header("x-rate-limit-limit", "100")
                            .with_header("x-rate-limit-remaining", "0")
                            .with_header("x-rate-limit-reset", &(unix_now() + seconds).to_string());
                    }
                    if t.unavailable {
                        return Answer::json(503, json!({"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}));
                    }
                    if t.refuse {
                        return Answer::json(403, json!({"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank", "title": "Forbidden", "status": 403}));
                    }
                }
                let body = request.json();
                let mut all = posts.lock().unwrap();
                let id = format!("18{:017}", all.len() + 1);
                all.push((id.clone(), body.clone()));
                Answer::json(201, json!({"data": {"id": id, "text": body["text"], "edit_history_tweet_ids": [id]}})).after(*slow.lock().unwrap())
            }
            _ => Answer::json(404, json!({"title": "Not Found Error", "detail": "Not Found", "type": "about:blank", "status": 404})),
        }
    })
    .await;
    shared.into_platform(receiver)
}
