//! Reading the JavaScript shell's arguments (JSON text from `JSON.stringify`) into Rust types, with typed
//! checks: no panics on any input, and a wrong type is a typed error.

use alloc::string::String;
use alloc::vec::Vec;

use crate::json::{self, parse_uint, Json};
use crate::{
    AuthorizationOptions, ClientAuth, ClientConfig, ClientSecret, CodeVerifier, Error, ErrorCode,
    Nonce, PendingAuthorization, State, DEFAULT_TIMEOUT_MS,
};

/// Where `login()` keeps pending authorizations; the shell does the storing.
#[derive(Clone, Copy)]
pub(crate) enum StorageKind {
    Session,
    Local,
    Memory,
}

impl StorageKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StorageKind::Session => "session",
            StorageKind::Local => "local",
            StorageKind::Memory => "memory",
        }
    }
}

/// An object (or, with `optional`, `null` for an absent argument, read as an empty object).
pub(crate) fn object(text: &str, optional: bool, code: ErrorCode) -> Result<Json, Error> {
    match json::parse(text.as_bytes()) {
        Some(o @ Json::Object(_)) => Ok(o),
        Some(Json::Null) if optional => Ok(Json::Object(Vec::new())),
        _ => Err(Error::client(code)),
    }
}

/// Absent or `null` → `None`; a string → `Some`; anything else → `code`.
pub(crate) fn opt_string(o: &Json, name: &str, code: ErrorCode) -> Result<Option<String>, Error> {
    match o.opt_str(name) {
        Ok(s) => Ok(s.map(String::from)),
        Err(()) => Err(Error::client(code)),
    }
}

fn req_string(o: &Json, name: &str, code: ErrorCode) -> Result<String, Error> {
    opt_string(o, name, code)?.ok_or(Error::client(code))
}

fn opt_bool(o: &Json, name: &str, code: ErrorCode) -> Result<Option<bool>, Error> {
    match o.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Error::client(code)),
    }
}

/// A non-negative integer number up to `max` (the shell sends non-finite numbers as strings, so they fail).
fn opt_uint(o: &Json, name: &str, max: u64, code: ErrorCode) -> Result<Option<u64>, Error> {
    match o.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => match parse_uint(n.as_bytes()) {
            Some(v) if v <= max => Ok(Some(v)),
            _ => Err(Error::client(code)),
        },
        Some(_) => Err(Error::client(code)),
    }
}

/// A record of extra parameters: each value a string (one parameter) or an array of strings (the parameter
/// repeated).
fn params(o: &Json, name: &str) -> Result<Vec<(String, String)>, Error> {
    let bad = Error::client(ErrorCode::InvalidConfig);
    let members = match o.get(name) {
        None | Some(Json::Null) => return Ok(Vec::new()),
        Some(Json::Object(members)) => members,
        Some(_) => return Err(bad),
    };
    let mut out = Vec::new();
    for (name, value) in members {
        match value {
            Json::String(s) => out.push((name.clone(), s.clone())),
            Json::Array(items) => {
                for item in items {
                    let Json::String(s) = item else {
                        return Err(bad);
                    };
                    out.push((name.clone(), s.clone()));
                }
            }
            _ => return Err(bad),
        }
    }
    Ok(out)
}

/// The configuration members only an OpenID Connect client (the `oidc` feature) accepts.
#[cfg(not(feature = "oidc"))]
const OIDC_MEMBERS: [&str; 5] = [
    "jwksUri",
    "userinfoEndpoint",
    "endSessionEndpoint",
    "revocationEndpoint",
    "clockToleranceSeconds",
];

/// The client configuration (`OAuthClientConfig`), checked for types here and for meaning by
/// [`crate::OAuthClient::new`].
pub(crate) fn config(text: &str) -> Result<(ClientConfig, StorageKind), Error> {
    let code = ErrorCode::InvalidConfig;
    let v = &object(text, false, code)?;
    let s = |name| opt_string(v, name, code);
    let mut c = ClientConfig::new(
        req_string(v, "clientId", code)?,
        req_string(v, "authorizationEndpoint", code)?,
        req_string(v, "tokenEndpoint", code)?,
        req_string(v, "redirectUri", code)?,
    );
    // Without the `oidc` feature (`pkce-wasm/oauth`) nothing would verify an ID token or use these
    // endpoints: they are refused rather than ignored.
    #[cfg(not(feature = "oidc"))]
    for name in OIDC_MEMBERS {
        if !matches!(v.get(name), None | Some(Json::Null)) {
            return Err(Error::client(code));
        }
    }
    c.scope = s("scope")?;
    c.issuer = s("issuer")?;
    c.jwks_uri = s("jwksUri")?;
    c.userinfo_endpoint = s("userinfoEndpoint")?;
    c.end_session_endpoint = s("endSessionEndpoint")?;
    c.revocation_endpoint = s("revocationEndpoint")?;
    if let Some(t) = opt_uint(v, "clockToleranceSeconds", 86_400, code)? {
        c.clock_tolerance_seconds = t;
    }
    c.require_iss = opt_bool(v, "requireIss", code)?.unwrap_or(false);
    let secret = s("clientSecret")?.map(ClientSecret::new);
    c.client_auth = match (s("tokenEndpointAuthMethod")?.as_deref(), secret) {
        (None | Some("none"), None) => ClientAuth::None,
        (None | Some("client_secret_basic"), Some(s)) => ClientAuth::ClientSecretBasic(s),
        (Some("client_secret_post"), Some(s)) => ClientAuth::ClientSecretPost(s),
        _ => return Err(Error::client(code)),
    };
    c.extra_authorization_params = params(v, "extraAuthorizationParams")?;
    c.extra_token_params = params(v, "extraTokenParams")?;
    c.timeout_ms = opt_uint(v, "timeoutMs", u64::from(u32::MAX), code)?
        .map_or(DEFAULT_TIMEOUT_MS, |t| t as u32);
    if let Some(ttl) = opt_uint(v, "pendingTtlSeconds", u64::from(u32::MAX), code)? {
        c.pending_ttl_seconds = ttl;
    }
    let storage = match s("storage")?.as_deref() {
        None | Some("session") => StorageKind::Session,
        Some("local") => StorageKind::Local,
        Some("memory") => StorageKind::Memory,
        _ => return Err(Error::client(code)),
    };
    Ok((c, storage))
}

/// The per-call options of `startAuthorization` and `login`.
pub(crate) fn authorization_options(text: &str) -> Result<AuthorizationOptions, Error> {
    let code = ErrorCode::InvalidConfig;
    let v = &object(text, true, code)?;
    Ok(AuthorizationOptions {
        scope: opt_string(v, "scope", code)?,
        extra_params: params(v, "extraParams")?,
        prompt: opt_string(v, "prompt", code)?,
        login_hint: opt_string(v, "loginHint", code)?,
    })
}

/// A pending authorization (as [`super::pending_json`] wrote it, or as the caller kept it); anything
/// malformed is `invalid_pending`.
pub(crate) fn pending(text: &str) -> Result<PendingAuthorization, Error> {
    let code = ErrorCode::InvalidPending;
    let v = &object(text, false, code)?;
    let verifier = req_string(v, "codeVerifier", code)?;
    if !crate::is_valid_verifier(&verifier) {
        return Err(Error::client(code));
    }
    Ok(PendingAuthorization {
        url: opt_string(v, "url", code)?.unwrap_or_default(),
        state: State::new(req_string(v, "state", code)?),
        code_verifier: CodeVerifier::new(verifier),
        nonce: opt_string(v, "nonce", code)?.map(Nonce::new),
        redirect_uri: req_string(v, "redirectUri", code)?,
        issuer: opt_string(v, "issuer", code)?,
        created_at: opt_uint(v, "createdAt", 9_999_999_999, code)?.ok_or(Error::client(code))?,
        max_age: opt_uint(v, "maxAge", 9_999_999_999, code)?,
    })
}
