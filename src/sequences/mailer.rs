//! The SMTP side: `--smtp-url` and `--mail-from`, one pooled lettre transport, and what a
//! failure means for the send (a 5xx reply is final, anything else is tried again).
//!
//! `smtp://` means STARTTLS, required, as on a submission port; only a relay on the loopback
//! interface (a local MTA, the tests' server) is spoken to in plain text. `smtps://` is TLS
//! from the first byte. The URL's password is never logged or shown.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::message;

/// How long one SMTP exchange may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A send the SMTP server refused or that did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// The server refused it for good (a 5xx reply): retrying cannot help.
    pub permanent: bool,
    pub message: String,
}

/// Mail out, when configured.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer(from {})", self.from)
    }
}

/// The URL lettre is given: STARTTLS required for `smtp://` unless the host is loopback or
/// the URL says otherwise.
fn transport_url(raw: &str) -> Result<String, String> {
    let mut url = url::Url::parse(raw).map_err(|e| format!("--smtp-url is not a URL: {e}"))?;
    match url.scheme() {
        "smtp" | "smtps" => {}
        other => {
            return Err(format!(
                "--smtp-url must be smtp:// (STARTTLS) or smtps:// (TLS), not {other}://"
            ));
        }
    }
    // smtp is not a special scheme to the URL parser: its host is always a name.
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("--smtp-url names no host")?;
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let tls_given = url.query_pairs().any(|(k, _)| k == "tls");
    if url.scheme() == "smtp" && !tls_given && !loopback {
        url.query_pairs_mut().append_pair("tls", "required");
    }
    Ok(url.to_string())
}

impl Mailer {
    /// The mailer of `--smtp-url` and `--mail-from`, or why it cannot be made.
    pub fn new(smtp_url: &str, mail_from: &str) -> Result<Mailer, String> {
        let from = message::mailbox(mail_from).map_err(|e| format!("--mail-from: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&transport_url(smtp_url)?)
            .map_err(|e| format!("--smtp-url cannot be used: {e}"))?
            .timeout(Some(TIMEOUT))
            .build();
        Ok(Mailer { transport, from })
    }

    /// Sends one message and answers once the server accepted it.
    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: format!("SMTP: {e}"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_smtp_is_upgraded_to_required_starttls_except_on_loopback() {
        assert_eq!(
            transport_url("smtp://user:pw@mail.example:587").unwrap(),
            "smtp://user:pw@mail.example:587?tls=required"
        );
        assert_eq!(
            transport_url("smtp://127.0.0.1:2525").unwrap(),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            transport_url("smtp://mail.example?tls=opportunistic").unwrap(),
            "smtp://mail.example?tls=opportunistic"
        );
        assert_eq!(
            transport_url("smtps://mail.example").unwrap(),
            "smtps://mail.example"
        );
        assert!(transport_url("http://mail.example").is_err());
        assert!(Mailer::new("smtp://127.0.0.1:2525", "not a mailbox").is_err());
    }
}
