//! OpenID Connect without I/O, by concern: discovery documents ([`discovery`]), ID tokens as JWS
//! ([`jws`]), their claims ([`claims`]), JWKS key selection ([`jwks`]), and the userinfo, revocation
//! and logout endpoints ([`endpoints`]).
//!
//! Signatures are checked by the host's WebCrypto (the engine's verification step); these modules prepare
//! everything around it: the algorithm allow-list, the header rules, the key (selected by `kid`, never
//! taken from the token) and the exact bytes that were signed.

mod claims;
mod discovery;
mod endpoints;
mod jwks;
mod jws;

#[cfg(feature = "oidc")]
pub(crate) use claims::IdTokenContext;
pub use claims::{validate_claims, IdTokenExpectations};
#[cfg(feature = "mcp")]
pub(crate) use discovery::metadata_of;
pub use discovery::{
    discovery_urls, parse_discovery, ProviderMetadata, OAUTH_AUTHORIZATION_SERVER,
    OPENID_CONFIGURATION,
};
pub use endpoints::{parse_revocation_response, parse_userinfo, LogoutOptions};
pub use jwks::{select_key, PublicJwk};
pub use jws::{parse_jws, Alg, Jws, Param};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64url;
    use crate::types::{IdToken, IdTokenClaims};
    use crate::{Error, ErrorCode, OAuthClient};
    use alloc::format;
    use alloc::string::String;

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

        let mut config = crate::fixture::TestClient::new()
            .endpoints("https://idp.example/a", "https://idp.example/t")
            .issuer(None)
            .config();
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
