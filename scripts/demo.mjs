// The one-command demo: the embedded authorization server and the example app on 127.0.0.1.
// Ctrl-C stops both. Options: --profile auth0|workos|wso2|default (or PKCE_IDP_PROFILE), --app rust (the
// Rust single-page app, examples/rust-spa/, instead of www/), PKCE_IDP_PORT (default 4400), PKCE_APP_PORT
// (default 4401).
import { startIdp, TEST_ACCOUNT } from "../idp/server.mjs";
import { startApp, appConfig } from "./app-server.mjs";

const i = process.argv.indexOf("--profile");
const profile = i > 0 ? process.argv[i + 1] : (process.env.PKCE_IDP_PROFILE ?? "default");
const rust = process.argv.includes("--app") && process.argv[process.argv.indexOf("--app") + 1] === "rust";
const app = await startApp({
  port: Number(process.env.PKCE_APP_PORT ?? 4401),
  ...(rust ? { www: "examples/rust-spa", pkg: "target/rust-spa" } : {}),
});
const idp = await startIdp({ port: Number(process.env.PKCE_IDP_PORT ?? 4400), profile, appOrigin: app.origin });
app.setConfig(appConfig(idp));

console.log(`
  pkce-wasm example app   ${app.origin}/   (${rust ? "examples/rust-spa, the Rust API" : "www/, the npm package"})
  authorization server    ${idp.issuer}   (profile: ${idp.profile}; ${idp.label})
  test account            ${TEST_ACCOUNT.username} / ${TEST_ACCOUNT.password}

  Open the app URL in a browser and press "Sign in". Ctrl-C stops both servers.
`);
const stop = async () => {
  await Promise.all([app.close(), idp.close()]);
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
