//! Bluesky (AT Protocol): `com.atproto.server.createSession` with an app password, then
//! `com.atproto.repo.createRecord` of an `app.bsky.feed.post` with link facets.
//!
//! A post's record key is a TID derived from the post itself, so every attempt writes the same
//! record. Before trying again after a failed or lost attempt, the record is looked up
//! (`com.atproto.repo.getRecord`): if the earlier attempt did land, it is reported as published
//! rather than posted twice.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::http::{CallError, Request, call, field, json};
use super::length::links;
use super::{ConnectError, Connected, Outbound, Platform};
use crate::clock::rfc3339;
use crate::store::RemotePost;
use crate::store::{Millis, PostRecord};
use crate::web::Fetcher;

pub const DEFAULT_SERVICE: &str = "https://bsky.social";
const COLLECTION: &str = "app.bsky.feed.post";
/// How long a session's access token is reused (Bluesky's live about two hours).
const SESSION_REUSE: Duration = Duration::from_secs(30 * 60);

/// Access tokens by account, so a batch of posts does not open a session each (Bluesky limits
/// `createSession` to a few dozen per account and five minutes).
#[derive(Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, (Session, Instant)>>,
}

#[derive(Debug, Clone)]
struct Session {
    did: String,
    access_jwt: String,
}

impl Sessions {
    fn get(&self, key: &str) -> Option<Session> {
        let open = self.open.lock();
        open.get(key)
            .filter(|(_, at)| at.elapsed() < SESSION_REUSE)
            .map(|(session, _)| session.clone())
    }

    fn put(&self, key: String, session: Session) {
        self.open.lock().insert(key, (session, Instant::now()));
    }

    fn forget(&self, key: &str) {
        self.open.lock().remove(key);
    }
}

async fn create_session(
    fetcher: &Fetcher,
    service: &str,
    handle: &str,
    password: &str,
    now: Millis,
) -> Result<(Session, String), CallError> {
    let request = Request::new(
        Method::POST,
        format!("{service}/xrpc/com.atproto.server.createSession"),
    )
    .json(json!({ "identifier": handle, "password": password }));
    let answer = call(fetcher, Platform::Bluesky, request, now).await?;
    let body = json(Platform::Bluesky, &answer)?;
    let session = Session {
        did: field(Platform::Bluesky, &body, "/did")?,
        access_jwt: field(Platform::Bluesky, &body, "/accessJwt")?,
    };
    let handle = body["handle"].as_str().unwrap_or(handle).to_owned();
    Ok((session, handle))
}

pub async fn connect(
    fetcher: &Fetcher,
    service: &str,
    handle: String,
    password: String,
    now: Millis,
) -> Result<Connected, ConnectError> {
    let handle = handle.trim().trim_start_matches('@').to_owned();
    let (session, handle) = create_session(fetcher, service, &handle, &password, now).await?;
    Ok(Connected {
        account: handle.clone(),
        config: json!({ "serviceUrl": service, "handle": handle, "did": session.did }),
        secret: password,
        shown_once: None,
    })
}

/// A TID (the AT Protocol's timestamp identifier) for a post: its creation time in microseconds
/// and a clock id, both mixed with a hash of the post's id so two posts made in the same
/// millisecond differ, encoded base32-sortable in 13 characters.
pub fn record_key(post: &PostRecord) -> String {
    const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
    let hash = Sha256::digest(post.id.as_bytes());
    let salt = u64::from_be_bytes(hash[..8].try_into().expect("8 bytes"));
    let micros = (post.created_at.max(0) as u64) * 1000 + salt % 1000;
    let clock = (salt >> 32) % 1024;
    let mut value = ((micros & ((1 << 53) - 1)) << 10) | clock;
    let mut key = [0u8; 13];
    for slot in key.iter_mut().rev() {
        *slot = ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    String::from_utf8(key.to_vec()).expect("ASCII")
}

/// Link facets: the byte range of each URL in the text and where it points.
fn facets(text: &str) -> Vec<Value> {
    links(text)
        .into_iter()
        .map(|range| {
            json!({
                "index": { "byteStart": range.start, "byteEnd": range.end },
                "features": [{ "$type": "app.bsky.richtext.facet#link", "uri": &text[range] }]
            })
        })
        .collect()
}

fn published(handle: &str, rkey: &str, uri: String) -> RemotePost {
    RemotePost {
        url: Some(format!("https://bsky.app/profile/{handle}/post/{rkey}")),
        remote_id: uri,
    }
}

pub async fn publish(out: &Outbound<'_>, sessions: &Sessions) -> Result<RemotePost, CallError> {
    let service = out.setting("serviceUrl")?;
    let handle = out.setting("handle")?;
    let key = format!("{}|{service}|{handle}", out.post.customer_id);
    let session = match sessions.get(&key) {
        Some(session) => session,
        None => {
            let (session, _) =
                create_session(out.fetcher, service, handle, out.secret, out.now).await?;
            sessions.put(key.clone(), session.clone());
            session
        }
    };
    let rkey = record_key(out.post);
    if out.attempt > 1
        && let Some(uri) = existing(out, service, &session, &rkey).await?
    {
        return Ok(published(handle, &rkey, uri));
    }
    let mut record = json!({
        "$type": COLLECTION,
        "text": out.post.text,
        "createdAt": rfc3339(out.post.created_at),
    });
    let facets = facets(&out.post.text);
    if !facets.is_empty() {
        record["facets"] = Value::Array(facets);
    }
    let request = Request::new(
        Method::POST,
        format!("{service}/xrpc/com.atproto.repo.createRecord"),
    )
    .bearer(&session.access_jwt)
    .json(json!({ "repo": session.did, "collection": COLLECTION, "rkey": rkey, "record": record }));
    match call(out.fetcher, Platform::Bluesky, request, out.now).await {
        Ok(answer) => {
            let body = json(Platform::Bluesky, &answer)?;
            Ok(published(
                handle,
                &rkey,
                field(Platform::Bluesky, &body, "/uri")?,
            ))
        }
        Err(error) => {
            // An expired or revoked session: open a new one on the next attempt.
            if matches!(error.status, Some(400 | 401)) && error.failure.message.contains("Token") {
                sessions.forget(&key);
                return Err(CallError {
                    failure: crate::jobs::Failure::from(error.failure.message),
                    status: error.status,
                    url_refused: false,
                });
            }
            Err(error)
        }
    }
}

/// The record's URI when an earlier attempt already created it.
async fn existing(
    out: &Outbound<'_>,
    service: &str,
    session: &Session,
    rkey: &str,
) -> Result<Option<String>, CallError> {
    let mut url = url::Url::parse(&format!("{service}/xrpc/com.atproto.repo.getRecord"))
        .map_err(|e| CallError::permanent(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("repo", &session.did)
        .append_pair("collection", COLLECTION)
        .append_pair("rkey", rkey);
    let request = Request::new(Method::GET, url.to_string()).bearer(&session.access_jwt);
    match call(out.fetcher, Platform::Bluesky, request, out.now).await {
        Ok(answer) => {
            let body = json(Platform::Bluesky, &answer)?;
            Ok(Some(field(Platform::Bluesky, &body, "/uri")?))
        }
        Err(error)
            if matches!(error.status, Some(400 | 404))
                && error.failure.message.contains("RecordNotFound") =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: &str, created_at: Millis) -> PostRecord {
        PostRecord {
            id: id.into(),
            customer_id: "c".into(),
            content_id: None,
            platform: "bluesky".into(),
            text: String::new(),
            state: "queued".into(),
            run_at: 0,
            remote_id: None,
            url: None,
            error: None,
            created_at,
            updated_at: 0,
            published_at: None,
        }
    }

    #[test]
    fn record_keys_are_stable_sortable_tids() {
        let a = record_key(&post("post_a", 1_700_000_000_000));
        assert_eq!(a, record_key(&post("post_a", 1_700_000_000_000)));
        assert_eq!(a.len(), 13);
        assert!(
            a.bytes()
                .all(|b| b"234567abcdefghijklmnopqrstuvwxyz".contains(&b))
        );
        assert!(
            matches!(a.as_bytes()[0], b'2'..=b'7' | b'a'..=b'b'),
            "top bit clear"
        );
        assert_ne!(a, record_key(&post("post_b", 1_700_000_000_000)));
        assert!(
            record_key(&post("post_a", 1_700_000_100_000)) > a,
            "later sorts later"
        );
    }

    #[test]
    fn links_become_facets_with_byte_offsets() {
        let text = "Café guide → https://example.com/guide.";
        let facets = facets(text);
        let start = text.find("https").unwrap();
        assert_eq!(facets[0]["index"]["byteStart"], start);
        assert_eq!(facets[0]["index"]["byteEnd"], text.len() - 1);
        assert_eq!(facets[0]["features"][0]["uri"], "https://example.com/guide");
    }
}
