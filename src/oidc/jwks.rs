//! JWKS key selection (RFC 7517): the key is chosen by `kid` from the provider's document, never taken
//! from the token.

use alloc::string::String;
use alloc::vec::Vec;

use super::jws::{Alg, Jws};
use crate::encoding::base64url_decode;
use crate::error::{Error, ErrorCode};
use crate::json::{self, Json};

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
