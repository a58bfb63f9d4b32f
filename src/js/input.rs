//! Reading the JavaScript shell's arguments (JSON text from `JSON.stringify`) into Rust types, with typed
//! checks: no panics on any input, and a wrong type is a typed error.

use alloc::string::String;
use alloc::vec::Vec;

pub(crate) use crate::json::object;
use crate::json::{opt_bool, opt_uint, Json};
use crate::{
    AuthorizationOptions, ClientAuth, ClientConfig, ClientSecret, Error, ErrorCode, PendingStorage,
    DEFAULT_TIMEOUT_MS,
};

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

/// The configuration's string members. Their types are checked first, in one loop, so that the reads that
/// build the config cannot fail (one error path instead of one per member keeps the wasm smaller).
const STRING_MEMBERS: [&str; 14] = [
    "clientId",
    "authorizationEndpoint",
    "tokenEndpoint",
    "redirectUri",
    "scope",
    "issuer",
    "clientSecret",
    "tokenEndpointAuthMethod",
    "storage",
    "jwksUri",
    "userinfoEndpoint",
    "endSessionEndpoint",
    "revocationEndpoint",
    "pushedAuthorizationRequestEndpoint",
];

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
/// [`crate::OAuthClient::new`]. Every failure is `invalid_config`. For a discovery (`discovery`: the
/// issuer) the endpoints are not read: the document provides them (see
/// [`crate::OAuthClient::for_discovery`]).
/// For an MCP discovery (`mcp`) the `clientId` is optional: without one, the discovery finds or registers
/// the client.
pub(crate) fn config(
    text: &str,
    discovery: Option<&str>,
    mcp: bool,
) -> Result<ClientConfig, Error> {
    let code = ErrorCode::InvalidConfig;
    let bad = Error::client(code);
    let v = &object(text, false, code)?;
    if !v.strings_typed(&STRING_MEMBERS) {
        return Err(bad);
    }
    // Without the `oidc` feature (`pkce-wasm/oauth`) nothing would verify an ID token or use these
    // endpoints: they are refused rather than ignored.
    #[cfg(not(feature = "oidc"))]
    if OIDC_MEMBERS
        .iter()
        .any(|name| !matches!(v.get(name), None | Some(Json::Null)))
    {
        return Err(bad);
    }
    let endpoint = |name| discovery.or(v.str(name));
    let (Some(client_id), Some(authorization), Some(token), Some(redirect)) = (
        v.str("clientId").or(if mcp { Some("") } else { None }),
        endpoint("authorizationEndpoint"),
        endpoint("tokenEndpoint"),
        v.str("redirectUri"),
    ) else {
        return Err(bad);
    };
    let require_iss = opt_bool(v, "requireIss", code)?.unwrap_or(false);
    let require_par = opt_bool(v, "requirePushedAuthorizationRequests", code)?.unwrap_or(false);
    let timeout_ms = opt_uint(v, "timeoutMs", u64::from(u32::MAX), code)?;
    let pending_ttl = opt_uint(v, "pendingTtlSeconds", u64::from(u32::MAX), code)?;
    #[cfg(feature = "oidc")]
    let tolerance = opt_uint(v, "clockToleranceSeconds", 86_400, code)?;
    let storage = match v.str("storage") {
        None | Some("session") => PendingStorage::Session,
        Some("local") => PendingStorage::Local,
        Some("memory") => PendingStorage::Memory,
        _ => return Err(bad),
    };
    // A `private_key_jwt` client: the shell keeps the CryptoKey and describes it (`clientKey`).
    #[cfg(feature = "oidc")]
    let key = match (v.str("tokenEndpointAuthMethod"), v.get("clientKey")) {
        (Some("private_key_jwt"), Some(k)) if v.get("clientSecret").is_none() => {
            Some(client_key(k)?)
        }
        (Some("private_key_jwt"), _) => return Err(bad),
        (_, None | Some(Json::Null)) => None,
        _ => return Err(bad),
    };
    #[cfg(feature = "oidc")]
    let method = v.str("tokenEndpointAuthMethod").filter(|_| key.is_none());
    #[cfg(not(feature = "oidc"))]
    let method = v.str("tokenEndpointAuthMethod");
    // The secret and whether it goes in the body.
    let secret = match (method, v.str("clientSecret")) {
        (None | Some("none"), None) => None,
        (None | Some("client_secret_basic"), Some(s)) => Some((s, false)),
        (Some("client_secret_post"), Some(s)) => Some((s, true)),
        _ => return Err(bad),
    };
    let extra_authorization_params = params(v, "extraAuthorizationParams")?;
    let extra_token_params = params(v, "extraTokenParams")?;

    let mut c = ClientConfig::new(client_id, authorization, token, redirect);
    c.scope = v.string("scope");
    c.issuer = v.string("issuer");
    c.require_iss = require_iss;
    c.require_pushed_authorization_requests = require_par;
    c.pushed_authorization_request_endpoint = v.string("pushedAuthorizationRequestEndpoint");
    c.client_auth = match secret {
        #[cfg(feature = "oidc")]
        None if key.is_some() => key.map_or(ClientAuth::None, ClientAuth::PrivateKeyJwt),
        None => ClientAuth::None,
        Some((s, false)) => ClientAuth::ClientSecretBasic(ClientSecret::new(s)),
        Some((s, true)) => ClientAuth::ClientSecretPost(ClientSecret::new(s)),
    };
    c.extra_authorization_params = extra_authorization_params;
    c.extra_token_params = extra_token_params;
    c.timeout_ms = timeout_ms.map_or(DEFAULT_TIMEOUT_MS, |t| t as u32);
    if let Some(ttl) = pending_ttl {
        c.pending_ttl_seconds = ttl;
    }
    c.storage = storage;
    c.session = session(v)?;
    #[cfg(feature = "oidc")]
    {
        c.dpop = match v.get("dpopKey") {
            None | Some(Json::Null) => None,
            Some(k) => Some(dpop_key(k)?),
        };
        c.dpop_accept_bearer = opt_bool(v, "dpopAcceptBearer", code)?.unwrap_or(false);
    }
    #[cfg(feature = "oidc")]
    {
        c.jwks_uri = v.string("jwksUri");
        c.userinfo_endpoint = v.string("userinfoEndpoint");
        c.end_session_endpoint = v.string("endSessionEndpoint");
        c.revocation_endpoint = v.string("revocationEndpoint");
        if let Some(t) = tolerance {
            c.clock_tolerance_seconds = t;
        }
    }
    Ok(c)
}

/// The shell's description of a `private_key_jwt` client's `CryptoKey` (`{ algorithm, type, usages,
/// kid }`): a private signing key of an algorithm the engine signs with (ECDSA P-256 → ES256,
/// RSASSA-PKCS1-v1_5 or RSA-PSS with SHA-256 → RS256 / PS256, Ed25519 → EdDSA), else `invalid_config`.
#[cfg(feature = "oidc")]
fn client_key(k: &Json) -> Result<crate::ClientKey, Error> {
    use crate::Alg;
    let bad = Error::client(ErrorCode::InvalidConfig);
    let algorithm = k.get("algorithm").ok_or(bad.clone())?;
    let signs = matches!(k.get("usages"), Some(Json::Array(u)) if u.iter().any(|x| matches!(x, Json::String(s) if s == "sign")));
    if k.str("type") != Some("private") || !signs || !k.strings_typed(&["kid"]) {
        return Err(bad);
    }
    let sha256 = algorithm.get("hash").and_then(|h| h.str("name")) == Some("SHA-256");
    let alg = match (algorithm.str("name"), algorithm.str("namedCurve")) {
        (Some("ECDSA"), Some("P-256")) => Alg::Es256,
        (Some("RSASSA-PKCS1-v1_5"), _) if sha256 => Alg::Rs256,
        (Some("RSA-PSS"), _) if sha256 => Alg::Ps256,
        (Some("Ed25519"), _) => Alg::EdDsa,
        _ => return Err(bad),
    };
    Ok(crate::ClientKey {
        alg,
        kid: k.string("kid"),
    })
}

/// The shell's description of the DPoP key pair (`{ algorithm, type, usages, jwk }`: the private key's
/// WebCrypto description, the public key's JWK), checked like a client key.
#[cfg(feature = "oidc")]
fn dpop_key(k: &Json) -> Result<crate::DpopKey, Error> {
    let bad = Error::client(ErrorCode::InvalidConfig);
    let key = client_key(k)?;
    let Some(Json::Object(members)) = k.get("jwk") else {
        return Err(bad);
    };
    let jwk = members
        .iter()
        .filter_map(|(n, v)| match v {
            Json::String(s) if matches!(n.as_str(), "kty" | "crv" | "x" | "y" | "n" | "e") => {
                Some((n.clone(), s.clone()))
            }
            _ => None,
        })
        .collect();
    Ok(crate::DpopKey { alg: key.alg, jwk })
}

/// The managed session's options: absent, `null` or `false` for none; an object (`storage`:
/// `"memory"`, `"session"`, `"local"` or `"custom"`, the shell's word for the caller's store object;
/// `leewaySeconds`).
fn session(v: &Json) -> Result<Option<crate::SessionConfig>, Error> {
    let code = ErrorCode::InvalidConfig;
    let s = match v.get("session") {
        None | Some(Json::Null | Json::Bool(false)) => return Ok(None),
        Some(s @ Json::Object(_)) => s,
        Some(_) => return Err(Error::client(code)),
    };
    if !s.strings_typed(&["storage"]) {
        return Err(Error::client(code));
    }
    let storage = match s.str("storage") {
        None | Some("memory") => PendingStorage::Memory,
        Some("session") => PendingStorage::Session,
        Some("local") => PendingStorage::Local,
        Some("shared") => PendingStorage::Shared,
        Some("custom") => PendingStorage::Custom,
        _ => return Err(Error::client(code)),
    };
    let default = crate::SessionConfig::default();
    Ok(Some(crate::SessionConfig {
        storage,
        leeway_seconds: opt_uint(s, "leewaySeconds", 86_400, code)?
            .unwrap_or(default.leeway_seconds),
    }))
}

/// The per-call options of `startAuthorization` and `login`.
pub(crate) fn authorization_options(text: &str) -> Result<AuthorizationOptions, Error> {
    let code = ErrorCode::InvalidConfig;
    let v = &object(text, true, code)?;
    if !v.strings_typed(&["scope", "prompt", "loginHint"]) {
        return Err(Error::client(code));
    }
    Ok(AuthorizationOptions {
        extra_params: params(v, "extraParams")?,
        scope: v.string("scope"),
        prompt: v.string("prompt"),
        login_hint: v.string("loginHint"),
    })
}
