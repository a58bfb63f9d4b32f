//! wasm-bindgen-test in a dedicated worker of headless Chromium: proves the I/O paths never touch `window`.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    unreachable_pub
)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);
mod common;

#[wasm_bindgen_test::wasm_bindgen_test]
async fn login_and_the_redirect_callback_need_a_window() {
    common::browser_conveniences_need_a_window().await;
}
