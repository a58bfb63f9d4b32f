//! ID tokens as compact JWS: the algorithm allow-list, WebCrypto's parameters, the header rules.

use alloc::string::String;
use alloc::vec::Vec;

use crate::encoding::{base64url_decode, has_byte, split_byte};
use crate::error::{Error, ErrorCode};
use crate::json::{self, Json};
use crate::types::IdToken;

pub use crate::alg::{Alg, Param};

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
    pub(crate) claims: Json,
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
