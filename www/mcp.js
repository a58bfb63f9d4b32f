// The example app's MCP page: connect to an MCP server whose authorization server this page has never
// seen. `pkce-wasm/mcp` decides everything (discovery, registration, scope, `resource`, the callback);
// this page probes the server, keeps the server URL and its challenge for the way back, and lists the
// server's tools with the token.
import init, { OAuthClient, authorizeMcp, isOAuthError } from "../pkg/mcp/index.js";

const SERVER = "pkce-wasm-demo:mcp-server";
const CHALLENGE = "pkce-wasm-demo:mcp-challenge";
const $ = (id) => document.getElementById(id);
const show = (id) => {
  for (const s of ["mcp-idle", "mcp-connected", "mcp-error"]) $(s).hidden = s !== id;
};

const query = new URLSearchParams(location.search);
if (query.has("server")) sessionStorage.setItem(SERVER, query.get("server"));
const server = sessionStorage.getItem(SERVER) ?? "http://127.0.0.1:4402/mcp";
const config = { redirectUri: `${location.origin}/mcp.html`, storage: "session" };
const options = () => ({ wwwAuthenticate: sessionStorage.getItem(CHALLENGE), clientName: "pkce-wasm example app" });

/** One JSON-RPC request to the MCP server (JSON responses), with the token if there is one. */
async function rpc(method, token, params = {}) {
  return fetch(server, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25",
      ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
}

async function connect() {
  const probe = await rpc("initialize", null, { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "pkce-wasm-example", version: "0.1.0" } });
  await probe.body?.cancel();
  if (probe.status !== 401) throw new Error(`the server answered ${probe.status} without a token`);
  sessionStorage.setItem(CHALLENGE, probe.headers.get("www-authenticate") ?? "");
  await authorizeMcp(server, config, { ...options(), redirect: true });
}

async function callback() {
  // The same discovery again: the registration is the stored one, the scope and resource the same.
  const client = await OAuthClient.discoverMcp(server, config, options());
  const tokens = await client.handleCallback();
  const init = await (await rpc("initialize", tokens.access_token, { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "pkce-wasm-example", version: "0.1.0" } })).json();
  const list = await (await rpc("tools/list", tokens.access_token)).json();
  $("mcp-name").textContent = init.result?.serverInfo?.name ?? "(unnamed)";
  $("mcp-resource").textContent = client.mcp.resource ?? "(none: a 2025-03-26 server)";
  $("mcp-issuer").textContent = client.issuer ?? "";
  $("mcp-client-id").textContent = client.clientId;
  $("mcp-registration").textContent = client.mcp.registration;
  $("mcp-scope").textContent = tokens.scope ?? client.mcp.scope ?? "";
  $("mcp-tools").textContent = (list.result?.tools ?? []).map((t) => t.name).join(", ");
  show("mcp-connected");
}

function fail(e) {
  $("mcp-error-code").textContent = isOAuthError(e) ? e.code : "unexpected_error";
  $("mcp-error-message").textContent = isOAuthError(e) ? e.message : String(e);
  show("mcp-error");
}

$("mcp-server").textContent = server;
await init();
$("mcp-connect").addEventListener("click", () => connect().catch(fail));
if (query.has("code") || query.has("error")) callback().catch(fail);
else show("mcp-idle");
