//! Access tokens for Google's APIs: a service account signs a JWT (RS256) and trades it at the
//! token endpoint (the JWT bearer grant, RFC 7523), or an OAuth client trades its refresh token.
//! A token is kept until a minute before it expires, so a burst of queries costs one grant.

use std::collections::HashMap;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Answer, Google, GoogleError, Source, exchange};
use crate::store::Millis;

/// How long before its expiry a token is no longer used.
const MARGIN: Millis = 60_000;

/// What a customer gave heycmo to read a Google product; sealed at rest.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credential {
    /// A service account's JSON key; the account must be added to the property or site.
    ServiceAccount {
        client_email: String,
        private_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private_key_id: Option<String>,
    },
    /// An OAuth client and a refresh token a person granted it.
    RefreshToken {
        client_id: String,
        client_secret: String,
        refresh_token: String,
    },
}

/// Secrets stay out of logs: only who the credential is.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({})", self.who())
    }
}

impl Credential {
    /// A service account's key as Google hands it out (the downloaded JSON file, as an object
    /// or as its text).
    pub fn from_key_file(key: &Value) -> Result<Credential, GoogleError> {
        let parsed;
        let key = match key {
            Value::String(text) => {
                parsed = serde_json::from_str::<Value>(text).map_err(|e| {
                    GoogleError::Credentials(format!(
                        "serviceAccountKey is not the JSON key file: {e}"
                    ))
                })?;
                &parsed
            }
            other => other,
        };
        let field = |name: &str| {
            key.get(name)
                .and_then(Value::as_str)
                .filter(|v| !v.trim().is_empty())
                .map(str::to_owned)
        };
        if let Some(kind) = field("type")
            && kind != "service_account"
        {
            return Err(GoogleError::Credentials(format!(
                "serviceAccountKey is a {kind} key; a service account's JSON key is needed \
                 (IAM → Service accounts → Keys → Add key → JSON)"
            )));
        }
        let missing =
            |name: &str| GoogleError::Credentials(format!("serviceAccountKey has no {name}"));
        let private_key = field("private_key").ok_or_else(|| missing("private_key"))?;
        jsonwebtoken::EncodingKey::from_rsa_pem(private_key.as_bytes()).map_err(|e| {
            GoogleError::Credentials(format!(
                "serviceAccountKey's private_key is not an RSA key in PEM: {e}"
            ))
        })?;
        Ok(Credential::ServiceAccount {
            client_email: field("client_email").ok_or_else(|| missing("client_email"))?,
            private_key,
            private_key_id: field("private_key_id"),
        })
    }

    /// Who reads: the service account's address, or the OAuth client.
    pub fn who(&self) -> String {
        match self {
            Credential::ServiceAccount { client_email, .. } => client_email.clone(),
            Credential::RefreshToken { client_id, .. } => format!("OAuth client {client_id}"),
        }
    }

    /// `service_account` or `refresh_token`, for the connection's settings.
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::ServiceAccount { .. } => "service_account",
            Credential::RefreshToken { .. } => "refresh_token",
        }
    }

    /// What the token cache files a token under: the credential and the scope it is for, so
    /// a reconnected account never reuses its predecessor's token.
    fn fingerprint(&self, scope: &str) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(serde_json::to_vec(self).unwrap_or_default());
        hash.update(scope.as_bytes());
        hash.finalize().into()
    }
}

/// Tokens granted and not yet expired, by credential fingerprint.
#[derive(Default)]
pub struct Tokens(Mutex<HashMap<[u8; 32], (String, Millis)>>);

/// The claims of a service account's assertion.
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

impl Google {
    /// An access token for `source` with `credential`, granted now or kept from earlier.
    pub async fn token(
        &self,
        credential: &Credential,
        source: Source,
        now: Millis,
    ) -> Result<String, GoogleError> {
        let key = credential.fingerprint(source.scope());
        if let Some((token, expires)) = self.tokens.0.lock().get(&key)
            && now < expires - MARGIN
        {
            return Ok(token.clone());
        }
        let (token, expires) = self.grant(credential, source, now).await?;
        let mut tokens = self.tokens.0.lock();
        tokens.retain(|_, (_, expires)| now < *expires - MARGIN);
        tokens.insert(key, (token.clone(), expires));
        Ok(token)
    }

    /// Asks the token endpoint for a token; answers it and when it expires.
    async fn grant(
        &self,
        credential: &Credential,
        source: Source,
        now: Millis,
    ) -> Result<(String, Millis), GoogleError> {
        let url = &self.config.token_url;
        let form = self.grant_form(credential, source, now)?;
        let request = self
            .client
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form);
        let Answer {
            status, text, body, ..
        } = exchange(request, "Google's token endpoint").await?;
        let who = credential.who();
        if !(200..300).contains(&status) {
            let words = [
                body.get("error").and_then(Value::as_str),
                body.get("error_description").and_then(Value::as_str),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
            let words = if words.is_empty() {
                crate::audit::finding::clip(text.trim(), 200)
            } else {
                words
            };
            return Err(match status {
                400 | 401 | 403 => GoogleError::Credentials(format!(
                    "Google refused the credentials of {who}: {words}"
                )),
                _ => GoogleError::Failed(format!(
                    "Google's token endpoint answered {status} for {who}: {words}"
                )),
            });
        }
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                GoogleError::Failed("Google's token endpoint answered no access_token".into())
            })?;
        let lifetime = body
            .get("expires_in")
            .and_then(Value::as_i64)
            .unwrap_or(3600)
            .clamp(0, 86_400);
        Ok((token.to_owned(), now + lifetime * 1000))
    }

    /// The form a grant posts: the signed assertion, or the refresh token and its client.
    fn grant_form(
        &self,
        credential: &Credential,
        source: Source,
        now: Millis,
    ) -> Result<String, GoogleError> {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        match credential {
            Credential::ServiceAccount {
                client_email,
                private_key,
                private_key_id,
            } => {
                let iat = now.div_euclid(1000);
                let claims = Claims {
                    iss: client_email,
                    scope: source.scope(),
                    aud: &self.config.token_url,
                    iat,
                    exp: iat + 3600,
                };
                let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
                header.kid = private_key_id.clone();
                let key = jsonwebtoken::EncodingKey::from_rsa_pem(private_key.as_bytes())
                    .map_err(|e| GoogleError::Credentials(format!("the stored key: {e}")))?;
                let assertion = jsonwebtoken::encode(&header, &claims, &key)
                    .map_err(|e| GoogleError::Credentials(format!("signing the assertion: {e}")))?;
                form.append_pair("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
                form.append_pair("assertion", &assertion);
            }
            Credential::RefreshToken {
                client_id,
                client_secret,
                refresh_token,
            } => {
                form.append_pair("grant_type", "refresh_token");
                form.append_pair("client_id", client_id);
                form.append_pair("client_secret", client_secret);
                form.append_pair("refresh_token", refresh_token);
            }
        }
        Ok(form.finish())
    }
}
