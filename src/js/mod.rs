//! The npm package's wasm core: synchronous functions over strings and bytes, called by the package's
//! JavaScript shell (`npm/client.js`). The shell does the I/O (fetch, storage, WebCrypto, the address bar)
//! and the promises; everything that decides (configuration, URLs, callback checks, request bodies,
//! response and ID token validation, key selection) happens here, in the same sans-IO code the Rust API
//! uses. Arguments are JSON text (from `JSON.stringify`) and results are JSON text (for `JSON.parse`). A
//! failure comes back as the JSON text of the error (marked, see `Core::call`), which the shell turns
//! into a coded `Error` (one conversion, in `error_json`).
//!
//! Keeping promises, closures and `Reflect` out of the wasm is what keeps the package small: the
//! futures state machine and the JS-value conversions cost more bytes than the whole OAuth logic.
#![allow(unreachable_pub)] // `#[wasm_bindgen]` items are reachable from JavaScript.

use alloc::string::String;
use alloc::vec::Vec;

mod input;
#[cfg(feature = "oidc")]
mod oidc;

use wasm_bindgen::prelude::*;

use crate::json::{self, Json, ObjectWriter};
use crate::{
    AuthorizationCode, ClientConfig, Error, ErrorCode, OAuthClient, PendingAuthorization, Pkce,
    RefreshToken, TokenRequest, TokenSet, CODE_CHALLENGE_METHOD,
};

/// What the shell throws on: the error's JSON text (`name`, `code`, `message`, and `status` and the RFC
/// fields where they apply). The message is static and never holds secrets or server text.
pub(crate) fn error_json(e: &Error) -> String {
    let mut o = ObjectWriter::new();
    o.str("name", e.name())
        .str("code", e.code())
        .str("message", e.message())
        .opt_uint("status", e.status().map(u64::from));
    if let Some(r) = e.error_response() {
        o.str("error", &r.error)
            .opt_str("error_description", r.error_description.as_deref())
            .opt_str("error_uri", r.error_uri.as_deref());
    }
    o.finish()
}

/// What [`Core::call`] returns: `+` and the result, or `!` and the error's JSON text. Nothing is thrown
/// across the boundary, which keeps the externref plumbing for thrown values out of the glue.
fn out(r: Result<String, Error>) -> String {
    let (mark, text) = match r {
        Ok(text) => ('+', text),
        Err(e) => ('!', error_json(&e)),
    };
    let mut s = String::with_capacity(text.len() + 1);
    s.push(mark);
    s.push_str(&text);
    s
}

fn request_json(r: &TokenRequest) -> String {
    let mut o = ObjectWriter::new();
    o.str("url", &r.url)
        .str("body", &r.body)
        .opt_str("authorization", r.authorization.as_deref());
    o.finish()
}

fn token_set_json(t: &TokenSet) -> String {
    let mut o = ObjectWriter::new();
    o.str("access_token", t.access_token.secret())
        .str("token_type", &t.token_type)
        .opt_uint("expires_in", t.expires_in)
        .opt_uint("expires_at", t.expires_at)
        .opt_str(
            "refresh_token",
            t.refresh_token.as_ref().map(|r| r.secret()),
        )
        .opt_str("id_token", t.id_token.as_ref().map(|r| r.secret()))
        .opt_str("scope", t.scope.as_deref());
    if let Some(claims) = &t.claims {
        // The payload's text, which the strict reader accepted: valid JSON.
        o.raw("claims", &claims.json);
    }
    o.finish()
}

/// The provider's issuer and endpoints, with a config's member names.
fn metadata<'a>(o: &'a mut ObjectWriter, c: &ClientConfig) -> &'a mut ObjectWriter {
    o.opt_str("issuer", c.issuer.as_deref())
        .str("authorizationEndpoint", &c.authorization_endpoint)
        .str("tokenEndpoint", &c.token_endpoint)
        .bool("requireIss", c.require_iss);
    // Without the `oidc` feature the config refuses these members: they are always absent.
    #[cfg(feature = "oidc")]
    o.opt_str("jwksUri", c.jwks_uri.as_deref())
        .opt_str("userinfoEndpoint", c.userinfo_endpoint.as_deref())
        .opt_str("endSessionEndpoint", c.end_session_endpoint.as_deref())
        .opt_str("revocationEndpoint", c.revocation_endpoint.as_deref());
    o
}

/// The operations of [`Core::call`]. `npm/client.js` uses the same numbers.
pub mod op {
    /// `[]` → the configuration the shell needs (see `Core::info`).
    pub const INFO: u8 = 0;
    /// `[options, now]` → a new pending authorization (`options`: `AuthorizationOptions` JSON text).
    pub const START: u8 = 1;
    /// `[url, pending, now]` → `{ code, state, iss? }` (`pending`: its JSON text).
    pub const VALIDATE: u8 = 2;
    /// `[code, pending]` → the code exchange request `{ url, body, authorization? }`.
    pub const EXCHANGE: u8 = 3;
    /// `[refreshToken, scope?, idToken?]` → the refresh request.
    pub const REFRESH: u8 = 4;
    /// `[status, contentType?, now, refreshToken?, pending?, idToken?]` + body → `[verify, tokenSet]`:
    /// the token set (keeping `idToken` and its claims when a refresh brings none), and whether the shell
    /// must verify its new ID token's signature (see [`KEY`]) before handing it out.
    pub const TOKENS: u8 = 5;
    /// `[idToken, status, contentType?]` + JWKS body → `{ jwk, alg }` or `null`.
    pub const KEY: u8 = 6;
    /// `[accessToken]` → the userinfo request `{ url, authorization }`.
    pub const USERINFO_REQUEST: u8 = 7;
    /// `[subject?, idToken?]` → the expected subject (a bare string).
    pub const SUBJECT: u8 = 8;
    /// `[status, contentType?, subject]` + body → the userinfo JSON.
    pub const USERINFO: u8 = 9;
    /// `[token, hint?]` → the revocation request.
    pub const REVOCATION: u8 = 10;
    /// `[options]` → the logout URL (a bare string; `options`: `LogoutOptions` JSON text).
    pub const LOGOUT: u8 = 11;
    /// `[url]` → the callback's `state` (a bare string). Needs no client.
    pub const CALLBACK_STATE: u8 = 12;
    /// `[issuer]` → the two discovery URLs, a JSON array. Needs no client.
    pub const DISCOVERY_URLS: u8 = 13;
    /// `[issuer, status, contentType?]` + body → the provider metadata. Needs no client.
    pub const DISCOVERY: u8 = 14;
    /// `[verifier?]` → `{ codeVerifier, codeChallenge, codeChallengeMethod }`. Needs no client.
    pub const PKCE: u8 = 15;
    /// `[code, status?]` → that error's JSON (returned, not thrown). Needs no client.
    pub const ERROR: u8 = 16;
    /// `[status]` + body → `null` when the revocation succeeded. Needs no client.
    pub const REVOKED: u8 = 17;
    /// `[url]` → the URL without the callback parameters, the others kept as written (a bare string, for
    /// `history.replaceState`). Needs no client.
    pub const STRIP: u8 = 18;
}

/// The arguments of one call: a JSON array of strings, integers and `null`s, built by the shell. A missing
/// or wrongly typed argument reads as absent (the operations reject what they cannot use).
struct Args(Vec<Json>);

impl Args {
    fn opt_str(&self, i: usize) -> Option<&str> {
        match self.0.get(i) {
            Some(Json::String(s)) => Some(s),
            _ => None,
        }
    }

    fn str(&self, i: usize) -> &str {
        self.opt_str(i).unwrap_or_default()
    }

    /// A JSON text argument (options); absent reads as `null`.
    fn json(&self, i: usize) -> &str {
        self.opt_str(i).unwrap_or("null")
    }

    fn owned(&self, i: usize) -> Option<String> {
        self.opt_str(i).map(String::from)
    }

    fn opt_uint(&self, i: usize) -> Option<u64> {
        match self.0.get(i) {
            Some(Json::Number(n)) => json::parse_uint(n.as_bytes()),
            _ => None,
        }
    }

    /// A required time (unix seconds): missing or not an integer is `invalid_config`, never 0 (which would
    /// turn the pending-expiry and ID token `exp` checks off).
    fn now(&self, i: usize) -> Result<u64, Error> {
        self.opt_uint(i)
            .ok_or(Error::client(ErrorCode::InvalidConfig))
    }

    fn opt_status(&self, i: usize) -> Option<u16> {
        self.opt_uint(i).and_then(|n| u16::try_from(n).ok())
    }

    /// An HTTP status (0 when absent or out of range, which no check accepts).
    fn status(&self, i: usize) -> u16 {
        self.opt_status(i).unwrap_or_default()
    }
}

/// The npm package's core: one validated client configuration (`new OAuthClient(config)` holds one), or
/// none, for the operations that need no client. Everything goes through [`Core::call`]: one export keeps
/// the generated glue and the wasm's export shims small.
#[wasm_bindgen]
pub struct Core {
    /// The validated client, or why there is none (`invalid_config`, also for the client-less core).
    client: Result<OAuthClient, Error>,
}

#[wasm_bindgen]
impl Core {
    /// Validates an `OAuthClientConfig` (UTF-8 JSON text). A rejected one makes a core whose client
    /// operations all fail with that error (the shell's first call, [`op::INFO`], reports it); `null` makes
    /// a core without a client, for the operations that need none.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &[u8]) -> Core {
        let client = core::str::from_utf8(config)
            .ok()
            .filter(|text| *text != "null")
            .ok_or(Error::client(ErrorCode::InvalidConfig))
            .and_then(input::config)
            .and_then(OAuthClient::new);
        Core { client }
    }

    /// Runs operation `op` (see [`op`]) on `args`, a JSON array (UTF-8 text), and `body`, a response body
    /// where the operation reads one. Returns `+` and the result (JSON text, or a bare string where [`op`]
    /// says so), or `!` and the error's JSON text. Arguments arrive as bytes (the shell's `TextEncoder`) so
    /// that the generated glue needs no string encoder of its own.
    pub fn call(&self, op: u8, args: &[u8], body: &[u8]) -> String {
        out(match json::parse(args) {
            Some(Json::Array(items)) => self.run(op, &Args(items), body),
            _ => Err(Error::client(ErrorCode::InvalidConfig)),
        })
    }
}

impl Core {
    fn client(&self) -> Result<&OAuthClient, Error> {
        self.client.as_ref().map_err(Clone::clone)
    }

    fn run(&self, op: u8, a: &Args, body: &[u8]) -> Result<String, Error> {
        match op {
            op::CALLBACK_STATE => crate::callback::callback_state(a.str(0)),
            op::PKCE => pkce(a.opt_str(0)),
            op::STRIP => Ok(crate::strip_callback_params(a.str(0))),
            op::ERROR => Ok(error_of(a.str(0), a.opt_status(1))),
            #[cfg(feature = "oidc")]
            op::DISCOVERY_URLS | op::DISCOVERY | op::REVOKED => oidc::run(op, a, body),
            _ => self.run_client(op, a, body),
        }
    }

    fn run_client(&self, op: u8, a: &Args, body: &[u8]) -> Result<String, Error> {
        let client = self.client()?;
        match op {
            op::INFO => Ok(self.info()),
            op::START => input::authorization_options(a.json(0))
                .and_then(|o| client.start_authorization(&o, a.now(1)?))
                .map(|p| p.to_json()),
            op::VALIDATE => {
                let p = PendingAuthorization::from_json(a.str(1))?;
                let v = client.validate_callback(a.str(0), &p, a.now(2)?)?;
                let mut o = ObjectWriter::new();
                o.str("code", v.code().secret())
                    .str("state", v.state().secret())
                    .opt_str("iss", v.iss());
                Ok(o.finish())
            }
            op::EXCHANGE => {
                let pending = PendingAuthorization::from_json(a.str(1))?;
                let code = a.str(0);
                if code.is_empty() {
                    return Err(Error::client(ErrorCode::MissingCode));
                }
                let code = AuthorizationCode::new(code);
                Ok(request_json(
                    &client.code_exchange_request_unchecked(&code, &pending),
                ))
            }
            op::REFRESH => {
                // A kept ID token (for the continuity checks) is read first, so that a broken one fails
                // before the refresh token is spent.
                let refresh_token = a.str(0);
                if refresh_token.is_empty() {
                    return Err(Error::client(ErrorCode::InvalidConfig));
                }
                #[cfg(feature = "oidc")]
                if client.config.jwks_uri.is_some() {
                    oidc::kept_claims(a.opt_str(2))?;
                }
                let rt = RefreshToken::new(refresh_token);
                Ok(request_json(&client.refresh_request(&rt, a.opt_str(1))))
            }
            op::TOKENS => tokens(client, a, body),
            #[cfg(feature = "oidc")]
            op::KEY
            | op::USERINFO_REQUEST
            | op::SUBJECT
            | op::USERINFO
            | op::REVOCATION
            | op::LOGOUT => oidc::run_client(client, op, a, body),
            _ => Err(Error::client(ErrorCode::InvalidConfig)),
        }
    }

    /// The configuration the shell needs: the provider metadata (the `metadata` getter), `clientId`,
    /// `timeoutMs`, `pendingTtlSeconds` and `storage`.
    fn info(&self) -> String {
        let Ok(client) = &self.client else {
            return String::from("null");
        };
        let c = &client.config;
        let mut m = ObjectWriter::new();
        metadata(&mut m, c);
        let mut o = ObjectWriter::new();
        o.raw("metadata", &m.finish())
            .str("clientId", &c.client_id)
            .uint("timeoutMs", u64::from(c.timeout_ms))
            .uint("pendingTtlSeconds", c.pending_ttl_seconds)
            .str("storage", c.storage.as_str());
        o.finish()
    }
}

/// Validates a token response. For an OpenID Connect client (one with a `jwksUri`) the ID token's claims
/// are validated too (`pending` for a code exchange; the kept `id_token` on refresh) and set as `claims`:
/// the shell must then verify its signature (see [`op::KEY`]) before handing it out.
fn tokens(client: &OAuthClient, a: &Args, body: &[u8]) -> Result<String, Error> {
    let now = a.now(2)?;
    let previous_rt = a.owned(3).map(RefreshToken::new);
    #[allow(unused_mut)]
    let mut tokens =
        crate::parse_token_response(a.status(0), a.opt_str(1), body, now, previous_rt.as_ref())?;
    let kept = a.opt_str(5).map(crate::IdToken::new);
    #[allow(unused_mut)]
    let mut kept_claims = None;
    // A plain OAuth client (no `jwksUri`) passes `id_token` through unverified.
    #[cfg(feature = "oidc")]
    if client.config.jwks_uri.is_some() {
        // The kept ID token is decoded once: for the continuity checks and to be kept.
        kept_claims = oidc::kept_claims(a.opt_str(5))?;
        tokens.claims = oidc::claims(client, &tokens, a.opt_str(4), kept_claims.as_ref(), now)?;
    }
    #[cfg(not(feature = "oidc"))]
    let _ = client;
    // `[verify, tokens]`: whether the shell must verify the (new) ID token's signature.
    let fresh = tokens.keep_id_token(kept.as_ref(), kept_claims);
    let mut s = String::from(if fresh && tokens.claims.is_some() {
        "[true,"
    } else {
        "[false,"
    });
    s.push_str(&token_set_json(&tokens));
    s.push(']');
    Ok(s)
}

/// A PKCE pair: a fresh verifier, or the challenge of a given one (`invalid_verifier`).
fn pkce(verifier: Option<&str>) -> Result<String, Error> {
    let pkce = match verifier {
        Some(v) => Pkce::from_verifier(v),
        None => Pkce::generate(),
    }?;
    let mut o = ObjectWriter::new();
    o.str("codeVerifier", pkce.code_verifier.secret())
        .str("codeChallenge", &pkce.code_challenge)
        .str("codeChallengeMethod", CODE_CHALLENGE_METHOD);
    Ok(o.finish())
}

/// The error JSON of one of this library's codes, for failures the shell detects itself (network,
/// timeout, storage, environment, signature): the messages live in one place, [`Error::message`].
fn error_of(code: &str, status: Option<u16>) -> String {
    let code = ErrorCode::ALL
        .into_iter()
        .find(|c| c.as_str() == code)
        .unwrap_or(ErrorCode::InvalidResponse);
    error_json(&Error::Client { code, status })
}
