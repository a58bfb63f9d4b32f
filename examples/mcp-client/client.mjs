// An MCP client that authenticates with pkce-wasm/mcp and does the MCP handshake over Streamable HTTP:
// `initialize`, `tools/list`, then a call of the first tool, with the Bearer token.
//
//   node examples/mcp-client/client.mjs <mcp-server-url>      (after scripts/build.sh)
//
// A 401 starts the authorization (the package does all of it: protected resource metadata, the
// authorization server's metadata, registration, PKCE, `resource`); a 403 `insufficient_scope` a
// step-up (bounded by the package). Here the user agent is headless: it follows the authorization URL
// and takes the redirect (what an authorization server that needs no login, like the MCP conformance
// suite's, answers). An app opens a browser there and listens on its loopback redirect URI instead.
//
// The MCP conformance suite runs it with the server URL as its argument and, for pre-registered
// credentials, MCP_CONFORMANCE_CONTEXT (`{"client_id", "client_secret"}`).
import { OAuthClient } from "../../pkg/mcp/node.js";

// The protocol versions this client speaks, newest first; a server that supports none of the first
// names its own in a -32022 error, and the client retries once with one it also speaks.
const VERSIONS = ["2026-07-28", "2025-11-25", "2025-06-18"];
let version = "2025-11-25";
const REDIRECT_URI = "http://127.0.0.1:8976/callback";
// The Client ID Metadata Document this client would publish (used where the server supports them).
const CLIENT_METADATA_URL = process.env.MCP_CLIENT_METADATA_URL ?? "https://conformance-test.local/client-metadata.json";

const server = process.argv[2];
if (!server) {
  console.error("usage: node examples/mcp-client/client.mjs <mcp-server-url>");
  process.exit(2);
}
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}");

let client; // the OAuthClient for the server's authorization server, once discovered
let token;
let session;
let nextId = 1;

/** The headless user agent: the authorization URL's redirect back to us, and the code in it. */
async function authorize(pending) {
  const res = await fetch(pending.url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const location = res.headers.get("location");
  if (res.status < 300 || res.status >= 400 || !location) throw new Error(`authorization answered ${res.status}`);
  const tokens = await client.handleCallback(new URL(location, pending.url).href, pending);
  token = tokens.access_token;
}

/** The first authorization, from the server's 401 challenge. */
async function signIn(challenge) {
  const config = { redirectUri: REDIRECT_URI, storage: "memory" };
  if (context.client_id) Object.assign(config, { clientId: context.client_id, clientSecret: context.client_secret });
  client = await OAuthClient.discoverMcp(server, config, {
    wwwAuthenticate: challenge,
    clientName: "pkce-wasm MCP example",
    clientMetadataUrl: CLIENT_METADATA_URL,
  });
  console.error("authorization server:", client.issuer ?? "(2025-03-26 defaults)", client.mcp);
  await authorize(client.startAuthorization());
}

/** One JSON-RPC message over Streamable HTTP; the response (JSON or an SSE stream), or null for a notification. */
async function post(message) {
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (session) headers["mcp-session-id"] = session;
  headers["mcp-protocol-version"] = version;
  // The 2026-07-28 draft carries the version and capabilities in every request's `_meta` too.
  const body = { ...message, params: { ...message.params, _meta: { "io.modelcontextprotocol/protocolVersion": version, "io.modelcontextprotocol/clientCapabilities": {} } } };
  const res = await fetch(server, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  session = res.headers.get("mcp-session-id") ?? session;
  return res;
}

async function read(res, id) {
  const type = res.headers.get("content-type") ?? "";
  const text = await res.text();
  if (type.startsWith("application/json")) return JSON.parse(text);
  // text/event-stream: the message with our id among the events' data.
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
    if (data) {
      const m = JSON.parse(data);
      if (m.id === id) return m;
    }
  }
  throw new Error("no response in the event stream");
}

/** A request, authorized as the server asks: a 401 signs in (once), a 403 `insufficient_scope` steps up. */
async function request(method, params) {
  const message = { jsonrpc: "2.0", method, ...(params && { params }) };
  if (!method.startsWith("notifications/")) message.id = nextId++;
  let signedIn = false;
  let negotiated = false;
  for (let stepUps = 0; ; ) {
    const res = await post(message);
    const challenge = res.headers.get("www-authenticate");
    if (res.status === 401 && !signedIn) {
      await res.body?.cancel();
      await signIn(challenge);
      signedIn = true;
      continue;
    }
    if (res.status === 403 && challenge && client) {
      await res.body?.cancel();
      client.stepUp(challenge, stepUps++); // throws step_up_limit when the server keeps asking
      await authorize(client.startAuthorization());
      continue;
    }
    if (res.status === 400 && !negotiated && (res.headers.get("content-type") ?? "").startsWith("application/json")) {
      const supported = (await res.json()).error?.data?.supported ?? [];
      const common = VERSIONS.find((v) => supported.includes(v));
      if (!common) throw new Error(`${method}: no common protocol version`);
      version = common;
      negotiated = true;
      // 2026-07-28 has no initialize handshake: `server/discover` tells what the server is.
      if (version === "2026-07-28" && message.method === "initialize") Object.assign(message, { method: "server/discover", params: {} });
      continue;
    }
    if (!res.ok) throw new Error(`${method}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    if (message.id === undefined) return null;
    const reply = await read(res, message.id);
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result;
  }
}

try {
  const init = await request("initialize", {
    protocolVersion: version,
    capabilities: {},
    clientInfo: { name: "pkce-wasm-mcp-example", version: "0.1.0" },
  });
  console.log("initialized:", init.serverInfo?.name ?? init._meta?.["io.modelcontextprotocol/serverInfo"]?.name, version);
  if (version !== "2026-07-28") await request("notifications/initialized");
  const { tools } = await request("tools/list");
  console.log("tools:", tools.map((t) => t.name).join(", "));
  if (tools.length) {
    const result = await request("tools/call", { name: tools[0].name, arguments: {} });
    console.log("tool result:", JSON.stringify(result.content));
  }
} catch (e) {
  // The package's errors carry a code and a static message (never a secret).
  console.error("failed:", e.code ?? "", e.message);
  process.exit(1);
}
