// The one-command demo: the embedded authorization server and the example app on 127.0.0.1.
// Ctrl-C stops both. Options: --profile auth0|workos|wso2|default (or PKCE_IDP_PROFILE), --app rust (the
// Rust single-page app, examples/rust-spa/, instead of www/), PKCE_IDP_PORT (default 4400), PKCE_APP_PORT
// (default 4401), PKCE_MCP_PORT (default 4402: a protected MCP server for the app's MCP page, /mcp.html,
// whose authorization server is the embedded one, with dynamic registration and resource indicators).
import { startIdp, TEST_ACCOUNT } from "../idp/server.mjs";
import { startMcpServer } from "../idp/mcp-server.mjs";
import { startApp, appConfig } from "./app-server.mjs";

const i = process.argv.indexOf("--profile");
const profile = i > 0 ? process.argv[i + 1] : (process.env.PKCE_IDP_PROFILE ?? "default");
const rust = process.argv.includes("--app") && process.argv[process.argv.indexOf("--app") + 1] === "rust";
const app = await startApp({
  port: Number(process.env.PKCE_APP_PORT ?? 4401),
  ...(rust ? { www: "examples/rust-spa", pkg: "target/rust-spa" } : {}),
});
let idp;
const mcp = await startMcpServer({ port: Number(process.env.PKCE_MCP_PORT ?? 4402), issuer: () => idp.issuer, verify: (t) => idp.verifyAccessToken(t), allowOrigin: app.origin });
idp = await startIdp({ port: Number(process.env.PKCE_IDP_PORT ?? 4400), profile, appOrigin: app.origin, mcpResource: mcp.resource });
app.setConfig(appConfig(idp));

console.log(`
  pkce-wasm example app   ${app.origin}/   (${rust ? "examples/rust-spa, the Rust API" : "www/, the npm package"})
  authorization server    ${idp.issuer}   (profile: ${idp.profile}; ${idp.label})
  test account            ${TEST_ACCOUNT.username} / ${TEST_ACCOUNT.password}
  MCP server              ${mcp.url}   (the app's MCP page: ${app.origin}/mcp.html?server=${encodeURIComponent(mcp.url)})

  Open the app URL in a browser and press "Sign in". Ctrl-C stops both servers.
`);
const stop = async () => {
  await Promise.all([app.close(), idp.close(), mcp.close()]);
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
