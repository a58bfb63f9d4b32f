//! Reading the JavaScript shell's arguments (JSON text from `JSON.stringify`) into Rust types, with typed
//! checks: no panics on any input, and a wrong type is a typed error.

use alloc::string::String;
use alloc::vec::Vec;

pub(crate) use crate::json::{object, opt_string};
use crate::json::{opt_uint, req_string, Json};
use crate::{
    AuthorizationOptions, ClientAuth, ClientConfig, ClientSecret, Error, ErrorCode, PendingStorage,
    DEFAULT_TIMEOUT_MS,
};

fn opt_bool(o: &Json, name: &str, code: ErrorCode) -> Result<Option<bool>, Error> {
    match o.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
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
pub(crate) fn config(text: &str) -> Result<ClientConfig, Error> {
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
    #[cfg(feature = "oidc")]
    {
        c.jwks_uri = s("jwksUri")?;
        c.userinfo_endpoint = s("userinfoEndpoint")?;
        c.end_session_endpoint = s("endSessionEndpoint")?;
        c.revocation_endpoint = s("revocationEndpoint")?;
        if let Some(t) = opt_uint(v, "clockToleranceSeconds", 86_400, code)? {
            c.clock_tolerance_seconds = t;
        }
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
    c.storage = match s("storage")?.as_deref() {
        None | Some("session") => PendingStorage::Session,
        Some("local") => PendingStorage::Local,
        Some("memory") => PendingStorage::Memory,
        _ => return Err(Error::client(code)),
    };
    Ok(c)
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
