//! The browser steps (wasm32, in a window): web storage (or this wasm instance's memory), the history
//! entry and the navigation. Workers, Node and dedicated workers have no window: there each step fails
//! with `unsupported_environment` (and storage with `storage_unavailable`), which the engine reports.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use web_sys::Window;

use crate::engine::{Input, Step};
use crate::{Error, ErrorCode, PendingStorage};

std::thread_local! {
    /// `PendingStorage::Memory`: this wasm instance's memory (a page load), keyed like the web storages.
    static MEMORY: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// The browser window, or `unsupported_environment` (workers, Workers, Node, Deno, Bun).
pub(super) fn window() -> Result<Window, Error> {
    web_sys::window().ok_or(Error::client(ErrorCode::UnsupportedEnvironment))
}

/// The window's URL.
pub(super) fn href() -> Result<String, Error> {
    window()?
        .location()
        .href()
        .map_err(|_| Error::client(ErrorCode::UnsupportedEnvironment))
}

/// Performs a storage, history or navigation step (the events are `events.rs`'s, the lock `lock.rs`'s;
/// any other step is `unsupported_environment` here).
pub(super) fn perform(step: Step) -> Input {
    let done = |ok: bool, code| if ok { Input::Ok } else { Input::Failed(code) };
    match step {
        Step::List { storage, prefix } => match list(storage, &prefix) {
            Some(entries) => Input::Entries(entries),
            None => Input::Failed(ErrorCode::StorageUnavailable),
        },
        Step::Store {
            storage,
            remove,
            set,
        } => done(
            store(storage, &remove, set.as_ref()).is_some(),
            ErrorCode::StorageUnavailable,
        ),
        Step::Read { storage, key } => match list(storage, &key) {
            Some(mut entries) => {
                entries.retain(|(k, _)| *k == key);
                Input::Entries(entries)
            }
            None => Input::Failed(ErrorCode::StorageUnavailable),
        },
        Step::Replace(url) => done(replace(&url).is_some(), ErrorCode::UnsupportedEnvironment),
        Step::Navigate(url) => done(
            window().is_ok_and(|w| w.location().assign(&url).is_ok()),
            ErrorCode::UnsupportedEnvironment,
        ),
        _ => Input::Failed(ErrorCode::UnsupportedEnvironment),
    }
}

fn web(kind: PendingStorage) -> Option<web_sys::Storage> {
    let w = web_sys::window()?;
    match kind {
        PendingStorage::Local => w.local_storage(),
        PendingStorage::Session => w.session_storage(),
        _ => return None,
    }
    .ok()
    .flatten()
}

fn list(kind: PendingStorage, prefix: &str) -> Option<Vec<(String, String)>> {
    let mut entries = Vec::new();
    if kind == PendingStorage::Memory {
        MEMORY.with_borrow(|m| entries.extend(m.iter().cloned()));
    } else {
        let s = web(kind)?;
        for i in 0..s.length().ok()? {
            if let Some(k) = s.key(i).ok()? {
                if k.starts_with(prefix) {
                    let v = s.get_item(&k).ok()?.unwrap_or_default();
                    entries.push((k, v));
                }
            }
        }
    }
    entries.retain(|(k, _)| k.starts_with(prefix));
    Some(entries)
}

fn store(kind: PendingStorage, remove: &[String], set: Option<&(String, String)>) -> Option<()> {
    if kind == PendingStorage::Memory {
        MEMORY.with_borrow_mut(|m| {
            m.retain(|(k, _)| !remove.contains(k) && set.is_none_or(|(s, _)| s != k));
            m.extend(set.cloned());
        });
        return Some(());
    }
    let s = web(kind)?;
    for key in remove {
        s.remove_item(key).ok()?;
    }
    if let Some((k, v)) = set {
        s.set_item(k, v).ok()?;
    }
    Some(())
}

/// Replaces the history entry's URL, keeping its state.
fn replace(url: &str) -> Option<()> {
    let history = window().ok()?.history().ok()?;
    let state = history.state().ok()?;
    history.replace_state_with_url(&state, "", Some(url)).ok()
}
