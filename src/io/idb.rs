//! `PendingStorage::Shared` in the Rust API: the origin's IndexedDB (database `pkce-wasm`, object store
//! `kv`, the same as the npm package's, so a page may mix both), whose writes every tab sees at once
//! (unlike `localStorage`'s, which other tabs see late). Only reads and writes of single keys: the
//! managed session's storage. The connection is opened once per wasm instance, as the npm shell's is.

use alloc::string::String;
use core::cell::RefCell;

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
};

use crate::engine::Input;
use crate::ErrorCode;

/// A promise settled by a request's `success` (with its result) or `error`.
fn request(r: &IdbRequest) -> Promise {
    Promise::new(&mut |resolve, reject| {
        let done = r.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let fail = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        r.set_onsuccess(Some(ok.unchecked_ref()));
        r.set_onerror(Some(fail.unchecked_ref()));
    })
}

/// A promise settled when a transaction commits (`complete`) or fails (`error`, `abort`).
fn committed(tx: &IdbTransaction) -> Promise {
    Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let fail = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(fail.unchecked_ref()));
        tx.set_onabort(Some(fail.unchecked_ref()));
    })
}

async fn open() -> Result<IdbDatabase, JsValue> {
    let factory: IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into())?.dyn_into()?;
    let open: IdbOpenDbRequest = factory.open_with_u32("pkce-wasm", 1)?;
    let upgrading = open.clone();
    let upgrade = Closure::once_into_js(move || {
        if let Ok(db) = upgrading.result() {
            let _ = db.unchecked_into::<IdbDatabase>().create_object_store("kv");
        }
    });
    open.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    Ok(JsFuture::from(request(&open)).await?.unchecked_into())
}

std::thread_local! {
    /// The open connection, once there is one.
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// The connection, opened on first use. One the browser has closed (the site's data cleared) or another
/// page wants closed (a version change) is forgotten, so the next transaction opens a new one.
async fn db() -> Result<IdbDatabase, JsValue> {
    if let Some(db) = DB.with_borrow(Clone::clone) {
        return Ok(db);
    }
    let db = open().await?;
    let closing = db.clone();
    let forget = Closure::<dyn FnMut()>::new(move || {
        closing.close();
        DB.with_borrow_mut(|d| *d = None);
    })
    .into_js_value();
    db.set_onclose(Some(forget.unchecked_ref()));
    db.set_onversionchange(Some(forget.unchecked_ref()));
    DB.with_borrow_mut(|d| *d = Some(db.clone()));
    Ok(db)
}

/// A transaction on the store; on a connection that has gone (it throws), once more on a new one.
async fn transaction(mode: IdbTransactionMode) -> Result<IdbTransaction, JsValue> {
    if let Ok(tx) = db().await?.transaction_with_str_and_mode("kv", mode) {
        return Ok(tx);
    }
    DB.with_borrow_mut(|d| *d = None);
    db().await?.transaction_with_str_and_mode("kv", mode)
}

async fn get(key: &str) -> Result<Option<String>, JsValue> {
    let store = transaction(IdbTransactionMode::Readonly)
        .await?
        .object_store("kv")?;
    let value = JsFuture::from(request(&store.get(&key.into())?)).await?;
    Ok(value.as_string())
}

async fn put(remove: &[String], set: Option<&(String, String)>) -> Result<(), JsValue> {
    let tx = transaction(IdbTransactionMode::Readwrite).await?;
    let done = committed(&tx);
    let store = tx.object_store("kv")?;
    for key in remove {
        store.delete(&key.into())?;
    }
    if let Some((k, v)) = set {
        store.put_with_key(&v.into(), &k.into())?;
    }
    JsFuture::from(done).await.map(|_| ())
}

/// The entry `key`, or `storage_unavailable`.
pub(super) async fn read(key: String) -> Input {
    match get(&key).await {
        Ok(value) => Input::Entries(value.map(|v| (key, v)).into_iter().collect()),
        Err(_) => Input::Failed(ErrorCode::StorageUnavailable),
    }
}

/// Removes `remove`, then sets `set`, in one transaction; `storage_unavailable` if it does not commit.
pub(super) async fn store(remove: &[String], set: Option<&(String, String)>) -> Input {
    match put(remove, set).await {
        Ok(()) => Input::Ok,
        Err(_) => Input::Failed(ErrorCode::StorageUnavailable),
    }
}
