//! MCP authorization (the `mcp` feature), natively: the discovery flow stepped by a scripted driver and
//! scripted servers, for the decisions the conformance suite (tests/mcp/conformance.mjs) does not reach:
//! every hostile input is a typed error and no request goes further.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used
)]

use std::collections::BTreeMap;

use pkce_wasm::engine::{Flow, Input, Output, Step};
use pkce_wasm::mcp::{parse_www_authenticate, McpAuthorization, McpOptions, MAX_STEP_UPS};
use pkce_wasm::{
    AuthorizationOptions, ClientConfig, Error, HttpRequest, HttpResponse, OAuthClient,
};
use proptest::prelude::*;

const SERVER: &str = "https://mcp.example/v1/mcp";
const AS: &str = "https://auth.example/tenant";
const PRM_URL: &str = "https://mcp.example/.well-known/oauth-protected-resource/v1/mcp";
const AS_URL: &str = "https://auth.example/.well-known/oauth-authorization-server/tenant";

fn json(status: u16, body: &str) -> Input {
    Input::Response(HttpResponse {
        status,
        content_type: Some("application/json".into()),
        body: body.as_bytes().to_vec(),
        too_large: false,
        dpop_nonce: None,
        www_authenticate: None,
    })
}

fn prm(resource: &str) -> String {
    format!(
        r#"{{"resource":"{resource}","authorization_servers":["{AS}"],"scopes_supported":["mcp:read","mcp:write"]}}"#
    )
}

fn as_meta(extra: &str) -> String {
    format!(
        r#"{{"issuer":"{AS}","authorization_endpoint":"{AS}/authorize","token_endpoint":"{AS}/token",
        "registration_endpoint":"https://auth.example/register","code_challenge_methods_supported":["S256"]{extra}}}"#
    )
}

const REGISTERED: &str = r#"{"client_id":"dyn-1","token_endpoint_auth_method":"none"}"#;

/// A scripted world: the servers' answers by URL, and the storage.
#[derive(Default)]
struct World {
    answers: BTreeMap<String, Input>,
    storage: BTreeMap<String, String>,
    requests: Vec<HttpRequest>,
}

impl World {
    fn standard() -> World {
        let mut w = World::default();
        w.answer(PRM_URL, json(200, &prm(SERVER)));
        w.answer(AS_URL, json(200, &as_meta("")));
        w.answer("https://auth.example/register", json(201, REGISTERED));
        w
    }

    fn answer(&mut self, url: &str, input: Input) {
        self.answers.insert(url.into(), input);
    }

    fn clone_input(i: &Input) -> Input {
        match i {
            Input::Response(r) => Input::Response(r.clone()),
            Input::Failed(c) => Input::Failed(*c),
            _ => Input::Ok,
        }
    }

    /// Runs a discovery to its end.
    fn run(
        &mut self,
        config: ClientConfig,
        options: McpOptions,
    ) -> Result<McpAuthorization, Error> {
        let client = OAuthClient::for_mcp(SERVER, config)?;
        let (mut flow, mut step) = Flow::mcp(&client, SERVER, options)?;
        let mut jwks = None;
        for _ in 0..20 {
            let input = match step {
                Step::Done(Output::Mcp(a)) => return Ok(*a),
                Step::Fetch(r) => {
                    let input = self
                        .answers
                        .get(&r.url)
                        .map(Self::clone_input)
                        .unwrap_or_else(|| json(404, "{}"));
                    self.requests.push(r);
                    input
                }
                Step::Read { key, .. } => Input::Entries(
                    self.storage
                        .get(&key)
                        .map(|v| (key.clone(), v.clone()))
                        .into_iter()
                        .collect(),
                ),
                Step::Store { set, .. } => {
                    if let Some((k, v)) = set {
                        self.storage.insert(k, v);
                    }
                    Input::Ok
                }
                other => panic!("unexpected step {other:?}"),
            };
            step = flow.resume(&client, &mut jwks, 1_700_000_000, input)?;
        }
        panic!("the discovery did not end");
    }

    fn urls(&self) -> Vec<&str> {
        self.requests.iter().map(|r| r.url.as_str()).collect()
    }
}

mod fixture;

/// What `OAuthClient::for_mcp` starts from: no client id, endpoints or issuer (discovery finds them).
fn config() -> ClientConfig {
    fixture::TestClient::new()
        .client_id("")
        .endpoints("", "")
        .issuer(None)
        .redirect_uri("http://127.0.0.1:8976/callback")
        .config()
}

fn code(r: Result<McpAuthorization, Error>) -> String {
    r.expect_err("must fail").code().to_owned()
}

fn challenge(c: &str) -> McpOptions {
    let mut o = McpOptions::default();
    o.challenge = Some(c.into());
    o
}

#[test]
fn discovers_registers_and_sends_the_resource_everywhere() {
    let mut w = World::standard();
    let a = w
        .run(
            config(),
            challenge(r#"Bearer error="invalid_token", scope="mcp:read""#),
        )
        .unwrap();
    assert_eq!(w.urls(), [PRM_URL, AS_URL, "https://auth.example/register"]);
    // Every request: GET or JSON POST, no redirects followed (the driver's contract), no credentials.
    let reg = &w.requests[2];
    assert_eq!(reg.method(), "POST");
    assert!(reg
        .headers()
        .contains(&("content-type", "application/json")));
    let body: serde_json::Value = serde_json::from_str(reg.json.as_deref().unwrap()).unwrap();
    assert_eq!(body["redirect_uris"][0], "http://127.0.0.1:8976/callback");
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert_eq!(body["application_type"], "native");
    assert_eq!(body["grant_types"][1], "refresh_token");
    assert_eq!(a.registration, "registered");
    assert_eq!(a.resource.as_deref(), Some(SERVER));
    let c = &a.client;
    assert_eq!(c.config().client_id, "dyn-1");
    assert_eq!(c.config().issuer.as_deref(), Some(AS));
    assert_eq!(c.config().scope.as_deref(), Some("mcp:read")); // the challenge's, not scopes_supported
                                                               // The resource, exactly as published, in the authorization URL and the token requests.
    let p = c
        .start_authorization(&AuthorizationOptions::default(), 1_700_000_000)
        .unwrap();
    assert!(
        p.url
            .contains("resource=https%3A%2F%2Fmcp.example%2Fv1%2Fmcp"),
        "{}",
        p.url
    );
    let refresh = c.refresh_request(&pkce_wasm::RefreshToken::new("rt"), None);
    assert!(refresh
        .body
        .contains("resource=https%3A%2F%2Fmcp.example%2Fv1%2Fmcp"));
    // The registration is kept per issuer and used again, without a request.
    let key = format!("pkce-wasm:mcp:client:{AS}");
    assert!(w.storage[&key].contains("dyn-1"));
    let mut again = World::standard();
    again.storage = w.storage.clone();
    let a = again.run(config(), McpOptions::default()).unwrap();
    assert_eq!(
        (a.registration, a.client.config().client_id.as_str()),
        ("stored", "dyn-1")
    );
    assert_eq!(again.urls(), [PRM_URL, AS_URL]);
    assert_eq!(
        a.client.config().scope.as_deref(),
        Some("mcp:read mcp:write")
    ); // scopes_supported
}

#[test]
fn a_registration_is_never_used_with_another_server() {
    let mut w = World::standard();
    w.storage.insert(
        "pkce-wasm:mcp:client:https://other.example".into(),
        r#"{"v":1,"issuer":"https://other.example","redirect_uri":"http://127.0.0.1:8976/callback","client_id":"theirs","token_endpoint_auth_method":"none"}"#.into(),
    );
    // A forged entry under this issuer's key that names another issuer is not used either.
    w.storage.insert(
        format!("pkce-wasm:mcp:client:{AS}"),
        r#"{"v":1,"issuer":"https://other.example","redirect_uri":"http://127.0.0.1:8976/callback","client_id":"theirs"}"#.into(),
    );
    let a = w.run(config(), McpOptions::default()).unwrap();
    assert_eq!(a.client.config().client_id, "dyn-1");
}

#[test]
fn the_spec_orders_are_followed() {
    // No challenge: path-inserted, then root protected resource metadata; an issuer with a path:
    // RFC 8414 path-inserted, OpenID path-inserted, OpenID path-appended.
    let mut w = World::default();
    w.answer(
        "https://mcp.example/.well-known/oauth-protected-resource",
        json(200, &prm("https://mcp.example")),
    );
    w.answer(
        "https://auth.example/tenant/.well-known/openid-configuration",
        json(200, &as_meta("")),
    );
    w.answer("https://auth.example/register", json(201, REGISTERED));
    w.run(config(), McpOptions::default()).unwrap();
    assert_eq!(
        w.urls(),
        [
            PRM_URL,
            "https://mcp.example/.well-known/oauth-protected-resource",
            AS_URL,
            "https://auth.example/.well-known/openid-configuration/tenant",
            "https://auth.example/tenant/.well-known/openid-configuration",
            "https://auth.example/register",
        ]
    );
    // A 2025-03-26 server: no resource metadata, its own origin's metadata, else default endpoints.
    let mut w = World::default();
    w.answer(
        "https://mcp.example/register",
        json(201, r#"{"client_id":"c","client_secret":"s"}"#),
    );
    let a = w.run(config(), McpOptions::default()).unwrap();
    assert_eq!(
        w.urls()[2..],
        [
            "https://mcp.example/.well-known/oauth-authorization-server",
            "https://mcp.example/register"
        ]
    );
    assert_eq!(a.resource, None);
    assert_eq!(
        a.client.config().token_endpoint,
        "https://mcp.example/token"
    );
    assert_eq!(
        a.client.config().client_auth.method(),
        "client_secret_basic"
    ); // RFC 7591's default
}

#[test]
fn client_credentials_in_priority_order() {
    // Pre-registered: no registration.
    let mut w = World::standard();
    let mut c = config();
    c.client_id = "pre".into();
    let a = w.run(c, McpOptions::default()).unwrap();
    assert_eq!((a.registration, w.requests.len()), ("pre-registered", 2));
    // A metadata document where the server supports them, else registration.
    let mut o = McpOptions::default();
    o.client_metadata_url = Some("https://app.example/client.json".into());
    let mut w = World::standard();
    w.answer(
        AS_URL,
        json(
            200,
            &as_meta(r#","client_id_metadata_document_supported":true"#),
        ),
    );
    let a = w.run(config(), o.clone()).unwrap();
    assert_eq!(
        a.client.config().client_id,
        "https://app.example/client.json"
    );
    let mut w = World::standard();
    assert_eq!(w.run(config(), o).unwrap().registration, "registered");
    // A metadata document URL must be https with a path.
    let mut o = McpOptions::default();
    o.client_metadata_url = Some("https://app.example/".into());
    assert_eq!(code(World::standard().run(config(), o)), "invalid_config");
    // The method the server supports; none in common is a typed error.
    let mut w = World::standard();
    w.answer(
        AS_URL,
        json(
            200,
            &as_meta(r#","token_endpoint_auth_methods_supported":["client_secret_post"]"#),
        ),
    );
    w.answer("https://auth.example/register", json(201, r#"{"client_id":"x","client_secret":"s","token_endpoint_auth_method":"client_secret_post"}"#));
    let a = w.run(config(), McpOptions::default()).unwrap();
    assert_eq!(a.client.config().client_auth.method(), "client_secret_post");
    let mut w = World::standard();
    w.answer(
        AS_URL,
        json(
            200,
            &as_meta(r#","token_endpoint_auth_methods_supported":["private_key_jwt"]"#),
        ),
    );
    assert_eq!(
        code(w.run(config(), McpOptions::default())),
        "registration_failed"
    );
    assert_eq!(w.requests.len(), 2);
}

#[test]
fn offline_access_only_where_advertised() {
    let mut w = World::standard();
    w.answer(
        AS_URL,
        json(
            200,
            &as_meta(r#","scopes_supported":["mcp:read","offline_access"]"#),
        ),
    );
    let a = w.run(config(), McpOptions::default()).unwrap();
    assert_eq!(
        a.client.config().scope.as_deref(),
        Some("mcp:read mcp:write offline_access")
    );
    let mut w = World::standard();
    w.answer(AS_URL, json(200, &as_meta(r#","scopes_supported":["offline_access"],"grant_types_supported":["authorization_code"]"#)));
    let a = w.run(config(), McpOptions::default()).unwrap();
    assert_eq!(
        a.client.config().scope.as_deref(),
        Some("mcp:read mcp:write")
    );
    // No scope anywhere: none sent.
    let mut w = World::standard();
    w.answer(
        PRM_URL,
        json(
            200,
            &format!(r#"{{"resource":"{SERVER}","authorization_servers":["{AS}"]}}"#),
        ),
    );
    let a = w.run(config(), McpOptions::default()).unwrap();
    assert_eq!(a.client.config().scope, None);
    let p = a
        .client
        .start_authorization(&AuthorizationOptions::default(), 1_700_000_000)
        .unwrap();
    assert!(!p.url.contains("scope="));
}

#[test]
fn hostile_servers_are_typed_errors_and_go_no_further() {
    type Case = (&'static str, Box<dyn Fn(&mut World)>, &'static str, usize);
    let cases: Vec<Case> = vec![
        (
            "another resource",
            Box::new(|w| w.answer(PRM_URL, json(200, &prm("https://evil.example/v1/mcp")))),
            "resource_mismatch",
            1,
        ),
        (
            "a sibling path",
            Box::new(|w| w.answer(PRM_URL, json(200, &prm("https://mcp.example/v1/mcp2")))),
            "resource_mismatch",
            1,
        ),
        (
            "issuer mismatch",
            Box::new(|w| {
                w.answer(
                    AS_URL,
                    json(
                        200,
                        &as_meta("").replace(
                            &format!(r#""issuer":"{AS}""#),
                            r#""issuer":"https://auth.example""#,
                        ),
                    ),
                )
            }),
            "issuer_mismatch",
            2,
        ),
        (
            "no PKCE",
            Box::new(|w| {
                w.answer(
                    AS_URL,
                    json(
                        200,
                        &as_meta("").replace(r#","code_challenge_methods_supported":["S256"]"#, ""),
                    ),
                )
            }),
            "pkce_unsupported",
            2,
        ),
        (
            "plain PKCE only",
            Box::new(|w| {
                w.answer(
                    AS_URL,
                    json(200, &as_meta("").replace(r#"["S256"]"#, r#"["plain"]"#)),
                )
            }),
            "pkce_unsupported",
            2,
        ),
        (
            "registration on another origin",
            Box::new(|w| {
                w.answer(
                    AS_URL,
                    json(
                        200,
                        &as_meta("").replace(
                            "https://auth.example/register",
                            "https://evil.example/register",
                        ),
                    ),
                )
            }),
            "invalid_response",
            2,
        ),
        (
            "registration over http",
            Box::new(|w| {
                w.answer(
                    AS_URL,
                    json(
                        200,
                        &as_meta("").replace(
                            "https://auth.example/register",
                            "http://auth.example/register",
                        ),
                    ),
                )
            }),
            "invalid_response",
            2,
        ),
        (
            "resource metadata not JSON",
            Box::new(|w| {
                w.answer(
                    PRM_URL,
                    Input::Response(HttpResponse {
                        status: 200,
                        content_type: Some("text/html".into()),
                        body: b"<html>".to_vec(),
                        too_large: false,
                        dpop_nonce: None,
                        www_authenticate: None,
                    }),
                )
            }),
            "invalid_response",
            1,
        ),
        (
            "resource metadata too large",
            Box::new(|w| {
                w.answer(
                    PRM_URL,
                    Input::Response(HttpResponse {
                        status: 200,
                        content_type: Some("application/json".into()),
                        body: vec![],
                        too_large: true,
                        dpop_nonce: None,
                        www_authenticate: None,
                    }),
                )
            }),
            "invalid_response",
            1,
        ),
        (
            "resource metadata redirects",
            Box::new(|w| w.answer(PRM_URL, json(302, "{}"))),
            "invalid_response",
            1,
        ),
        (
            "server metadata redirects",
            Box::new(|w| w.answer(AS_URL, json(307, "{}"))),
            "invalid_response",
            2,
        ),
        (
            "registration redirects",
            Box::new(|w| w.answer("https://auth.example/register", json(302, "{}"))),
            "invalid_response",
            3,
        ),
        (
            "resource metadata 500",
            Box::new(|w| w.answer(PRM_URL, json(500, "{}"))),
            "invalid_response",
            1,
        ),
        (
            "no authorization servers",
            Box::new(|w| {
                w.answer(
                    PRM_URL,
                    json(
                        200,
                        &format!(r#"{{"resource":"{SERVER}","authorization_servers":[]}}"#),
                    ),
                )
            }),
            "invalid_response",
            1,
        ),
        (
            "an http authorization server",
            Box::new(|w| {
                w.answer(PRM_URL, json(200, &format!(r#"{{"resource":"{SERVER}","authorization_servers":["http://auth.example"]}}"#)))
            }),
            "invalid_response",
            1,
        ),
        (
            "registration without client_id",
            Box::new(|w| {
                w.answer(
                    "https://auth.example/register",
                    json(201, r#"{"client_secret":"s"}"#),
                )
            }),
            "invalid_response",
            3,
        ),
        (
            "registration with an unknown method",
            Box::new(|w| {
                w.answer(
                    "https://auth.example/register",
                    json(
                        201,
                        r#"{"client_id":"x","token_endpoint_auth_method":"tls_client_auth"}"#,
                    ),
                )
            }),
            "invalid_response",
            3,
        ),
        (
            "registration refused",
            Box::new(|w| {
                w.answer(
                    "https://auth.example/register",
                    json(400, r#"{"error":"invalid_client_metadata"}"#),
                )
            }),
            "invalid_client_metadata",
            3,
        ),
        (
            "network down",
            Box::new(|w| w.answer(AS_URL, Input::Failed(pkce_wasm::ErrorCode::NetworkError))),
            "network_error",
            2,
        ),
    ];
    for (name, setup, expected, requests) in cases {
        let mut w = World::standard();
        setup(&mut w);
        let r = w.run(
            config(),
            challenge(&format!(r#"Bearer resource_metadata="{PRM_URL}""#)),
        );
        assert_eq!(code(r), expected, "{name}");
        assert_eq!(w.requests.len(), requests, "{name}: {:?}", w.urls());
        assert!(w.storage.is_empty(), "{name}: nothing half-done is stored");
    }
}

#[test]
fn hostile_challenges() {
    // A 64 KB header, malformed syntax, an http metadata URL: refused before any request.
    let huge = format!(
        r#"Bearer resource_metadata="{PRM_URL}", scope="{}""#,
        "a".repeat(64 * 1024)
    );
    for c in [
        huge.as_str(),
        "Bearer scope=\"x",
        "Bearer resource_metadata=\"http://evil.example/prm\"",
    ] {
        let client = OAuthClient::for_mcp(SERVER, config()).unwrap();
        let e = Flow::mcp(&client, SERVER, challenge(c)).expect_err(c);
        assert_eq!(e.code(), "invalid_challenge");
        assert!(!e.to_string().contains("evil"));
    }
    // Bad server URLs are invalid_config.
    for s in [
        "http://mcp.example/mcp",
        "mcp.example",
        "https://mcp.example/#x",
    ] {
        assert_eq!(
            OAuthClient::for_mcp(s, config()).unwrap_err().code(),
            "invalid_config"
        );
    }
}

#[test]
fn step_up_is_a_bounded_union() {
    let mut w = World::standard();
    let a = w
        .run(config(), challenge(r#"Bearer scope="mcp:read""#))
        .unwrap();
    let c = a.client;
    let up =
        r#"Bearer error="insufficient_scope", scope="mcp:read mcp:admin", resource_metadata="x""#;
    assert_eq!(c.step_up_scope(up, 0).unwrap(), "mcp:read mcp:admin");
    assert_eq!(
        c.step_up_scope(up, MAX_STEP_UPS - 1).unwrap(),
        "mcp:read mcp:admin"
    );
    assert_eq!(
        c.step_up_scope(up, MAX_STEP_UPS).unwrap_err().code(),
        "step_up_limit"
    );
    for not_a_step_up in [
        r#"Bearer error="invalid_token""#,
        r#"Bearer error="insufficient_scope""#,
        "Basic realm=x",
        "",
    ] {
        assert_eq!(
            c.step_up_scope(not_a_step_up, 0).unwrap_err().code(),
            "invalid_challenge"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any header value: a result, never a panic, and never more challenges than bytes.
    #[test]
    fn the_parser_never_panics(s in ".{0,200}") {
        if let Ok(cs) = parse_www_authenticate(&s) {
            prop_assert!(cs.len() <= s.len());
        }
    }

    /// Well-formed challenges parse back to what was written (values quoted with escapes).
    #[test]
    fn written_challenges_parse_back(
        params in proptest::collection::btree_map("[a-z][a-z_]{0,8}", "[ -~]{0,20}", 0..5),
        scheme in "(Bearer|DPoP|[A-Za-z]{1,8})",
    ) {
        let written: Vec<String> = params
            .iter()
            .map(|(n, v)| format!("{n}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        let header = format!("{scheme} {}, Basic realm=\"x\"", written.join(", "));
        let header = if params.is_empty() { format!("{scheme}, Basic realm=\"x\"") } else { header };
        let cs = parse_www_authenticate(&header).unwrap();
        prop_assert_eq!(cs.len(), 2);
        prop_assert_eq!(&cs[0].scheme, &scheme);
        let got: Vec<(String, String)> = cs[0].params.clone();
        let want: Vec<(String, String)> = params.into_iter().collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(cs[1].param("realm"), Some("x"));
    }
}

#[test]
fn the_client_metadata_document() {
    use pkce_wasm::mcp::client_metadata_document;
    let doc = client_metadata_document(
        "https://app.example/oauth/client.json",
        "App",
        &["http://127.0.0.1:8976/callback"],
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["client_id"], "https://app.example/oauth/client.json");
    assert_eq!(v["redirect_uris"][0], "http://127.0.0.1:8976/callback");
    assert_eq!(v["token_endpoint_auth_method"], "none");
    assert_eq!(
        v["grant_types"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    for (id, uris) in [
        ("https://app.example/", vec!["https://app.example/cb"]),
        ("http://app.example/c.json", vec!["https://app.example/cb"]),
        ("https://app.example/c.json", vec![]),
        (
            "https://app.example/c.json",
            vec!["https://app.example/cb#x"],
        ),
    ] {
        assert_eq!(
            client_metadata_document(id, "App", &uris)
                .unwrap_err()
                .code(),
            "invalid_config",
            "{id} {uris:?}"
        );
    }
}
