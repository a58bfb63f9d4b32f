//! The Rust API's browser conveniences (wasm32, in a window): [`OAuthClient::login`] keeps the pending
//! authorization in the configured storage and sends the window to the authorization endpoint;
//! [`OAuthClient::handle_redirect_callback`] finds it again by the callback's `state`, consumes it, cleans
//! the address bar and exchanges the code. Storage keys and values are the npm package's
//! (`pkce-wasm:pending:<client id>:<state>`, [`PendingAuthorization::to_json`]), so a page may start with
//! one and finish with the other.
//!
//! Workers, Node and dedicated workers have no window: there both fail with `unsupported_environment`, and
//! the low-level methods (`start_authorization`, `handle_callback(url, pending)`) are the API.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use web_sys::Window;

use super::now;
use crate::callback::{callback_state, strip_callback_params};
use crate::{
    AuthorizationOptions, Error, ErrorCode, OAuthClient, PendingAuthorization, PendingStorage,
    TokenSet,
};

std::thread_local! {
    /// `PendingStorage::Memory`: this wasm instance's memory (a page load), keyed like the web storages.
    static MEMORY: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

fn unavailable() -> Error {
    Error::client(ErrorCode::StorageUnavailable)
}

fn unsupported() -> Error {
    Error::client(ErrorCode::UnsupportedEnvironment)
}

/// The browser window, or `unsupported_environment` (workers, Workers, Node, Deno, Bun).
fn window() -> Result<Window, Error> {
    web_sys::window().ok_or_else(unsupported)
}

/// The configured storage; every operation that throws (disabled storage, quota, private mode) is
/// `storage_unavailable`.
enum Store {
    Web(web_sys::Storage),
    Memory,
}

impl Store {
    fn open(w: &Window, kind: PendingStorage) -> Result<Self, Error> {
        let storage = match kind {
            PendingStorage::Session => w.session_storage(),
            PendingStorage::Local => w.local_storage(),
            PendingStorage::Memory => return Ok(Store::Memory),
        };
        storage
            .ok()
            .flatten()
            .map(Store::Web)
            .ok_or_else(unavailable)
    }

    fn get(&self, key: &str) -> Result<Option<String>, Error> {
        match self {
            Store::Web(s) => s.get_item(key).map_err(|_| unavailable()),
            Store::Memory => Ok(
                MEMORY.with_borrow(|m| m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
            ),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        match self {
            Store::Web(s) => s.set_item(key, value).map_err(|_| unavailable()),
            Store::Memory => {
                MEMORY.with_borrow_mut(|m| {
                    m.retain(|(k, _)| k != key);
                    m.push((key.into(), value.into()));
                });
                Ok(())
            }
        }
    }

    fn remove(&self, key: &str) -> Result<(), Error> {
        match self {
            Store::Web(s) => s.remove_item(key).map_err(|_| unavailable()),
            Store::Memory => {
                MEMORY.with_borrow_mut(|m| m.retain(|(k, _)| k != key));
                Ok(())
            }
        }
    }

    /// The keys that start with `prefix`.
    fn keys(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let mut keys = Vec::new();
        match self {
            Store::Web(s) => {
                for i in 0..s.length().map_err(|_| unavailable())? {
                    if let Some(k) = s.key(i).map_err(|_| unavailable())? {
                        keys.push(k);
                    }
                }
            }
            Store::Memory => MEMORY.with_borrow(|m| keys.extend(m.iter().map(|(k, _)| k.clone()))),
        }
        keys.retain(|k| k.starts_with(prefix));
        Ok(keys)
    }
}

/// Reads `location.href` and replaces the history entry with the same URL minus the callback parameters,
/// so the code and state stay neither in the address bar, nor in the history, nor in a later `Referer`.
fn take_callback_url(w: &Window) -> Result<String, Error> {
    let href = w.location().href().map_err(|_| unsupported())?;
    let history = w.history().map_err(|_| unsupported())?;
    let state = history.state().map_err(|_| unsupported())?;
    history
        .replace_state_with_url(&state, "", Some(&strip_callback_params(&href)))
        .map_err(|_| unsupported())?;
    Ok(href)
}

/// Browser conveniences (wasm32, in a window; `unsupported_environment` elsewhere).
impl OAuthClient {
    /// Starts an authorization (see [`OAuthClient::start_authorization`]), keeps it in the configured
    /// [`PendingStorage`] under its `state` for `pending_ttl_seconds`, removes expired or unreadable pending
    /// authorizations of this client, and sends the window to the authorization URL
    /// (`location.assign`). `storage_unavailable` when the storage is missing or throws (nothing is
    /// navigated to then).
    pub fn login(&self, options: &AuthorizationOptions) -> Result<(), Error> {
        let w = window()?;
        let at = now();
        let pending = self.start_authorization(options, at)?;
        let store = Store::open(&w, self.config.storage)?;
        self.clean(&store, at)?;
        let key = self.pending_key(pending.state.secret());
        store.set(&key, &pending.to_json())?;
        if w.location().assign(&pending.url).is_err() {
            // Nothing half-done stays behind.
            let _ = store.remove(&key);
            return Err(unsupported());
        }
        Ok(())
    }

    /// Finishes a [`OAuthClient::login`] on the callback page: reads `location.href`, removes `code`,
    /// `state`, `iss`, `session_state` and the error parameters from the address bar
    /// (`history.replaceState`, whatever the outcome), takes the pending authorization stored under the
    /// callback's `state` out of storage (single use: a replay is `no_pending_authorization` and sends
    /// nothing), then validates the callback and exchanges the code (see
    /// [`OAuthClient::handle_callback`]).
    ///
    /// A `state` that matches nothing while this client has other authorizations pending is
    /// `state_mismatch` (a forged or crossed callback). Those are left alone: a forged link must not cancel
    /// a sign-in under way in another tab (they expire with `pending_ttl_seconds`).
    pub async fn handle_redirect_callback(&self) -> Result<TokenSet, Error> {
        let w = window()?;
        let href = take_callback_url(&w)?;
        let state = callback_state(&href)?;
        let store = Store::open(&w, self.config.storage)?;
        let key = self.pending_key(&state);
        let stored = store.get(&key)?;
        store.remove(&key)?;
        // Housekeeping only: a storage failure here must not hide the real outcome.
        let _ = self.clean(&store, now());
        let Some(text) = stored else {
            return Err(self.unmatched(&store));
        };
        let pending = PendingAuthorization::from_json(&text)?;
        self.handle_callback(&href, &pending).await
    }

    fn pending_key(&self, state: &str) -> String {
        let mut key = String::from("pkce-wasm:pending:");
        key.push_str(&self.config.client_id);
        key.push(':');
        key.push_str(state);
        key
    }

    /// Removes this client's pending authorizations that expired or cannot be read.
    fn clean(&self, store: &Store, at: u64) -> Result<(), Error> {
        for key in store.keys(&self.pending_key(""))? {
            let fresh = store
                .get(&key)?
                .and_then(|text| PendingAuthorization::from_json(&text).ok())
                .is_some_and(|p| at < p.created_at.saturating_add(self.config.pending_ttl_seconds));
            if !fresh {
                store.remove(&key)?;
            }
        }
        Ok(())
    }

    /// A callback whose `state` matches no stored pending authorization: with others pending it is forged
    /// or crossed (`state_mismatch`, and they are kept); otherwise a replay or a stray
    /// (`no_pending_authorization`).
    fn unmatched(&self, store: &Store) -> Error {
        match store.keys(&self.pending_key("")) {
            Ok(keys) if keys.is_empty() => Error::client(ErrorCode::NoPendingAuthorization),
            Ok(_) => Error::client(ErrorCode::StateMismatch),
            Err(e) => e,
        }
    }
}
