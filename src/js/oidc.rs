//! The OpenID Connect operations of the npm core (the `oidc` feature; `pkce-wasm/oauth` is built without it):
//! ID token claims, JWKS key selection, discovery, userinfo, revocation and RP-initiated logout.

use alloc::string::String;

use super::{input, metadata, op, request_json, Args};
use crate::json::{write_string, ObjectWriter};
use crate::oidc::{
    discovery_urls, parse_discovery, parse_jws, parse_revocation_response, parse_userinfo,
    select_key, Alg, IdTokenClaims, IdTokenContext,
};
use crate::token::is_json_media_type;
use crate::{ClientConfig, Error, ErrorCode, IdToken, LogoutOptions, OAuthClient, TokenSet};

/// The operations that need no client.
pub(super) fn run(op: u8, a: &Args, body: &[u8]) -> Result<String, Error> {
    match op {
        op::DISCOVERY_URLS => discovery_urls_json(a.str(0)),
        op::DISCOVERY => discovery(a.str(0), a.status(1), a.opt_str(2), body),
        op::REVOKED => parse_revocation_response(a.status(0), body).map(|()| String::from("null")),
        _ => Err(Error::client(ErrorCode::InvalidConfig)),
    }
}

/// The operations of an OpenID Connect client.
pub(super) fn run_client(
    client: &OAuthClient,
    op: u8,
    a: &Args,
    body: &[u8],
) -> Result<String, Error> {
    match op {
        op::KEY => key(a.str(0), a.status(1), a.opt_str(2), body),
        op::USERINFO_REQUEST => {
            let access_token = a.str(0);
            if access_token.is_empty() {
                return Err(Error::client(ErrorCode::InvalidConfig));
            }
            let url = client
                .config
                .userinfo_endpoint
                .as_deref()
                .ok_or(Error::client(ErrorCode::MissingEndpoint))?;
            let mut authorization = String::from("Bearer ");
            authorization.push_str(access_token);
            let mut o = ObjectWriter::new();
            o.str("url", url).str("authorization", &authorization);
            Ok(o.finish())
        }
        op::SUBJECT => {
            // The given subject, or the `sub` of the kept ID token (of an OpenID Connect client).
            if let Some(s) = a.owned(0) {
                return Ok(s);
            }
            let id_token = a.opt_str(1).filter(|_| client.config.jwks_uri.is_some());
            kept_claims(id_token)?
                .map(|c| c.sub)
                .ok_or(Error::client(ErrorCode::InvalidConfig))
        }
        op::USERINFO => parse_userinfo(a.status(0), a.opt_str(1), body, a.str(2)),
        op::REVOCATION => client
            .revocation_request(a.str(0), a.opt_str(1))
            .map(|r| request_json(&r)),
        op::LOGOUT => {
            let code = ErrorCode::InvalidConfig;
            let v = &input::object(a.json(0), true, code)?;
            if !v.strings_typed(&["idTokenHint", "postLogoutRedirectUri", "state"]) {
                return Err(Error::client(code));
            }
            let options = LogoutOptions {
                id_token_hint: v.string("idTokenHint").map(IdToken::new),
                post_logout_redirect_uri: v.string("postLogoutRedirectUri"),
                state: v.string("state"),
            };
            client.logout_url(&options)
        }
        _ => Err(Error::client(ErrorCode::InvalidConfig)),
    }
}

/// The validated claims of a token response's ID token: against the pending authorization's `nonce` and
/// `max_age` on a code exchange, against the kept ID token on refresh.
pub(super) fn claims(
    client: &OAuthClient,
    tokens: &TokenSet,
    pending: Option<&str>,
    previous: Option<&IdTokenClaims>,
    now: u64,
) -> Result<Option<IdTokenClaims>, Error> {
    let pending = pending
        .map(crate::PendingAuthorization::from_json)
        .transpose()?;
    let ctx = IdTokenContext {
        nonce: pending
            .as_ref()
            .and_then(|p| p.nonce.as_ref())
            .map(|n| n.secret()),
        max_age: pending.as_ref().and_then(|p| p.max_age),
        previous,
    };
    Ok(client.id_token_claims(tokens, &ctx, now)?.map(|(_, c)| c))
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
pub(super) fn kept_claims(id_token: Option<&str>) -> Result<Option<IdTokenClaims>, Error> {
    match id_token {
        Some(t) => Ok(Some(IdTokenClaims::from_jws(&parse_jws(&IdToken::new(
            t,
        ))?)?)),
        None => Ok(None),
    }
}

/// The key that verifies `id_token` from a JWKS response: `{ jwk, alg }` for WebCrypto's `importKey` and
/// `verify`, or `null` when no key fits (refetch once, then `key_not_found`).
fn key(
    id_token: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<String, Error> {
    if status != 200 || !is_json_media_type(content_type) {
        return Err(Error::response(ErrorCode::InvalidResponse, status));
    }
    let jws = parse_jws(&IdToken::new(id_token))?;
    Ok(match select_key(body, &jws)? {
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

/// The two discovery URLs of an issuer, as a JSON array, in the order to try them.
fn discovery_urls_json(issuer: &str) -> Result<String, Error> {
    let [a, b] = discovery_urls(issuer)?;
    let mut s = String::from("[");
    write_string(&mut s, &a);
    s.push(',');
    write_string(&mut s, &b);
    s.push(']');
    Ok(s)
}

/// Validates a discovery document: the provider metadata, in the shape of a config.
fn discovery(
    issuer: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<String, Error> {
    let m = parse_discovery(status, content_type, body, issuer)?;
    let mut c = ClientConfig::new("", "", "", "");
    m.apply(&mut c);
    let mut o = ObjectWriter::new();
    metadata(&mut o, &c);
    Ok(o.finish())
}
