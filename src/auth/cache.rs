//! Recently verified keys, so a busy client does not cost a database read per request.
//!
//! Entries live for a configured time; a revoked key therefore keeps working for at most that
//! long. Revocation usually comes from the CLI, another process, so the cache cannot be told
//! directly; the time-to-live is the bound, and it is short (10 s by default, 0 disables).

use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::Principal;

/// Most keys remembered at once; past it, expired entries go, then everything if need be.
const MAX_ENTRIES: usize = 10_000;

pub struct KeyCache {
    ttl: Duration,
    entries: Mutex<HashMap<[u8; 32], (Principal, Instant)>>,
}

impl KeyCache {
    pub fn new(ttl: Duration) -> KeyCache {
        KeyCache {
            ttl,
            entries: Mutex::default(),
        }
    }

    /// The principal of a key hash verified less than the time-to-live ago.
    pub fn get(&self, hash: &[u8; 32]) -> Option<Principal> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock();
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(principal, _)| principal.clone())
    }

    pub fn put(&self, hash: [u8; 32], principal: Principal) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, at)| at.elapsed() < self.ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(hash, (principal, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Customer, KeyScope};

    fn principal() -> Principal {
        let customer = Customer {
            id: "cust_1".into(),
            email: "a@b.co".into(),
            plan: "pro".into(),
            status: "active".into(),
            brand_name: None,
            engine: None,
            trial_ends_at: None,
            created_at: 0,
        };
        Principal::new(customer, KeyScope::Member)
    }

    #[test]
    fn entries_expire_and_zero_disables() {
        let cache = KeyCache::new(Duration::from_millis(30));
        cache.put([1; 32], principal());
        assert!(cache.get(&[1; 32]).is_some());
        assert!(cache.get(&[2; 32]).is_none());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get(&[1; 32]).is_none());
        let off = KeyCache::new(Duration::ZERO);
        off.put([1; 32], principal());
        assert!(off.get(&[1; 32]).is_none());
    }

    /// A panic while the lock is held (the router catches it and answers 500) must not fail
    /// every later request that reads the cache, as a poisoned lock once did.
    #[test]
    fn a_panic_under_the_lock_does_not_break_the_cache() {
        let cache = std::sync::Arc::new(KeyCache::new(Duration::from_secs(60)));
        let held = cache.clone();
        let panicked = std::thread::spawn(move || {
            let _guard = held.entries.lock();
            panic!("a handler failed while holding the lock");
        })
        .join();
        assert!(panicked.is_err());
        cache.put([1; 32], principal());
        assert!(cache.get(&[1; 32]).is_some());
    }
}
