//! OpenID Connect I/O on wasm32: discovery, the JWKS (cached, refetched once on an unknown `kid`), ID token
//! signatures through WebCrypto (`crypto.subtle`), userinfo and revocation.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::fetch::{http, Http};
use super::now;
use crate::oidc::{
    discovery_urls, parse_discovery, parse_revocation_response, parse_userinfo, select_key, Alg,
    IdTokenContext, Jws, PublicJwk,
};
use crate::{AccessToken, ClientConfig, Error, ErrorCode, OAuthClient, TokenSet};

#[wasm_bindgen]
extern "C" {
    /// `crypto.subtle`, bound by hand: two methods instead of web-sys' whole `SubtleCrypto`.
    type Subtle;

    #[wasm_bindgen(method, catch, js_name = importKey)]
    fn import_key(
        this: &Subtle,
        format: &str,
        key: &Object,
        algorithm: &Object,
        extractable: bool,
        usages: &Array,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn verify(
        this: &Subtle,
        algorithm: &Object,
        key: &JsValue,
        signature: &[u8],
        data: &[u8],
    ) -> Result<Promise, JsValue>;
}

/// The provider's JWKS document as last fetched (the raw body; parsing it again is cheap).
#[derive(Default)]
pub(crate) struct JwksCache(Cell<Option<Vec<u8>>>);

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn subtle() -> Result<Subtle, Error> {
    let unsupported = Error::client(ErrorCode::UnsupportedEnvironment);
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|_| unsupported.clone())?;
    let subtle =
        Reflect::get(&crypto, &JsValue::from_str("subtle")).map_err(|_| unsupported.clone())?;
    if subtle.is_object() {
        Ok(subtle.unchecked_into())
    } else {
        Err(unsupported)
    }
}

/// One object serves as WebCrypto's import and verify parameters (each ignores the other's members).
fn algorithm(alg: Alg) -> Object {
    let o = Object::new();
    let s = |k, v| set(&o, k, &JsValue::from_str(v));
    match alg {
        Alg::Rs256 => s("name", "RSASSA-PKCS1-v1_5"),
        Alg::Ps256 => {
            s("name", "RSA-PSS");
            set(&o, "saltLength", &JsValue::from_f64(32.0));
        }
        Alg::Es256 => {
            s("name", "ECDSA");
            s("namedCurve", "P-256");
        }
        Alg::EdDsa => s("name", "Ed25519"),
    }
    if alg != Alg::EdDsa {
        s("hash", "SHA-256");
    }
    o
}

/// Verifies the JWS signature with `key` through `crypto.subtle`: `id_token_signature` when it does not
/// verify or the key cannot be imported, `unsupported_environment` without WebCrypto.
async fn verify_signature(jws: &Jws, key: &PublicJwk) -> Result<(), Error> {
    let bad = || Error::client(ErrorCode::IdTokenSignature);
    let subtle = subtle()?;
    let jwk = Object::new();
    set(&jwk, "kty", &JsValue::from_str(key.kty));
    for (name, value) in &key.members {
        set(&jwk, name, &JsValue::from_str(value));
    }
    let params = algorithm(jws.alg);
    let usages = Array::of1(&JsValue::from_str("verify"));
    let import = subtle
        .import_key("jwk", &jwk, &params, false, &usages)
        .map_err(|_| bad())?;
    let crypto_key = JsFuture::from(import).await.map_err(|_| bad())?;
    let check = subtle
        .verify(
            &params,
            &crypto_key,
            &jws.signature,
            jws.signing_input.as_bytes(),
        )
        .map_err(|_| bad())?;
    match JsFuture::from(check).await {
        Ok(v) if v.as_bool() == Some(true) => Ok(()),
        _ => Err(bad()),
    }
}

impl OAuthClient {
    /// Discovers the provider at `issuer` and builds a client from `config` with the document's
    /// endpoints (see [`crate::parse_discovery`]): OpenID Connect Discovery first, RFC 8414
    /// when that answers with an error status. The fetch has `config.timeout_ms`.
    pub async fn discover(issuer: &str, mut config: ClientConfig) -> Result<OAuthClient, Error> {
        let urls = discovery_urls(issuer)?;
        let mut last = Error::client(ErrorCode::InvalidResponse);
        for url in &urls {
            let get = Http {
                url,
                authorization: None,
                form: None,
            };
            let reply = http(&get, config.timeout_ms).await?;
            if reply.status >= 400 {
                last = Error::response(ErrorCode::InvalidResponse, reply.status);
                continue;
            }
            let metadata = parse_discovery(
                reply.status,
                reply.content_type.as_deref(),
                &reply.body,
                issuer,
            )?;
            metadata.apply(&mut config);
            return OAuthClient::new(config);
        }
        Err(last)
    }

    async fn fetch_jwks(&self, jwks_uri: &str) -> Result<Vec<u8>, Error> {
        let get = Http {
            url: jwks_uri,
            authorization: None,
            form: None,
        };
        let reply = http(&get, self.config.timeout_ms).await?;
        if reply.status != 200 || !crate::token::is_json_media_type(reply.content_type.as_deref()) {
            return Err(Error::response(ErrorCode::InvalidResponse, reply.status));
        }
        Ok(reply.body)
    }

    /// Verifies the ID token of a token response, when this client is an OpenID Connect client (it has a
    /// `jwks_uri`), and sets `tokens.claims`. An `openid` authorization (`ctx.nonce`) must return an ID
    /// token. Claims are checked before the signature, so a token with bad claims costs no JWKS request.
    pub(crate) async fn verify_id_token(
        &self,
        tokens: &mut TokenSet,
        ctx: &IdTokenContext<'_>,
        cache: &JwksCache,
    ) -> Result<(), Error> {
        let Some((jws, claims)) = self.id_token_claims(tokens, ctx, now())? else {
            return Ok(());
        };
        let Some(jwks_uri) = self.config.jwks_uri.as_deref() else {
            return Ok(());
        };
        // The cached JWKS first; on no match (or no cache), fetch it once (key rotation) and decide.
        let key = match cache.0.take() {
            Some(body) => {
                let key = select_key(&body, &jws);
                cache.0.set(Some(body));
                key.ok().flatten()
            }
            None => None,
        };
        let key = match key {
            Some(k) => k,
            None => {
                let body = self.fetch_jwks(jwks_uri).await?;
                let key = select_key(&body, &jws)?;
                cache.0.set(Some(body));
                key.ok_or(Error::client(ErrorCode::KeyNotFound))?
            }
        };
        verify_signature(&jws, &key).await?;
        tokens.claims = Some(claims);
        Ok(())
    }

    /// Fetches the userinfo endpoint with the access token (`Authorization: Bearer`); the response's `sub`
    /// must equal `expected_subject`, the ID token's (`subject_mismatch`). Returns the response's JSON text.
    pub async fn userinfo(
        &self,
        access_token: &AccessToken,
        expected_subject: &str,
    ) -> Result<String, Error> {
        let url = self
            .config
            .userinfo_endpoint
            .as_deref()
            .ok_or(Error::client(ErrorCode::MissingEndpoint))?;
        let mut authorization = String::from("Bearer ");
        authorization.push_str(access_token.secret());
        let get = Http {
            url,
            authorization: Some(&authorization),
            form: None,
        };
        let reply = http(&get, self.config.timeout_ms).await?;
        parse_userinfo(
            reply.status,
            reply.content_type.as_deref(),
            &reply.body,
            expected_subject,
        )
    }

    /// Revokes a token (RFC 7009) at the revocation endpoint, authenticated like token requests.
    pub async fn revoke(&self, token: &str, token_type_hint: Option<&str>) -> Result<(), Error> {
        let request = self.revocation_request(token, token_type_hint)?;
        let reply = http(&request.as_http(), self.config.timeout_ms).await?;
        parse_revocation_response(reply.status, &reply.body)
    }
}
