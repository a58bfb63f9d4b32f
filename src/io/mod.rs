//! The Rust API's wasm32 driver for the decision engine ([`crate::engine`]): it performs the steps the
//! engine asks for (the host's global `fetch`, WebCrypto, and in a browser window the storage, the
//! history entry and the navigation) and hands back what came of them. It decides nothing; the npm
//! package's JavaScript shell (`npm/client.js`) is the same driver in JavaScript.

mod browser;
mod events;
mod fetch;
mod idb;
mod lock;
mod single_flight;
#[cfg(feature = "oidc")]
mod subtle;

use alloc::vec::Vec;
use std::sync::{Arc, Mutex};

use crate::engine::{Flow, Output, Step};
pub use events::EVENT_PREFIX;

use crate::{
    AuthorizationOptions, Error, ErrorCode, OAuthClient, PendingAuthorization, PendingStorage,
    RefreshToken, TokenSet, ValidatedCallback,
};

/// A client's JWKS cache (the last JWKS document fetched), shared by its clones.
#[derive(Clone, Default)]
pub(crate) struct JwksCache(Arc<Mutex<Option<Vec<u8>>>>);

impl core::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("JwksCache")
    }
}

/// The current time in unix seconds, from the host's clock.
fn now() -> u64 {
    // `as` saturates; a clock before 1970 reads as 0.
    (js_sys::Date::now() / 1000.0) as u64
}

/// Runs a flow to its end: each step performed, and what came of it handed back.
async fn drive(client: &OAuthClient, first: Result<(Flow, Step), Error>) -> Result<Output, Error> {
    let (mut flow, mut step) = first?;
    // The session lock this flow holds, released at its `Unlock` step or, whatever happens, on return.
    let mut held = lock::Held::none();
    loop {
        let input = match step {
            Step::Done(output) => return Ok(output),
            Step::Fetch(request) => fetch::perform(&request).await,
            Step::Lock { name, timeout_ms } => {
                let (input, lock) = lock::lock(&name, timeout_ms).await;
                held = lock;
                input
            }
            Step::Unlock => {
                held.release();
                crate::engine::Input::Ok
            }
            #[cfg(feature = "oidc")]
            Step::Verify(v) => subtle::verify(&v).await,
            #[cfg(feature = "oidc")]
            Step::Sign(s) => subtle::sign(&client.key_slot(s.key), &s).await,
            Step::Read {
                storage: PendingStorage::Shared,
                key,
            } => idb::read(key).await,
            Step::Store {
                storage: PendingStorage::Shared,
                remove,
                set,
            } => idb::store(&remove, set.as_ref()).await,
            other => perform_sync(client, other),
        };
        let mut jwks = client.jwks.0.lock().unwrap_or_else(|e| e.into_inner());
        step = flow.resume(client, &mut jwks, now(), input)?;
    }
}

/// Performs a step that needs no waiting: an event, or web storage, the history entry or the navigation.
fn perform_sync(client: &OAuthClient, step: Step) -> crate::engine::Input {
    match step {
        Step::Emit { event, broadcast } => {
            events::emit(client, event, broadcast);
            crate::engine::Input::Ok
        }
        other => browser::perform(other),
    }
}

async fn tokens(
    client: &OAuthClient,
    first: Result<(Flow, Step), Error>,
) -> Result<TokenSet, Error> {
    match drive(client, first).await? {
        Output::Tokens(t) => Ok(t),
        _ => Err(Error::client(ErrorCode::InvalidResponse)),
    }
}

/// The I/O half of the Rust API (wasm32 only): the engine's flows, driven through the host's `fetch`
/// and WebCrypto. An OpenID Connect client (one with a `jwks_uri`) verifies every ID token and sets
/// `TokenSet::claims`, with the JWKS cached per client (and its clones) and refetched once on a key it
/// does not have.
impl OAuthClient {
    /// Validates the callback (see [`OAuthClient::validate_callback`]) at the host's current time, then
    /// exchanges the code. Nothing is sent when validation fails.
    pub async fn handle_callback(
        &self,
        callback_url: &str,
        pending: &PendingAuthorization,
    ) -> Result<TokenSet, Error> {
        let first = Flow::callback(self, callback_url, false, Some(pending.clone()), now());
        tokens(self, first).await
    }

    /// Exchanges a validated callback's code for tokens, and verifies the ID token.
    pub async fn exchange_code(
        &self,
        callback: &ValidatedCallback,
        pending: &PendingAuthorization,
    ) -> Result<TokenSet, Error> {
        tokens(
            self,
            Flow::exchange(self, callback.code.secret(), pending, now()),
        )
        .await
    }

    /// Refreshes; the result keeps `refresh_token` when the server did not rotate it. A new ID token is
    /// verified, and with `previous` (the session's token set, whose `claims` are its verified ID token's)
    /// it must name the same issuer, subject and audience. A response without an ID token keeps
    /// `previous`'s `id_token` and `claims`, so the refreshed set still serves `userinfo` and logout.
    ///
    /// Concurrent calls with the same refresh token (for the same client id and token endpoint, see
    /// [`OAuthClient::flight_key`]) share one request and its outcome, so a server that rotates refresh
    /// tokens and detects reuse never sees the token twice; the first call's `scope` and `previous`
    /// apply to all of them.
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        scope: Option<&str>,
        previous: Option<&TokenSet>,
    ) -> Result<TokenSet, Error> {
        let rt = refresh_token.secret();
        single_flight::share(self.flight_key(rt), async {
            let id_token = previous.and_then(|p| p.id_token.clone());
            let claims = previous.and_then(|p| p.claims.clone());
            tokens(
                self,
                Flow::refresh(self, rt, scope, id_token, claims, now()),
            )
            .await
        })
        .await
    }

    /// Starts an authorization (see [`OAuthClient::start_authorization`]), keeps it in the configured
    /// [`crate::PendingStorage`] under its `state` for `pending_ttl_seconds`, removes expired or
    /// unreadable pending authorizations of this client, and sends the window to the authorization URL
    /// (`location.assign`). `storage_unavailable` when the storage is missing or throws (nothing is
    /// navigated to then); `unsupported_environment` without a window.
    ///
    /// With a pushed authorization request configured the push needs a request: use
    /// [`OAuthClient::login_async`] (this is `invalid_config` then).
    pub fn login(&self, options: &AuthorizationOptions) -> Result<(), Error> {
        browser::window()?;
        // Web storage, the events and the navigation are synchronous: so is this flow's driver.
        let (mut flow, mut step) = Flow::login_sync(self, options, now())?;
        let mut no_jwks = None;
        loop {
            let input = match step {
                Step::Done(_) => return Ok(()),
                other => perform_sync(self, other),
            };
            step = flow.resume(self, &mut no_jwks, now(), input)?;
        }
    }

    /// [`OAuthClient::login`], with the authorization pushed first where configured (RFC 9126; see
    /// [`Flow::login`]).
    pub async fn login_async(&self, options: &AuthorizationOptions) -> Result<(), Error> {
        browser::window()?;
        drive(self, Flow::login(self, options, now()))
            .await
            .map(|_| ())
    }

    /// Starts an authorization for the caller to keep (see [`Flow::authorize`]): pushed first where
    /// configured (RFC 9126), otherwise [`OAuthClient::start_authorization`] at the host's time.
    pub async fn authorize(
        &self,
        options: &AuthorizationOptions,
    ) -> Result<PendingAuthorization, Error> {
        match drive(self, Flow::authorize(self, options, now())).await? {
            Output::Pending(p) => Ok(*p),
            _ => Err(Error::client(ErrorCode::InvalidResponse)),
        }
    }

    /// The managed session's token set (see [`crate::SessionConfig`] and [`Flow::access_token`]):
    /// the stored one while its access token is fresh, else refreshed under the origin's Web Lock (after
    /// reading it again there) and stored again. Concurrent calls in the page share one flow. `no_session` before a sign-in ([`OAuthClient::handle_redirect_callback`]
    /// keeps the session when the config has one).
    pub async fn session(&self) -> Result<TokenSet, Error> {
        events::watch(self);
        single_flight::share(self.session_key(), async {
            tokens(self, Flow::access_token(self)).await
        })
        .await
    }

    /// The managed session's access token (see [`OAuthClient::session`]).
    pub async fn access_token(&self) -> Result<crate::AccessToken, Error> {
        Ok(self.session().await?.access_token)
    }

    /// Ends the managed session: its refresh token revoked where the provider has a revocation
    /// endpoint (best effort), the session removed.
    pub async fn logout(&self) -> Result<(), Error> {
        events::watch(self);
        drive(self, Flow::logout(self)).await.map(|_| ())
    }

    /// Finishes a [`OAuthClient::login`] on the callback page: reads `location.href`, removes `code`,
    /// `state`, `iss`, `session_state` and the error parameters from the address bar (the others kept as
    /// written, whatever the outcome), takes the pending authorization stored under the callback's
    /// `state` out of storage (single use: a replay is `no_pending_authorization` and sends nothing),
    /// then validates the callback and exchanges the code (see [`Flow::callback`]).
    ///
    /// A `state` that matches nothing while this client has other authorizations pending is
    /// `state_mismatch` (a forged or crossed callback). Those are left alone: a forged link must not cancel
    /// a sign-in under way in another tab (they expire with `pending_ttl_seconds`).
    pub async fn handle_redirect_callback(&self) -> Result<TokenSet, Error> {
        let href = browser::href()?;
        events::watch(self);
        tokens(self, Flow::callback(self, &href, true, None, now())).await
    }
}

/// The OpenID Connect flows (the `oidc` feature).
#[cfg(feature = "oidc")]
impl OAuthClient {
    /// Discovers the provider at `issuer` and builds a client from `config` with the document's
    /// endpoints (see [`crate::parse_discovery`]): OpenID Connect Discovery first, RFC 8414 when that
    /// answers with an error status. `config` is checked before any request (see
    /// [`OAuthClient::for_discovery`]); the fetch has `config.timeout_ms`.
    pub async fn discover(issuer: &str, config: crate::ClientConfig) -> Result<OAuthClient, Error> {
        let client = OAuthClient::for_discovery(issuer, config)?;
        match drive(&client, Flow::discover(&client, issuer)).await? {
            Output::Client(c) => Ok(*c),
            _ => Err(Error::client(ErrorCode::InvalidResponse)),
        }
    }

    /// Fetches the userinfo endpoint with the token set's access token (`Authorization: Bearer`, or for
    /// a DPoP client's bound token `DPoP` with a proof: the set's `token_type` says which); the
    /// response's `sub` must equal `expected_subject`, the ID token's (`subject_mismatch`). Returns the
    /// response's JSON text.
    pub async fn userinfo(
        &self,
        tokens: &crate::TokenSet,
        expected_subject: &str,
    ) -> Result<alloc::string::String, Error> {
        let first = Flow::userinfo(
            self,
            tokens.access_token.secret(),
            Some(&tokens.token_type),
            Some(expected_subject),
            None,
            now(),
        );
        match drive(self, first).await? {
            Output::Userinfo(json) => Ok(json),
            _ => Err(Error::client(ErrorCode::InvalidResponse)),
        }
    }

    /// Gives a `private_key_jwt` client ([`crate::ClientAuth::PrivateKeyJwt`]) its private key: a
    /// WebCrypto `CryptoKey` (best made non-extractable) that signs every client assertion and never
    /// enters the wasm memory. Kept for this wasm instance, for every client with this client id and
    /// token endpoint. Without it, authenticated requests fail with `invalid_config` before any is sent.
    pub fn set_client_key(&self, key: wasm_bindgen::JsValue) {
        subtle::keep_key(self.key_slot(crate::engine::SigningKey::Client), key);
    }

    /// Gives a DPoP client (`config.dpop`) the private key of its DPoP key pair (a WebCrypto
    /// `CryptoKey`, best non-extractable and kept in IndexedDB by the app so that a reload keeps the
    /// binding). Kept like [`OAuthClient::set_client_key`], and also per the configured public key: a
    /// client with another DPoP key does not sign with this one.
    pub fn set_dpop_key(&self, key: wasm_bindgen::JsValue) {
        subtle::keep_key(self.key_slot(crate::engine::SigningKey::Dpop), key);
    }

    /// A DPoP proof (the `DPoP` header) for `method` `url` at a resource server, with the DPoP-bound
    /// `access_token` (sent as `Authorization: DPoP <token>`); `nonce`: the resource server's
    /// `DPoP-Nonce` after its `401` `use_dpop_nonce` (retry once), kept for the origin's next proofs.
    /// `invalid_config` without `config.dpop` and its key ([`OAuthClient::set_dpop_key`]).
    pub async fn dpop_proof(
        &self,
        method: &str,
        url: &str,
        access_token: &crate::AccessToken,
        nonce: Option<&str>,
    ) -> Result<alloc::string::String, Error> {
        let first = Flow::dpop_proof(self, method, url, access_token.secret(), nonce);
        match drive(self, first).await? {
            Output::Proof(proof) => Ok(proof),
            _ => Err(Error::client(ErrorCode::InvalidResponse)),
        }
    }

    /// Revokes a token (RFC 7009) at the revocation endpoint, authenticated like token requests.
    pub async fn revoke(&self, token: &str, token_type_hint: Option<&str>) -> Result<(), Error> {
        drive(self, Flow::revoke(self, token, token_type_hint, now()))
            .await
            .map(|_| ())
    }
}

/// MCP authorization (the `mcp` feature).
#[cfg(feature = "mcp")]
impl OAuthClient {
    /// MCP authorization discovery for the MCP server at `server_url` (see [`crate::mcp`]): protected
    /// resource metadata (from `options.challenge`, the server's `401`, else the well-known URLs), the
    /// authorization server's metadata, then the client's credentials (`config.client_id` when
    /// pre-registered, else empty). Registrations are kept in `config.storage` per issuer. The returned
    /// client has the scope and the `resource` parameter set: go on with [`OAuthClient::login`] (or
    /// `start_authorization` and [`OAuthClient::handle_callback`]).
    pub async fn discover_mcp(
        server_url: &str,
        config: crate::ClientConfig,
        options: crate::mcp::McpOptions,
    ) -> Result<crate::mcp::McpAuthorization, Error> {
        let client = OAuthClient::for_mcp(server_url, config)?;
        match drive(&client, Flow::mcp(&client, server_url, options)).await? {
            Output::Mcp(a) => Ok(*a),
            _ => Err(Error::client(ErrorCode::InvalidResponse)),
        }
    }
}
