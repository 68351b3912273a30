//! Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`,
//! where each `v1` is HMAC-SHA256 keyed with the whole endpoint secret (`whsec_…`, as text)
//! over `"{t}.{raw body}"`. Several `v1` appear while a secret is being rolled; any may match.
//! `v0` and other schemes are ignored, as Stripe's own libraries do.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's time may be from ours, in seconds (Stripe's libraries' default).
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the Stripe-Signature header has no t= timestamp")]
    NoTimestamp,
    #[error("the Stripe-Signature header has no v1 signature")]
    NoSignature,
    #[error(
        "the signature is {0} s from this server's clock, more than the {TOLERANCE_SECONDS} s allowed"
    )]
    Stale(i64),
    #[error("no v1 signature matches this endpoint's secret")]
    Mismatch,
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header Stripe would send for `body` at `timestamp`: what tests sign their events with.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Verifies `header` over the raw `body`; answers the signed timestamp.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<i64, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = Some(value),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let text = timestamp.ok_or(SignatureError::NoTimestamp)?;
    let signed: i64 = text.parse().map_err(|_| SignatureError::NoTimestamp)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    let expected = mac(secret, text, body);
    // verify_slice compares in constant time.
    let matched = signatures.iter().any(|candidate| {
        hex::decode(candidate).is_ok_and(|tag| expected.clone().verify_slice(&tag).is_ok())
    });
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if (now - signed).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale(now - signed));
    }
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret_for_heycmo";
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event"}"#;
    /// Computed with Python's hmac module, independently of this code:
    /// hmac.new(SECRET, b"1700000000." + BODY, sha256).hexdigest()
    const VECTOR: &str = "0f33cec0c0c0f32841167dcc9f1f72ce19863a4c8ec1d308bfc88be62640103c";

    #[test]
    fn the_known_vector_verifies_and_signs() {
        let header = format!("t=1700000000,v1={VECTOR}");
        assert_eq!(
            verify(SECRET, &header, BODY, 1_700_000_100),
            Ok(1_700_000_000)
        );
        assert_eq!(sign(SECRET, 1_700_000_000, BODY), header);
    }

    #[test]
    fn any_v1_may_match_and_v0_is_ignored() {
        let header = format!("t=1700000000,v0=abcd,v1={},v1={VECTOR}", "00".repeat(32));
        assert!(verify(SECRET, &header, BODY, 1_700_000_000).is_ok());
    }

    #[test]
    fn tampering_staleness_and_junk_are_refused() {
        let header = format!("t=1700000000,v1={VECTOR}");
        let tampered = br#"{"id":"evt_2","object":"event"}"#;
        assert_eq!(
            verify(SECRET, &header, tampered, 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_other", &header, BODY, 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, BODY, 1_700_000_301),
            Err(SignatureError::Stale(301))
        );
        // A replayed header with a new timestamp no longer matches its signature.
        let moved = format!("t=1700000400,v1={VECTOR}");
        assert_eq!(
            verify(SECRET, &moved, BODY, 1_700_000_400),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, "v1=00", BODY, 0),
            Err(SignatureError::NoTimestamp)
        );
        assert_eq!(
            verify(SECRET, "t=1", BODY, 1),
            Err(SignatureError::NoSignature)
        );
        assert_eq!(
            verify(SECRET, "t=1,v1=zz", BODY, 1),
            Err(SignatureError::Mismatch)
        );
    }
}
