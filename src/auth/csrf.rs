//! CSRF tokens for the pages' forms: an HMAC, under the server key, of what the form belongs
//! to (a person's session, a sign-up), so nothing is stored and a token made for one session
//! is refused in another. A cross-site page cannot read it, so it cannot post it.

use crate::vault::Vault;

const PURPOSE: &str = "csrf";

/// The token the forms of `binding` carry.
pub fn token(vault: &Vault, binding: &str) -> String {
    hex::encode(vault.mac(PURPOSE, binding.as_bytes()))
}

/// True when `presented` is `binding`'s token; compared in constant time.
pub fn verify(vault: &Vault, binding: &str, presented: &str) -> bool {
    hex::decode(presented).is_ok_and(|tag| vault.verify_mac(PURPOSE, binding.as_bytes(), &tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_for_its_binding() {
        let vault = Vault::from_hex(&"ab".repeat(32)).unwrap();
        let token = token(&vault, "session-a");
        assert!(verify(&vault, "session-a", &token));
        assert!(!verify(&vault, "session-b", &token));
        assert!(!verify(&vault, "session-a", "zz"));
        assert!(!verify(&vault, "session-a", ""));
    }
}
