//! The managed session's events in the Rust API, the DOM way (what the npm package's `EventTarget` client
//! does in JavaScript): each [`Event`] is a `CustomEvent` named `pkce-wasm:<event>` (`pkce-wasm:signedin`,
//! `pkce-wasm:refreshed`, `pkce-wasm:refreshfailed`, `pkce-wasm:signedout`) dispatched on the global
//! object (the window, or a worker's global), its `detail` the client id. A sign-out is also posted on
//! the client's `BroadcastChannel` ([`OAuthClient::channel`]), where a client that uses its session
//! listens: another tab's sign-out removes the session in this tab too, which is told here as
//! `pkce-wasm:signedout`. Apps listen with `add_event_listener_with_callback` (or gloo's `EventListener`),
//! whatever their framework.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, CustomEvent, CustomEventInit, EventTarget, MessageEvent};

use crate::engine::{Event, Flow};
use crate::OAuthClient;

/// The prefix of the DOM events' names.
pub const EVENT_PREFIX: &str = "pkce-wasm:";

type Listener = Closure<dyn FnMut(MessageEvent)>;

std::thread_local! {
    /// The channels this wasm instance listens on, by name (one per client id), kept for the page's life.
    static CHANNELS: RefCell<Vec<(String, BroadcastChannel, Listener)>> = const { RefCell::new(Vec::new()) };
}

/// Tells the application (and, with `broadcast`, the origin's other tabs).
pub(super) fn emit(client: &OAuthClient, event: Event, broadcast: bool) {
    let init = CustomEventInit::new();
    init.set_detail(&JsValue::from_str(&client.config.client_id));
    let mut name = String::from(EVENT_PREFIX);
    name.push_str(event.as_str());
    if let Ok(e) = CustomEvent::new_with_event_init_dict(&name, &init) {
        if let Ok(target) = js_sys::global().dyn_into::<EventTarget>() {
            let _ = target.dispatch_event(&e);
        }
    }
    if broadcast {
        // Through the channel this instance listens on: a channel never hears its own messages.
        if let Some(channel) = watch(client) {
            let _ = channel.post_message(&JsValue::from_str(event.as_str()));
        }
    }
}

/// Listens (once per client id) for the other tabs' sign-outs of a client with a managed session, and
/// returns the channel; none without a session or where the host has no `BroadcastChannel`.
pub(super) fn watch(client: &OAuthClient) -> Option<BroadcastChannel> {
    client.config.session?;
    let name = client.channel();
    CHANNELS.with_borrow_mut(|channels| {
        if let Some((_, channel, _)) = channels.iter().find(|(n, ..)| *n == name) {
            return Some(channel.clone());
        }
        let channel = BroadcastChannel::new(&name).ok()?;
        let other = client.clone();
        let listener = Listener::new(move |m: MessageEvent| {
            if m.data().as_string().as_deref() == Some(Event::SignedOut.as_str()) {
                let c = other.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = super::drive(&c, Flow::forget(&c)).await;
                });
            }
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        channels.push((name, channel.clone(), listener));
        Some(channel)
    })
}
