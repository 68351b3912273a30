//! Secrets at rest: channel credentials and webhook signing secrets are sealed with the server
//! key before they reach the database, so a copied database file (a backup, a support bundle)
//! does not hand out a customer's social accounts.
//!
//! XChaCha20-Poly1305 with a random 192-bit nonce per seal, which makes random nonces safe for
//! any number of seals. Each sealed value is bound to what it is for (`purpose`, for example
//! `channel:cust_1:mastodon`) as associated data, so a sealed value copied onto another row
//! does not open there.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::Sha256;

/// The version tag of the sealed form, so the scheme can change without guessing.
const PREFIX: &str = "v1:";
const NONCE: usize = 24;

/// Why the vault could not start or a value could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the server key file {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the server key {0} is not 64 hex digits (32 bytes)")]
    BadKey(String),
    #[error(
        "a sealed secret cannot be opened: the server key differs from the one that sealed it, or the value is damaged"
    )]
    Unsealable,
}

/// Seals and opens secrets with the server key. Cheap to clone.
#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
    /// Keys [`Vault::mac`]: derived from the server key, never the key itself.
    mac_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

/// The purpose a customer's credentials for a connection (a channel, a Google product) are
/// sealed under: bound to both, so one customer's sealed value never opens as another's.
pub fn connection_purpose(customer: &str, connection: &str) -> String {
    format!("channel:{customer}:{connection}")
}

impl Vault {
    /// The vault keyed by `key` (64 hex digits).
    pub fn from_hex(key: &str) -> Result<Vault, VaultError> {
        let bytes = hex::decode(key.trim())
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or_else(|| VaultError::BadKey("given".into()))?;
        let mut derive = <Hmac<Sha256> as Mac>::new_from_slice(&bytes).expect("any key length");
        derive.update(b"heycmo-vault-mac");
        Ok(Vault {
            cipher: XChaCha20Poly1305::new_from_slice(&bytes).expect("32-byte key"),
            mac_key: derive.finalize().into_bytes().into(),
        })
    }

    /// The vault keyed by the file at `path`, which is created (readable by its owner only)
    /// with a fresh random key when it does not exist. Losing the file loses every sealed
    /// secret, so it belongs in the same backup as the database.
    pub fn from_file(path: &Path) -> Result<Vault, VaultError> {
        let failed = |source| VaultError::KeyFile {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                Vault::from_hex(&text).map_err(|_| VaultError::BadKey(path.display().to_string()))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = crate::auth::random_hex(32);
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode_owner_only()
                    .open(path)
                    .map_err(failed)?;
                file.write_all(key.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(failed)?;
                Vault::from_hex(&key)
            }
            Err(error) => Err(failed(error)),
        }
    }

    /// A tag over `data` for `purpose` (HMAC-SHA256 under a key derived from the server key):
    /// what links in messages carry, so the server alone can make one that it will follow.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` is [`Vault::mac`]'s tag (or its first bytes, at least 16) over `data`,
    /// compared in constant time.
    pub fn verify_mac(&self, purpose: &str, data: &[u8], tag: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.mac(purpose, data);
        tag.len() >= 16 && tag.len() <= 32 && bool::from(expected[..tag.len()].ct_eq(tag))
    }

    /// Seals `secret` for `purpose`.
    pub fn seal(&self, purpose: &str, secret: &[u8]) -> String {
        let mut nonce = [0u8; NONCE];
        OsRng
            .try_fill_bytes(&mut nonce)
            .expect("the operating system's random generator failed");
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: purpose.as_bytes(),
                },
            )
            .expect("sealing cannot fail for in-memory buffers");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    /// Opens what [`Vault::seal`] sealed for the same `purpose`.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, VaultError> {
        let raw = sealed
            .strip_prefix(PREFIX)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .filter(|raw| raw.len() > NONCE)
            .ok_or(VaultError::Unsealable)?;
        let (nonce, ciphertext) = raw.split_at(NONCE);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Unsealable)
    }
}

/// Creating the key file with no permissions for group and others.
trait OwnerOnly {
    fn mode_owner_only(&mut self) -> &mut Self;
}

impl OwnerOnly for std::fs::OpenOptions {
    #[cfg(unix)]
    fn mode_owner_only(&mut self) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::mode(self, 0o600)
    }
    #[cfg(not(unix))]
    fn mode_owner_only(&mut self) -> &mut Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_purpose_and_key() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let sealed = vault.seal("channel:c1:x", b"token");
        assert!(!sealed.contains("token"));
        assert_ne!(
            sealed,
            vault.seal("channel:c1:x", b"token"),
            "fresh nonce per seal"
        );
        assert_eq!(vault.open("channel:c1:x", &sealed).unwrap(), b"token");
        assert!(vault.open("channel:c2:x", &sealed).is_err());
        let other = Vault::from_hex(&"22".repeat(32)).unwrap();
        assert!(other.open("channel:c1:x", &sealed).is_err());
        assert!(vault.open("channel:c1:x", "v1:AAAA").is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("heycmo.key");
        let sealed = Vault::from_file(&path).unwrap().seal("p", b"s");
        assert_eq!(
            Vault::from_file(&path).unwrap().open("p", &sealed).unwrap(),
            b"s"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
        std::fs::write(&path, "short").unwrap();
        assert!(matches!(
            Vault::from_file(&path),
            Err(VaultError::BadKey(_))
        ));
    }
}
