//! Open pixels and click redirects, off unless a sequence turns them on (`tracking`), since
//! both report a person's reading to the sender.
//!
//! A click link carries the send and the URL it leads to, tagged with the server's MAC: the
//! redirect follows only a link this server wrote into a message, so `/c/…` is no open
//! redirect, and a changed URL or send fails the tag. An open pixel carries the send alone.
//! Each send's first open and each URL's first click count toward the lead's intent.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use regex::Regex;

use crate::error::Error;
use crate::leads::intent::Action;
use crate::store::{LeadAction, Millis, Store};
use crate::vault::Vault;

const CLICK: &str = "sequence-click";
const OPEN: &str = "sequence-open";
/// Bytes of the tag kept in a link: 128 bits.
const TAG: usize = 16;

fn token(vault: &Vault, purpose: &str, data: &str) -> String {
    let tag = vault.mac(purpose, data.as_bytes());
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(data),
        URL_SAFE_NO_PAD.encode(&tag[..TAG])
    )
}

fn read(vault: &Vault, purpose: &str, token: &str) -> Option<String> {
    let (data, tag) = token.split_once('.')?;
    let data = URL_SAFE_NO_PAD.decode(data).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    vault
        .verify_mac(purpose, &data, &tag)
        .then(|| String::from_utf8(data).ok())
        .flatten()
}

/// The URLs of a text: http(s), up to whitespace or a closing bracket or quote, without the
/// punctuation that ends a sentence.
fn urls() -> &'static Regex {
    static URLS: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    URLS.get_or_init(|| Regex::new(r#"https?://[^\s<>"'()\[\]]+"#).expect("a valid pattern"))
}

/// `text` with each URL replaced by a click link of `send` under `base`.
pub fn rewrite(text: &str, vault: &Vault, send: &str, base: &str) -> String {
    urls()
        .replace_all(text, |found: &regex::Captures<'_>| {
            let whole = &found[0];
            let url = whole.trim_end_matches(['.', ',', ';', ':', '!', '?']);
            let tail = &whole[url.len()..];
            format!(
                "{base}/c/{}{tail}",
                token(vault, CLICK, &format!("{send}\n{url}"))
            )
        })
        .into_owned()
}

/// The open pixel's URL for `send`.
pub fn pixel(vault: &Vault, send: &str, base: &str) -> String {
    format!("{base}/o/{}", token(vault, OPEN, send))
}

/// The send and URL of a click link this server wrote, or `None`.
pub fn read_click(vault: &Vault, token: &str) -> Option<(String, String)> {
    let data = read(vault, CLICK, token)?;
    let (send, url) = data.split_once('\n')?;
    (url.starts_with("https://") || url.starts_with("http://"))
        .then(|| (send.to_owned(), url.to_owned()))
}

/// The send of an open pixel this server wrote, or `None`.
pub fn read_open(vault: &Vault, token: &str) -> Option<String> {
    read(vault, OPEN, token)
}

/// Counts a click or an open of `send` for its lead, once per send (and URL); nothing when the
/// send or its lead is gone.
pub async fn record(
    store: &Store,
    send: &str,
    action: Action,
    detail: String,
    now: Millis,
) -> Result<(), Error> {
    let Some(ctx) = store.send_context(send).await? else {
        return Ok(());
    };
    store
        .add_lead_action_once(
            &ctx.send.customer_id,
            LeadAction {
                lead_id: ctx.lead.id,
                action: action.as_str().into(),
                at: now,
                detail: Some(detail),
            },
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_rewritten_and_only_the_servers_own_are_followed() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let text = "See https://acme.example/guide?x=1. Or (https://acme.example/b), bye.";
        let out = rewrite(text, &vault, "snd_1", "https://cmo.example");
        assert!(!out.contains("acme.example"), "{out}");
        assert!(out.contains(". Or (https://cmo.example/c/"), "{out}");
        assert_eq!(out.matches("https://cmo.example/c/").count(), 2);
        let first = out
            .split("https://cmo.example/c/")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .trim_end_matches('.');
        assert_eq!(
            read_click(&vault, first),
            Some(("snd_1".into(), "https://acme.example/guide?x=1".into()))
        );
        // Another URL under the same tag, or another server's key: refused.
        let (_, tag) = first.split_once('.').unwrap();
        let forged = format!(
            "{}.{tag}",
            URL_SAFE_NO_PAD.encode("snd_1\nhttps://evil.example/")
        );
        assert_eq!(read_click(&vault, &forged), None);
        let other = Vault::from_hex(&"22".repeat(32)).unwrap();
        assert_eq!(read_click(&other, first), None);
        let pixel = pixel(&vault, "snd_1", "https://cmo.example");
        let open = pixel.rsplit('/').next().unwrap();
        assert_eq!(read_open(&vault, open).as_deref(), Some("snd_1"));
        assert_eq!(read_click(&vault, open), None, "an open is not a click");
    }
}
