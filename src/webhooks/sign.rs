//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the receiver checks the
//! `webhook-signature` header, an HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`
//! keyed by the subscription's `whsec_` secret, and refuses timestamps outside a short window
//! so a captured request cannot be replayed later.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::header::HeaderName;
use sha2::Sha256;

/// Secrets are shown as this prefix and the base64 of their bytes.
pub const SECRET_PREFIX: &str = "whsec_";

/// How far a timestamp may be from the receiver's clock, in seconds.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the secret is not whsec_ followed by base64")]
    BadSecret,
    #[error("the timestamp is not a number of seconds")]
    BadTimestamp,
    #[error(
        "the timestamp is outside the {TOLERANCE_SECONDS} s window (a replay or a wrong clock)"
    )]
    Stale,
    #[error("no v1 signature matches")]
    Mismatch,
}

/// A fresh secret: 32 random bytes.
pub fn new_secret() -> String {
    let bytes = hex::decode(crate::auth::random_hex(32)).expect("hex from random_hex");
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

fn key(secret: &str) -> Result<Vec<u8>, VerifyError> {
    STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .map_err(|_| VerifyError::BadSecret)
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `webhook-signature` header value for one attempt.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, VerifyError> {
    let tag = mac(&key(secret)?, id, timestamp, body)
        .finalize()
        .into_bytes();
    Ok(format!("v1,{}", STANDARD.encode(tag)))
}

/// The three Standard Webhooks headers of one attempt: `webhook-id`, `webhook-timestamp` (Unix
/// seconds) and `webhook-signature`.
pub fn headers(
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<[(HeaderName, String); 3], VerifyError> {
    Ok([
        (HeaderName::from_static("webhook-id"), id.to_owned()),
        (
            HeaderName::from_static("webhook-timestamp"),
            timestamp.to_string(),
        ),
        (
            HeaderName::from_static("webhook-signature"),
            sign(secret, id, timestamp, body)?,
        ),
    ])
}

/// Checks the three headers against the body, as a receiver does; `now` in Unix seconds.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let key = key(secret)?;
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(VerifyError::Stale);
    }
    let matches = signatures
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|tag| mac(&key, id, timestamp, body).verify_slice(&tag).is_ok());
    if matches {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the Standard Webhooks specification.
    #[test]
    fn signs_the_specification_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(secret, id, 1614265330, body).unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let header = format!("v1,bm9wZQ== {signature}");
        assert_eq!(
            verify(secret, id, "1614265330", &header, body, 1614265330 + 10),
            Ok(())
        );
        assert_eq!(
            verify(secret, id, "1614265330", &signature, body, 1614265330 + 301),
            Err(VerifyError::Stale)
        );
        assert_eq!(
            verify(secret, id, "1614265330", &signature, b"{}", 1614265330),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(
                secret,
                "msg_other",
                "1614265330",
                &signature,
                body,
                1614265330
            ),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn fresh_secrets_differ_and_work() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX));
        let signature = sign(&a, "msg_1", 5, b"x").unwrap();
        assert_eq!(verify(&a, "msg_1", "5", &signature, b"x", 5), Ok(()));
        assert_eq!(
            verify(&b, "msg_1", "5", &signature, b"x", 5),
            Err(VerifyError::Mismatch)
        );
    }
}
