//! The generic webhook channel: each post is POSTed as JSON to the customer's endpoint, signed
//! the Standard Webhooks way with a secret shown once when connecting; the post's id is the
//! `webhook-id`, so the receiver can drop a repeat.

use reqwest::Method;
use serde_json::json;

use super::http::{CallError, Request, call};
use super::{ConnectError, Connected, Outbound, Platform};
use crate::clock::rfc3339;
use crate::store::RemotePost;
use crate::web::Fetcher;
use crate::webhooks::sign;

/// The channel's URL is vetted as a webhook subscription's is: its name resolved now.
pub async fn connect(fetcher: &Fetcher, url: &str) -> Result<Connected, ConnectError> {
    let url = fetcher.vet(url).await?;
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
    let signed = sign::headers(out.secret, &out.post.id, out.now / 1000, body.as_bytes())
        .map_err(|e| CallError::permanent(e.to_string()))?;
    let mut request = Request::new(Method::POST, out.setting("url")?).json_text(body);
    request.headers.extend(signed);
    call(out.fetcher, Platform::Webhook, request, out.now).await?;
    Ok(RemotePost {
        remote_id: out.post.id.clone(),
        url: None,
    })
}
