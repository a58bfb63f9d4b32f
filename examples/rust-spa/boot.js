// Loads the Rust app (wasm-bindgen --target web output) and hands it the provider's configuration.
import init, { run } from "/pkg/rust_spa.js";

await init();
const config = await (await fetch("/config.json")).json();
run(config.clientId, config.authorizationEndpoint, config.tokenEndpoint, config.issuer);
