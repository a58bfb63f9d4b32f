//! The JavaScript API (the npm package). The only module with `#[wasm_bindgen]` exports.
#![allow(unreachable_pub)] // `#[wasm_bindgen]` items are reachable from JavaScript.

use alloc::string::String;
use alloc::vec::Vec;

mod convert;
mod error;

use alloc::rc::Rc;
use core::cell::Cell;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::io::storage::Storage;
use crate::io::{self, now, JwksCache};
use crate::{
    parse_jws, AccessToken, AuthorizationCode, AuthorizationOptions, ClientAuth, ClientConfig,
    ClientSecret, Error, ErrorCode, IdToken, IdTokenClaims, LogoutOptions, OAuthClient,
    PendingAuthorization, Pkce, RefreshToken, CODE_CHALLENGE_METHOD, DEFAULT_TIMEOUT_MS,
};
use convert::{
    opt_bool, opt_string, opt_uint, params, pending_from_js, pending_to_js, req_string, set,
    token_set_to_js,
};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Client authentication at the token endpoint, the same on every request. */
export type TokenEndpointAuthMethod = "none" | "client_secret_basic" | "client_secret_post";

/** Extra request parameters: a string, or an array of strings for a repeated parameter (e.g. `resource`). */
export type ExtraParams = Record<string, string | string[] | undefined>;

/** The configuration of an `OAuthClient`. Validated by the constructor (`invalid_config`). */
export interface OAuthClientConfig {
  /** The client identifier. */
  clientId: string;
  /** Absolute `https:` URL (`http:` only on localhost, 127.0.0.1, [::1]); its query is kept. */
  authorizationEndpoint: string;
  /** Absolute `https:` URL (`http:` only on loopback hosts). */
  tokenEndpoint: string;
  /** The exact registered redirect URI, without a fragment. */
  redirectUri: string;
  /** The default scope; a per-call `scope` replaces it. A nonce is sent whenever it contains `openid`. */
  scope?: string;
  /** The issuer identifier; enables the RFC 9207 `iss` check on callbacks. */
  issuer?: string;
  /** Reject callbacks without `iss` (needs `issuer`). Default `false`. */
  requireIss?: boolean;
  /** Confidential clients only (servers, edge functions). Never ship a secret to a browser. */
  clientSecret?: string;
  /** Default `"none"`, or `"client_secret_basic"` when `clientSecret` is set. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** Added to every authorization URL. Reserved names (`response_type`, `client_id`, `redirect_uri`, `scope`, `state`, `code_challenge`, `code_challenge_method`, `nonce`) are refused. */
  extraAuthorizationParams?: ExtraParams;
  /** Added to every token request. Reserved names (`grant_type`, `code`, `code_verifier`, `redirect_uri`, `refresh_token`, `client_id`, `client_secret`, ...) are refused. */
  extraTokenParams?: ExtraParams;
  /** Where `login()` keeps pending authorizations. Default `"session"`. */
  storage?: "session" | "local" | "memory";
  /** Token endpoint timeout in milliseconds, body included. Default 30000. */
  timeoutMs?: number;
  /** How long a pending authorization stays valid, in seconds. Default 600. */
  pendingTtlSeconds?: number;
  /**
   * OpenID Connect: the provider's JWKS (needs `issuer`). With it, every ID token is verified (signature
   * and claims) on code exchange and refresh, `claims` is set, and an `openid` authorization must return an
   * ID token. Without it, `id_token` is passed through unverified. `OAuthClient.discover` sets it.
   */
  jwksUri?: string;
  /** OpenID Connect `userinfo_endpoint`, for `userinfo()`. */
  userinfoEndpoint?: string;
  /** RP-initiated logout `end_session_endpoint`, for `logoutUrl()`. */
  endSessionEndpoint?: string;
  /** RFC 7009 `revocation_endpoint`, for `revoke()`. */
  revocationEndpoint?: string;
  /** Leeway for the ID token's `exp`, `iat` and `auth_time`, in seconds. Default 60. */
  clockToleranceSeconds?: number;
}

/** The configuration of `OAuthClient.discover`: the endpoints and the issuer come from the discovery document. */
export type DiscoveryConfig = Omit<OAuthClientConfig, "authorizationEndpoint" | "tokenEndpoint" | "issuer" | "jwksUri" | "userinfoEndpoint" | "endSessionEndpoint" | "revocationEndpoint">;

/** What the client took from the provider: spread it into a config to build a client without discovery. */
export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  requireIss: boolean;
  jwksUri?: string;
  userinfoEndpoint?: string;
  endSessionEndpoint?: string;
  revocationEndpoint?: string;
}

/** Verified ID token claims. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  auth_time?: number;
  nonce?: string;
  azp?: string;
  [claim: string]: unknown;
}

/** Options of `logoutUrl`. */
export interface LogoutOptions {
  /** `id_token_hint`. Note that it puts the ID token in the URL; `client_id` is always sent and usually enough. */
  idTokenHint?: string;
  /** Registered with the provider. */
  postLogoutRedirectUri?: string;
  state?: string;
}

/** Options of `userinfo`. */
export interface UserinfoOptions {
  /** The expected `sub`; taken from the token set's ID token when one is given. */
  subject?: string;
}

/** Options of `revoke`. */
export interface RevokeOptions {
  /** `token_type_hint`: `"access_token"` or `"refresh_token"`. */
  hint?: string;
}

/** Per-call options of `startAuthorization` and `login`. */
export interface AuthorizationOptions {
  /** Replaces the configured scope. */
  scope?: string;
  /** Added to the configured extra parameters; a name given here replaces the configured values of that name. */
  extraParams?: ExtraParams;
  /** `prompt`, e.g. `"consent"` or `"login"`. */
  prompt?: string;
  /** `login_hint`. */
  loginHint?: string;
}

/** A started authorization. Holds the verifier: keep it private to this user agent, never in a URL. */
export interface PendingAuthorization {
  /** Send the user here. */
  url: string;
  state: string;
  codeVerifier: string;
  /** Present when the scope contains `openid`. */
  nonce?: string;
  redirectUri: string;
  /** The issuer the request was sent to, when configured. */
  issuer?: string;
  /** Unix seconds. */
  createdAt: number;
  /** The `max_age` sent, in seconds (the ID token's `auth_time` is checked against it). */
  maxAge?: number;
}

/** A callback that passed validation. */
export interface ValidatedCallback {
  code: string;
  state: string;
  iss?: string;
}

/** A validated token response, with RFC wire names. Members the server did not send are absent. */
export interface TokenSet {
  access_token: string;
  /** Lower-cased; `"bearer"`. */
  token_type: string;
  expires_in?: number;
  /** Receipt time + `expires_in`, integer unix seconds. */
  expires_at?: number;
  /** After a refresh without rotation, the refresh token that was used. */
  refresh_token?: string;
  /** Verified when the client has a `jwksUri` (then `claims` is set); otherwise passed through unverified. */
  id_token?: string;
  scope?: string;
  /** The verified ID token's claims. */
  claims?: IdTokenClaims;
}

/** Options of `refresh`. */
export interface RefreshOptions {
  /** A narrower scope than the one granted. */
  scope?: string;
}

/** A PKCE pair. */
export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: "S256";
}

/** This library's own error codes. */
export type OAuthClientErrorCode =
  | "invalid_config" | "invalid_verifier" | "state_mismatch" | "missing_state" | "issuer_mismatch"
  | "missing_issuer" | "missing_code" | "duplicate_parameter" | "no_pending_authorization"
  | "pending_expired" | "invalid_pending" | "invalid_response" | "network_error" | "timeout"
  | "storage_unavailable" | "unsupported_environment" | "random_unavailable" | "invalid_id_token"
  | "missing_id_token" | "unsupported_algorithm" | "id_token_signature" | "key_not_found"
  | "audience_mismatch" | "nonce_mismatch" | "subject_mismatch" | "id_token_expired"
  | "id_token_issued_in_future" | "auth_time_too_old" | "pkce_unsupported" | "missing_endpoint";

/** Any failure other than a server's error response. */
export interface OAuthClientError extends Error {
  name: "OAuthClientError";
  code: OAuthClientErrorCode;
  /** Set when an HTTP response was involved (0 for a browser's opaque redirect). */
  status?: number;
}

/** The callback carried `error=`. The fields are attacker-controlled text: render them as text. */
export interface AuthorizationResponseError extends Error {
  name: "AuthorizationResponseError";
  /** The RFC error, e.g. `"access_denied"`. */
  code: string;
  error: string;
  error_description?: string;
  error_uri?: string;
}

/** The token endpoint answered with an RFC 6749 §5.2 error. */
export interface TokenResponseError extends Error {
  name: "TokenResponseError";
  /** The RFC error, e.g. `"invalid_grant"`. */
  code: string;
  error: string;
  error_description?: string;
  error_uri?: string;
  status: number;
}

export type OAuthError = OAuthClientError | AuthorizationResponseError | TokenResponseError;
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "OAuthClientConfig")]
    pub type JsClientConfig;
    #[wasm_bindgen(typescript_type = "AuthorizationOptions")]
    pub type JsAuthorizationOptions;
    #[wasm_bindgen(typescript_type = "PendingAuthorization")]
    pub type JsPendingAuthorization;
    #[wasm_bindgen(typescript_type = "ValidatedCallback")]
    pub type JsValidatedCallback;
    #[wasm_bindgen(typescript_type = "RefreshOptions")]
    pub type JsRefreshOptions;
    #[wasm_bindgen(typescript_type = "PkcePair")]
    pub type JsPkcePair;
    #[wasm_bindgen(typescript_type = "DiscoveryConfig")]
    pub type JsDiscoveryConfig;
    #[wasm_bindgen(typescript_type = "ProviderMetadata")]
    pub type JsProviderMetadata;
    #[wasm_bindgen(typescript_type = "LogoutOptions")]
    pub type JsLogoutOptions;
    #[wasm_bindgen(typescript_type = "UserinfoOptions")]
    pub type JsUserinfoOptions;
    #[wasm_bindgen(typescript_type = "RevokeOptions")]
    pub type JsRevokeOptions;
}

struct Inner {
    client: OAuthClient,
    storage: Storage,
    /// The refresh in flight per refresh token (single-flight: one token is never presented twice at once).
    refreshing: Cell<Vec<(String, Promise)>>,
    /// The provider's JWKS, for ID token signatures.
    jwks: JwksCache,
}

/// An OAuth 2.1 Authorization Code + PKCE client for one authorization server.
///
/// The constructor only validates the configuration (`invalid_config`) and never touches storage, so it
/// works in any runtime. `login()` and `handleCallback()` without a pending authorization are browser
/// conveniences; the low-level methods (`startAuthorization`, `validateCallback`, `exchangeCode`,
/// `handleCallback(url, pending)`, `refresh`) run everywhere.
#[wasm_bindgen(js_name = OAuthClient)]
pub struct JsOAuthClient {
    inner: Rc<Inner>,
}

/// The configuration; with `discovered`, the provider's endpoints and issuer are left for the discovery
/// document to fill.
fn config_from_js(v: &JsValue, discovered: bool) -> Result<(ClientConfig, Storage), Error> {
    let code = ErrorCode::InvalidConfig;
    if !v.is_object() {
        return Err(Error::client(code));
    }
    let provider = |name| match discovered {
        true => Ok(None),
        false => opt_string(v, name, code),
    };
    let mut c = ClientConfig::new(
        req_string(v, "clientId", code)?,
        provider("authorizationEndpoint")?.unwrap_or_default(),
        provider("tokenEndpoint")?.unwrap_or_default(),
        req_string(v, "redirectUri", code)?,
    );
    c.scope = opt_string(v, "scope", code)?;
    c.issuer = provider("issuer")?;
    c.jwks_uri = provider("jwksUri")?;
    c.userinfo_endpoint = provider("userinfoEndpoint")?;
    c.end_session_endpoint = provider("endSessionEndpoint")?;
    c.revocation_endpoint = provider("revocationEndpoint")?;
    if let Some(t) = opt_uint(v, "clockToleranceSeconds", 86_400.0, code)? {
        c.clock_tolerance_seconds = t;
    }
    c.require_iss = opt_bool(v, "requireIss", code)?.unwrap_or(false);
    let secret = opt_string(v, "clientSecret", code)?.map(ClientSecret::new);
    c.client_auth = match (
        opt_string(v, "tokenEndpointAuthMethod", code)?.as_deref(),
        secret,
    ) {
        (None | Some("none"), None) => ClientAuth::None,
        (None | Some("client_secret_basic"), Some(s)) => ClientAuth::ClientSecretBasic(s),
        (Some("client_secret_post"), Some(s)) => ClientAuth::ClientSecretPost(s),
        _ => return Err(Error::client(code)),
    };
    c.extra_authorization_params = params(v, "extraAuthorizationParams")?;
    c.extra_token_params = params(v, "extraTokenParams")?;
    c.timeout_ms = opt_uint(v, "timeoutMs", f64::from(u32::MAX), code)?
        .map_or(DEFAULT_TIMEOUT_MS, |t| t as u32);
    if let Some(ttl) = opt_uint(v, "pendingTtlSeconds", f64::from(u32::MAX), code)? {
        c.pending_ttl_seconds = ttl;
    }
    let storage = match opt_string(v, "storage", code)?.as_deref() {
        None | Some("session") => Storage::Session,
        Some("local") => Storage::Local,
        Some("memory") => Storage::Memory(Cell::new(Vec::new())),
        _ => return Err(Error::client(code)),
    };
    Ok((c, storage))
}

fn options_from_js(v: &JsValue) -> Result<AuthorizationOptions, Error> {
    let code = ErrorCode::InvalidConfig;
    if !(v.is_undefined() || v.is_null() || v.is_object()) {
        return Err(Error::client(code));
    }
    Ok(AuthorizationOptions {
        scope: opt_string(v, "scope", code)?,
        extra_params: params(v, "extraParams")?,
        prompt: opt_string(v, "prompt", code)?,
        login_hint: opt_string(v, "loginHint", code)?,
    })
}

/// The asynchronous operations. They all run through one future type, so `future_to_promise` and its
/// state machine are instantiated once (each instantiation costs kilobytes of wasm).
enum Op {
    Exchange {
        code: String,
        pending: JsValue,
    },
    Callback {
        url: Option<String>,
        pending: JsValue,
    },
    Refresh {
        refresh_token: String,
        tokens: JsValue,
        options: JsValue,
    },
    Login {
        options: JsValue,
    },
    Userinfo {
        tokens: JsValue,
        options: JsValue,
    },
    Revoke {
        token: String,
        options: JsValue,
    },
}

/// A client operation, or a discovery (which has no client yet).
enum Task {
    Client(Rc<Inner>, Op),
    Discover { issuer: String, config: JsValue },
}

/// Runs a task as a Promise that rejects with the typed error.
fn spawn(task: Task) -> Promise {
    future_to_promise(async move {
        match task {
            Task::Client(inner, op) => inner.run(op).await,
            Task::Discover { issuer, config } => discover(&issuer, &config).await,
        }
        .map_err(JsValue::from)
    })
}

fn promise(inner: Rc<Inner>, op: Op) -> Promise {
    spawn(Task::Client(inner, op))
}

async fn discover(issuer: &str, config: &JsValue) -> Result<JsValue, Error> {
    let (config, storage) = config_from_js(config, true)?;
    let client = OAuthClient::discover(issuer, config).await?;
    Ok(JsOAuthClient::from_parts(client, storage).into())
}

/// The claims of the ID token in a token set the caller kept (verified when it was received); `None` for
/// a string or a token set without one, and for clients that do not verify ID tokens.
fn kept_claims(client: &OAuthClient, tokens: &JsValue) -> Result<Option<IdTokenClaims>, Error> {
    if client.config.jwks_uri.is_none() {
        return Ok(None);
    }
    match opt_string(tokens, "id_token", ErrorCode::InvalidConfig)? {
        Some(t) => Ok(Some(IdTokenClaims::from_jws(&parse_jws(&IdToken::new(
            t,
        ))?)?)),
        None => Ok(None),
    }
}

/// A token from a string, or from the named member of a token set.
fn token_of(tokens: &JsValue, member: &str) -> String {
    tokens
        .as_string()
        .or_else(|| convert::get(tokens, member).as_string())
        .unwrap_or_default()
}

impl Inner {
    async fn run(&self, op: Op) -> Result<JsValue, Error> {
        match op {
            Op::Exchange { code, pending } => {
                let pending = pending_from_js(&pending)?;
                if code.is_empty() {
                    return Err(Error::client(ErrorCode::MissingCode));
                }
                self.exchange(&AuthorizationCode::new(code), &pending).await
            }
            Op::Callback { url, pending } => self.handle_callback(url, pending).await,
            Op::Refresh {
                refresh_token,
                tokens,
                options,
            } => {
                let result = self.refresh(&refresh_token, &tokens, &options).await;
                self.update_in_flight(|list| list.retain(|(t, _)| *t != refresh_token));
                result
            }
            Op::Login { options } => self.login(&options),
            Op::Userinfo { tokens, options } => {
                let bad = ErrorCode::InvalidConfig;
                let access_token = token_of(&tokens, "access_token");
                let subject = match opt_string(&options, "subject", bad)? {
                    Some(s) => s,
                    None => kept_claims(&self.client, &tokens)?
                        .map(|c| c.sub)
                        .ok_or(Error::client(bad))?,
                };
                if access_token.is_empty() {
                    return Err(Error::client(bad));
                }
                let json = self
                    .client
                    .userinfo(&AccessToken::new(access_token), &subject)
                    .await?;
                js_sys::JSON::parse(&json)
                    .map_err(|_| Error::response(ErrorCode::InvalidResponse, 200))
            }
            Op::Revoke { token, options } => {
                let hint = opt_string(&options, "hint", ErrorCode::InvalidConfig)?;
                self.client.revoke(&token, hint.as_deref()).await?;
                Ok(JsValue::UNDEFINED)
            }
        }
    }

    fn login(&self, options: &JsValue) -> Result<JsValue, Error> {
        io::window()?;
        let options = options_from_js(options)?;
        let now = now();
        let pending = self.client.start_authorization(&options, now)?;
        self.clean_expired(now)?;
        let json = js_sys::JSON::stringify(&pending_to_js(&pending))
            .ok()
            .and_then(|s| s.as_string())
            .ok_or(Error::client(ErrorCode::StorageUnavailable))?;
        self.storage.set(&self.key(pending.state.secret()), &json)?;
        io::navigate(&pending.url)?;
        Ok(JsValue::UNDEFINED)
    }

    fn key_prefix(&self) -> String {
        let mut k = String::from("pkce-wasm:pending:");
        k.push_str(&self.client.config.client_id);
        k.push(':');
        k
    }

    fn key(&self, state: &str) -> String {
        let mut k = self.key_prefix();
        k.push_str(state);
        k
    }

    /// Removes pending authorizations that expired or cannot be read.
    fn clean_expired(&self, now: u64) -> Result<(), Error> {
        let ttl = self.client.config.pending_ttl_seconds;
        for key in self.storage.keys(&self.key_prefix())? {
            let fresh = self
                .storage
                .get(&key)?
                .and_then(|json| js_sys::JSON::parse(&json).ok())
                .and_then(|v| pending_from_js(&v).ok())
                .is_some_and(|p| now < p.created_at.saturating_add(ttl));
            if !fresh {
                self.storage.remove(&key)?;
            }
        }
        Ok(())
    }

    /// A callback whose `state` matches no stored pending authorization. If authorizations of this
    /// client are pending, the callback is forged or crossed: `state_mismatch`, and those authorizations
    /// are consumed (a retry starts afresh). Otherwise it is a replay or a stray: `no_pending_authorization`.
    fn unmatched_state(&self) -> Result<Error, Error> {
        let keys = self.storage.keys(&self.key_prefix())?;
        if keys.is_empty() {
            return Ok(Error::client(ErrorCode::NoPendingAuthorization));
        }
        for key in keys {
            self.storage.remove(&key)?;
        }
        Ok(Error::client(ErrorCode::StateMismatch))
    }

    /// Takes (reads and removes) the pending authorization stored under `state`: single use.
    fn take_pending(&self, state: &str) -> Result<PendingAuthorization, Error> {
        let key = self.key(state);
        let stored = self.storage.get(&key)?;
        self.storage.remove(&key)?;
        let json = stored.ok_or(Error::client(ErrorCode::NoPendingAuthorization))?;
        let value =
            js_sys::JSON::parse(&json).map_err(|_| Error::client(ErrorCode::InvalidPending))?;
        pending_from_js(&value)
    }

    async fn exchange(
        &self,
        code: &AuthorizationCode,
        pending: &PendingAuthorization,
    ) -> Result<JsValue, Error> {
        let tokens = self
            .client
            .exchange_and_verify(code, pending, &self.jwks)
            .await?;
        Ok(token_set_to_js(&tokens))
    }

    fn update_in_flight<R>(&self, f: impl FnOnce(&mut Vec<(String, Promise)>) -> R) -> R {
        let mut list = self.refreshing.take();
        let result = f(&mut list);
        self.refreshing.set(list);
        result
    }

    fn in_flight(&self, refresh_token: &str) -> Option<Promise> {
        self.update_in_flight(|list| {
            list.iter()
                .find(|(t, _)| t == refresh_token)
                .map(|(_, p)| p.clone())
        })
    }

    async fn refresh(
        &self,
        refresh_token: &str,
        tokens: &JsValue,
        options: &JsValue,
    ) -> Result<JsValue, Error> {
        if refresh_token.is_empty()
            || !(options.is_undefined() || options.is_null() || options.is_object())
        {
            return Err(Error::client(ErrorCode::InvalidConfig));
        }
        let scope = opt_string(options, "scope", ErrorCode::InvalidConfig)?;
        let previous = kept_claims(&self.client, tokens)?;
        let rt = RefreshToken::new(refresh_token);
        let tokens = self
            .client
            .refresh_and_verify(&rt, scope.as_deref(), previous.as_ref(), &self.jwks)
            .await?;
        Ok(token_set_to_js(&tokens))
    }

    async fn handle_callback(
        &self,
        url: Option<String>,
        pending: JsValue,
    ) -> Result<JsValue, Error> {
        let url = match url {
            Some(u) => u,
            None => io::take_callback_url()?,
        };
        let params = crate::callback::parse_callback(&url)?;
        let now = now();
        let pending = if pending.is_undefined() || pending.is_null() {
            let state = params
                .state
                .as_deref()
                .filter(|s| !s.is_empty())
                .ok_or(Error::client(ErrorCode::MissingState))?;
            let taken = self.take_pending(state);
            // Housekeeping only: a storage failure here must not hide the real outcome.
            let _ = self.clean_expired(now);
            match taken {
                Err(e) if e.client_code() == Some(ErrorCode::NoPendingAuthorization) => {
                    return Err(self.unmatched_state()?);
                }
                other => other?,
            }
        } else {
            pending_from_js(&pending)?
        };
        let validated = self.client.validate_params(params, &pending, now)?;
        self.exchange(&validated.code, &pending).await
    }
}

impl JsOAuthClient {
    fn from_parts(client: OAuthClient, storage: Storage) -> JsOAuthClient {
        JsOAuthClient {
            inner: Rc::new(Inner {
                client,
                storage,
                refreshing: Cell::new(Vec::new()),
                jwks: JwksCache::default(),
            }),
        }
    }
}

#[wasm_bindgen(js_class = OAuthClient)]
impl JsOAuthClient {
    /// Validates the configuration. Throws `OAuthClientError` `invalid_config`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsClientConfig) -> Result<JsOAuthClient, JsValue> {
        let (config, storage) = config_from_js(&config, false)?;
        Ok(JsOAuthClient::from_parts(
            OAuthClient::new(config)?,
            storage,
        ))
    }

    /// Discovers the provider at `issuer` (OpenID Connect Discovery, then RFC 8414) and builds a client with
    /// its endpoints. The document's `issuer` must equal `issuer` (`issuer_mismatch`), it must list `S256`
    /// (`pkce_unsupported`), and `requireIss` follows `authorization_response_iss_parameter_supported`.
    /// Keep `client.metadata` to build the next client without a request.
    #[wasm_bindgen(unchecked_return_type = "Promise<OAuthClient>")]
    pub fn discover(issuer: String, config: JsDiscoveryConfig) -> Promise {
        spawn(Task::Discover {
            issuer,
            config: config.into(),
        })
    }

    /// The provider's issuer and endpoints, in the shape of a config (cacheable, JSON-serialisable).
    #[wasm_bindgen(getter)]
    pub fn metadata(&self) -> JsProviderMetadata {
        let c = &self.inner.client.config;
        let o = Object::new();
        let put = |k, v: Option<&str>| {
            if let Some(v) = v {
                set(&o, k, &JsValue::from_str(v));
            }
        };
        put("issuer", c.issuer.as_deref());
        put("authorizationEndpoint", Some(&c.authorization_endpoint));
        put("tokenEndpoint", Some(&c.token_endpoint));
        set(&o, "requireIss", &JsValue::from_bool(c.require_iss));
        put("jwksUri", c.jwks_uri.as_deref());
        put("userinfoEndpoint", c.userinfo_endpoint.as_deref());
        put("endSessionEndpoint", c.end_session_endpoint.as_deref());
        put("revocationEndpoint", c.revocation_endpoint.as_deref());
        JsValue::from(o).into()
    }

    /// Fetches the userinfo endpoint with the token set's access token (or the given one). The response's
    /// `sub` must equal the ID token's (`subject_mismatch`); with a bare access token pass `subject`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, unknown> & { sub: string }>")]
    pub fn userinfo(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenSet | string")] tokens: JsValue,
        options: Option<JsUserinfoOptions>,
    ) -> Promise {
        let options = options.map_or(JsValue::UNDEFINED, Into::into);
        promise(self.inner.clone(), Op::Userinfo { tokens, options })
    }

    /// The RP-initiated logout URL (`end_session_endpoint`): send the user there to sign out at the
    /// provider. `client_id` is always included.
    #[wasm_bindgen(js_name = logoutUrl)]
    pub fn logout_url(&self, options: Option<JsLogoutOptions>) -> Result<String, JsValue> {
        let v: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let code = ErrorCode::InvalidConfig;
        let options = LogoutOptions {
            id_token_hint: opt_string(&v, "idTokenHint", code)?.map(IdToken::new),
            post_logout_redirect_uri: opt_string(&v, "postLogoutRedirectUri", code)?,
            state: opt_string(&v, "state", code)?,
        };
        Ok(self.inner.client.logout_url(&options)?)
    }

    /// Revokes a token (RFC 7009), authenticated like token requests. Revoke the refresh token to end the
    /// whole grant.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn revoke(&self, token: String, options: Option<JsRevokeOptions>) -> Promise {
        let options = options.map_or(JsValue::UNDEFINED, Into::into);
        promise(self.inner.clone(), Op::Revoke { token, options })
    }

    /// Starts an authorization: fresh `state`, PKCE verifier (S256) and, for `openid` scopes, `nonce`.
    /// Keep the returned object (it holds the verifier) and send the user to its `url`.
    #[wasm_bindgen(js_name = startAuthorization)]
    pub fn start_authorization(
        &self,
        options: Option<JsAuthorizationOptions>,
    ) -> Result<JsPendingAuthorization, JsValue> {
        let options = options_from_js(&options.map_or(JsValue::UNDEFINED, Into::into))?;
        let pending = self.inner.client.start_authorization(&options, now())?;
        Ok(pending_to_js(&pending).into())
    }

    /// Validates a callback URL (or query) against a pending authorization: repeated parameters, `state`,
    /// expiry, `iss`, `error=`, `code`, in that order. Sends nothing.
    #[wasm_bindgen(js_name = validateCallback)]
    pub fn validate_callback(
        &self,
        url: &str,
        pending: JsPendingAuthorization,
    ) -> Result<JsValidatedCallback, JsValue> {
        let pending = pending_from_js(&pending)?;
        let v = self.inner.client.validate_callback(url, &pending, now())?;
        let o = Object::new();
        set(&o, "code", &JsValue::from_str(v.code().secret()));
        set(&o, "state", &JsValue::from_str(v.state().secret()));
        if let Some(iss) = v.iss() {
            set(&o, "iss", &JsValue::from_str(iss));
        }
        Ok(JsValue::from(o).into())
    }

    /// Exchanges an authorization code (from `validateCallback`) for tokens.
    #[wasm_bindgen(js_name = exchangeCode, unchecked_return_type = "Promise<TokenSet>")]
    pub fn exchange_code(&self, code: String, pending: JsPendingAuthorization) -> Promise {
        promise(
            self.inner.clone(),
            Op::Exchange {
                code,
                pending: pending.into(),
            },
        )
    }

    /// Validates the callback and exchanges the code.
    ///
    /// With no arguments (browser): reads `location.href`, strips `code`, `state`, `iss` and
    /// `session_state` from the address bar, and takes the pending authorization stored by `login()` under
    /// the callback's `state` (single use: a replay gets `no_pending_authorization` and sends nothing).
    /// With `url` and `pending`: runs anywhere.
    #[wasm_bindgen(js_name = handleCallback, unchecked_return_type = "Promise<TokenSet>")]
    pub fn handle_callback(
        &self,
        url: Option<String>,
        pending: Option<JsPendingAuthorization>,
    ) -> Promise {
        let pending = pending.map_or(JsValue::UNDEFINED, Into::into);
        promise(self.inner.clone(), Op::Callback { url, pending })
    }

    /// Refreshes the tokens, optionally for a narrower `scope`. The result keeps `refresh_token` when the
    /// server did not rotate it. Concurrent calls with the same refresh token share one request.
    ///
    /// Pass the token set (rather than its `refresh_token`) so that a new ID token is checked against the
    /// original one: same issuer, subject and audience.
    #[wasm_bindgen(unchecked_return_type = "Promise<TokenSet>")]
    pub fn refresh(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenSet | string")] tokens: JsValue,
        options: Option<JsRefreshOptions>,
    ) -> Promise {
        let refresh_token = token_of(&tokens, "refresh_token");
        if let Some(p) = self.inner.in_flight(&refresh_token) {
            return p;
        }
        let key = refresh_token.clone();
        let options = options.map_or(JsValue::UNDEFINED, Into::into);
        let p = promise(
            self.inner.clone(),
            Op::Refresh {
                refresh_token,
                tokens,
                options,
            },
        );
        self.inner
            .update_in_flight(|list| list.push((key, p.clone())));
        p
    }

    /// Browser: starts an authorization, stores it under its `state` in the configured storage (expiring
    /// after `pendingTtlSeconds`), and navigates to the authorization URL with `location.assign`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn login(&self, options: Option<JsAuthorizationOptions>) -> Promise {
        let options = options.map_or(JsValue::UNDEFINED, Into::into);
        promise(self.inner.clone(), Op::Login { options })
    }

    /// The client identifier.
    #[wasm_bindgen(getter, js_name = clientId)]
    pub fn client_id(&self) -> String {
        self.inner.client.config.client_id.clone()
    }

    /// The configured issuer, if any.
    #[wasm_bindgen(getter)]
    pub fn issuer(&self) -> Option<String> {
        self.inner.client.config.issuer.clone()
    }
}

/// A PKCE pair: a fresh verifier (32 random bytes, base64url, 43 characters) and its S256 challenge, or
/// the challenge of a given verifier (`invalid_verifier` unless 43–128 unreserved characters).
#[wasm_bindgen(js_name = createPkce)]
pub fn create_pkce(verifier: Option<String>) -> Result<JsPkcePair, JsValue> {
    let pkce = match verifier {
        Some(v) => Pkce::from_verifier(&v)?,
        None => Pkce::generate()?,
    };
    let o = Object::new();
    set(
        &o,
        "codeVerifier",
        &JsValue::from_str(pkce.code_verifier.secret()),
    );
    set(
        &o,
        "codeChallenge",
        &JsValue::from_str(&pkce.code_challenge),
    );
    set(
        &o,
        "codeChallengeMethod",
        &JsValue::from_str(CODE_CHALLENGE_METHOD),
    );
    Ok(JsValue::from(o).into())
}

/// Whether `value` is an error thrown by this package (`OAuthClientError`, `AuthorizationResponseError` or
/// `TokenResponseError`).
#[wasm_bindgen(js_name = isOAuthError, unchecked_return_type = "value is OAuthError")]
pub fn is_oauth_error(value: &JsValue) -> bool {
    error::is_oauth_error(value)
}
