//! The lock step through the Web Locks API (`navigator.locks.request`), so that Rust apps, like the npm
//! package, refresh a session shared by the origin's tabs one tab at a time. Where the host has no
//! `navigator.locks` (workers without it, Node) the step is granted at once: the page's single flight
//! (`OAuthClient::session` shares one flow) is all there is.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::engine::Input;
use crate::ErrorCode;

/// A held lock: released when dropped (or at the engine's `Unlock` step), so it never outlives its flow.
/// The browser releases it too when the tab closes.
pub(super) struct Held(Option<Function>);

impl Held {
    pub(super) fn none() -> Held {
        Held(None)
    }

    pub(super) fn release(&mut self) {
        if let Some(resolve) = self.0.take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.release();
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    fn abort_signal_timeout(ms: u32) -> Result<JsValue, JsValue>;
}

/// Waits for the lock `name`, at most `timeout_ms`: `Ok` and the held lock, or `Failed(timeout)`.
pub(super) async fn lock(name: &str, timeout_ms: u32) -> (Input, Held) {
    let locks = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"locks".into()))
        .ok()
        .filter(|l| l.is_object());
    let request = locks
        .as_ref()
        .and_then(|l| Reflect::get(l, &"request".into()).ok())
        .and_then(|f| f.dyn_into::<Function>().ok());
    let (Some(locks), Some(request)) = (locks, request) else {
        return (Input::Ok, Held::none());
    };
    let Ok(signal) = abort_signal_timeout(timeout_ms) else {
        return (
            Input::Failed(ErrorCode::UnsupportedEnvironment),
            Held::none(),
        );
    };
    // `held` settles when this flow lets go; `acquired` when the callback runs (or the wait fails).
    let mut release = None;
    let held = Promise::new(&mut |resolve, _| release = Some(resolve));
    let mut granted = None;
    let acquired = Promise::new(&mut |resolve, reject| granted = Some((resolve, reject)));
    let (Some(release), Some((resolve, reject))) = (release, granted) else {
        return (
            Input::Failed(ErrorCode::UnsupportedEnvironment),
            Held::none(),
        );
    };
    let on_grant = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = resolve.call0(&JsValue::UNDEFINED);
        held.into()
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"signal".into(), &signal);
    let requested = request.call3(&locks, &name.into(), &options, &on_grant);
    let held = Held(Some(release));
    match requested {
        Ok(p) => {
            // A wait that is aborted (the timeout) or refused rejects the request's promise.
            let on_fail = Closure::once_into_js(move |_e: JsValue| {
                let _ = reject.call0(&JsValue::UNDEFINED);
            });
            let catch = Reflect::get(&p, &"catch".into()).ok();
            if let Some(catch) = catch.and_then(|c| c.dyn_into::<Function>().ok()) {
                let _ = catch.call1(&p, &on_fail);
            }
        }
        Err(_) => {
            return (
                Input::Failed(ErrorCode::UnsupportedEnvironment),
                Held::none(),
            )
        }
    }
    match JsFuture::from(acquired).await {
        Ok(_) => (Input::Ok, held),
        Err(_) => (Input::Failed(ErrorCode::Timeout), Held::none()),
    }
}
