//! The `requestState` of the 2026-07-28 round trip (SEP-2322): the replies of earlier rounds,
//! carried by the client between calls and signed so that it cannot be altered.
//!
//! The state is bound to the tool it was issued for and authenticated with HMAC-SHA256 under a
//! key drawn when the process starts. A state from before a restart therefore fails the check,
//! and the client starts the exchange again, which is the safe outcome.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks request states.
pub struct StateSigner {
    key: [u8; 32],
}

/// A state that is malformed, altered or from another tool or process.
#[derive(Debug, thiserror::Error)]
#[error("requestState failed its integrity check")]
pub struct BadState;

impl StateSigner {
    pub fn new() -> StateSigner {
        let mut key = [0u8; 32];
        hex::decode_to_slice(crate::auth::random_hex(32), &mut key).expect("32 random bytes");
        StateSigner { key }
    }

    fn mac(&self, tool: &str, body: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(tool.as_bytes());
        mac.update(&[0]);
        mac.update(body.as_bytes());
        mac
    }

    /// `hex(json) . hex(mac)`: opaque to the client, cheap to check.
    pub fn sign(&self, tool: &str, answered: &BTreeMap<String, Value>) -> String {
        let body = hex::encode(serde_json::to_vec(answered).expect("JSON values serialize"));
        let tag = hex::encode(self.mac(tool, &body).finalize().into_bytes());
        format!("{body}.{tag}")
    }

    pub fn verify(&self, tool: &str, state: &str) -> Result<BTreeMap<String, Value>, BadState> {
        let (body, tag) = state.split_once('.').ok_or(BadState)?;
        let tag = hex::decode(tag).map_err(|_| BadState)?;
        self.mac(tool, body)
            .verify_slice(&tag)
            .map_err(|_| BadState)?;
        let json = hex::decode(body).map_err(|_| BadState)?;
        serde_json::from_slice(&json).map_err(|_| BadState)
    }
}

impl Default for StateSigner {
    fn default() -> Self {
        StateSigner::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_refuses_changes() {
        let signer = StateSigner::new();
        let answered: BTreeMap<String, Value> =
            [("step1".to_owned(), json!({"action": "accept"}))].into();
        let state = signer.sign("tool", &answered);
        assert_eq!(signer.verify("tool", &state).unwrap(), answered);
        assert!(
            signer.verify("other_tool", &state).is_err(),
            "bound to its tool"
        );
        assert!(signer.verify("tool", &format!("{state}-TAMPERED")).is_err());
        let (body, tag) = state.split_once('.').unwrap();
        let forged = format!("{}.{tag}", hex::encode(b"{}"));
        assert!(signer.verify("tool", &forged).is_err());
        assert!(signer.verify("tool", body).is_err());
        assert!(
            StateSigner::new().verify("tool", &state).is_err(),
            "another process's key"
        );
    }
}
