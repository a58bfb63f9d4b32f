//! wasm-bindgen-test in a dedicated worker of headless Chromium: proves the I/O paths never touch `window`.
#![cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);
mod common;
