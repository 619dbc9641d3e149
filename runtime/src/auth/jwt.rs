//! JWT handshake auth: a verifier to call from `authenticate`.
//!
//! ```
//! use eventwire::jwt::{BearerToken, Jwt, Verified};
//! use eventwire::{Contract, Cx, Refusal};
//! # use eventwire::payload;
//!
//! #[derive(Clone, serde::Deserialize)]
//! pub struct Claims { pub sub: String, pub exp: u64 }
//!
//! #[derive(Contract)]
//! #[contract(namespace = "/api", auth = BearerToken, identity = Verified<Claims>, expiring)]
//! pub enum Api {
//!     #[client(ack = String)]
//!     Whoami,
//! }
//!
//! struct App { jwt: Jwt<Claims> }
//!
//! impl ApiHandlers for App {
//!     async fn authenticate(&self, auth: BearerToken) -> Result<Verified<Claims>, Refusal> {
//!         self.jwt.verify(&auth.token)
//!     }
//!     async fn whoami(&self, cx: &Cx<Api>) -> String {
//!         cx.identity().claims.sub
//!     }
//! }
//!
//! let app = App { jwt: Jwt::hs256(b"secret").issuer(["https://auth.example"]) };
//! # let _ = app;
//! ```

use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde::de::DeserializeOwned;

use crate::{Refusal, payload};

/// The handshake auth payload of a JWT-protected contract: `{ "token": "<jwt>" }`.
#[payload]
#[derive(Clone, Debug)]
pub struct BearerToken {
    /// The encoded JWT.
    #[validate(length(min = 1, max = 8192))]
    pub token: String,
}

/// Verifies JWTs: signature, expiry (`exp`, required), and when configured audience and
/// issuer.
///
/// ```
/// use eventwire::jwt::Jwt;
/// # #[derive(serde::Deserialize)] struct Claims { sub: String }
/// let jwt: Jwt<Claims> = Jwt::hs256(b"secret").leeway(std::time::Duration::from_secs(5)).audience(["chat"]);
/// assert!(jwt.verify("not a token").is_err());
/// ```
pub struct Jwt<C> {
    key: DecodingKey,
    validation: Validation,
    _claims: PhantomData<fn() -> C>,
}

impl<C> Clone for Jwt<C> {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
            validation: self.validation.clone(),
            _claims: PhantomData,
        }
    }
}

/// Why a verifier could not be built.
#[derive(Debug, thiserror::Error)]
#[error("invalid JWT key: {0}")]
pub struct KeyError(#[from] jsonwebtoken::errors::Error);

impl<C: DeserializeOwned> Jwt<C> {
    fn new(key: DecodingKey, algorithm: Algorithm) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        // Audience is checked only once one is configured.
        validation.validate_aud = false;
        Self {
            key,
            validation,
            _claims: PhantomData,
        }
    }

    /// Tokens signed with HMAC-SHA256 and this shared secret.
    pub fn hs256(secret: &[u8]) -> Self {
        Self::new(DecodingKey::from_secret(secret), Algorithm::HS256)
    }

    /// Tokens signed with RSA-SHA256; `public_key` is the PEM of the RSA public key.
    pub fn rs256_pem(public_key: &[u8]) -> Result<Self, KeyError> {
        Ok(Self::new(
            DecodingKey::from_rsa_pem(public_key)?,
            Algorithm::RS256,
        ))
    }

    /// Tolerance for clock skew when checking `exp` and `nbf`. Defaults to none.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.validation.leeway = leeway.as_secs();
        self
    }

    /// Accept only tokens whose `aud` is one of these.
    pub fn audience<I: IntoIterator<Item = S>, S: ToString>(mut self, audience: I) -> Self {
        let audience: Vec<String> = audience.into_iter().map(|a| a.to_string()).collect();
        self.validation.set_audience(&audience);
        self.validation.validate_aud = true;
        self
    }

    /// Accept only tokens whose `iss` is one of these.
    pub fn issuer<I: IntoIterator<Item = S>, S: ToString>(mut self, issuer: I) -> Self {
        let issuer: Vec<String> = issuer.into_iter().map(|i| i.to_string()).collect();
        self.validation.set_issuer(&issuer);
        self
    }

    /// Verifies `token`; a failure is a [`Refusal`] saying why (`expired`, `bad signature`,
    /// ...) without echoing the token.
    pub fn verify(&self, token: &str) -> Result<Verified<C>, Refusal> {
        #[derive(serde::Deserialize)]
        struct Expiry {
            exp: u64,
        }
        let data = decode::<serde_json::Value>(token, &self.key, &self.validation)
            .map_err(|e| refusal(e.kind()))?;
        let exp = serde_json::from_value::<Expiry>(data.claims.clone())
            .map_err(|_| Refusal::new("invalid token: exp must be a number"))?
            .exp;
        let claims = serde_json::from_value(data.claims)
            .map_err(|e| Refusal::new(format!("invalid token claims: {e}")))?;
        // The leeway that accepted the token also delays its expiry while connected.
        let expires_at =
            UNIX_EPOCH + Duration::from_secs(exp.saturating_add(self.validation.leeway));
        Ok(Verified { claims, expires_at })
    }
}

fn refusal(kind: &ErrorKind) -> Refusal {
    let why = match kind {
        ErrorKind::ExpiredSignature => "expired",
        ErrorKind::ImmatureSignature => "not valid yet",
        ErrorKind::InvalidSignature => "bad signature",
        ErrorKind::InvalidAudience => "wrong audience",
        ErrorKind::InvalidIssuer => "wrong issuer",
        ErrorKind::InvalidAlgorithm => "wrong algorithm",
        ErrorKind::MissingRequiredClaim(_) => "missing a required claim",
        _ => "malformed",
    };
    Refusal::new(format!("invalid token: {why}"))
}

/// A verified token: its claims and when it expires.
#[derive(Debug, Clone)]
pub struct Verified<C> {
    /// The token's claims.
    pub claims: C,
    /// From `exp`, plus the verifier's leeway.
    pub expires_at: SystemTime,
}

impl<C> crate::Expiring for Verified<C> {
    fn expires_at(&self) -> Option<SystemTime> {
        Some(self.expires_at)
    }
}
