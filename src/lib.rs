//! # pkce-wasm
//!
//! An OAuth 2.1 Authorization Code + PKCE client for single-page apps, edge runtimes (Cloudflare Workers,
//! Deno, Bun, Node) and Rust wasm apps. The core is sans-IO: it builds requests and validates responses as
//! values and compiles natively. On `wasm32` the same client also does the I/O through the host's `fetch`
//! (see `OAuthClient::exchange_code` and `OAuthClient::refresh`), and the crate exports the JavaScript API
//! of the `pkce-wasm` npm package.
//!
//! In a browser window (a Leptos, Yew or Dioxus app) two wasm32 methods do the rest:
//! `client.login(&options)` keeps the pending authorization in the configured [`PendingStorage`] and sends
//! the window to the authorization URL, and `client.handle_redirect_callback().await` on the callback page
//! takes it back out (single use), cleans the address bar and exchanges the code. `examples/rust-spa` is a
//! complete app on them. Elsewhere, keep the [`PendingAuthorization`] yourself
//! ([`PendingAuthorization::to_json`], found again with [`callback_state`]) as below.
//!
//! ```
//! use pkce_wasm::{AuthorizationOptions, ClientConfig, OAuthClient, parse_token_response};
//!
//! # fn main() -> Result<(), pkce_wasm::Error> {
//! let mut config = ClientConfig::new(
//!     "spa",
//!     "https://idp.example/authorize",
//!     "https://idp.example/oauth/token",
//!     "https://app.example/callback",
//! );
//! config.scope = Some("openid profile offline_access".into());
//! config.issuer = Some("https://idp.example/".into());
//! let client = OAuthClient::new(config)?;
//!
//! // 1. Start: keep `pending` (it holds the verifier) and send the user to `pending.url`.
//! let now = 1_700_000_000;
//! let pending = client.start_authorization(&AuthorizationOptions::default(), now)?;
//! assert!(pending.url.contains("code_challenge_method=S256"));
//!
//! // 2. The callback: validate it against the pending authorization before any token request.
//! let callback = format!(
//!     "https://app.example/callback?code=abc&state={}&iss=https%3A%2F%2Fidp.example%2F",
//!     pending.state.secret()
//! );
//! let validated = client.validate_callback(&callback, &pending, now + 5)?;
//!
//! // 3. The code exchange: send this request (on wasm32, `client.exchange_code(...)` does it for you) ...
//! let request = client.code_exchange_request(&validated, &pending);
//! assert!(request.body.starts_with("grant_type=authorization_code&code=abc&"));
//!
//! // ... and validate what the token endpoint answered.
//! let body = br#"{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt"}"#;
//! let tokens = parse_token_response(200, Some("application/json"), body, now + 6, None)?;
//! assert_eq!(tokens.expires_at, Some(now + 6 + 3600));
//!
//! // 4. Refresh later with the same client authentication.
//! let refresh = client.refresh_request(tokens.refresh_token.as_ref().ok_or(pkce_wasm::ErrorCode::InvalidResponse)?, None);
//! assert!(refresh.body.starts_with("grant_type=refresh_token&"));
//! # Ok(())
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(all(target_arch = "wasm32", feature = "npm-package"), no_std)]

extern crate alloc;

/// The npm package's allocator.
#[cfg(all(target_arch = "wasm32", feature = "npm-package"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// The npm package never formats a panic: nothing in it is meant to panic (clippy denies `unwrap`,
/// `expect`, `panic` and indexing), and a message would only cost bytes. A panic traps.
#[cfg(all(target_arch = "wasm32", feature = "npm-package"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

mod alg;
mod authorize;
mod callback;
mod config;
mod encoding;
pub mod engine;
mod error;
mod http;
mod json;
#[cfg(feature = "mcp")]
pub mod mcp;
mod oidc;
mod par;
mod pkce;
mod token;
mod types;

/// The test client builder, shared with the integration tests (which name this crate `pkce_wasm`).
#[cfg(test)]
extern crate self as pkce_wasm;
#[cfg(test)]
#[path = "../tests/fixture/mod.rs"]
pub(crate) mod fixture;

// The Rust API's I/O. The npm package's core (the `npm-package` feature) does none: its JavaScript shell
// does the I/O around it.
#[cfg(all(target_arch = "wasm32", not(feature = "npm-package")))]
mod io;
/// The prefix of the DOM events the Rust API's managed session dispatches (`pkce-wasm:refreshed`, ...;
/// see [`engine::Event`]) on the global object, with the client id as their `detail` (wasm32).
#[cfg(all(target_arch = "wasm32", not(feature = "npm-package")))]
pub use io::EVENT_PREFIX;
/// The JavaScript API (what the npm package exports). Public for the crate's own wasm tests and for Rust
/// apps that want the JS-shaped objects; Rust code should prefer [`OAuthClient`].
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod js;

pub use authorize::{AuthorizationOptions, PendingAuthorization};
pub use callback::{callback_state, strip_callback_params, ValidatedCallback, CALLBACK_PARAMS};
pub use config::{
    ClientAuth, ClientConfig, PendingStorage, SessionConfig, DEFAULT_CLOCK_TOLERANCE_SECONDS,
    DEFAULT_PENDING_TTL_SECONDS, DEFAULT_SESSION_LEEWAY_SECONDS, DEFAULT_TIMEOUT_MS,
    RESERVED_AUTHORIZATION_PARAMS, RESERVED_TOKEN_PARAMS,
};
#[cfg(feature = "oidc")]
pub use config::{ClientKey, DpopKey};
pub use error::{Error, ErrorCode, ErrorResponse, MAX_ERROR_FIELD_LEN};
pub use http::{HttpRequest, HttpResponse};
pub use oidc::{
    discovery_urls, parse_discovery, parse_jws, parse_revocation_response, parse_userinfo,
    select_key, validate_claims, Alg, IdTokenExpectations, Jws, LogoutOptions, Param,
    ProviderMetadata, PublicJwk, OAUTH_AUTHORIZATION_SERVER, OPENID_CONFIGURATION,
};
pub use par::MAX_REQUEST_URI_LIFETIME_SECONDS;
pub use pkce::{is_valid_verifier, Pkce, CODE_CHALLENGE_METHOD};
pub use token::{
    parse_token_response, TokenRequest, TokenSet, DEFAULT_MAX_BODY_BYTES, MAX_EXPIRES_IN,
};
pub use types::{
    AccessToken, AuthorizationCode, ClientSecret, CodeVerifier, IdToken, IdTokenClaims, Nonce,
    RefreshToken, State,
};

/// An OAuth 2.1 client for one authorization server. Cheap to clone.
///
/// Its methods, by where they are written (`tests/boundary.rs` keeps this list complete):
///
/// | method | module | I/O |
/// |---|---|---|
/// | [`OAuthClient::new`], [`OAuthClient::config`] | `lib.rs` | none |
/// | [`OAuthClient::start_authorization`] | `authorize.rs` | none |
/// | [`OAuthClient::validate_callback`] | `callback.rs` | none |
/// | [`OAuthClient::code_exchange_request`], [`OAuthClient::refresh_request`] | `token.rs` | none |
/// | [`OAuthClient::revocation_request`], [`OAuthClient::logout_url`] | `oidc/endpoints.rs` | none |
/// | [`OAuthClient::pending_key`], [`OAuthClient::flight_key`], [`OAuthClient::session_key`], [`OAuthClient::channel`], [`OAuthClient::key_slot`] (`oidc`), [`OAuthClient::for_discovery`] | `engine.rs` | none (the flows are [`engine::Flow`]) |
/// | `for_mcp`, `step_up_scope` (the `mcp` feature) | `mcp/mod.rs` | none |
/// | `pushes`, `par_request`, `pushed` (crate-internal) | `par.rs` | none |
/// | `handle_callback`, `exchange_code`, `refresh`, `login`, `login_async`, `authorize`, `handle_redirect_callback`, `session`, `access_token`, `logout`, `discover`, `userinfo`, `revoke`, `set_client_key`, `set_dpop_key`, `dpop_proof`, `discover_mcp` | `io/mod.rs` | wasm32: the engine's flows, driven through `fetch`, WebCrypto and the window |
#[derive(Clone, Debug)]
pub struct OAuthClient {
    pub(crate) config: ClientConfig,
    /// The JWKS cache of the Rust API's driver, shared by the clone (the npm core keeps its own).
    #[cfg(all(target_arch = "wasm32", not(feature = "npm-package")))]
    pub(crate) jwks: io::JwksCache,
}

impl OAuthClient {
    /// Validates the configuration; `invalid_config` when an endpoint or the redirect URI is not an absolute
    /// `https:` URL (`http:` only on loopback hosts), the redirect URI has a fragment, an extra parameter is
    /// reserved, `require_iss` is set without `issuer`, or a secret-based method has an empty secret.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        config.validate()?;
        Ok(OAuthClient {
            config,
            #[cfg(all(target_arch = "wasm32", not(feature = "npm-package")))]
            jwks: io::JwksCache::default(),
        })
    }

    /// The validated configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }
}
