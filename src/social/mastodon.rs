//! Mastodon: `GET /api/v1/accounts/verify_credentials` to connect, `POST /api/v1/statuses` to
//! publish, with the post's id as `Idempotency-Key` so a retry after a lost answer (or a crash)
//! does not post twice: Mastodon answers the first status again for an hour.

use reqwest::Method;
use serde_json::json;

use super::http::{CallError, Request, call, field, json};
use super::{ConnectError, Connected, Outbound, Platform};
use crate::store::Millis;
use crate::store::RemotePost;
use crate::web::Fetcher;

pub async fn connect(
    fetcher: &Fetcher,
    instance: &str,
    token: String,
    now: Millis,
) -> Result<Connected, ConnectError> {
    let request = Request::new(
        Method::GET,
        format!("{instance}/api/v1/accounts/verify_credentials"),
    )
    .bearer(&token);
    let answer = call(fetcher, Platform::Mastodon, request, now).await?;
    let body = json(Platform::Mastodon, &answer)?;
    let acct = field(Platform::Mastodon, &body, "/acct")?;
    let host = url::Url::parse(instance)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let account = if acct.contains('@') {
        format!("@{acct}")
    } else {
        format!("@{acct}@{host}")
    };
    Ok(Connected {
        account,
        config: json!({ "instanceUrl": instance }),
        secret: token,
        shown_once: None,
    })
}

pub async fn publish(out: &Outbound<'_>) -> Result<RemotePost, CallError> {
    let instance = out.setting("instanceUrl")?;
    let request = Request::new(Method::POST, format!("{instance}/api/v1/statuses"))
        .bearer(out.secret)
        .header("idempotency-key", out.post.id.clone())
        .json(json!({ "status": out.post.text, "visibility": "public" }));
    let answer = call(out.fetcher, Platform::Mastodon, request, out.now).await?;
    let body = json(Platform::Mastodon, &answer)?;
    Ok(RemotePost {
        remote_id: field(Platform::Mastodon, &body, "/id")?,
        url: body["url"].as_str().map(str::to_owned),
    })
}
