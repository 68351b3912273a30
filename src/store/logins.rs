//! People's sign-ins to the pages: sessions (a cookie's hash, bound to the key the person
//! signed in with, so its role applies and revoking the key ends the session) and one-time
//! sign-in links.

use async_trait::async_trait;

use super::{ApiKeyRecord, Customer, Millis, StoreResult};

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait LoginStore: Send + Sync {
    /// Records a session: the SHA-256 of its cookie, the key it acts with, until `expires_at`.
    async fn create_login(
        &self,
        hash: [u8; 32],
        key_id: &str,
        created_at: Millis,
        expires_at: Millis,
    ) -> StoreResult<()>;

    /// The live session with this hash: its key (not revoked) and customer.
    async fn login(
        &self,
        hash: [u8; 32],
        now: Millis,
    ) -> StoreResult<Option<(ApiKeyRecord, Customer)>>;

    /// Ends a session (sign-out).
    async fn end_login(&self, hash: [u8; 32], at: Millis) -> StoreResult<()>;

    /// Records a one-time sign-in link for `key_id`.
    async fn create_login_link(
        &self,
        hash: [u8; 32],
        key_id: &str,
        created_at: Millis,
        expires_at: Millis,
    ) -> StoreResult<()>;

    /// Uses a link: the key it signs in with, once, before it expires.
    async fn use_login_link(&self, hash: [u8; 32], now: Millis) -> StoreResult<Option<String>>;

    /// The key a person with this email signs in with: the newest live owner key of the
    /// customer registered under it, else the newest live key labelled with it (a teammate's).
    async fn key_for_email(&self, email: &str) -> StoreResult<Option<ApiKeyRecord>>;
}
