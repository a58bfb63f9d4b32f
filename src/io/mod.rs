//! wasm32 I/O: the token endpoint through the host's global `fetch`, browser storage, and the address bar.
//! Nothing here is exported to JavaScript; `src/js` is the only place with `#[wasm_bindgen]` exports.

use alloc::string::String;

mod fetch;
pub(crate) mod storage;

pub(crate) use fetch::send;

use crate::{Error, ErrorCode};
use wasm_bindgen::JsValue;

/// The current time in unix seconds, from the host's clock.
pub(crate) fn now() -> u64 {
    // `as` saturates; a clock before 1970 reads as 0.
    (js_sys::Date::now() / 1000.0) as u64
}

/// The browser window, or `unsupported_environment` in workers, Workers, Node, Deno and Bun.
pub(crate) fn window() -> Result<web_sys::Window, Error> {
    web_sys::window().ok_or(Error::client(ErrorCode::UnsupportedEnvironment))
}

/// The parameters removed from the address bar after a callback (the error ones too: a reload must not
/// show a stale error, and `error_description` is attacker-controlled text).
const CALLBACK_PARAMS: [&str; 7] = [
    "code",
    "state",
    "iss",
    "session_state",
    "error",
    "error_description",
    "error_uri",
];

/// Reads `location.href` and replaces the history entry with the same URL minus the callback parameters,
/// so the code and state do not stay in the address bar, the history or a later `Referer`.
pub(crate) fn take_callback_url() -> Result<String, Error> {
    let unsupported = |_: JsValue| Error::client(ErrorCode::UnsupportedEnvironment);
    let window = window()?;
    let href = window.location().href().map_err(unsupported)?;
    let url = web_sys::Url::new(&href).map_err(unsupported)?;
    let params = url.search_params();
    for name in CALLBACK_PARAMS {
        params.delete(name);
    }
    let history = window.history().map_err(unsupported)?;
    let state = history.state().unwrap_or(JsValue::NULL);
    history
        .replace_state_with_url(&state, "", Some(&url.href()))
        .map_err(unsupported)?;
    Ok(href)
}

/// `location.assign(url)`.
pub(crate) fn navigate(url: &str) -> Result<(), Error> {
    window()?
        .location()
        .assign(url)
        .map_err(|_| Error::client(ErrorCode::UnsupportedEnvironment))
}

use crate::{OAuthClient, PendingAuthorization, RefreshToken, TokenSet, ValidatedCallback};

/// The I/O half of the Rust API (wasm32 only): the same steps as the sans-IO methods, sent through the
/// host's `fetch` with the configured timeout.
impl OAuthClient {
    /// Validates the callback (see [`OAuthClient::validate_callback`]) at the host's current time, then
    /// exchanges the code. Nothing is sent when validation fails.
    pub async fn handle_callback(
        &self,
        callback_url: &str,
        pending: &PendingAuthorization,
    ) -> Result<TokenSet, Error> {
        let validated = self.validate_callback(callback_url, pending, now())?;
        self.exchange_code(&validated, pending).await
    }

    /// Exchanges a validated callback's code for tokens.
    pub async fn exchange_code(
        &self,
        callback: &ValidatedCallback,
        pending: &PendingAuthorization,
    ) -> Result<TokenSet, Error> {
        send(
            &self.code_exchange_request(callback, pending),
            self.config.timeout_ms,
            None,
        )
        .await
    }

    /// Refreshes; the result keeps `refresh_token` when the server did not rotate it.
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        scope: Option<&str>,
    ) -> Result<TokenSet, Error> {
        send(
            &self.refresh_request(refresh_token, scope),
            self.config.timeout_ms,
            Some(refresh_token),
        )
        .await
    }
}
