//! LinkedIn (Posts API): `GET /v2/userinfo` to find the member when no author is given, and
//! `POST /rest/posts` with the versioned headers to publish; the new post's URN comes back in
//! the `x-restli-id` header.
//!
//! `commentary` is LinkedIn's "little text" format, in which `\ | { } @ [ ] ( ) < > # * _ ~`
//! are markup: they are escaped so the text appears as written.

use reqwest::Method;
use serde_json::json;

use super::http::{CallError, Request, call, field, json};
use super::{ConnectError, Connected, Outbound, Platform};
use crate::jobs::Failure;
use crate::store::Millis;
use crate::store::RemotePost;
use crate::web::Fetcher;

pub const DEFAULT_BASE: &str = "https://api.linkedin.com";
/// The API version sent when the connection names none (versions live about a year).
const DEFAULT_VERSION: &str = "202610";

pub async fn connect(
    fetcher: &Fetcher,
    api: &str,
    token: String,
    author: Option<String>,
    version: Option<String>,
    now: Millis,
) -> Result<Connected, ConnectError> {
    let version = version.unwrap_or_else(|| DEFAULT_VERSION.into());
    if version.len() != 6 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ConnectError::Invalid(format!(
            "apiVersion {version:?} is not YYYYMM"
        )));
    }
    let (author, account) = match author {
        Some(author)
            if author.starts_with("urn:li:person:")
                || author.starts_with("urn:li:organization:") =>
        {
            (author.clone(), author)
        }
        Some(other) => {
            return Err(ConnectError::Invalid(format!(
                "author {other:?} is not urn:li:person:… or urn:li:organization:…"
            )));
        }
        None => {
            let request = Request::new(Method::GET, format!("{api}/v2/userinfo")).bearer(&token);
            let answer = call(fetcher, Platform::Linkedin, request, now).await?;
            let body = json(Platform::Linkedin, &answer)?;
            let member = field(Platform::Linkedin, &body, "/sub")?;
            let name = body["name"].as_str().unwrap_or(&member).to_owned();
            (format!("urn:li:person:{member}"), name)
        }
    };
    Ok(Connected {
        account,
        config: json!({ "baseUrl": api, "author": author, "apiVersion": version }),
        secret: token,
        shown_once: None,
    })
}

/// Escapes the characters "little text" treats as markup.
pub fn little_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '|'
                | '{'
                | '}'
                | '@'
                | '['
                | ']'
                | '('
                | ')'
                | '<'
                | '>'
                | '#'
                | '*'
                | '_'
                | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub async fn publish(out: &Outbound<'_>) -> Result<RemotePost, CallError> {
    let api = out.setting("baseUrl")?;
    let request = Request::new(Method::POST, format!("{api}/rest/posts"))
        .bearer(out.secret)
        .header("linkedin-version", out.setting("apiVersion")?)
        .header("x-restli-protocol-version", "2.0.0")
        .json(json!({
            "author": out.setting("author")?,
            "commentary": little_text(&out.post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": []
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false
        }));
    let answer = call(out.fetcher, Platform::Linkedin, request, out.now).await?;
    let urn = answer
        .header("x-restli-id")
        .map(str::to_owned)
        .ok_or_else(|| CallError {
            failure: Failure::from(format!(
                "LinkedIn answered {} without x-restli-id",
                answer.status
            )),
            status: Some(answer.status),
            url_refused: false,
        })?;
    Ok(RemotePost {
        url: Some(format!("https://www.linkedin.com/feed/update/{urn}/")),
        remote_id: urn,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            super::little_text("Save 20% (today) #launch @team"),
            r"Save 20% \(today\) \#launch \@team"
        );
    }
}
