//! The boundary between the wasm core and the npm shell: the lists both sides must agree on, pinned by
//! reading both (the Rust constants and `npm/*.js`, `npm/client.d.ts`). Nothing is kept in step by hand:
//! a new operation, error code or error name on one side fails here until the other side has it.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used
)]

use std::collections::BTreeSet;
use std::fs;

fn read(path: &str) -> String {
    fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The quoted words after each occurrence of `marker` (e.g. `fail("` → the codes the shell throws).
fn quoted_after(text: &str, marker: &str) -> BTreeSet<String> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// `NAME = n` pairs of a `const A = 0, B = 1, ...;` (JS) or `pub const NAME: u8 = n;` (Rust) list.
fn ops(text: &str, start: &str, end: &str) -> Vec<(String, u32)> {
    let from = text.find(start).expect("the list's start") + start.len();
    let body = &text[from..from + text[from..].find(end).expect("the list's end")];
    let mut out = Vec::new();
    for part in body.split([',', ';', '\n']) {
        let part = part.trim().trim_start_matches("pub const ");
        let Some((name, value)) = part.split_once('=') else {
            continue;
        };
        let name = name.trim().trim_end_matches(": u8").trim();
        if name.starts_with("//") || name.is_empty() {
            continue;
        }
        out.push((name.to_owned(), value.trim().parse().expect("an op number")));
    }
    out.sort_by_key(|(_, n)| *n);
    out
}

#[test]
fn op_and_flow_numbers_agree() {
    let core = read("src/js/mod.rs");
    let shell = read("npm/client.js");
    for (rust_list, js_first, least) in [
        ("pub mod op {", "const INFO", 9),
        ("pub mod flow {", "const EXCHANGE", 7),
    ] {
        let rust = ops(&core, rust_list, "\n}");
        let mut js = ops(&shell, js_first, ";");
        js.push((js_first.trim_start_matches("const ").to_owned(), 0));
        js.sort_by_key(|(_, n)| *n);
        js.dedup();
        assert!(rust.len() >= least, "{rust:?}");
        assert_eq!(
            rust, js,
            "src/js/mod.rs `{rust_list}` and npm/client.js differ"
        );
    }
}

/// The drivers decide nothing: no request shape, body cap, storage key, expiry rule, callback parameter
/// or WebCrypto parameter is written in them (the engine hands each to them).
#[test]
fn the_drivers_hold_no_policy() {
    let shell = read("npm/client.js");
    let rust = [
        "mod.rs",
        "fetch.rs",
        "browser.rs",
        "subtle.rs",
        "single_flight.rs",
    ]
    .map(|f| read(&format!("src/io/{f}")))
    .join("\n");
    // Code only: the comments may say what the engine decides.
    let code = |t: &str| {
        t.lines()
            .filter(|l| !l.trim_start().starts_with("//") && !l.trim_start().starts_with('*'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (driver, text) in [("npm/client.js", &code(&shell)), ("src/io", &code(&rust))] {
        for policy in [
            "1 << 20",
            "1048576",
            "pkce-wasm:pending",
            "createdAt",
            "pendingTtl",
            "pending_ttl",
            "application/json",
            "x-www-form-urlencoded",
            "RSASSA",
            "ECDSA",
            "P-256",
            "SHA-256",
            "session_state",
            "CALLBACK_PARAMS",
            "searchParams",
            "code_verifier",
            "Bearer ",
            "well-known",
            ">= 400",
            "status >= 300",
            "timeoutMs:",
            "flight_key(&",
            "token_endpoint",
        ] {
            assert!(!text.contains(policy), "{driver} decides `{policy}`");
        }
    }
    // The JS shell hands the core's RequestInit to fetch as is.
    assert!(shell.contains("fetch(s.url, { ...s.init, signal })"));
}

#[test]
fn every_code_the_js_side_throws_is_known() {
    let known: BTreeSet<String> = pkce_wasm::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    // The shell's codes go through the core's `ERROR` op: they must be the core's.
    let client = quoted_after(&read("npm/client.js"), "fail(\"");
    assert!(!client.is_empty());
    for code in &client {
        assert!(
            known.contains(code),
            "npm/client.js throws `{code}`, unknown to ErrorCode"
        );
    }
    // The sealing helpers (pure JS, no core) add their own; each is documented in the declarations.
    let seal = quoted_after(&read("npm/seal.js"), "oauthError(\"");
    let declared = read("npm/seal.d.ts") + &read("npm/client.d.ts");
    for code in &seal {
        assert!(
            known.contains(code) || declared.contains(code.as_str()),
            "npm/seal.js throws `{code}`, neither an ErrorCode nor declared in npm/*.d.ts"
        );
    }
}

#[test]
fn error_names_agree() {
    use pkce_wasm::{Error, ErrorCode, ErrorResponse};
    let response = || {
        Box::new(ErrorResponse {
            error: "e".into(),
            error_description: None,
            error_uri: None,
        })
    };
    let rust: BTreeSet<&str> = [
        Error::from(ErrorCode::InvalidConfig).name(),
        Error::AuthorizationResponse(response()).name(),
        Error::TokenResponse {
            response: response(),
            status: 400,
        }
        .name(),
    ]
    .into_iter()
    .collect();
    let text = read("npm/client.js");
    let line = text
        .lines()
        .find(|l| l.starts_with("const NAMES = "))
        .expect("NAMES in npm/client.js");
    let js: BTreeSet<String> = quoted_after(line, "\"")
        .into_iter()
        .filter(|s| s.ends_with("Error"))
        .collect();
    assert_eq!(
        rust.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
        js
    );
    let declarations = read("npm/client.d.ts");
    for name in rust {
        assert!(declarations.contains(name), "{name} missing in client.d.ts");
    }
}

#[test]
fn every_error_code_is_declared_for_typescript() {
    let declarations = read("npm/client.d.ts");
    for code in pkce_wasm::ErrorCode::ALL {
        assert!(
            declarations.contains(&format!("\"{}\"", code.as_str())),
            "`{}` missing in npm/client.d.ts",
            code.as_str()
        );
    }
}

#[test]
fn the_callback_parameter_list_is_the_cores() {
    // The address bar is cleaned by the engine's `replace` step, with the one list in src/callback.rs.
    assert!(pkce_wasm::CALLBACK_PARAMS.contains(&"session_state"));
}
