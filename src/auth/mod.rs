//! API keys and who a request acts for.
//!
//! A key is `hcmo_live_` followed by 64 lowercase hex characters from the operating system's
//! CSPRNG. The server keeps only its SHA-256 hash, so a stolen database holds no usable key,
//! and a short prefix so people can tell their keys apart.

pub mod admin;
mod cache;
pub mod csrf;
pub mod people;

pub use cache::KeyCache;

use std::sync::Arc;

use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::error::Error;
use crate::store::{ApiKeyRecord, Customer, KeyScope, NewKey, Store};

/// Every key starts with this.
pub const KEY_PREFIX: &str = "hcmo_live_";

/// Random lowercase hex of `bytes` bytes from the operating system's generator.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng
        .try_fill_bytes(&mut buf)
        .expect("the operating system's random generator failed");
    hex::encode(buf)
}

/// A freshly minted key: the secret to show once and the record to store.
pub struct MintedKey {
    pub secret: String,
    pub record: NewKey,
}

/// Mints a key with the given scope and label.
pub fn mint_key(scope: KeyScope, label: &str, clock: &dyn Clock) -> MintedKey {
    let secret = format!("{KEY_PREFIX}{}", random_hex(32));
    let record = NewKey {
        id: format!("key_{}", random_hex(8)),
        hash: hash_key(&secret),
        prefix: display_prefix(&secret),
        scope,
        label: label.to_owned(),
        created_at: clock.now_millis(),
    };
    MintedKey { secret, record }
}

/// SHA-256 of the whole key. Keys carry 256 bits of entropy, so a fast hash is enough: there is
/// nothing to brute-force that a slow hash would protect.
pub fn hash_key(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// What a person sees of a key: the fixed prefix and four characters.
fn display_prefix(secret: &str) -> String {
    format!("{}…", &secret[..KEY_PREFIX.len() + 4])
}

/// True when `token` has the shape of a key; lets us refuse junk without a database read.
pub fn looks_like_key(token: &str) -> bool {
    token.strip_prefix(KEY_PREFIX).is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The customer a request acts for, and with which rights.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Shared, because a principal is cloned into every call's context.
    pub customer: Arc<Customer>,
    pub scope: KeyScope,
}

impl Principal {
    /// A principal with full rights, for local use (stdio, the CLI) where the operator is the user.
    pub fn local(customer: Customer) -> Principal {
        Principal::new(customer, KeyScope::Owner)
    }

    pub fn new(customer: Customer, scope: KeyScope) -> Principal {
        Principal {
            customer: Arc::new(customer),
            scope,
        }
    }

    /// Refuses unless this principal acts for `customer_id`.
    pub fn ensure_customer(&self, customer_id: &str) -> Result<(), Error> {
        if self.customer.id == customer_id {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "This key cannot access that customer".into(),
            ))
        }
    }

    /// Refuses unless the key's scope includes `needed`.
    pub fn ensure_scope(&self, needed: KeyScope) -> Result<(), Error> {
        if self.scope >= needed {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "This key has scope {}; the request needs {needed}",
                self.scope
            )))
        }
    }
}

/// Resolves a presented token to its principal, from the cache when it was verified recently.
pub async fn authenticate(
    store: &Store,
    cache: &KeyCache,
    token: &str,
) -> Result<Principal, Error> {
    if !looks_like_key(token) {
        return Err(Error::InvalidKey);
    }
    let hash = hash_key(token);
    if let Some(principal) = cache.get(&hash) {
        return Ok(principal);
    }
    let (key, customer): (ApiKeyRecord, Customer) =
        store.key_by_hash(hash).await?.ok_or(Error::InvalidKey)?;
    let principal = Principal::new(customer, key.scope);
    cache.put(hash, principal.clone());
    Ok(principal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    #[test]
    fn minted_keys_have_the_contract_shape_and_differ() {
        let a = mint_key(KeyScope::Owner, "", &SystemClock);
        let b = mint_key(KeyScope::Owner, "", &SystemClock);
        assert!(looks_like_key(&a.secret), "{}", a.secret);
        assert_eq!(a.secret.len(), KEY_PREFIX.len() + 64);
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.record.hash, hash_key(&a.secret));
        assert!(!a.record.prefix.contains(&a.secret[KEY_PREFIX.len() + 4..]));
    }

    #[test]
    fn junk_tokens_are_not_keys() {
        assert!(!looks_like_key("hcmo_live_"));
        assert!(!looks_like_key(&format!("hcmo_live_{}", "A".repeat(64))));
        assert!(!looks_like_key(&format!("hcmo_test_{}", "a".repeat(64))));
        assert!(looks_like_key(&format!("hcmo_live_{}", "a".repeat(64))));
    }
}
