//! The generic webhook channel: each post is POSTed as JSON to the customer's endpoint, signed
//! the Standard Webhooks way with a secret shown once when connecting; the post's id is the
//! `webhook-id`, so the receiver can drop a repeat.

use reqwest::Method;
use serde_json::json;

use super::http::{CallError, Request, call};
use super::{ConnectError, Connected, Outbound, Platform};
use crate::clock::rfc3339;
use crate::jobs::Failure;
use crate::store::RemotePost;
use crate::web::Fetcher;
use crate::webhooks::sign;

pub fn connect(fetcher: &Fetcher, url: &str) -> Result<Connected, ConnectError> {
    let url = fetcher.parse(url)?;
    let secret = sign::new_secret();
    Ok(Connected {
        account: url.host_str().unwrap_or_default().to_owned(),
        config: json!({ "url": url.to_string() }),
        secret: secret.clone(),
        shown_once: Some(secret),
    })
}

pub async fn publish(out: &Outbound<'_>) -> Result<RemotePost, CallError> {
    let body = json!({
        "type": "social.post",
        "timestamp": rfc3339(out.post.created_at),
        "data": {
            "postId": out.post.id,
            "contentId": out.post.content_id,
            "text": out.post.text,
        }
    })
    .to_string();
    let timestamp = out.now / 1000;
    let signature =
        sign::sign(out.secret, &out.post.id, timestamp, body.as_bytes()).map_err(|e| {
            CallError {
                failure: Failure::permanent(e.to_string()),
                status: None,
            }
        })?;
    let request = Request::new(Method::POST, out.setting("url")?)
        .header("webhook-id", out.post.id.clone())
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .json_text(body);
    call(out.fetcher, Platform::Webhook, request, out.now).await?;
    Ok(RemotePost {
        remote_id: out.post.id.clone(),
        url: None,
    })
}
