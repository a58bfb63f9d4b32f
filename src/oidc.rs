//! OpenID Connect without I/O: discovery documents, ID token parsing and claims validation, JWKS key
//! selection, userinfo responses, RP-initiated logout URLs and RFC 7009 revocation requests.
//!
//! Signatures are checked by the host's WebCrypto on wasm32 (`crypto.subtle.verify`); this module prepares
//! everything around it: the algorithm allow-list, the header rules, the key (selected by `kid`, never
//! taken from the token) and the exact bytes that were signed.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{check_url, UrlKind};
use crate::encoding::{base64url_decode, endpoint_query, has_byte, split_byte, FormSerializer};
use crate::error::{Error, ErrorCode};
use crate::http::{error_response, is_json_media_type};
use crate::json::{self, Json};
use crate::token::{TokenRequest, TokenSet};
use crate::types::{IdToken, IdTokenClaims};
use crate::{ClientConfig, OAuthClient, CODE_CHALLENGE_METHOD};

/// The OpenID discovery path (OpenID Connect Discovery 1.0 §4), appended to the issuer.
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
/// The RFC 8414 metadata path, inserted between the issuer's host and its path.
pub const OAUTH_AUTHORIZATION_SERVER: &str = "/.well-known/oauth-authorization-server";

/// The two discovery URLs of an issuer, in the order to try them: OpenID Connect Discovery
/// (`{issuer}/.well-known/openid-configuration`), then RFC 8414 with its path-insertion rule
/// (`https://host/.well-known/oauth-authorization-server/{path}`). `invalid_config` when the issuer is not
/// an absolute `https:` URL (`http:` on loopback) without query and fragment.
pub fn discovery_urls(issuer: &str) -> Result<[String; 2], Error> {
    if !check_url(issuer, UrlKind::Issuer) {
        return Err(Error::client(ErrorCode::InvalidConfig));
    }
    // Byte positions only (no string searchers: they bring panicking code into the wasm). check_url
    // guarantees `scheme://authority`; the path starts at the first '/' after the authority.
    let bytes = issuer.as_bytes();
    let trailing = bytes.iter().rev().take_while(|&&b| b == b'/').count();
    let after_scheme = bytes.iter().position(|&b| b == b':').map_or(0, |i| i + 3);
    let path_start = bytes
        .iter()
        .skip(after_scheme)
        .position(|&b| b == b'/')
        .map_or(bytes.len(), |i| i + after_scheme);
    let end = bytes.len() - trailing;
    let piece = |from: usize, to: usize| issuer.get(from..to.max(from)).unwrap_or_default();
    let mut openid = String::from(piece(0, end));
    openid.push_str(OPENID_CONFIGURATION);
    let mut rfc8414 = String::from(piece(0, path_start));
    rfc8414.push_str(OAUTH_AUTHORIZATION_SERVER);
    rfc8414.push_str(piece(path_start, end));
    Ok([openid, rfc8414])
}

/// What the client takes from a discovery document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`, equal to the one asked for.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// `userinfo_endpoint`.
    pub userinfo_endpoint: Option<String>,
    /// `end_session_endpoint`.
    pub end_session_endpoint: Option<String>,
    /// `revocation_endpoint`.
    pub revocation_endpoint: Option<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207): callbacks must then carry `iss`.
    pub require_iss: bool,
}

impl ProviderMetadata {
    /// Copies the provider's endpoints and issuer into `config` (`require_iss` is only ever turned on).
    pub fn apply(&self, config: &mut ClientConfig) {
        config.issuer = Some(self.issuer.clone());
        config.authorization_endpoint = self.authorization_endpoint.clone();
        config.token_endpoint = self.token_endpoint.clone();
        config.require_iss |= self.require_iss;
        config.jwks_uri = self.jwks_uri.clone();
        config.userinfo_endpoint = self.userinfo_endpoint.clone();
        config.end_session_endpoint = self.end_session_endpoint.clone();
        config.revocation_endpoint = self.revocation_endpoint.clone();
    }
}

/// A 200 `application/json` (or `+json`) object, or `invalid_response` with the status.
fn json_object(status: u16, content_type: Option<&str>, body: &[u8]) -> Result<Json, Error> {
    match json::parse(body) {
        Some(obj @ Json::Object(_)) if status == 200 && is_json_media_type(content_type) => Ok(obj),
        _ => Err(Error::response(ErrorCode::InvalidResponse, status)),
    }
}

/// Validates a discovery document fetched for `expected_issuer`.
///
/// `issuer_mismatch` unless its `issuer` equals `expected_issuer` exactly; `pkce_unsupported` unless
/// `code_challenge_methods_supported` lists `S256` (RFC 8414: absent means no PKCE); `invalid_response` for
/// anything malformed, a missing `authorization_endpoint` or `token_endpoint`, or an endpoint that is not
/// `https:` (`http:` on loopback).
pub fn parse_discovery(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    expected_issuer: &str,
) -> Result<ProviderMetadata, Error> {
    let invalid = Error::response(ErrorCode::InvalidResponse, status);
    let doc = json_object(status, content_type, body)?;
    if doc.str("issuer").ok_or(invalid.clone())? != expected_issuer {
        return Err(Error::response(ErrorCode::IssuerMismatch, status));
    }
    let s256 = matches!(doc.get("code_challenge_methods_supported"),
        Some(Json::Array(methods)) if methods.iter().any(|m| matches!(m, Json::String(s) if s == CODE_CHALLENGE_METHOD)));
    if !s256 {
        return Err(Error::response(ErrorCode::PkceUnsupported, status));
    }
    let endpoint = |name: &str| -> Result<Option<String>, Error> {
        match doc.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(u)) if check_url(u, UrlKind::Endpoint) => Ok(Some(u.clone())),
            Some(_) => Err(invalid.clone()),
        }
    };
    Ok(ProviderMetadata {
        issuer: String::from(expected_issuer),
        authorization_endpoint: endpoint("authorization_endpoint")?.ok_or(invalid.clone())?,
        token_endpoint: endpoint("token_endpoint")?.ok_or(invalid.clone())?,
        jwks_uri: endpoint("jwks_uri")?,
        userinfo_endpoint: endpoint("userinfo_endpoint")?,
        end_session_endpoint: endpoint("end_session_endpoint")?,
        revocation_endpoint: endpoint("revocation_endpoint")?,
        require_iss: matches!(
            doc.get("authorization_response_iss_parameter_supported"),
            Some(Json::Bool(true))
        ),
    })
}

/// The JWS algorithms accepted for ID tokens. `none` and the HMAC family are never accepted: a public
/// client has no secret, and a key taken from the JWKS must never be used as an HMAC secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519 (`EdDSA`, or `Ed25519` as RFC 9864 names it).
    EdDsa,
}

impl Alg {
    fn from_name(name: &str) -> Option<Alg> {
        match name {
            "RS256" => Some(Alg::Rs256),
            "PS256" => Some(Alg::Ps256),
            "ES256" => Some(Alg::Es256),
            "EdDSA" | "Ed25519" => Some(Alg::EdDsa),
            _ => None,
        }
    }

    /// The JOSE `kty` of keys for this algorithm.
    pub fn key_type(self) -> &'static str {
        match self {
            Alg::Rs256 | Alg::Ps256 => "RSA",
            Alg::Es256 => "EC",
            Alg::EdDsa => "OKP",
        }
    }

    /// WebCrypto's parameters for this algorithm, as the members of one object that serves both
    /// `importKey` and `verify` (each ignores the other's members).
    pub fn webcrypto(self) -> &'static [(&'static str, Param)] {
        const SHA256: (&str, Param) = ("hash", Param::Str("SHA-256"));
        match self {
            Alg::Rs256 => &[("name", Param::Str("RSASSA-PKCS1-v1_5")), SHA256],
            Alg::Ps256 => &[
                ("name", Param::Str("RSA-PSS")),
                ("saltLength", Param::Int(32)),
                SHA256,
            ],
            Alg::Es256 => &[
                ("name", Param::Str("ECDSA")),
                ("namedCurve", Param::Str("P-256")),
                SHA256,
            ],
            Alg::EdDsa => &[("name", Param::Str("Ed25519"))],
        }
    }
}

/// A member value of WebCrypto's algorithm parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// A string.
    Str(&'static str),
    /// A number.
    Int(u32),
}

/// A parsed, not yet verified ID token (compact JWS).
#[derive(Debug)]
pub struct Jws {
    /// The header's `alg`.
    pub alg: Alg,
    /// The header's `kid`.
    pub kid: Option<String>,
    /// The bytes the signature covers (`header.payload`, as sent).
    pub signing_input: String,
    /// The decoded signature.
    pub signature: Vec<u8>,
    /// The payload's JSON text.
    pub payload: String,
    claims: Json,
}

/// Header members that name a key or a key location: the key comes from the provider's JWKS only.
const KEY_HEADERS: [&str; 4] = ["jku", "x5u", "jwk", "x5c"];

/// Parses a compact JWS strictly: three base64url parts without padding, a JSON-object header with an
/// allowed `alg` (`unsupported_algorithm`), no `crit` and no key-naming member (`jku`, `x5u`, `jwk`,
/// `x5c`), and a JSON-object payload. Anything else is `invalid_id_token`.
pub fn parse_jws(token: &IdToken) -> Result<Jws, Error> {
    let invalid = Error::client(ErrorCode::InvalidIdToken);
    let Some((h, (p, s))) =
        split_byte(token.secret(), b'.').and_then(|(h, rest)| Some((h, split_byte(rest, b'.')?)))
    else {
        return Err(invalid);
    };
    if has_byte(s, b'.') {
        return Err(invalid);
    }
    let decode_json = |part: &str| {
        base64url_decode(part).and_then(|bytes| {
            let value = json::parse(&bytes).filter(|v| matches!(v, Json::Object(_)))?;
            Some((String::from_utf8(bytes).ok()?, value))
        })
    };
    let (_, header) = decode_json(h).ok_or(invalid.clone())?;
    let (payload, claims) = decode_json(p).ok_or(invalid.clone())?;
    let signature = base64url_decode(s).ok_or(invalid.clone())?;
    if header.get("crit").is_some() || KEY_HEADERS.iter().any(|k| header.get(k).is_some()) {
        return Err(invalid);
    }
    let alg = header
        .str("alg")
        .and_then(Alg::from_name)
        .ok_or(Error::client(ErrorCode::UnsupportedAlgorithm))?;
    let kid = match header.get("kid") {
        None => None,
        Some(Json::String(k)) => Some(k.clone()),
        Some(_) => return Err(invalid),
    };
    let mut signing_input = String::from(h);
    signing_input.push('.');
    signing_input.push_str(p);
    Ok(Jws {
        alg,
        kid,
        signing_input,
        signature,
        payload,
        claims,
    })
}

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
#[cfg_attr(
    any(
        not(target_arch = "wasm32"),
        all(feature = "npm-package", not(feature = "oidc"))
    ),
    allow(dead_code)
)]
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
    #[cfg_attr(
        any(
            not(target_arch = "wasm32"),
            all(feature = "npm-package", not(feature = "oidc"))
        ),
        allow(dead_code)
    )]
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

/// A public key from the provider's JWKS, reduced to the members WebCrypto's JWK import needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicJwk {
    /// `RSA`, `EC` or `OKP`.
    pub kty: &'static str,
    /// The members to import (`n`/`e`, `crv`/`x`/`y`, `crv`/`x`), as name-value pairs.
    pub members: Vec<(&'static str, String)>,
}

/// The smallest RSA modulus accepted: 2048 bits.
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// Selects the key that verifies `jws` from a JWKS document (RFC 7517 §5): of the keys whose `kty` fits
/// the algorithm, whose `use` (if any) is `sig`, whose `key_ops` (if any) include `verify` and whose `alg`
/// (if any) is the token's, the one with the token's `kid`; a token without `kid` needs exactly one such
/// key. RSA keys under 2048 bits are ignored. `None` when no key fits (refetch once, then
/// `key_not_found`); `invalid_response` when the document is not a JWKS.
pub fn select_key(jwks: &[u8], jws: &Jws) -> Result<Option<PublicJwk>, Error> {
    let invalid = Error::response(ErrorCode::InvalidResponse, 200);
    let doc = json::parse(jwks).ok_or(invalid.clone())?;
    let Some(Json::Array(keys)) = doc.get("keys") else {
        return Err(invalid);
    };
    let alg_name = match jws.alg {
        Alg::Rs256 => "RS256",
        Alg::Ps256 => "PS256",
        Alg::Es256 => "ES256",
        Alg::EdDsa => "EdDSA",
    };
    let mut found = Vec::new();
    for key in keys {
        let s = |name| key.str(name);
        let usable = s("kty") == Some(jws.alg.key_type())
            && s("use").is_none_or(|u| u == "sig")
            && key.get("use").is_none_or(|u| matches!(u, Json::String(_)))
            && match key.get("key_ops") {
                None => true,
                Some(Json::Array(ops)) => ops
                    .iter()
                    .any(|o| matches!(o, Json::String(v) if v == "verify")),
                Some(_) => false,
            }
            && match key.get("alg") {
                None => true,
                Some(Json::String(a)) => a == alg_name || (jws.alg == Alg::EdDsa && a == "Ed25519"),
                Some(_) => false,
            }
            && jws.kid.as_deref().is_none_or(|kid| s("kid") == Some(kid));
        if !usable {
            continue;
        }
        let member = |name: &'static str| s(name).map(|v| (name, String::from(v)));
        let members = match jws.alg {
            Alg::Rs256 | Alg::Ps256 => {
                let n = s("n").and_then(base64url_decode).filter(|n| {
                    n.len() >= MIN_RSA_MODULUS_BYTES
                        || (n.len() == MIN_RSA_MODULUS_BYTES + 1 && n.first() == Some(&0))
                });
                n.and(member("n"))
                    .zip(member("e"))
                    .map(|(n, e)| alloc::vec![n, e])
            }
            Alg::Es256 => (s("crv") == Some("P-256"))
                .then(|| member("x").zip(member("y")))
                .flatten()
                .map(|(x, y)| alloc::vec![("crv", String::from("P-256")), x, y]),
            Alg::EdDsa => (s("crv") == Some("Ed25519"))
                .then(|| member("x"))
                .flatten()
                .map(|x| alloc::vec![("crv", String::from("Ed25519")), x]),
        };
        if let Some(members) = members {
            found.push(PublicJwk {
                kty: jws.alg.key_type(),
                members,
            });
        }
    }
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// Validates a userinfo response (OpenID Connect Core §5.3.2): a 200 JSON object whose `sub` equals
/// `expected_subject` (`subject_mismatch`). Returns its JSON text. A non-2xx with an RFC 6750 error object is
/// a `TokenResponseError`; anything else (a signed `application/jwt` response included) is
/// `invalid_response`.
pub fn parse_userinfo(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    expected_subject: &str,
) -> Result<String, Error> {
    error_response(status, body)?;
    let obj = json_object(status, content_type, body)?;
    match obj.str("sub") {
        Some(sub) if sub == expected_subject => String::from_utf8(body.to_vec())
            .map_err(|_| Error::response(ErrorCode::InvalidResponse, status)),
        Some(_) => Err(Error::response(ErrorCode::SubjectMismatch, status)),
        None => Err(Error::response(ErrorCode::InvalidResponse, status)),
    }
}

/// Validates a revocation response (RFC 7009 §2.2): any 200 is success (the body is ignored); an error
/// object is a `TokenResponseError`; anything else is `invalid_response`.
pub fn parse_revocation_response(status: u16, body: &[u8]) -> Result<(), Error> {
    error_response(status, body)?;
    if status == 200 {
        Ok(())
    } else {
        Err(Error::response(ErrorCode::InvalidResponse, status))
    }
}

/// Options of an RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0).
#[derive(Clone, Debug, Default)]
pub struct LogoutOptions {
    /// `id_token_hint`. It puts the ID token in a URL (the specification's GET binding); leave it out
    /// where that matters: `client_id` is always sent and identifies the client instead.
    pub id_token_hint: Option<IdToken>,
    /// `post_logout_redirect_uri`: an absolute `https:` URL (`http:` on loopback) registered with the provider.
    pub post_logout_redirect_uri: Option<String>,
    /// `state`, returned to the post-logout redirect URI.
    pub state: Option<String>,
}

impl OAuthClient {
    /// The RP-initiated logout URL at `end_session_endpoint` (`missing_endpoint` without one): its own
    /// query kept, then `client_id`, `id_token_hint`, `post_logout_redirect_uri` and `state` as given.
    /// `invalid_config` for a bad `post_logout_redirect_uri`.
    pub fn logout_url(&self, options: &LogoutOptions) -> Result<String, Error> {
        let endpoint = self
            .config
            .end_session_endpoint
            .as_deref()
            .ok_or(Error::client(ErrorCode::MissingEndpoint))?;
        let (base, query) = endpoint_query(endpoint);
        let mut q = FormSerializer::with_prefix(String::from(query));
        q.append("client_id", &self.config.client_id);
        if let Some(hint) = &options.id_token_hint {
            q.append("id_token_hint", hint.secret());
        }
        if let Some(uri) = &options.post_logout_redirect_uri {
            if !check_url(uri, UrlKind::RedirectUri) {
                return Err(Error::client(ErrorCode::InvalidConfig));
            }
            q.append("post_logout_redirect_uri", uri);
        }
        if let Some(state) = &options.state {
            q.append("state", state);
        }
        let mut url = String::from(base);
        url.push('?');
        url.push_str(&q.finish());
        Ok(url)
    }

    /// An RFC 7009 revocation request for `token` (with `token_type_hint` if given) at
    /// `revocation_endpoint` (`missing_endpoint` without one), authenticated like token requests.
    pub fn revocation_request(
        &self,
        token: &str,
        token_type_hint: Option<&str>,
    ) -> Result<TokenRequest, Error> {
        let url = self
            .config
            .revocation_endpoint
            .clone()
            .ok_or(Error::client(ErrorCode::MissingEndpoint))?;
        if token.is_empty() {
            return Err(Error::client(ErrorCode::InvalidConfig));
        }
        let mut form = FormSerializer::default();
        form.append("token", token);
        if let Some(hint) = token_type_hint {
            form.append("token_type_hint", hint);
        }
        let mut request = self.authenticated_request(form, false);
        request.url = url;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64url;
    use alloc::format;

    const A2_PAYLOAD: &str = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    /// RFC 7515 A.2: the RS256 example.
    const A2: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    /// RFC 7515 A.2: the RSA public key (n, e).
    const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

    fn jws(token: &str) -> Result<Jws, Error> {
        parse_jws(&IdToken::new(token))
    }

    fn code<T>(r: Result<T, Error>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.client_code().map_or("server", ErrorCode::as_str),
        }
    }

    #[test]
    fn rfc7515_examples() {
        let a2 = jws(A2).unwrap();
        assert_eq!(a2.alg, Alg::Rs256);
        assert_eq!(a2.kid, None);
        assert_eq!(
            a2.signing_input,
            format!("eyJhbGciOiJSUzI1NiJ9.{A2_PAYLOAD}")
        );
        assert_eq!(a2.signature.len(), 256);
        assert!(a2
            .payload
            .starts_with("{\"iss\":\"joe\",\r\n \"exp\":1300819380"));
        // The example's key is selected (2048 bits, no kid on either side) ...
        let jwks = format!(r#"{{"keys":[{{"kty":"RSA","n":"{A2_N}","e":"AQAB"}}]}}"#);
        let key = select_key(jwks.as_bytes(), &a2).unwrap().unwrap();
        assert_eq!(key.kty, "RSA");
        assert_eq!(
            key.members,
            [("n", String::from(A2_N)), ("e", String::from("AQAB"))]
        );
        // ... and the claims are not an ID token's (no sub, no iat).
        assert_eq!(code(IdTokenClaims::from_jws(&a2)), "invalid_id_token");
        // A.1 (HS256) and A.5 (unsecured) are refused by algorithm.
        let a1 = format!("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.{A2_PAYLOAD}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(code(jws(&a1)), "unsupported_algorithm");
        assert_eq!(
            code(jws(&format!("eyJhbGciOiJub25lIn0.{A2_PAYLOAD}."))),
            "unsupported_algorithm"
        );
    }

    fn token(header: &str, claims: &str) -> String {
        format!(
            "{}.{}.{}",
            base64url(header.as_bytes()),
            base64url(claims.as_bytes()),
            base64url(&[1; 64])
        )
    }

    #[test]
    fn header_rules() {
        let claims = r#"{"sub":"a"}"#;
        for (header, expected) in [
            (r#"{"alg":"RS256","kid":"k"}"#, "ok"),
            (r#"{"alg":"PS256"}"#, "ok"),
            (r#"{"alg":"ES256"}"#, "ok"),
            (r#"{"alg":"EdDSA"}"#, "ok"),
            (r#"{"alg":"Ed25519"}"#, "ok"),
            (r#"{"alg":"none"}"#, "unsupported_algorithm"),
            (r#"{"alg":"HS256"}"#, "unsupported_algorithm"),
            (r#"{"alg":"RS512"}"#, "unsupported_algorithm"),
            (r#"{"alg":"rs256"}"#, "unsupported_algorithm"),
            (r#"{}"#, "unsupported_algorithm"),
            (
                r#"{"alg":"RS256","crit":["b64"],"b64":false}"#,
                "invalid_id_token",
            ),
            (
                r#"{"alg":"RS256","jku":"https://evil.example/jwks"}"#,
                "invalid_id_token",
            ),
            (
                r#"{"alg":"RS256","x5u":"https://evil.example/c"}"#,
                "invalid_id_token",
            ),
            (r#"{"alg":"RS256","jwk":{"kty":"RSA"}}"#, "invalid_id_token"),
            (r#"{"alg":"RS256","x5c":["MII"]}"#, "invalid_id_token"),
            (r#"{"alg":"RS256","kid":1}"#, "invalid_id_token"),
            (r#"{"alg":"RS256","alg":"none"}"#, "invalid_id_token"),
            (r#"["RS256"]"#, "invalid_id_token"),
        ] {
            assert_eq!(code(jws(&token(header, claims))), expected, "{header}");
        }
        let ok = token(r#"{"alg":"RS256"}"#, claims);
        for bad in [
            String::from("a.b"),
            format!("{ok}.x"),
            format!("{ok}="),
            ok.replacen('.', "=.", 1),
            format!(" {ok}"),
            token(r#"{"alg":"RS256"}"#, "[1]"),
            token(r#"{"alg":"RS256"}"#, "{"),
        ] {
            assert_eq!(code(jws(&bad)), "invalid_id_token", "{bad}");
        }
    }

    const NOW: u64 = 1_700_000_000;

    fn expect<'a>(previous: Option<&'a IdTokenClaims>) -> IdTokenExpectations<'a> {
        IdTokenExpectations {
            issuer: "https://idp.example",
            client_id: "spa",
            nonce: Some("n-1"),
            max_age: None,
            previous,
            clock_tolerance: 60,
            now: NOW,
        }
    }

    fn claims(edit: &str) -> String {
        let mut base = format!(
            r#""iss":"https://idp.example","aud":"spa","sub":"alice","iat":{},"exp":{},"nonce":"n-1","auth_time":{}"#,
            NOW - 10,
            NOW + 600,
            NOW - 100
        );
        for part in edit.split(';').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').unwrap();
            let start = base.find(&format!("\"{name}\":"));
            if let Some(start) = start {
                let end = base[start..].find(",\"").map_or(base.len(), |e| start + e);
                let tail = base[end..].trim_start_matches(',').to_string();
                base.truncate(start);
                base.push_str(&tail);
                base = base.trim_end_matches(',').to_string();
            }
            if value != "-" {
                base.push_str(&format!(",\"{name}\":{value}"));
            }
        }
        format!("{{{}}}", base.trim_start_matches(','))
    }

    fn check(edit: &str, e: &IdTokenExpectations<'_>) -> &'static str {
        let t = token(r#"{"alg":"RS256"}"#, &claims(edit));
        code(validate_claims(&jws(&t).unwrap(), e))
    }

    #[test]
    fn claim_rules() {
        let e = expect(None);
        for (edit, expected) in [
            ("", "ok"),
            ("aud=[\"spa\"]", "ok"),
            ("azp=\"spa\"", "ok"),
            ("exp=1700000030.5", "ok"),
            ("exp=1699999950", "ok"),
            ("iat=1700000050", "ok"),
            ("sub=-", "invalid_id_token"),
            ("sub=\"\"", "invalid_id_token"),
            ("sub=7", "invalid_id_token"),
            ("iat=-", "invalid_id_token"),
            ("exp=-", "invalid_id_token"),
            ("exp=\"1800000000\"", "invalid_id_token"),
            ("exp=-1", "invalid_id_token"),
            ("exp=1e10", "invalid_id_token"),
            ("auth_time=\"x\"", "invalid_id_token"),
            ("nonce=1", "invalid_id_token"),
            ("iss=-", "issuer_mismatch"),
            ("iss=\"https://idp.example/\"", "issuer_mismatch"),
            ("iss=\"https://evil.example\"", "issuer_mismatch"),
            ("aud=\"other\"", "audience_mismatch"),
            ("aud=[\"spa\",\"other\"]", "audience_mismatch"),
            ("aud=[]", "audience_mismatch"),
            ("aud=[1]", "audience_mismatch"),
            ("aud=-", "audience_mismatch"),
            ("azp=\"other\"", "audience_mismatch"),
            ("exp=1699999940", "id_token_expired"),
            ("iat=1700000061", "id_token_issued_in_future"),
            ("nonce=\"n-2\"", "nonce_mismatch"),
            ("nonce=-", "nonce_mismatch"),
        ] {
            assert_eq!(check(edit, &e), expected, "{edit}");
        }
        let max_age = IdTokenExpectations {
            max_age: Some(30),
            ..e
        };
        assert_eq!(check("", &max_age), "auth_time_too_old");
        assert_eq!(check("auth_time=1699999990", &max_age), "ok");
        assert_eq!(check("auth_time=-", &max_age), "invalid_id_token");
    }

    #[test]
    fn refresh_keeps_the_session() {
        let first = token(r#"{"alg":"RS256"}"#, &claims(""));
        let original = validate_claims(&jws(&first).unwrap(), &expect(None)).unwrap();
        assert_eq!(original.sub, "alice");
        assert!(original.json.contains("\"auth_time\""));
        let e = IdTokenExpectations {
            nonce: None,
            ..expect(Some(&original))
        };
        for (edit, expected) in [
            ("", "ok"),
            ("nonce=-", "ok"),
            ("nonce=\"n-2\"", "nonce_mismatch"),
            ("sub=\"mallory\"", "subject_mismatch"),
            ("iss=\"https://evil.example\"", "issuer_mismatch"),
            ("aud=[\"spa\",\"x\"]", "audience_mismatch"),
            ("azp=\"spa\"", "audience_mismatch"),
            ("auth_time=1699999000", "invalid_id_token"),
            ("auth_time=-", "ok"),
        ] {
            assert_eq!(check(edit, &e), expected, "{edit}");
        }
    }

    #[test]
    fn key_selection() {
        let t = |h: &str| jws(&token(h, "{}")).unwrap();
        let rsa = format!(r#"{{"kty":"RSA","kid":"r","n":"{A2_N}","e":"AQAB""#);
        let ec = r#"{"kty":"EC","kid":"e","crv":"P-256","x":"xx","y":"yy""#;
        let jwks = |keys: &[String]| format!(r#"{{"keys":[{}]}}"#, keys.join(","));
        let key = |k: &str, extra: &str| format!("{k}{extra}}}");
        let found = |doc: &str, header: &str| select_key(doc.as_bytes(), &t(header)).unwrap();
        let both = jwks(&[key(&rsa, ""), key(ec, "")]);
        assert_eq!(
            found(&both, r#"{"alg":"RS256","kid":"r"}"#).unwrap().kty,
            "RSA"
        );
        assert_eq!(found(&both, r#"{"alg":"PS256"}"#).unwrap().kty, "RSA");
        assert_eq!(
            found(&both, r#"{"alg":"ES256","kid":"e"}"#)
                .unwrap()
                .members,
            [
                ("crv", String::from("P-256")),
                ("x", String::from("xx")),
                ("y", String::from("yy"))
            ]
        );
        assert_eq!(
            found(&both, r#"{"alg":"RS256","kid":"e"}"#),
            None,
            "kid of another kty"
        );
        assert_eq!(
            found(&both, r#"{"alg":"RS256","kid":"zz"}"#),
            None,
            "unknown kid"
        );
        assert_eq!(found(&both, r#"{"alg":"EdDSA"}"#), None);
        let two = jwks(&[key(&rsa, ""), key(&rsa.replace("\"r\"", "\"s\""), "")]);
        assert_eq!(
            found(&two, r#"{"alg":"RS256"}"#),
            None,
            "no kid, two candidates"
        );
        for extra in [
            r#","use":"enc""#,
            r#","use":1"#,
            r#","key_ops":["sign"]"#,
            r#","key_ops":"verify""#,
            r#","alg":"PS256""#,
        ] {
            let doc = jwks(&[key(&rsa, extra)]);
            assert_eq!(found(&doc, r#"{"alg":"RS256","kid":"r"}"#), None, "{extra}");
        }
        let doc = jwks(&[key(
            &rsa,
            r#","use":"sig","key_ops":["verify"],"alg":"RS256""#,
        )]);
        assert!(found(&doc, r#"{"alg":"RS256","kid":"r"}"#).is_some());
        let weak = jwks(&[key(&rsa.replace(A2_N, &A2_N[..171]), "")]);
        assert_eq!(
            found(&weak, r#"{"alg":"RS256","kid":"r"}"#),
            None,
            "1024-bit key"
        );
        for bad in ["", "[]", "{}", r#"{"keys":{}}"#] {
            assert_eq!(
                code(select_key(bad.as_bytes(), &t(r#"{"alg":"RS256"}"#))),
                "invalid_response"
            );
        }
    }

    #[test]
    fn discovery() {
        assert_eq!(
            discovery_urls("https://idp.example").unwrap(),
            [
                "https://idp.example/.well-known/openid-configuration",
                "https://idp.example/.well-known/oauth-authorization-server"
            ]
        );
        assert_eq!(
            discovery_urls("https://idp.example/tenant/a/").unwrap(),
            [
                "https://idp.example/tenant/a/.well-known/openid-configuration",
                "https://idp.example/.well-known/oauth-authorization-server/tenant/a"
            ]
        );
        for bad in [
            "http://idp.example",
            "https://idp.example/?x=1",
            "idp.example",
            "",
        ] {
            assert_eq!(code(discovery_urls(bad)), "invalid_config", "{bad}");
        }
        let doc = |extra: &str| {
            format!(
                r#"{{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t","code_challenge_methods_supported":["S256"]{extra}}}"#
            )
        };
        let parse = |body: &str| {
            parse_discovery(
                200,
                Some("application/json"),
                body.as_bytes(),
                "https://idp.example",
            )
        };
        let m = parse(&doc(r#","jwks_uri":"https://idp.example/k","authorization_response_iss_parameter_supported":true,"end_session_endpoint":null"#)).unwrap();
        assert_eq!(m.jwks_uri.as_deref(), Some("https://idp.example/k"));
        assert!(m.require_iss && m.end_session_endpoint.is_none());
        assert!(!parse(&doc("")).unwrap().require_iss);
        for (body, expected) in [
            (
                doc("").replace(
                    "https://idp.example\",\"auth",
                    "https://idp.example/\",\"auth",
                ),
                "issuer_mismatch",
            ),
            (
                doc("").replace("[\"S256\"]", "[\"plain\"]"),
                "pkce_unsupported",
            ),
            (
                doc("").replace(",\"code_challenge_methods_supported\":[\"S256\"]", ""),
                "pkce_unsupported",
            ),
            (
                doc("").replace("\"token_endpoint\":\"https://idp.example/t\",", ""),
                "invalid_response",
            ),
            (
                doc(r#","jwks_uri":"http://idp.example/k""#),
                "invalid_response",
            ),
            (doc(r#","userinfo_endpoint":5"#), "invalid_response"),
            (String::from("<html>"), "invalid_response"),
        ] {
            assert_eq!(code(parse(&body)), expected, "{body}");
        }
        assert_eq!(
            code(parse_discovery(
                200,
                Some("text/html"),
                doc("").as_bytes(),
                "https://idp.example"
            )),
            "invalid_response"
        );
    }

    #[test]
    fn userinfo_revocation_and_logout() {
        let json = Some("application/json");
        assert_eq!(
            code(parse_userinfo(200, json, br#"{"sub":"alice"}"#, "alice")),
            "ok"
        );
        assert_eq!(
            code(parse_userinfo(200, json, br#"{"sub":"bob"}"#, "alice")),
            "subject_mismatch"
        );
        assert_eq!(
            code(parse_userinfo(200, json, br#"{"name":"x"}"#, "alice")),
            "invalid_response"
        );
        assert_eq!(
            code(parse_userinfo(
                200,
                Some("application/jwt"),
                b"a.b.c",
                "alice"
            )),
            "invalid_response"
        );
        assert_eq!(
            code(parse_userinfo(
                401,
                json,
                br#"{"error":"invalid_token"}"#,
                "alice"
            )),
            "server"
        );
        assert_eq!(code(parse_revocation_response(200, b"")), "ok");
        assert_eq!(
            code(parse_revocation_response(
                400,
                br#"{"error":"unsupported_token_type"}"#
            )),
            "server"
        );
        assert_eq!(
            code(parse_revocation_response(503, b"")),
            "invalid_response"
        );

        let mut config = ClientConfig::new(
            "spa",
            "https://idp.example/a",
            "https://idp.example/t",
            "https://app.example/cb",
        );
        config.end_session_endpoint = Some(String::from("https://idp.example/logout?x=1"));
        config.revocation_endpoint = Some(String::from("https://idp.example/revoke"));
        config.extra_token_params = alloc::vec![(String::from("audience"), String::from("api"))];
        let client = OAuthClient::new(config).unwrap();
        let url = client
            .logout_url(&LogoutOptions {
                id_token_hint: None,
                post_logout_redirect_uri: Some(String::from("https://app.example/")),
                state: Some(String::from("a b")),
            })
            .unwrap();
        assert_eq!(url, "https://idp.example/logout?x=1&client_id=spa&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F&state=a+b");
        let bad = LogoutOptions {
            post_logout_redirect_uri: Some(String::from("javascript:x")),
            ..LogoutOptions::default()
        };
        assert_eq!(code(client.logout_url(&bad)), "invalid_config");
        let r = client
            .revocation_request("rt", Some("refresh_token"))
            .unwrap();
        assert_eq!(r.url, "https://idp.example/revoke");
        assert_eq!(
            r.body, "token=rt&token_type_hint=refresh_token&client_id=spa",
            "no extra token parameters"
        );
        assert_eq!(code(client.revocation_request("", None)), "invalid_config");
    }
}
