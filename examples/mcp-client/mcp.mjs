// A small MCP client over Streamable HTTP whose authorization is pkce-wasm/mcp: `connect()` does the
// handshake (`initialize`, or `server/discover` with a 2026-07-28 server), `session.request()` sends a
// JSON-RPC request with the Bearer token. A 401 runs the package's MCP discovery and an authorization
// through `userAgent(pending)`, which sends the user to `pending.url` and resolves with the callback URL;
// a 403 `insufficient_scope` a step-up (the package bounds them: `step_up_limit`). The package decides
// every OAuth question; this file is only MCP's transport.

// The protocol versions this client speaks, newest first; a server that supports none of the first
// names its own in a -32022 error, and the client retries once with one it also speaks.
const VERSIONS = ["2026-07-28", "2025-11-25", "2025-06-18"];

export async function connect(server, { OAuthClient, userAgent, config, options, timeoutMs = 10_000 }) {
  let client; // the OAuthClient for the server's authorization server, once discovered
  let tokens;
  let session;
  let version = "2025-11-25";
  let nextId = 1;

  async function authorize() {
    const pending = await client.authorize(); // pushed first where the server requires it
    tokens = await client.handleCallback(await userAgent(pending), pending);
  }

  async function post(message) {
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": version };
    if (tokens) headers.authorization = `Bearer ${tokens.access_token}`;
    if (session) headers["mcp-session-id"] = session;
    // The 2026-07-28 draft carries the version and capabilities in every request's `_meta` too.
    const _meta = { "io.modelcontextprotocol/protocolVersion": version, "io.modelcontextprotocol/clientCapabilities": {} };
    const body = JSON.stringify({ ...message, params: { ...message.params, _meta } });
    const res = await fetch(server, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
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
        client = await OAuthClient.discoverMcp(server, config, { ...options, wwwAuthenticate: challenge });
        await authorize();
        signedIn = true;
        continue;
      }
      if (res.status === 403 && challenge && client) {
        await res.body?.cancel();
        client.stepUp(challenge, stepUps++); // throws step_up_limit when the server keeps asking
        await authorize();
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

  const init = await request("initialize", {
    protocolVersion: version,
    capabilities: {},
    clientInfo: { name: "pkce-wasm-mcp-example", version: "0.1.0" },
  });
  if (version !== "2026-07-28") await request("notifications/initialized");
  return {
    request,
    get client() { return client; },
    get tokens() { return tokens; },
    version: () => version,
    serverName: init.serverInfo?.name ?? init._meta?.["io.modelcontextprotocol/serverInfo"]?.name,
  };
}
