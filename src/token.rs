//! Token requests (code exchange, refresh) as values, and token-response validation, without I/O.

use alloc::string::String;
use core::fmt;

use crate::authorize::PendingAuthorization;
use crate::callback::ValidatedCallback;
use crate::config::ClientAuth;
use crate::encoding::{base64_standard, form_encode_into, FormSerializer};
use crate::error::{Error, ErrorCode};
use crate::http::{error_response, is_json_media_type};
use crate::json::{self, Json, ObjectWriter};
use crate::types::{AccessToken, AuthorizationCode, IdToken, IdTokenClaims, RefreshToken};
use crate::OAuthClient;

/// The largest response body accepted by default (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// The largest `expires_in` accepted (about 136 years); larger values are `invalid_response`.
pub const MAX_EXPIRES_IN: u64 = u32::MAX as u64;

/// A token endpoint request, ready to send: `POST url` with `Content-Type:
/// application/x-www-form-urlencoded`, `Accept: application/json` and, for `client_secret_basic`,
/// `Authorization`. The body and the header hold secrets; `Debug` redacts them.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The token endpoint.
    pub url: String,
    /// The `Authorization` header value, for `client_secret_basic`.
    pub authorization: Option<String>,
    /// The form-encoded body.
    pub body: String,
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenRequest { url: ")?;
        f.write_str(&self.url)?;
        f.write_str(", body: [redacted] }")
    }
}

/// A validated token response (RFC wire names).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TokenSet {
    /// The access token (never empty).
    pub access_token: AccessToken,
    /// The token type, lower-cased (`bearer`).
    pub token_type: String,
    /// Lifetime in seconds, as sent.
    pub expires_in: Option<u64>,
    /// Receipt time plus `expires_in`, unix seconds.
    pub expires_at: Option<u64>,
    /// The refresh token (after a refresh without rotation, the one that was used).
    pub refresh_token: Option<RefreshToken>,
    /// The ID token. Verified when the client has a `jwks_uri` (then `claims` is set), otherwise passed
    /// through unverified.
    pub id_token: Option<IdToken>,
    /// The granted scope, when the server said it (`Some("")`: it granted none).
    pub scope: Option<String>,
    /// The verified ID token's claims (set by the wasm32 I/O methods of an OpenID Connect client).
    pub claims: Option<IdTokenClaims>,
}

impl TokenSet {
    /// The JSON text of the token set, with its RFC member names (and `claims`, the verified ID token's
    /// claim set): the JavaScript API's `TokenSet`, and what a managed session stores. It holds the
    /// tokens: keep it where only this user agent can read it.
    pub fn to_json(&self) -> String {
        let mut o = ObjectWriter::new();
        o.str("access_token", self.access_token.secret())
            .str("token_type", &self.token_type)
            .opt_uint("expires_in", self.expires_in)
            .opt_uint("expires_at", self.expires_at)
            .opt_str(
                "refresh_token",
                self.refresh_token.as_ref().map(|r| r.secret()),
            )
            .opt_str("id_token", self.id_token.as_ref().map(|r| r.secret()))
            .opt_str("scope", self.scope.as_deref());
        if let Some(claims) = &self.claims {
            // The payload's text, which the strict reader accepted: valid JSON.
            o.raw("claims", &claims.json);
        }
        o.finish()
    }

    /// Reads what [`TokenSet::to_json`] wrote, strictly: a JSON object with a non-empty `access_token`
    /// and `token_type`, the other members absent, `null` or of their type (`expires_*` integers). The
    /// stored `claims` are not taken on trust: `claims` is `None` here (the engine decodes them again
    /// from `id_token` for an OpenID Connect client). Anything else is `None`.
    pub fn from_json(text: &str) -> Option<TokenSet> {
        TokenSet::from_value(&json::parse(text.as_bytes())?)
    }

    pub(crate) fn from_value(v: &Json) -> Option<TokenSet> {
        if !v.strings_typed(&[
            "access_token",
            "token_type",
            "refresh_token",
            "id_token",
            "scope",
        ]) {
            return None;
        }
        let uint = |name| json::opt_uint(v, name, u64::MAX, ErrorCode::InvalidConfig).ok();
        let (Some(at), Some(tt), Some(expires_in), Some(expires_at)) = (
            v.str("access_token").filter(|s| !s.is_empty()),
            v.str("token_type").filter(|s| !s.is_empty()),
            uint("expires_in"),
            uint("expires_at"),
        ) else {
            return None;
        };
        Some(TokenSet {
            access_token: AccessToken::new(at),
            token_type: String::from(tt),
            expires_in,
            expires_at,
            refresh_token: v.str("refresh_token").map(RefreshToken::new),
            id_token: v.str("id_token").map(IdToken::new),
            scope: v.string("scope"),
            claims: None,
        })
    }

    /// After a refresh whose response carries no ID token, keeps the session's ID token and its claims
    /// (RFC 6749 §6 and OIDC Core §12.2: the server may omit it). Returns whether the ID token is new (then
    /// it still has to be verified). The I/O methods and the npm package call it on every refresh; callers
    /// of the sans-IO [`OAuthClient::refresh_request`] + [`parse_token_response`] pair call it themselves.
    pub fn keep_id_token(
        &mut self,
        previous: Option<&IdToken>,
        claims: Option<IdTokenClaims>,
    ) -> bool {
        if self.id_token.is_some() {
            return true;
        }
        self.id_token = previous.cloned();
        self.claims = claims.filter(|_| self.id_token.is_some());
        false
    }
}

impl OAuthClient {
    pub(crate) fn token_request(&self, grant: FormSerializer) -> TokenRequest {
        self.authenticated_request(grant, Some(&[]))
    }

    /// `form` plus the client authentication, and the extra token parameters: those the grant does not
    /// set itself (`extras` names what it sets: each parameter once), or none of them (`None`).
    pub(crate) fn authenticated_request(
        &self,
        grant: FormSerializer,
        extras: Option<&[&str]>,
    ) -> TokenRequest {
        let c = &self.config;
        let mut body = grant;
        let mut authorization = None;
        match &c.client_auth {
            ClientAuth::None => {
                body.append("client_id", &c.client_id);
            }
            ClientAuth::ClientSecretPost(secret) => {
                body.append("client_id", &c.client_id)
                    .append("client_secret", secret.secret());
            }
            // The engine adds the signed assertion (`client_assertion`) once the driver has signed it.
            #[cfg(feature = "oidc")]
            ClientAuth::PrivateKeyJwt(_) => {
                body.append("client_id", &c.client_id);
            }
            ClientAuth::ClientSecretBasic(secret) => {
                // RFC 6749 §2.3.1: each part form-encoded before base64.
                let mut pair = String::new();
                form_encode_into(&mut pair, &c.client_id);
                pair.push(':');
                form_encode_into(&mut pair, secret.secret());
                let mut header = String::from("Basic ");
                header.push_str(&base64_standard(pair.as_bytes()));
                authorization = Some(header);
            }
        }
        let extra = |name: &String| extras.is_some_and(|own| !own.contains(&name.as_str()));
        for (name, value) in c.extra_token_params.iter().filter(|(n, _)| extra(n)) {
            body.append(name, value);
        }
        TokenRequest {
            url: c.token_endpoint.clone(),
            authorization,
            body: body.finish(),
        }
    }

    /// The code exchange for a validated callback.
    pub fn code_exchange_request(
        &self,
        callback: &ValidatedCallback,
        pending: &PendingAuthorization,
    ) -> TokenRequest {
        self.code_exchange_request_unchecked(&callback.code, pending)
    }

    /// The code exchange for a code that the caller validated itself (the JS `exchangeCode`).
    pub(crate) fn code_exchange_request_unchecked(
        &self,
        code: &AuthorizationCode,
        pending: &PendingAuthorization,
    ) -> TokenRequest {
        let mut grant = FormSerializer::default();
        grant
            .append("grant_type", "authorization_code")
            .append("code", code.secret())
            .append("redirect_uri", &pending.redirect_uri)
            .append("code_verifier", pending.code_verifier.secret());
        self.token_request(grant)
    }

    /// A refresh request, optionally for a narrower `scope`.
    pub fn refresh_request(
        &self,
        refresh_token: &RefreshToken,
        scope: Option<&str>,
    ) -> TokenRequest {
        let mut grant = FormSerializer::default();
        grant
            .append("grant_type", "refresh_token")
            .append("refresh_token", refresh_token.secret());
        let scope = scope.filter(|s| !s.is_empty());
        if let Some(s) = scope {
            grant.append("scope", s);
        }
        // A narrower `scope` replaces a configured one (`extra_token_params`).
        let own: &[&str] = if scope.is_some() { &["scope"] } else { &[] };
        self.authenticated_request(grant, Some(own))
    }
}

/// A string member that, when present, is not empty.
fn optional_string<'a>(obj: &'a Json, name: &str) -> Result<Option<&'a str>, ()> {
    match obj.opt_str(name)? {
        Some("") => Err(()),
        s => Ok(s),
    }
}

/// `expires_in`: a non-negative integer JSON number, or a string of 1–10 ASCII digits (some providers
/// send strings); a fraction, an exponent, a sign or anything above [`MAX_EXPIRES_IN`] is rejected.
fn expires_in(obj: &Json) -> Result<Option<u64>, ()> {
    let digits = match obj.get("expires_in") {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::Number(n) | Json::String(n)) => n.as_str(),
        Some(_) => return Err(()),
    };
    let value = crate::json::parse_uint(digits.as_bytes()).ok_or(())?;
    if value > MAX_EXPIRES_IN {
        return Err(());
    }
    Ok(Some(value))
}

/// Validates a token endpoint response.
///
/// * 200 with `Content-Type: application/json` and a JSON object holding a non-empty `access_token` and a
///   `token_type` of `bearer` (any case) → [`TokenSet`]; unknown members are ignored.
/// * any non-2xx whose body is a JSON object with a string `error` → [`Error::TokenResponse`].
/// * anything else (3xx, other 2xx, HTML, bad JSON, wrong types, a 200 carrying `error`) →
///   `invalid_response` with the status.
///
/// `now` is the receipt time in unix seconds; `previous_refresh_token` is kept when a refresh response
/// carries no new one.
pub fn parse_token_response(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    now: u64,
    previous_refresh_token: Option<&RefreshToken>,
) -> Result<TokenSet, Error> {
    parse_tokens(
        status,
        content_type,
        body,
        now,
        previous_refresh_token,
        false,
        false,
    )
}

/// [`parse_token_response`]; with `dpop` (a DPoP proof was sent) the `token_type` must be `DPoP`: a
/// token the server did not bind (`Bearer`) is `invalid_response`, unless `accept_bearer`.
pub(crate) fn parse_tokens(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    now: u64,
    previous_refresh_token: Option<&RefreshToken>,
    dpop: bool,
    accept_bearer: bool,
) -> Result<TokenSet, Error> {
    let invalid = Error::response(ErrorCode::InvalidResponse, status);
    error_response(status, body)?;
    if status != 200 {
        return Err(invalid);
    }
    let parsed = json::parse(body).filter(|v| matches!(v, Json::Object(_)));
    let obj = match parsed {
        Some(obj) if is_json_media_type(content_type) && obj.get("error").is_none() => obj,
        _ => return Err(invalid),
    };
    let access_token = match obj.get("access_token") {
        Some(Json::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(invalid),
    };
    let token_type = match obj.get("token_type") {
        Some(Json::String(s)) if (!dpop || accept_bearer) && s.eq_ignore_ascii_case("bearer") => {
            String::from("bearer")
        }
        Some(Json::String(s)) if dpop && s.eq_ignore_ascii_case("dpop") => String::from("DPoP"),
        _ => return Err(invalid),
    };
    let (Ok(expires_in), Ok(refresh_token), Ok(id_token), Ok(scope)) = (
        expires_in(&obj),
        optional_string(&obj, "refresh_token"),
        optional_string(&obj, "id_token"),
        // `"scope": ""` (GitHub and others, when no scope was granted) is kept as the empty string.
        obj.opt_str("scope"),
    ) else {
        return Err(invalid);
    };
    Ok(TokenSet {
        access_token: AccessToken::new(access_token),
        token_type,
        expires_in,
        expires_at: expires_in.map(|e| now.saturating_add(e)),
        refresh_token: refresh_token
            .map(RefreshToken::new)
            .or_else(|| previous_refresh_token.cloned()),
        id_token: id_token.map(IdToken::new),
        scope: scope.map(String::from),
        claims: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::parse_form;
    use crate::types::ClientSecret;
    use crate::AuthorizationOptions;
    use alloc::vec::Vec;
    use alloc::{format, vec};

    const JSON: Option<&str> = Some("application/json; charset=utf-8");

    #[test]
    fn json_media_types() {
        for ct in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            " \tapplication/json\t ;charset=utf-8",
            "application/jwk-set+json",
            "APPLICATION/PROBLEM+JSON; charset=utf-8",
        ] {
            assert!(is_json_media_type(Some(ct)), "{ct}");
        }
        for ct in [
            "",
            "json",
            "text/json",
            "text/html",
            "application/jsonp",
            "application/json5",
            "application/+jso",
            "text/x+json",
            "application/json\u{a0}",
            "application/x-www-form-urlencoded",
            "; application/json",
        ] {
            assert!(!is_json_media_type(Some(ct)), "{ct}");
        }
        assert!(!is_json_media_type(None));
    }

    fn parse(status: u16, ct: Option<&str>, body: &str) -> Result<TokenSet, Error> {
        parse_token_response(status, ct, body.as_bytes(), 1_000, None)
    }

    fn outcome(r: Result<TokenSet, Error>) -> String {
        match r {
            Ok(_) => String::from("ok"),
            Err(e) => format!("{}:{}:{}", e.name(), e.code(), e.status().unwrap_or(0)),
        }
    }

    #[test]
    fn token_response_matrix() {
        let ok = "OAuthClientError:invalid_response";
        let cases: &[(u16, Option<&str>, &str, &str)] = &[
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"Bearer"}"#,
                "ok",
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"BEARER","expires_in":3600,"x":[1,{}]}"#,
                "ok",
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","expires_in":"3600"}"#,
                "ok",
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","refresh_token":null}"#,
                "ok",
            ),
            (
                200,
                Some("APPLICATION/JSON"),
                r#"{"access_token":"at","token_type":"bearer"}"#,
                "ok",
            ),
            (200, JSON, r#"{"access_token":"at","token_type":"mac"}"#, ok),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"DPoP"}"#,
                ok,
            ),
            (200, JSON, r#"{"access_token":"at"}"#, ok),
            (
                200,
                JSON,
                r#"{"access_token":"","token_type":"bearer"}"#,
                ok,
            ),
            (200, JSON, r#"{"token_type":"bearer"}"#, ok),
            (200, JSON, r#"{"access_token":1,"token_type":"bearer"}"#, ok),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":["bearer"]}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","expires_in":-1}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","expires_in":1.5}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","expires_in":1e3}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","expires_in":99999999999}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","expires_in":"1h"}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","expires_in":true}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","refresh_token":5}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","refresh_token":""}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","scope":["a"]}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","id_token":{}}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","error":"x"}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"a","access_token":"b","token_type":"bearer"}"#,
                ok,
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer""#,
                ok,
            ),
            (200, JSON, r#"["access_token"]"#, ok),
            (200, JSON, r#""access_token""#, ok),
            (200, JSON, "", ok),
            (
                200,
                Some("text/html"),
                r#"{"access_token":"at","token_type":"bearer"}"#,
                ok,
            ),
            (
                200,
                None,
                r#"{"access_token":"at","token_type":"bearer"}"#,
                ok,
            ),
            (
                200,
                Some("application/jsonp"),
                r#"{"access_token":"at","token_type":"bearer"}"#,
                ok,
            ),
            (
                201,
                JSON,
                r#"{"access_token":"at","token_type":"bearer"}"#,
                ok,
            ),
            (302, JSON, r#"{"error":"invalid_grant"}"#, ok),
            (0, None, "", ok),
            (
                400,
                JSON,
                r#"{"error":"invalid_grant","error_description":"expired"}"#,
                "TokenResponseError:invalid_grant",
            ),
            (
                401,
                None,
                r#"{"error":"invalid_client"}"#,
                "TokenResponseError:invalid_client",
            ),
            (
                500,
                JSON,
                r#"{"error":"server_error"}"#,
                "TokenResponseError:server_error",
            ),
            (400, JSON, r#"{"error":5}"#, ok),
            (400, JSON, r#"{"error":""}"#, ok),
            (400, JSON, r#"{"error":"bad\"code"}"#, ok),
            (400, JSON, r#"{"error":"caf\u00e9"}"#, ok),
            (400, JSON, r#"{"error":"line\nbreak"}"#, ok),
            (
                400,
                JSON,
                r#"{"error":"custom code!"}"#,
                "TokenResponseError:custom code!",
            ),
            (
                200,
                JSON,
                r#"{"access_token":"at","token_type":"bearer","scope":""}"#,
                "ok",
            ),
            (400, JSON, r#"{"error":"a","error":"b"}"#, ok),
            (500, Some("text/html"), "<html><body>oops</body></html>", ok),
            (502, None, "", ok),
        ];
        for (status, ct, body, expected) in cases {
            let got = outcome(parse(*status, *ct, body));
            let expected = if *expected == "ok" {
                String::from("ok")
            } else {
                format!("{expected}:{status}")
            };
            assert_eq!(got, expected, "{status} {ct:?} {body}");
        }
    }

    #[test]
    fn token_set_fields() {
        let t = parse(
            200,
            JSON,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":60,"refresh_token":"rt","id_token":"a.b.c","scope":"openid"}"#,
        )
        .unwrap();
        assert_eq!(t.access_token.secret(), "at");
        assert_eq!(t.token_type, "bearer");
        assert_eq!((t.expires_in, t.expires_at), (Some(60), Some(1_060)));
        assert_eq!(t.refresh_token.as_ref().map(|r| r.secret()), Some("rt"));
        assert_eq!(t.id_token.as_ref().map(|r| r.secret()), Some("a.b.c"));
        assert_eq!(t.scope.as_deref(), Some("openid"));
        let t = parse(
            200,
            JSON,
            r#"{"access_token":"at","token_type":"bearer","scope":""}"#,
        )
        .unwrap();
        assert_eq!(t.scope.as_deref(), Some(""), "no scope granted");
        let t = parse(200, JSON, r#"{"access_token":"at","token_type":"bearer"}"#).unwrap();
        assert_eq!((t.expires_in, t.expires_at, t.scope), (None, None, None));
        assert!(t.refresh_token.is_none() && t.id_token.is_none());
    }

    #[test]
    fn refresh_keeps_or_rotates_the_refresh_token() {
        let old = RefreshToken::new("old");
        let body = br#"{"access_token":"at","token_type":"bearer"}"#;
        let kept = parse_token_response(200, JSON, body, 0, Some(&old)).unwrap();
        assert_eq!(kept.refresh_token, Some(old.clone()));
        let body = br#"{"access_token":"at","token_type":"bearer","refresh_token":"new"}"#;
        let rotated = parse_token_response(200, JSON, body, 0, Some(&old)).unwrap();
        assert_eq!(rotated.refresh_token, Some(RefreshToken::new("new")));
    }

    #[test]
    fn a_refresh_without_id_token_keeps_the_session() {
        let body = br#"{"access_token":"at2","token_type":"bearer"}"#;
        let mut t = parse_token_response(200, JSON, body, 0, None).unwrap();
        let old = IdToken::new("h.p.s");
        assert!(!t.keep_id_token(Some(&old), None));
        assert_eq!(t.id_token, Some(old.clone()));
        let body = br#"{"access_token":"at2","token_type":"bearer","id_token":"n.e.w"}"#;
        let mut t = parse_token_response(200, JSON, body, 0, None).unwrap();
        assert!(
            t.keep_id_token(Some(&old), None),
            "a new ID token must be verified"
        );
        assert_eq!(t.id_token, Some(IdToken::new("n.e.w")));
    }

    #[test]
    fn error_fields_are_kept() {
        let e = parse(
            400,
            JSON,
            r#"{"error":"invalid_grant","error_description":"<b>x</b>","error_uri":"https://e"}"#,
        )
        .err()
        .unwrap();
        let r = e.error_response().unwrap();
        assert_eq!(r.error, "invalid_grant");
        assert_eq!(r.error_description.as_deref(), Some("<b>x</b>"));
        assert_eq!(r.error_uri.as_deref(), Some("https://e"));
    }

    fn client(auth: ClientAuth) -> OAuthClient {
        crate::fixture::TestClient::new()
            .client_id("my client")
            .endpoints("https://idp.example/a", "https://idp.example/t")
            .issuer(None)
            .with(|c| {
                c.client_auth = auth;
                c.extra_token_params = vec![(String::from("audience"), String::from("api"))];
            })
            .build()
    }

    fn body_pairs(r: &TokenRequest) -> Vec<(String, String)> {
        parse_form(&r.body)
    }

    #[test]
    fn code_exchange_and_client_authentication() {
        let public = client(ClientAuth::None);
        let pending = public
            .start_authorization(&AuthorizationOptions::default(), 0)
            .unwrap();
        let cb = public
            .validate_callback(
                &format!("?code=c%26d&state={}", pending.state.secret()),
                &pending,
                1,
            )
            .unwrap();
        let r = public.code_exchange_request(&cb, &pending);
        assert_eq!(r.url, "https://idp.example/t");
        assert_eq!(r.authorization, None);
        let expected = [
            ("grant_type", "authorization_code"),
            ("code", "c&d"),
            ("redirect_uri", "https://app.example/cb"),
            ("code_verifier", pending.code_verifier.secret()),
            ("client_id", "my client"),
            ("audience", "api"),
        ];
        let got = body_pairs(&r);
        assert_eq!(got.len(), expected.len());
        for ((n, v), (en, ev)) in got.iter().zip(expected) {
            assert_eq!((n.as_str(), v.as_str()), (en, ev));
        }
        assert!(!format!("{r:?}").contains(pending.code_verifier.secret()));

        let post = client(ClientAuth::ClientSecretPost(ClientSecret::new("s3cr:et")));
        let r = post.refresh_request(&RefreshToken::new("rt"), Some("read"));
        let names: Vec<_> = body_pairs(&r)
            .into_iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        assert_eq!(
            names,
            [
                "grant_type=refresh_token",
                "refresh_token=rt",
                "scope=read",
                "client_id=my client",
                "client_secret=s3cr:et",
                "audience=api"
            ]
        );

        // RFC 6749 §2.3.1: form-encode id and secret, then base64 "id:secret".
        let basic = client(ClientAuth::ClientSecretBasic(ClientSecret::new("s3cr:et")));
        let r = basic.refresh_request(&RefreshToken::new("rt"), None);
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Basic {}", base64_standard(b"my+client:s3cr%3Aet")).as_str())
        );
        assert!(body_pairs(&r)
            .iter()
            .all(|(n, _)| n != "client_id" && n != "client_secret"));
    }
}
