//! wasm-bindgen-test in Node (no configuration means Node).
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    unreachable_pub
)]
mod common;

#[wasm_bindgen_test::wasm_bindgen_test]
async fn login_and_the_redirect_callback_need_a_window() {
    common::browser_conveniences_need_a_window().await;
}
