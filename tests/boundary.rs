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
        "lock.rs",
        "idb.rs",
        "events.rs",
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
            "\"manual\"",
            "\"omit\"",
            "no-referrer",
            "RequestRedirect",
            "RequestCredentials",
        ] {
            assert!(!text.contains(policy), "{driver} decides `{policy}`");
        }
    }
    // The JS shell hands the core's RequestInit to fetch as is.
    assert!(shell.contains("fetch(s.url, { ...s.init, signal })"));
}

/// `storage: "shared"` is one IndexedDB store for both drivers (a page may mix the npm package and the
/// Rust API): the database, its version and the object store are the same on both sides.
#[test]
fn both_drivers_share_one_indexeddb_store() {
    let shell = read("npm/client.js");
    let rust = read("src/io/idb.rs");
    assert!(shell.contains(r#"indexedDB.open("pkce-wasm", 1)"#));
    assert!(rust.contains(r#"open_with_u32("pkce-wasm", 1)"#));
    for (driver, text, store) in [
        ("npm/client.js", &shell, r#"createObjectStore("kv")"#),
        ("src/io/idb.rs", &rust, r#"create_object_store("kv")"#),
    ] {
        assert!(text.contains(store), "{driver} makes the `kv` store");
        let other = text.matches("\"kv\"").count();
        assert!(other >= 2, "{driver} reads and writes the `kv` store");
    }
}

/// The steps the core writes and the ones the shell performs, the inputs the shell answers with and the
/// ones the core reads, the failure kinds it reports and the storage kinds it opens: one list each.
#[test]
fn the_shell_performs_every_step_and_answers_what_the_core_reads() {
    let shell = read("npm/client.js");
    let core = read("src/js/mod.rs") + &read("src/js/oidc.rs");
    let steps = quoted_after(&core, ".str(\"do\", \"");
    let cases = quoted_after(&shell, "case \"");
    let performed: BTreeSet<String> = steps.iter().filter(|s| *s != "done").cloned().collect();
    assert_eq!(
        cases, performed,
        "npm/client.js's `perform` cases against the core's steps"
    );
    assert!(shell.contains("step.do !== \"done\""));

    let answers = quoted_after(&shell, "[[\"");
    let read_by_core: BTreeSet<String> = quoted_after(&core, "\n        \"")
        .into_iter()
        .filter(|k| core.contains(&format!("\"{k}\" => Input::")))
        .collect();
    assert_eq!(
        answers, read_by_core,
        "the inputs the shell answers with against `input_of`"
    );

    let codes: BTreeSet<&str> = pkce_wasm::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    for kind in quoted_after(&shell, "[\"failed\", \"") {
        assert!(
            codes.contains(kind.as_str()),
            "the shell reports `{kind}`, which is no code"
        );
    }

    use pkce_wasm::PendingStorage::*;
    for kind in [Session, Local, Memory, Shared, Custom] {
        let name = kind.as_str();
        let opened = match kind {
            Session | Local => shell.contains("globalThis.window[kind + \"Storage\"]"),
            _ => shell.contains(&format!("kind === \"{name}\"")),
        };
        assert!(opened, "the shell does not open storage `{name}`");
    }
}

/// The README names every reserved parameter (the ones extra parameters may not set).
#[test]
fn the_readme_names_the_reserved_parameters() {
    let readme = read("README.md");
    let at = readme.find("Reserved names (").unwrap();
    let paragraph = &readme[at..at + readme[at..].find("\n\n").unwrap()];
    let reserved = pkce_wasm::RESERVED_AUTHORIZATION_PARAMS
        .iter()
        .chain(&pkce_wasm::RESERVED_TOKEN_PARAMS);
    for name in reserved {
        assert!(
            paragraph.contains(&format!("`{name}`")),
            "README.md does not name `{name}`"
        );
    }
}

/// The README's table of `OAuthClientError` codes lists every code of the error-code table.
#[test]
fn the_readme_lists_every_error_code() {
    let readme = read("README.md");
    for code in pkce_wasm::ErrorCode::ALL {
        let row = format!("| `{}` |", code.as_str());
        assert!(
            readme.contains(&row),
            "README.md's error table lacks `{}`",
            code.as_str()
        );
    }
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
    // The sealing helpers (pure JS, no core) throw codes of the same table.
    let seal = quoted_after(&read("npm/seal.js"), "oauthError(\"");
    assert!(seal.contains("invalid_sealed_value"));
    for code in &seal {
        assert!(
            known.contains(code),
            "npm/seal.js throws `{code}`, unknown to ErrorCode"
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
    let declarations = read("npm/client.d.ts") + &read("npm/seal.d.ts");
    for code in pkce_wasm::ErrorCode::ALL {
        assert!(
            declarations.contains(&format!("\"{}\"", code.as_str())),
            "`{}` missing in npm/client.d.ts",
            code.as_str()
        );
    }
}

#[test]
fn the_shell_gives_each_call_the_entropy_the_core_draws_on() {
    let size = read("src/pkce.rs");
    let size = size
        .split("const SIZE: usize = ")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .expect("entropy::SIZE");
    assert!(
        read("npm/client.js").contains(&format!(
            "crypto.getRandomValues(new Uint8Array({size} * 64))"
        )) && read("npm/client.js").contains(&format!("(drawn += {size})")),
        "npm/client.js must hand each call entropy::SIZE ({size}) random bytes"
    );
}

#[test]
fn the_callback_parameter_list_is_the_cores() {
    // The address bar is cleaned by the engine's `replace` step, with the one list in src/callback.rs.
    assert!(pkce_wasm::CALLBACK_PARAMS.contains(&"session_state"));
}

/// The modules of `src/` each module uses (through `crate::module::` paths, or the items the crate
/// root re-exports from a module), `js/` and `io/` counted as one module each.
fn module_graph() -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let root = read("src/lib.rs");
    // `pub use module::{A, B}` → item → module.
    let mut owner = std::collections::BTreeMap::new();
    for stmt in root.split("pub use ").skip(1) {
        let stmt = &stmt[..stmt.find(';').unwrap()];
        let Some((module, items)) = stmt.split_once("::") else {
            continue;
        };
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            owner.insert(item.trim().to_owned(), module.trim().to_owned());
        }
    }
    let modules: Vec<String> = fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "lib.rs")
        .map(|n| n.trim_end_matches(".rs").to_owned())
        .collect();
    let mut graph = std::collections::BTreeMap::new();
    for m in &modules {
        let path = format!("src/{m}");
        let text = if std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
            .join(m)
            .is_dir()
        {
            fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + &path)
                .unwrap()
                .map(|e| {
                    read(&format!(
                        "{path}/{}",
                        e.unwrap().file_name().into_string().unwrap()
                    ))
                })
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            read(&format!("{path}.rs"))
        };
        // The code before the unit tests (a test module may use anything), without comments (doc links).
        let text = text.split("#[cfg(test)]").next().unwrap();
        let text: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut uses = BTreeSet::new();
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + 7..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let first = &rest[..end];
            let group = |r: &str| -> Vec<String> {
                // `crate::{A, b::C}`: each item of the group.
                let inner = &r[1..r.find('}').unwrap_or(r.len())];
                inner
                    .split(',')
                    .map(|s| s.trim().split("::").next().unwrap().trim().to_owned())
                    .collect()
            };
            let names = if first.is_empty() && rest.starts_with('{') {
                group(rest)
            } else {
                vec![first.to_owned()]
            };
            for name in names {
                let target = if modules.contains(&name) {
                    Some(name.clone())
                } else {
                    owner.get(&name).cloned()
                };
                if let Some(t) = target.filter(|t| t != m) {
                    uses.insert(t);
                }
            }
        }
        graph.insert(m.clone(), uses);
    }
    graph
}

#[test]
fn no_import_cycle_among_modules() {
    let graph = module_graph();
    assert!(graph["engine"].contains("token"), "{graph:?}");
    if std::env::var_os("PRINT_GRAPH").is_some() {
        panic!("{graph:#?}");
    }
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        graph: &std::collections::BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            panic!("import cycle: {} -> {m}", path[i..].join(" -> "));
        }
        if done.contains(m) {
            return;
        }
        path.push(m.to_owned());
        for next in graph.get(m).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(m.to_owned());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}

/// Every public method of `OAuthClient`, wherever its `impl` block is, is listed in the type's
/// documentation (the one place to find them).
#[test]
fn the_client_documents_where_each_method_lives() {
    let lib = read("src/lib.rs");
    let doc_start = lib
        .find("/// An OAuth 2.1 client for one authorization server.")
        .unwrap();
    let doc = &lib[doc_start..lib[doc_start..].find("pub struct OAuthClient").unwrap() + doc_start];
    let mut files = vec![];
    let mut dirs = vec![concat!(env!("CARGO_MANIFEST_DIR"), "/src").to_owned()];
    while let Some(dir) = dirs.pop() {
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p.to_string_lossy().into_owned());
            } else {
                files.push(p);
            }
        }
    }
    let mut found = 0;
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap();
        let mut in_client = false;
        for line in text.lines() {
            if line.starts_with("impl") {
                in_client = line.contains("OAuthClient {");
            }
            let Some(rest) = line
                .strip_prefix("    pub fn ")
                .or(line.strip_prefix("    pub async fn "))
            else {
                continue;
            };
            if in_client {
                let name = &rest[..rest.find(['(', '<']).unwrap()];
                found += 1;
                assert!(
                    doc.contains(&format!("[`OAuthClient::{name}`]"))
                        || doc.contains(&format!("`{name}`")),
                    "OAuthClient::{name} ({}) is missing from its documentation's method table",
                    f.display()
                );
            }
        }
    }
    assert!(found >= 19, "{found}");
}
