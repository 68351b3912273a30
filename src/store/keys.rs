//! API keys. Only a SHA-256 hash of each key is stored, with a short prefix for display, so a
//! copy of the database does not hand out working keys.

use async_trait::async_trait;

use std::fmt;
use std::str::FromStr;

use super::{Customer, Millis, NewCustomer, StoreResult};

/// What a key may do. Ordered: each scope includes everything the ones before it allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyScope {
    /// Reads only.
    ReadOnly,
    /// Reads and writes the customer's marketing data.
    Member,
    /// Everything, including managing the customer's keys.
    Owner,
}

impl KeyScope {
    pub const ALL: [KeyScope; 3] = [KeyScope::ReadOnly, KeyScope::Member, KeyScope::Owner];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::ReadOnly => "read-only",
            KeyScope::Member => "member",
            KeyScope::Owner => "owner",
        }
    }
}

impl fmt::Display for KeyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyScope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeyScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| format!("unknown scope {s:?} (expected owner, member or read-only)"))
    }
}

/// A stored key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: String,
    pub customer_id: String,
    pub prefix: String,
    pub scope: KeyScope,
    pub label: String,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}

/// A key to store: its hash and how to show it.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub id: String,
    pub hash: [u8; 32],
    pub prefix: String,
    pub scope: KeyScope,
    pub label: String,
    pub created_at: Millis,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Creates a customer and its first (owner) key in one transaction.
    async fn create_customer(&self, customer: NewCustomer, key: NewKey) -> StoreResult<()>;

    /// Creates the local customer unless one exists. Answers true when it was created now, in
    /// which case the caller shows the new key once.
    async fn ensure_local_customer(&self, customer: NewCustomer, key: NewKey) -> StoreResult<bool>;

    /// Adds a key to an existing customer, with the event that announces it if any
    /// (`team.invited`), in one transaction.
    async fn add_key(
        &self,
        customer_id: &str,
        key: NewKey,
        event: Option<super::NewEvent>,
    ) -> StoreResult<()>;

    /// The live key with this hash and the customer it belongs to.
    async fn key_by_hash(&self, hash: [u8; 32]) -> StoreResult<Option<(ApiKeyRecord, Customer)>>;

    /// Every key of a customer, newest first, revoked ones included.
    async fn keys(&self, customer_id: &str) -> StoreResult<Vec<ApiKeyRecord>>;

    /// Revokes a key of this customer, with the event that announces it if any
    /// (`team.revoked`), in one transaction. Revoking twice is harmless; a key of another
    /// customer is reported as not found so ids cannot be probed; the last live owner key is
    /// refused (`Conflict`), since nobody could manage the account without it.
    async fn revoke_key(
        &self,
        customer_id: &str,
        key_id: &str,
        at: Millis,
        event: Option<super::NewEvent>,
    ) -> StoreResult<()>;
}
