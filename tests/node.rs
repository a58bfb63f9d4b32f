//! wasm-bindgen-test in Node (no configuration means Node).
#![cfg(target_arch = "wasm32")]
mod common;
