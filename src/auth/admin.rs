//! The admin secret that guards provisioning.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Compares a presented admin secret with the configured one without leaking, through timing,
/// how much of it matched. Hashing first makes the comparison independent of the lengths too.
pub fn secret_matches(configured: &str, presented: &str) -> bool {
    let a = Sha256::digest(configured.as_bytes());
    let b = Sha256::digest(presented.as_bytes());
    a.ct_eq(&b).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_only_the_same_secret() {
        assert!(super::secret_matches("s3cret", "s3cret"));
        assert!(!super::secret_matches("s3cret", "s3cres"));
        assert!(!super::secret_matches("s3cret", ""));
    }
}
