//! The OpenID Connect parts of the npm core (the `oidc` feature; `pkce-wasm/oauth` is built without it):
//! the discovery, userinfo and revocation flows, the verification step's WebCrypto parameters, and
//! RP-initiated logout.

use alloc::string::String;

use super::{flow, input, option, token_set_arg, Args};
use crate::engine::{Flow, Step, Verification};
use crate::json::{write_uint, ObjectWriter};
use crate::{Error, ErrorCode, IdToken, LogoutOptions, OAuthClient, Param};

/// The first step of an OpenID Connect flow.
pub(super) fn start(
    client: &OAuthClient,
    kind: u8,
    a: &Args,
    now: u64,
) -> Result<(Flow, Step), Error> {
    match kind {
        flow::DISCOVER => {
            let issuer = client.config.issuer.as_deref().unwrap_or_default();
            Flow::discover(client, issuer)
        }
        flow::USERINFO => {
            let (access_token, id_token, token_type) = token_set_arg(a.json(2), "access_token")?;
            let subject = option(a.json(3), "subject")?;
            Flow::userinfo(
                client,
                &access_token,
                token_type.as_deref(),
                subject.as_deref(),
                id_token.as_ref(),
                now,
            )
        }
        flow::DPOP_PROOF => {
            let nonce = option(a.json(5), "nonce")?;
            Flow::dpop_proof(client, a.str(2), a.str(3), a.str(4), nonce.as_deref())
        }
        flow::REVOKE => {
            let hint = option(a.json(3), "hint")?;
            Flow::revoke(client, a.str(2), hint.as_deref(), now)
        }
        _ => Err(Error::client(ErrorCode::InvalidConfig)),
    }
}

/// How the shell makes and keeps a DPoP key pair of `alg` (`ES256`, ECDSA P-256, by default: the one
/// every DPoP server supports; or `EdDSA`, Ed25519, where the host has it): `{ algorithm, usages,
/// storageKey }`, the `generateKey` parameters (non-extractable) and its IndexedDB key,
/// `pkce-wasm:dpop:<name>` (`:EdDSA` appended for Ed25519); another algorithm is `invalid_config`.
pub(super) fn dpop_key(name: &str, alg: &str) -> Result<String, Error> {
    let alg = match crate::Alg::from_name(if alg.is_empty() { "ES256" } else { alg }) {
        Some(a @ (crate::Alg::Es256 | crate::Alg::EdDsa)) => a,
        _ => return Err(Error::client(ErrorCode::InvalidConfig)),
    };
    let mut key = String::from("pkce-wasm:dpop:");
    key.push_str(if name.is_empty() { "default" } else { name });
    if alg == crate::Alg::EdDsa {
        key.push_str(":EdDSA");
    }
    let mut o = ObjectWriter::new();
    o.raw("algorithm", &params(alg))
        .raw("usages", r#"["sign","verify"]"#)
        .str("storageKey", &key);
    Ok(o.finish())
}

/// A signing step: `{ do: "sign", alg, data }` (WebCrypto's parameters of `alg`).
pub(super) fn signing(o: &mut ObjectWriter, s: &crate::engine::Signing) {
    o.str("do", "sign")
        .raw("alg", &params(s.alg))
        .str("key", s.key.as_str())
        .str("data", &s.data);
}

/// WebCrypto's parameters of an algorithm, as a JSON object.
fn params(alg: crate::Alg) -> String {
    let mut o = ObjectWriter::new();
    for (name, value) in alg.webcrypto() {
        match value {
            Param::Str(s) => o.str(name, s),
            Param::Int(n) => o.uint(name, u64::from(*n)),
        };
    }
    o.finish()
}

/// A verification step: `{ do: "verify", jwk, alg, signature, data }`, `alg` being WebCrypto's import
/// and verify parameters (each operation ignores the other's members) and `signature` the bytes.
pub(super) fn verification(o: &mut ObjectWriter, v: &Verification) {
    let mut jwk = ObjectWriter::new();
    jwk.str("kty", v.key.kty);
    for (name, value) in &v.key.members {
        jwk.str(name, value);
    }
    let mut signature = String::from("[");
    for (i, b) in v.signature.iter().enumerate() {
        if i > 0 {
            signature.push(',');
        }
        write_uint(&mut signature, u64::from(*b));
    }
    signature.push(']');
    o.str("do", "verify")
        .raw("jwk", &jwk.finish())
        .raw("alg", &params(v.alg))
        .raw("signature", &signature)
        .str("data", &v.data);
}

/// The RP-initiated logout URL.
pub(super) fn logout(client: &OAuthClient, a: &Args) -> Result<String, Error> {
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
