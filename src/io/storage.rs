//! Where the browser convenience methods keep pending authorizations: `sessionStorage` (default),
//! `localStorage`, or memory owned by one client instance (lost on reload; for popups, tests and runtimes
//! without web storage).

use alloc::string::String;
use alloc::vec::Vec;

use core::cell::Cell;

use crate::{Error, ErrorCode};

/// The storage a client uses for `login()` and `handleCallback()`.
pub(crate) enum Storage {
    Session,
    Local,
    /// A `Cell` (taken and put back) rather than a `RefCell`: no borrow can fail, so no panic path.
    Memory(Cell<Vec<(String, String)>>),
}

fn unavailable<T>(_: T) -> Error {
    Error::client(ErrorCode::StorageUnavailable)
}

fn with_memory<R>(
    cell: &Cell<Vec<(String, String)>>,
    f: impl FnOnce(&mut Vec<(String, String)>) -> R,
) -> R {
    let mut entries = cell.take();
    let result = f(&mut entries);
    cell.set(entries);
    result
}

impl Storage {
    fn web(&self) -> Result<web_sys::Storage, Error> {
        let window = web_sys::window().ok_or(Error::client(ErrorCode::StorageUnavailable))?;
        let storage = match self {
            Storage::Local => window.local_storage(),
            _ => window.session_storage(),
        };
        storage
            .map_err(unavailable)?
            .ok_or(Error::client(ErrorCode::StorageUnavailable))
    }

    pub(crate) fn get(&self, key: &str) -> Result<Option<String>, Error> {
        match self {
            Storage::Memory(m) => Ok(with_memory(m, |m| {
                m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
            })),
            _ => self.web()?.get_item(key).map_err(unavailable),
        }
    }

    pub(crate) fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        match self {
            Storage::Memory(m) => {
                with_memory(m, |m| {
                    m.retain(|(k, _)| k != key);
                    m.push((String::from(key), String::from(value)));
                });
                Ok(())
            }
            _ => self.web()?.set_item(key, value).map_err(unavailable),
        }
    }

    pub(crate) fn remove(&self, key: &str) -> Result<(), Error> {
        match self {
            Storage::Memory(m) => {
                with_memory(m, |m| m.retain(|(k, _)| k != key));
                Ok(())
            }
            _ => self.web()?.remove_item(key).map_err(unavailable),
        }
    }

    /// Every key that starts with `prefix`.
    pub(crate) fn keys(&self, prefix: &str) -> Result<Vec<String>, Error> {
        match self {
            Storage::Memory(m) => Ok(with_memory(m, |m| {
                m.iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .map(|(k, _)| k.clone())
                    .collect()
            })),
            _ => {
                let s = self.web()?;
                let mut out = Vec::new();
                for i in 0..s.length().map_err(unavailable)? {
                    if let Some(k) = s.key(i).map_err(unavailable)? {
                        if k.starts_with(prefix) {
                            out.push(k);
                        }
                    }
                }
                Ok(out)
            }
        }
    }
}
