//! A single-page app written in Rust on the crate's browser conveniences, as a Leptos, Yew or Dioxus app
//! would use them: [`OAuthClient::login`] on the Sign in button, [`OAuthClient::handle_redirect_callback`]
//! on `/callback` (which keeps a managed session), [`OAuthClient::refresh`] on the Refresh button and
//! [`OAuthClient::access_token`] on the access-token button. No JavaScript API of the npm package is
//! involved; `boot.js` only loads the module and passes the provider's configuration in.
//!
//! Build: `bash scripts/rust-spa.sh` (cargo, then `wasm-bindgen --target web` into `target/rust-spa/`).
//! Run: `bash scripts/demo.sh --app rust`. Tested end to end by `tests/e2e/rust-spa.test.mjs`.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use pkce_wasm::{AuthorizationOptions, ClientConfig, Error, OAuthClient, SessionConfig, TokenSet};
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

thread_local! {
    /// The tokens of this page load: in memory only (a reload signs out).
    static TOKENS: RefCell<Option<TokenSet>> = const { RefCell::new(None) };
}

fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

fn set_text(id: &str, text: &str) {
    if let Some(e) = element(id) {
        e.set_text_content(Some(text));
    }
}

/// Shows the one section of the page that applies.
fn show(section: &str) {
    for id in ["signed-out", "signed-in", "error"] {
        if let Some(e) = element(id) {
            let _ = if id == section {
                e.remove_attribute("hidden")
            } else {
                e.set_attribute("hidden", "")
            };
        }
    }
}

/// The error's code and, for a server error, its description, as text (never as HTML).
fn failed(e: &Error) {
    set_text("error-code", e.code());
    let description = e
        .error_response()
        .and_then(|r| r.error_description.as_deref());
    set_text("error-description", description.unwrap_or(""));
    show("error");
}

/// A short fingerprint of a secret: enough to see it change, nothing that reveals it.
fn fingerprint(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .take(4)
        .map(|b| {
            let hex = b"0123456789abcdef";
            let (hi, lo) = (usize::from(b >> 4), usize::from(b & 15));
            [hex.get(hi), hex.get(lo)]
                .into_iter()
                .flatten()
                .map(|&c| char::from(c))
                .collect::<String>()
        })
        .collect()
}

fn signed_in(tokens: TokenSet) {
    set_text("token-type", &tokens.token_type);
    let expires = tokens.expires_in.map(|s| s.to_string()).unwrap_or_default();
    set_text("expires-in", &expires);
    let rt = tokens
        .refresh_token
        .as_ref()
        .map(|t| fingerprint(t.secret()));
    set_text("refresh-fingerprint", rt.as_deref().unwrap_or("none"));
    set_text("scope", tokens.scope.as_deref().unwrap_or(""));
    TOKENS.with_borrow_mut(|t| *t = Some(tokens));
    show("signed-in");
}

fn on_click(id: &str, f: impl FnMut() + 'static) {
    if let Some(e) = element(id) {
        let handler = Closure::<dyn FnMut()>::new(f);
        let _ = e.add_event_listener_with_callback("click", handler.as_ref().unchecked_ref());
        // The page lives as long as the handler is needed.
        handler.forget();
    }
}

async fn refresh(client: OAuthClient) {
    let Some(previous) = TOKENS.with_borrow(|t| t.clone()) else {
        return;
    };
    let Some(rt) = previous.refresh_token.clone() else {
        return;
    };
    // The session's token set: its ID token and claims are checked against a new one, or kept.
    match client.refresh(&rt, None, Some(&previous)).await {
        Ok(tokens) => {
            let done = element("refreshes").and_then(|e| e.text_content());
            let n = done.and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
            set_text("refreshes", &(n + 1).to_string());
            signed_in(tokens);
        }
        Err(e) => failed(&e),
    }
}

/// Starts the app: `issuer` is checked against the callback's `iss` (RFC 9207, required here).
#[wasm_bindgen]
pub fn run(
    client_id: &str,
    authorization_endpoint: &str,
    token_endpoint: &str,
    issuer: &str,
) -> Result<(), JsValue> {
    let location = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .location();
    let mut redirect_uri = location.origin()?;
    redirect_uri.push_str("/callback");
    let mut config = ClientConfig::new(
        client_id,
        authorization_endpoint,
        token_endpoint,
        redirect_uri,
    );
    config.issuer = Some(issuer.into());
    config.require_iss = true;
    config.scope = Some("openid offline_access".into());
    // A managed session in this page's memory: the callback keeps it, `access_token()` hands out its
    // access token (refreshed first when it is about to expire).
    config.session = Some(SessionConfig::default());
    let client = OAuthClient::new(config).map_err(|e| JsValue::from_str(e.code()))?;

    let c = client.clone();
    on_click("signin", move || {
        let mut options = AuthorizationOptions::default();
        // oidc-provider (like most servers) issues a refresh token for offline_access after consent only.
        options.prompt = Some("consent".into());
        if let Err(e) = c.login(&options) {
            failed(&e);
        }
    });
    let c = client.clone();
    on_click("refresh", move || spawn_local(refresh(c.clone())));
    on_click("retry", || show("signed-out"));
    let c = client.clone();
    on_click("access-token", move || {
        let c = c.clone();
        spawn_local(async move {
            match c.access_token().await {
                Ok(at) => set_text("access-token-fingerprint", &fingerprint(at.secret())),
                Err(e) => failed(&e),
            }
        })
    });

    if location.pathname()? == "/callback" {
        spawn_local(async move {
            match client.handle_redirect_callback().await {
                Ok(tokens) => signed_in(tokens),
                Err(e) => failed(&e),
            }
        });
    } else {
        show("signed-out");
    }
    Ok(())
}
