//! The npm package's wasm core: synchronous functions over strings and bytes, called by the package's
//! JavaScript shell (`npm/client.js`). The shell does the I/O (fetch, storage, WebCrypto, the address bar)
//! and the promises; everything that decides (configuration, URLs, callback checks, request bodies,
//! response and ID token validation, key selection) happens here, in the same sans-IO code the Rust API
//! uses. Arguments are JSON text (from `JSON.stringify`) and results are JSON text (for `JSON.parse`). A
//! failure is thrown as the JSON text of the error, which the shell turns into a coded `Error` (one
//! conversion, in [`error_json`]).
//!
//! Keeping promises, closures and `Reflect` out of the wasm is what keeps the package small: the
//! futures state machine and the JS-value conversions cost more bytes than the whole OAuth logic.
#![allow(unreachable_pub)] // `#[wasm_bindgen]` items are reachable from JavaScript.

use alloc::string::String;

mod input;

use wasm_bindgen::prelude::*;

use crate::json::{write_string, ObjectWriter};
use crate::oidc::{
    discovery_urls, parse_discovery, parse_jws, parse_revocation_response, parse_userinfo,
    select_key, Alg, IdTokenClaims, IdTokenContext,
};
use crate::token::is_json_media_type;
use crate::{
    AuthorizationCode, ClientConfig, Error, ErrorCode, IdToken, LogoutOptions, OAuthClient,
    PendingAuthorization, Pkce, RefreshToken, TokenRequest, TokenSet, CODE_CHALLENGE_METHOD,
};
use input::StorageKind;

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

fn thrown(e: Error) -> JsValue {
    JsValue::from_str(&error_json(&e))
}

/// A result for the shell: JSON text, or the error's JSON text thrown.
type Out = Result<String, JsValue>;

fn out(r: Result<String, Error>) -> Out {
    r.map_err(thrown)
}

/// Seconds from the shell's clock (`Date.now() / 1000`); `as` saturates, so a clock before 1970 reads 0.
fn secs(now: f64) -> u64 {
    now as u64
}

pub(crate) fn pending_json(p: &PendingAuthorization) -> String {
    let mut o = ObjectWriter::new();
    o.str("url", &p.url)
        .str("state", p.state.secret())
        .str("codeVerifier", p.code_verifier.secret())
        .opt_str("nonce", p.nonce.as_ref().map(|n| n.secret()))
        .str("redirectUri", &p.redirect_uri)
        .opt_str("issuer", p.issuer.as_deref())
        .uint("createdAt", p.created_at)
        .opt_uint("maxAge", p.max_age);
    o.finish()
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

/// WebCrypto's import and verify parameters for `alg` (each operation ignores the other's members).
fn algorithm_json(alg: Alg) -> String {
    let mut o = ObjectWriter::new();
    match alg {
        Alg::Rs256 => o.str("name", "RSASSA-PKCS1-v1_5"),
        Alg::Ps256 => o.str("name", "RSA-PSS").uint("saltLength", 32),
        Alg::Es256 => o.str("name", "ECDSA").str("namedCurve", "P-256"),
        Alg::EdDsa => o.str("name", "Ed25519"),
    };
    if alg != Alg::EdDsa {
        o.str("hash", "SHA-256");
    }
    o.finish()
}

/// The claims of an ID token verified earlier (kept in a token set), for the refresh continuity checks.
fn kept_claims(id_token: Option<String>) -> Result<Option<IdTokenClaims>, Error> {
    match id_token {
        Some(t) => Ok(Some(IdTokenClaims::from_jws(&parse_jws(&IdToken::new(
            t,
        ))?)?)),
        None => Ok(None),
    }
}

/// The provider's issuer and endpoints, with a config's member names.
fn metadata<'a>(o: &'a mut ObjectWriter, c: &ClientConfig) -> &'a mut ObjectWriter {
    o.opt_str("issuer", c.issuer.as_deref())
        .str("authorizationEndpoint", &c.authorization_endpoint)
        .str("tokenEndpoint", &c.token_endpoint)
        .bool("requireIss", c.require_iss)
        .opt_str("jwksUri", c.jwks_uri.as_deref())
        .opt_str("userinfoEndpoint", c.userinfo_endpoint.as_deref())
        .opt_str("endSessionEndpoint", c.end_session_endpoint.as_deref())
        .opt_str("revocationEndpoint", c.revocation_endpoint.as_deref())
}

/// One validated client configuration (`new OAuthClient(config)` holds one).
#[wasm_bindgen]
pub struct Core {
    client: OAuthClient,
    storage: StorageKind,
}

#[wasm_bindgen]
impl Core {
    /// Validates an `OAuthClientConfig` (JSON text); throws `invalid_config`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str) -> Result<Core, JsValue> {
        let (config, storage) = input::config(config).map_err(thrown)?;
        let client = OAuthClient::new(config).map_err(thrown)?;
        Ok(Core { client, storage })
    }

    /// The configuration the shell needs: the provider metadata (the `metadata` getter), `clientId`,
    /// `timeoutMs`, `pendingTtlSeconds` and `storage`.
    pub fn info(&self) -> String {
        let c = &self.client.config;
        let mut m = ObjectWriter::new();
        metadata(&mut m, c);
        let mut o = ObjectWriter::new();
        o.raw("metadata", &m.finish())
            .str("clientId", &c.client_id)
            .uint("timeoutMs", u64::from(c.timeout_ms))
            .uint("pendingTtlSeconds", c.pending_ttl_seconds)
            .str("storage", self.storage.as_str());
        o.finish()
    }

    /// A new pending authorization (`AuthorizationOptions` JSON text or `null`).
    pub fn start(&self, options: &str, now: f64) -> Out {
        out(input::authorization_options(options)
            .and_then(|o| self.client.start_authorization(&o, secs(now)))
            .map(|p| pending_json(&p)))
    }

    /// Validates a callback against a pending authorization: `{ code, state, iss? }`.
    pub fn validate(&self, url: &str, pending: &str, now: f64) -> Out {
        out(input::pending(pending)
            .and_then(|p| self.client.validate_callback(url, &p, secs(now)))
            .map(|v| {
                let mut o = ObjectWriter::new();
                o.str("code", v.code().secret())
                    .str("state", v.state().secret())
                    .opt_str("iss", v.iss());
                o.finish()
            }))
    }

    /// The code exchange request: `{ url, body, authorization? }`.
    pub fn exchange(&self, code: &str, pending: &str) -> Out {
        let pending = input::pending(pending).map_err(thrown)?;
        if code.is_empty() {
            return Err(thrown(Error::client(ErrorCode::MissingCode)));
        }
        let code = AuthorizationCode::new(code);
        Ok(request_json(
            &self.client.code_exchange_request_unchecked(&code, &pending),
        ))
    }

    /// The refresh request. A kept ID token (for the continuity checks) is read first, so that a broken
    /// one fails before the refresh token is spent.
    pub fn refresh(
        &self,
        refresh_token: &str,
        scope: Option<String>,
        id_token: Option<String>,
    ) -> Out {
        if refresh_token.is_empty() {
            return Err(thrown(Error::client(ErrorCode::InvalidConfig)));
        }
        if self.client.config.jwks_uri.is_some() {
            kept_claims(id_token).map_err(thrown)?;
        }
        let rt = RefreshToken::new(refresh_token);
        Ok(request_json(
            &self.client.refresh_request(&rt, scope.as_deref()),
        ))
    }

    /// Validates a token response. For an OpenID Connect client (one with a `jwksUri`) the ID token's
    /// claims are validated too (`pending` for a code exchange; the kept `id_token` on refresh) and set as
    /// `claims`: the shell must then verify its signature (see [`Core::key`]) before handing it out.
    #[allow(clippy::too_many_arguments)]
    pub fn tokens(
        &self,
        status: u16,
        content_type: Option<String>,
        body: &[u8],
        now: f64,
        refresh_token: Option<String>,
        pending: Option<String>,
        id_token: Option<String>,
    ) -> Out {
        out(self.tokens_inner(
            status,
            content_type.as_deref(),
            body,
            secs(now),
            refresh_token,
            pending,
            id_token,
        ))
    }

    /// The key that verifies `id_token` from a JWKS response: `{ jwk, alg }` for WebCrypto's `importKey`
    /// and `verify`, or `null` when no key fits (refetch once, then `key_not_found`).
    pub fn key(
        &self,
        id_token: &str,
        status: u16,
        content_type: Option<String>,
        body: &[u8],
    ) -> Out {
        if status != 200 || !is_json_media_type(content_type.as_deref()) {
            return Err(thrown(Error::response(ErrorCode::InvalidResponse, status)));
        }
        let jws = parse_jws(&IdToken::new(id_token)).map_err(thrown)?;
        Ok(match select_key(body, &jws).map_err(thrown)? {
            None => String::from("null"),
            Some(key) => {
                let mut jwk = ObjectWriter::new();
                jwk.str("kty", key.kty);
                for (name, value) in &key.members {
                    jwk.str(name, value);
                }
                let mut o = ObjectWriter::new();
                o.raw("jwk", &jwk.finish())
                    .raw("alg", &algorithm_json(jws.alg));
                o.finish()
            }
        })
    }

    /// The userinfo request: `{ url, authorization }`.
    #[wasm_bindgen(js_name = userinfoRequest)]
    pub fn userinfo_request(&self, access_token: &str) -> Out {
        if access_token.is_empty() {
            return Err(thrown(Error::client(ErrorCode::InvalidConfig)));
        }
        let url = self
            .client
            .config
            .userinfo_endpoint
            .as_deref()
            .ok_or(thrown(Error::client(ErrorCode::MissingEndpoint)))?;
        let mut authorization = String::from("Bearer ");
        authorization.push_str(access_token);
        let mut o = ObjectWriter::new();
        o.str("url", url).str("authorization", &authorization);
        Ok(o.finish())
    }

    /// The expected subject of a userinfo response: `subject`, or the `sub` of the kept ID token (of an
    /// OpenID Connect client). Checked before the request is sent.
    pub fn subject(&self, subject: Option<String>, id_token: Option<String>) -> Out {
        if let Some(s) = subject {
            return Ok(s);
        }
        let id_token = id_token.filter(|_| self.client.config.jwks_uri.is_some());
        kept_claims(id_token)
            .and_then(|c| {
                c.map(|c| c.sub)
                    .ok_or(Error::client(ErrorCode::InvalidConfig))
            })
            .map_err(thrown)
    }

    /// Validates a userinfo response against the expected subject; returns its JSON text.
    pub fn userinfo(
        &self,
        status: u16,
        content_type: Option<String>,
        body: &[u8],
        subject: &str,
    ) -> Out {
        out(parse_userinfo(
            status,
            content_type.as_deref(),
            body,
            subject,
        ))
    }

    /// The RFC 7009 revocation request: `{ url, body, authorization? }`.
    pub fn revocation(&self, token: &str, hint: Option<String>) -> Out {
        out(self
            .client
            .revocation_request(token, hint.as_deref())
            .map(|r| request_json(&r)))
    }

    /// The RP-initiated logout URL (`LogoutOptions` JSON text or `null`).
    pub fn logout(&self, options: &str) -> Out {
        let code = ErrorCode::InvalidConfig;
        let read = || -> Result<String, Error> {
            let v = &input::object(options, true, code)?;
            let options = LogoutOptions {
                id_token_hint: input::opt_string(v, "idTokenHint", code)?.map(IdToken::new),
                post_logout_redirect_uri: input::opt_string(v, "postLogoutRedirectUri", code)?,
                state: input::opt_string(v, "state", code)?,
            };
            self.client.logout_url(&options)
        };
        out(read())
    }
}

impl Core {
    #[allow(clippy::too_many_arguments)]
    fn tokens_inner(
        &self,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
        now: u64,
        refresh_token: Option<String>,
        pending: Option<String>,
        id_token: Option<String>,
    ) -> Result<String, Error> {
        let previous_rt = refresh_token.map(RefreshToken::new);
        let mut tokens =
            crate::parse_token_response(status, content_type, body, now, previous_rt.as_ref())?;
        if self.client.config.jwks_uri.is_none() {
            // A plain OAuth client passes `id_token` through unverified.
            return Ok(token_set_json(&tokens));
        }
        let pending = pending.as_deref().map(input::pending).transpose()?;
        let previous = kept_claims(id_token)?;
        let ctx = IdTokenContext {
            nonce: pending
                .as_ref()
                .and_then(|p| p.nonce.as_ref())
                .map(|n| n.secret()),
            max_age: pending.as_ref().and_then(|p| p.max_age),
            previous: previous.as_ref(),
        };
        if let Some((_, claims)) = self.client.id_token_claims(&tokens, &ctx, now)? {
            tokens.claims = Some(claims);
        }
        Ok(token_set_json(&tokens))
    }
}

/// The `state` of a callback URL (or query), to find its pending authorization: `duplicate_parameter`
/// when repeated, `missing_state` when absent or empty.
#[wasm_bindgen(js_name = callbackState)]
pub fn callback_state(url: &str) -> Out {
    crate::callback::parse_callback(url)
        .and_then(|p| {
            p.state
                .filter(|s| !s.is_empty())
                .ok_or(Error::client(ErrorCode::MissingState))
        })
        .map_err(thrown)
}

/// The two discovery URLs of an issuer, as a JSON array, in the order to try them.
#[wasm_bindgen(js_name = discoveryUrls)]
pub fn discovery_urls_json(issuer: &str) -> Out {
    let [a, b] = discovery_urls(issuer).map_err(thrown)?;
    let mut s = String::from("[");
    write_string(&mut s, &a);
    s.push(',');
    write_string(&mut s, &b);
    s.push(']');
    Ok(s)
}

/// Validates a discovery document: the provider metadata, in the shape of a config.
#[wasm_bindgen]
pub fn discovery(issuer: &str, status: u16, content_type: Option<String>, body: &[u8]) -> Out {
    let m = parse_discovery(status, content_type.as_deref(), body, issuer).map_err(thrown)?;
    let mut c = ClientConfig::new("", "", "", "");
    m.apply(&mut c);
    let mut o = ObjectWriter::new();
    metadata(&mut o, &c);
    Ok(o.finish())
}

/// A PKCE pair: a fresh verifier, or the challenge of a given one (`invalid_verifier`).
#[wasm_bindgen]
pub fn pkce(verifier: Option<String>) -> Out {
    let pkce = match verifier {
        Some(v) => Pkce::from_verifier(&v),
        None => Pkce::generate(),
    }
    .map_err(thrown)?;
    let mut o = ObjectWriter::new();
    o.str("codeVerifier", pkce.code_verifier.secret())
        .str("codeChallenge", &pkce.code_challenge)
        .str("codeChallengeMethod", CODE_CHALLENGE_METHOD);
    Ok(o.finish())
}

/// The error JSON of one of this library's codes, for failures the shell detects itself (network,
/// timeout, storage, environment, signature): the messages live in one place, [`Error::message`].
#[wasm_bindgen(js_name = errorOf)]
pub fn error_of(code: &str, status: Option<u16>) -> String {
    let code = ErrorCode::ALL
        .into_iter()
        .find(|c| c.as_str() == code)
        .unwrap_or(ErrorCode::InvalidResponse);
    error_json(&Error::Client { code, status })
}

/// Validates a revocation response (any 200 is success).
#[wasm_bindgen]
pub fn revoked(status: u16, body: &[u8]) -> Result<(), JsValue> {
    parse_revocation_response(status, body).map_err(thrown)
}
