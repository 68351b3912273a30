//! X (API v2): `GET /2/users/me` to connect, `POST /2/tweets` to publish. X takes no
//! idempotency key; it refuses a duplicate of a recent post with 403, which is reported as the
//! platform's error rather than retried.

use reqwest::Method;
use serde_json::json;

use super::http::{CallError, Request, call, field, json};
use super::{ConnectError, Connected, Outbound, Platform};
use crate::store::Millis;
use crate::store::RemotePost;
use crate::web::Fetcher;

pub const DEFAULT_BASE: &str = "https://api.x.com";

pub async fn connect(
    fetcher: &Fetcher,
    api: &str,
    token: String,
    now: Millis,
) -> Result<Connected, ConnectError> {
    let request = Request::new(Method::GET, format!("{api}/2/users/me")).bearer(&token);
    let answer = call(fetcher, Platform::X, request, now).await?;
    let body = json(Platform::X, &answer)?;
    let username = field(Platform::X, &body, "/data/username")?;
    Ok(Connected {
        account: format!("@{username}"),
        config: json!({ "baseUrl": api, "username": username }),
        secret: token,
        shown_once: None,
    })
}

pub async fn publish(out: &Outbound<'_>) -> Result<RemotePost, CallError> {
    let api = out.setting("baseUrl")?;
    let request = Request::new(Method::POST, format!("{api}/2/tweets"))
        .bearer(out.secret)
        .json(json!({ "text": out.post.text }));
    let answer = call(out.fetcher, Platform::X, request, out.now).await?;
    let body = json(Platform::X, &answer)?;
    let id = field(Platform::X, &body, "/data/id")?;
    let user = out.setting("username").unwrap_or("i/web");
    let url = if user == "i/web" {
        format!("https://x.com/i/web/status/{id}")
    } else {
        format!("https://x.com/{user}/status/{id}")
    };
    Ok(RemotePost {
        remote_id: id,
        url: Some(url),
    })
}
