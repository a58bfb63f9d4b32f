//! The Rust API's wasm32 I/O: the token endpoint, discovery, JWKS, userinfo and revocation through the
//! host's global `fetch`, ID token signatures through WebCrypto, and in a browser window the storage and
//! redirect conveniences (`login`, `handle_redirect_callback`). Nothing here is exported to
//! JavaScript: the npm package's shell does its own I/O around the synchronous core in `src/js`.

mod browser;
mod fetch;
mod oidc;
mod single_flight;

pub(crate) use fetch::send;
pub(crate) use oidc::JwksCache;

use alloc::string::String;

use crate::oidc::IdTokenContext;
use crate::{Error, OAuthClient, PendingAuthorization, RefreshToken, TokenSet, ValidatedCallback};

/// The current time in unix seconds, from the host's clock.
pub(crate) fn now() -> u64 {
    // `as` saturates; a clock before 1970 reads as 0.
    (js_sys::Date::now() / 1000.0) as u64
}

/// The I/O half of the Rust API (wasm32 only): the same steps as the sans-IO methods, sent through the
/// host's `fetch` with the configured timeout. An OpenID Connect client (one with a `jwks_uri`) verifies
/// every ID token and sets `TokenSet::claims`; these methods fetch the JWKS per call (the JavaScript
/// client caches it).
impl OAuthClient {
    /// Validates the callback (see [`OAuthClient::validate_callback`]) at the host's current time, then
    /// exchanges the code. Nothing is sent when validation fails.
    pub async fn handle_callback(
        &self,
        callback_url: &str,
        pending: &PendingAuthorization,
    ) -> Result<TokenSet, Error> {
        let validated = self.validate_callback(callback_url, pending, now())?;
        self.exchange_code(&validated, pending).await
    }

    /// Exchanges a validated callback's code for tokens, and verifies the ID token.
    pub async fn exchange_code(
        &self,
        callback: &ValidatedCallback,
        pending: &PendingAuthorization,
    ) -> Result<TokenSet, Error> {
        self.exchange_and_verify(&callback.code, pending, &JwksCache::default())
            .await
    }

    pub(crate) async fn exchange_and_verify(
        &self,
        code: &crate::AuthorizationCode,
        pending: &PendingAuthorization,
        cache: &JwksCache,
    ) -> Result<TokenSet, Error> {
        let request = self.code_exchange_request_unchecked(code, pending);
        let mut tokens = send(&request, self.config.timeout_ms, None).await?;
        let ctx = IdTokenContext {
            nonce: pending.nonce.as_ref().map(|n| n.secret()),
            max_age: pending.max_age,
            previous: None,
        };
        self.verify_id_token(&mut tokens, &ctx, cache).await?;
        Ok(tokens)
    }

    /// Refreshes; the result keeps `refresh_token` when the server did not rotate it. A new ID token is
    /// verified, and with `previous` (the session's token set, whose `claims` are its verified ID token's)
    /// it must name the same issuer, subject and audience. A response without an ID token keeps
    /// `previous`'s `id_token` and `claims`, so the refreshed set still serves `userinfo` and logout.
    ///
    /// Concurrent calls with the same refresh token (for the same client id and token endpoint) share one
    /// request and its outcome, so a server that rotates refresh tokens and detects reuse never sees the
    /// token twice; the first call's `scope` and `previous` apply to all of them.
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        scope: Option<&str>,
        previous: Option<&TokenSet>,
    ) -> Result<TokenSet, Error> {
        let c = &self.config;
        let mut key = String::new();
        for part in [&c.token_endpoint, &c.client_id, refresh_token.secret()] {
            key.push_str(part);
            key.push('\n');
        }
        single_flight::share(key, async {
            let request = self.refresh_request(refresh_token, scope);
            let mut tokens = send(&request, c.timeout_ms, Some(refresh_token)).await?;
            let claims = previous.and_then(|p| p.claims.as_ref());
            let ctx = IdTokenContext {
                nonce: None,
                max_age: None,
                previous: claims,
            };
            if tokens.keep_id_token(previous.and_then(|p| p.id_token.as_ref()), claims.cloned()) {
                self.verify_id_token(&mut tokens, &ctx, &JwksCache::default())
                    .await?;
            }
            Ok(tokens)
        })
        .await
    }
}
