//! ID token claims: presence and types, the checks of OpenID Connect Core §3.1.3.7 and §12.2, and a
//! token response's ID token checked against its authorization or session.

use alloc::string::String;
use alloc::vec::Vec;

use super::jws::{parse_jws, Jws};
use crate::encoding::split_byte;
use crate::error::{Error, ErrorCode};
use crate::json::{self, Json};
use crate::token::TokenSet;
use crate::types::IdTokenClaims;
use crate::OAuthClient;

/// What an ID token must satisfy besides its signature.
#[derive(Clone, Copy, Debug)]
pub struct IdTokenExpectations<'a> {
    /// The issuer identifier.
    pub issuer: &'a str,
    /// The client id (the only audience accepted).
    pub client_id: &'a str,
    /// The `nonce` sent in the authorization request.
    pub nonce: Option<&'a str>,
    /// The `max_age` sent in the authorization request.
    pub max_age: Option<u64>,
    /// The claims of the ID token this one follows (a refresh): `iss`, `sub`, `aud`, `azp` and
    /// `auth_time` must stay the same, and a `nonce` must equal the original.
    pub previous: Option<&'a IdTokenClaims>,
    /// Leeway for `exp`, `iat` and `auth_time`.
    pub clock_tolerance: u64,
    /// The current time, unix seconds.
    pub now: u64,
}

/// A JWT NumericDate: a non-negative JSON number; a fraction is cut off.
fn numeric_date(v: Option<&Json>) -> Option<u64> {
    match v? {
        Json::Number(n) => json::parse_uint(
            split_byte(n, b'.')
                .map_or(n.as_str(), |(i, _)| i)
                .as_bytes(),
        ),
        _ => None,
    }
}

impl IdTokenClaims {
    /// Reads the claims of a parsed ID token, checking only their presence and types: `sub`, `iat` and
    /// `exp` present, `auth_time`, `nonce` and `azp` well-typed (`invalid_id_token`), `iss` a string
    /// (`issuer_mismatch`), `aud` a string or a non-empty array of strings (`audience_mismatch`). Use
    /// [`validate_claims`] for a token just received; this alone is for one verified earlier.
    pub fn from_jws(jws: &Jws) -> Result<IdTokenClaims, Error> {
        let c = &jws.claims;
        let invalid = || Error::client(ErrorCode::InvalidIdToken);
        let (Some(sub), Some(iat), Some(exp)) = (
            c.str("sub").filter(|s| !s.is_empty()),
            numeric_date(c.get("iat")),
            numeric_date(c.get("exp")),
        ) else {
            return Err(invalid());
        };
        let auth_time = match c.get("auth_time") {
            None => None,
            v => Some(numeric_date(v).ok_or_else(invalid)?),
        };
        let optional = |name| match c.get(name) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid()),
        };
        let (nonce, azp) = (optional("nonce")?, optional("azp")?);
        let iss = c
            .str("iss")
            .ok_or(Error::client(ErrorCode::IssuerMismatch))?;
        let aud_error = Error::client(ErrorCode::AudienceMismatch);
        let aud: Vec<String> = match c.get("aud") {
            Some(Json::String(a)) => alloc::vec![a.clone()],
            Some(Json::Array(list)) if !list.is_empty() => list
                .iter()
                .map(|a| match a {
                    Json::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect::<Option<_>>()
                .ok_or(aud_error)?,
            _ => return Err(aud_error),
        };
        Ok(IdTokenClaims {
            iss: String::from(iss),
            sub: String::from(sub),
            aud,
            azp,
            exp,
            iat,
            auth_time,
            nonce,
            json: jws.payload.clone(),
        })
    }
}

/// Validates an ID token's claims (OpenID Connect Core §3.1.3.7, §12.2), in this order: presence and
/// types (see [`IdTokenClaims::from_jws`]); `iss` (`issuer_mismatch`); `aud` holds the client id and
/// nothing else, `azp` if present is the client id (`audience_mismatch`); `exp` (`id_token_expired`); `iat`
/// (`id_token_issued_in_future`); `nonce` (`nonce_mismatch`); `auth_time` against `max_age`
/// (`auth_time_too_old`); then, on refresh, the same `sub` (`subject_mismatch`), `aud` and `azp`
/// (`audience_mismatch`) and `auth_time` (`invalid_id_token`).
pub fn validate_claims(jws: &Jws, e: &IdTokenExpectations<'_>) -> Result<IdTokenClaims, Error> {
    let c = IdTokenClaims::from_jws(jws)?;
    let err = |code| Err(Error::client(code));
    if c.iss != e.issuer {
        return err(ErrorCode::IssuerMismatch);
    }
    if c.aud.iter().any(|a| a != e.client_id) || c.azp.as_deref().is_some_and(|a| a != e.client_id)
    {
        return err(ErrorCode::AudienceMismatch);
    }
    if e.now >= c.exp.saturating_add(e.clock_tolerance) {
        return err(ErrorCode::IdTokenExpired);
    }
    if c.iat > e.now.saturating_add(e.clock_tolerance) {
        return err(ErrorCode::IdTokenIssuedInFuture);
    }
    // A refreshed ID token need not carry a nonce; if it does, it is the original one (Core §12.2).
    let expected_nonce = e.nonce.or_else(|| {
        e.previous
            .and_then(|p| p.nonce.as_deref())
            .filter(|_| c.nonce.is_some())
    });
    if let Some(expected) = expected_nonce {
        if !c
            .nonce
            .as_deref()
            .is_some_and(|n| crate::types::ct_eq(n.as_bytes(), expected.as_bytes()))
        {
            return err(ErrorCode::NonceMismatch);
        }
    }
    if let Some(max_age) = e.max_age {
        let at = c
            .auth_time
            .ok_or(Error::client(ErrorCode::InvalidIdToken))?;
        if at.saturating_add(max_age).saturating_add(e.clock_tolerance) < e.now {
            return err(ErrorCode::AuthTimeTooOld);
        }
    }
    if let Some(p) = e.previous {
        if p.sub != c.sub {
            return err(ErrorCode::SubjectMismatch);
        }
        if p.aud != c.aud || p.azp != c.azp {
            return err(ErrorCode::AudienceMismatch);
        }
        if p.auth_time.is_some() && c.auth_time.is_some() && p.auth_time != c.auth_time {
            return err(ErrorCode::InvalidIdToken);
        }
    }
    Ok(c)
}

/// What an ID token in a token response is checked against.
// Used by the Rust API's I/O and by the npm core's OpenID Connect operations (neither is in a native
// build, nor in the `pkce-wasm/oauth` core).
#[cfg_attr(not(feature = "oidc"), allow(dead_code))]
pub(crate) struct IdTokenContext<'a> {
    /// The `nonce` of the authorization (an `openid` request): an ID token is then required.
    pub(crate) nonce: Option<&'a str>,
    pub(crate) max_age: Option<u64>,
    /// On refresh, the claims of the ID token the session started with.
    pub(crate) previous: Option<&'a IdTokenClaims>,
}

impl OAuthClient {
    /// The claims step of ID token verification, shared by the Rust API's I/O and the npm core. For an
    /// OpenID Connect client (one with a `jwks_uri`): an `openid` authorization (`ctx.nonce`) must return
    /// an ID token (`missing_id_token`), and a returned one must parse and pass [`validate_claims`]. Returns
    /// the token and its claims, whose signature the caller then verifies; `None` when there is nothing to
    /// verify.
    #[cfg_attr(not(feature = "oidc"), allow(dead_code))]
    pub(crate) fn id_token_claims(
        &self,
        tokens: &TokenSet,
        ctx: &IdTokenContext<'_>,
        now: u64,
    ) -> Result<Option<(Jws, IdTokenClaims)>, Error> {
        let c = &self.config;
        let (Some(_), Some(issuer)) = (c.jwks_uri.as_deref(), c.issuer.as_deref()) else {
            return Ok(None);
        };
        let Some(id_token) = &tokens.id_token else {
            return match ctx.nonce {
                Some(_) => Err(Error::client(ErrorCode::MissingIdToken)),
                None => Ok(None),
            };
        };
        let jws = parse_jws(id_token)?;
        let claims = validate_claims(
            &jws,
            &IdTokenExpectations {
                issuer,
                client_id: &c.client_id,
                nonce: ctx.nonce,
                max_age: ctx.max_age,
                previous: ctx.previous,
                clock_tolerance: c.clock_tolerance_seconds,
                now,
            },
        )?;
        Ok(Some((jws, claims)))
    }
}
