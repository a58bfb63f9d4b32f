// An adversarial authorization server for tests, on 127.0.0.1 and an ephemeral port. Each test uses its own
// path prefix /t/<test-id>/<behaviour>, and the server records every request, so tests can assert what the
// client did NOT send (GET /log/<test-id>). A second server plays an attacker host that redirects may point
// to; it records everything too (GET /attacker-log). The server also serves pkg/ and tests/adversarial/ and
// a blank page, so the same cases run in a browser page of the same origin.
//   startAdversarialServer() -> { url, attackerUrl, log(id), attackerLog(), close() }
import http from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TOKEN = { access_token: "AT-secret-1", token_type: "Bearer", expires_in: 3600, scope: "openid profile" };
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

/** A well-formed, unsigned ID token for OIDC clients that decode one (they do not verify signatures). */
function idToken(clientId, nonce) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: "https://idp.example/", aud: clientId, sub: "alice", iat: now, exp: now + 600, ...(nonce ? { nonce } : {}) };
  return `${part({ alg: "RS256", typ: "JWT", kid: "k" })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** The test ids whose `session` refresh token was used. */
const sessionRefreshes = new Set();

/** Behaviours: what the token endpoint answers. `n` is the request's 1-based number under its test id. */
function answer(behaviour, { form, n, attackerUrl, selfUrl, id }) {
  const json = (status, value, headers = {}) => ({ status, headers: { "content-type": "application/json", ...headers }, body: typeof value === "string" ? value : JSON.stringify(value) });
  const raw = (status, type, body, headers = {}) => ({ status, headers: { ...(type ? { "content-type": type } : {}), ...headers }, body });
  switch (behaviour) {
    case "ok": return json(200, { ...TOKEN, refresh_token: "RT-secret-1", id_token: "h.p.s", echo_grant_type: form.grant_type });
    case "rotate": return json(200, { ...TOKEN, refresh_token: `RT-rotated-${n}` });
    case "keep": return json(200, TOKEN);
    // For OIDC clients: an ID token too; a code of the form "<anything>.<nonce>" carries the nonce back.
    case "oidc-rotate": return json(200, { ...TOKEN, refresh_token: `RT-rotated-${n}`, id_token: idToken(form.client_id ?? "bench", form.code?.split(".")[1]) });
    case "oidc-keep": return json(200, { ...TOKEN, id_token: idToken(form.client_id ?? "bench", form.code?.split(".")[1]) });
    // Refresh-token reuse detection: the first use rotates, any later one is invalid_grant.
    case "reuse-detect": return n === 1 ? json(200, { ...TOKEN, refresh_token: "RT-next" }) : json(400, { error: "invalid_grant", error_description: "refresh token reused" });
    // A managed session: the code gives a token that is stale at once (expires_in 1) and RT-1; RT-1
    // rotates once to RT-2 (fresh for an hour); any other refresh token, or RT-1 again, is invalid_grant.
    case "session": {
      if (form.grant_type === "authorization_code") return json(200, { ...TOKEN, access_token: "AT-1", expires_in: 1, refresh_token: "RT-1" });
      const first = form.refresh_token === "RT-1" && !sessionRefreshes.has(id);
      sessionRefreshes.add(id);
      return first ? json(200, { ...TOKEN, access_token: "AT-2", refresh_token: "RT-2" }) : json(400, { error: "invalid_grant" });
    }
    case "down": return raw(503, "text/plain", "unavailable");
    // DPoP-bound tokens (the request's proof is in the log's headers).
    case "dpop": return json(200, { ...TOKEN, token_type: "DPoP", refresh_token: "RT-dpop" });
    case "refresh-changes-type": return json(200, { ...TOKEN, token_type: n === 1 ? "Bearer" : "DPoP" });
    case "rfc-error": return json(400, { error: "invalid_grant", error_description: "<b>expired</b> code" });
    case "error-with-script": return json(400, { error: "invalid_request", error_description: "<script>alert(1)</script>", error_uri: "javascript:alert(1)" });
    // GitHub and others send an empty scope when none was granted.
    case "scope-empty": return json(200, { ...TOKEN, scope: "" });
    case "error-empty": return json(400, { error: "", error_description: "no code" });
    case "error-not-rfc": return json(400, { error: 'bad"code\u00e9' });
    case "unauthorized": return json(401, { error: "invalid_client" }, { "www-authenticate": 'Basic realm="t"' });
    // An authorization endpoint for a browser test: a navigation answered 204 leaves the page where it is.
    case "no-content": return raw(204, null, "");
    case "html500": return raw(500, "text/html", "<html><body>Internal Server Error</body></html>");
    case "empty": return raw(200, "application/json", "");
    case "array": return json(200, "[1,2,3]");
    case "string": return json(200, '"access_token"');
    case "truncated": return json(200, '{"access_token":"AT-secret-1","token_type":"Bea');
    case "error-in-200": return json(200, { ...TOKEN, error: "invalid_grant" });
    case "no-access-token": return json(200, { token_type: "Bearer" });
    case "empty-access-token": return json(200, { access_token: "", token_type: "Bearer" });
    case "type-mac": return json(200, { access_token: "AT-secret-1", token_type: "mac" });
    case "type-missing": return json(200, { access_token: "AT-secret-1" });
    case "type-BeArEr": return json(200, { access_token: "AT-secret-1", token_type: "BeArEr" });
    case "expires-negative": return json(200, { ...TOKEN, expires_in: -5 });
    case "expires-fraction": return json(200, { ...TOKEN, expires_in: 3599.5 });
    case "expires-huge": return json(200, { ...TOKEN, expires_in: 1e300 });
    case "expires-string": return json(200, { ...TOKEN, expires_in: "3600" });
    case "expires-bad-string": return json(200, { ...TOKEN, expires_in: "1 hour" });
    case "wrong-types": return json(200, { access_token: ["AT-secret-1"], token_type: "Bearer" });
    case "wrong-refresh-type": return json(200, { ...TOKEN, refresh_token: 42 });
    case "duplicate-members": return json(200, '{"access_token":"AT-secret-1","token_type":"Bearer","access_token":"AT-evil"}');
    case "wrong-content-type": return raw(200, "text/html", JSON.stringify(TOKEN));
    case "no-content-type": return raw(200, null, JSON.stringify(TOKEN));
    case "huge": return json(200, `{"access_token":"${"x".repeat(3 * 1024 * 1024)}","token_type":"bearer"}`);
    case "redirect302": return raw(302, null, "", { location: `${selfUrl}/t/${id}-attacker/ok` });
    case "redirect307": return raw(307, null, "", { location: `${selfUrl}/t/${id}-attacker/ok` });
    case "redirect302-other-host": return raw(302, null, "", { location: `${attackerUrl}/steal/${id}` });
    case "redirect307-other-host": return raw(307, null, "", { location: `${attackerUrl}/steal/${id}` });
    default: return json(404, { error: "unknown_behaviour" });
  }
}

function record(server, log) {
  return (req) => new Promise((resolve) => {
    let body = "";
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size <= 65536) body += c;
    });
    req.on("end", () => {
      log.push({ method: req.method, url: req.url, headers: req.headers, body });
      resolve(body);
    });
  });
}

export async function startAdversarialServer() {
  const logs = new Map();
  const attackerLog = [];
  const attacker = http.createServer(async (req, res) => {
    await record(attacker, attackerLog)(req);
    res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
    res.end(JSON.stringify({ access_token: "AT-attacker", token_type: "Bearer" }));
  });
  await new Promise((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  const attackerUrl = `http://127.0.0.1:${attacker.address().port}`;

  const server = http.createServer(async (req, res) => {
    const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "authorization, content-type, accept, dpop", "access-control-expose-headers": "dpop-nonce", "access-control-allow-methods": "POST, GET, OPTIONS" };
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    const [, kind, id, behaviour] = pathname.split("/");
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    if (req.method === "GET" && kind === "log") return res.writeHead(200, { ...cors, "content-type": "application/json" }).end(JSON.stringify(logs.get(id) ?? []));
    if (req.method === "GET" && kind === "attacker-log") return res.writeHead(200, { ...cors, "content-type": "application/json" }).end(JSON.stringify(attackerLog));
    if (req.method === "GET" && (kind === "pkg" || pathname.startsWith("/tests/adversarial/") || pathname === "/blank.html")) {
      if (pathname === "/blank.html") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>adversarial</title>");
      const file = path.join(ROOT, pathname);
      if (!file.startsWith(ROOT + path.sep) || !TYPES[path.extname(file)]) return res.writeHead(404).end();
      try {
        return res.writeHead(200, { "content-type": TYPES[path.extname(file)] }).end(await readFile(file));
      } catch {
        return res.writeHead(404).end();
      }
    }
    if (kind !== "t" || !id) return res.writeHead(404, cors).end();
    if (!logs.has(id)) logs.set(id, []);
    const log = logs.get(id);
    const body = await record(server, log)(req);
    const form = Object.fromEntries(new URLSearchParams(body));
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    if (behaviour === "slow") return setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(TOKEN)), 3000);
    if (behaviour === "trickle") {
      res.writeHead(200, { "content-type": "application/json" });
      const text = JSON.stringify(TOKEN);
      let i = 0;
      const timer = setInterval(() => {
        if (i >= text.length || res.destroyed) {
          clearInterval(timer);
          return res.end();
        }
        res.write(text[i++]);
      }, 150);
      return;
    }
    if (behaviour === "huge-chunked") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"access_token":"');
      for (let i = 0; i < 48; i++) res.write("x".repeat(65536));
      return res.end('","token_type":"bearer"}');
    }
    const a = answer(behaviour, { form, n: log.length, attackerUrl, selfUrl: `http://127.0.0.1:${server.address().port}`, id });
    res.writeHead(a.status, a.headers);
    res.end(a.body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = (s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    attackerUrl,
    log: (id) => logs.get(id) ?? [],
    attackerLog: () => attackerLog,
    close: () => Promise.all([close(server), close(attacker)]),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = await startAdversarialServer();
  console.log(`listening ${s.url}`);
}
