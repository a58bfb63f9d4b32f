// A hostile OpenID provider for tests, on 127.0.0.1 and an ephemeral port. Every case is its own issuer,
// `${url}/c/<case>`, with its own discovery document, JWKS, token, userinfo and revocation endpoints, and
// every request is recorded per case (log(case)), so tests can assert what the client did NOT request.
// The code a test puts in the callback is echoed back as the ID token's `nonce`.
//   startHostileOidc() -> { url, issuer(case), log(case), close() }
import http from "node:http";
import { createHmac, generateKeyPairSync, sign, constants } from "node:crypto";

const KEYS = {
  RS256: generateKeyPairSync("rsa", { modulusLength: 2048 }),
  PS256: generateKeyPairSync("rsa", { modulusLength: 2048 }),
  ES256: generateKeyPairSync("ec", { namedCurve: "P-256" }),
  EdDSA: generateKeyPairSync("ed25519"),
  ROTATED: generateKeyPairSync("rsa", { modulusLength: 2048 }),
  WEAK: generateKeyPairSync("rsa", { modulusLength: 1024 }),
};
const KID = { RS256: "rs", PS256: "ps", ES256: "es", EdDSA: "ed", ROTATED: "rotated", WEAK: "weak" };
const jwk = (name, alg) => ({ ...KEYS[name].publicKey.export({ format: "jwk" }), kid: KID[name], use: "sig", alg });
const JWKS = [jwk("RS256", "RS256"), jwk("PS256", "PS256"), jwk("ES256", "ES256"), jwk("EdDSA", "EdDSA"), jwk("WEAK", "RS256")];

const b64 = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

function signJwt(header, claims, keyName = header.alg) {
  const input = `${b64(header)}.${b64(claims)}`;
  const key = KEYS[keyName]?.privateKey;
  let sig;
  if (header.alg === "none") sig = Buffer.alloc(0);
  else if (header.alg === "HS256") sig = createHmac("sha256", KEYS.RS256.publicKey.export({ format: "pem", type: "spki" })).update(input).digest();
  else if (header.alg === "PS256") sig = sign("sha256", Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  else if (header.alg === "ES256") sig = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  else if (header.alg === "EdDSA") sig = sign(null, Buffer.from(input), key);
  else sig = sign("sha256", Buffer.from(input), key);
  return `${input}.${sig.toString("base64url")}`;
}

/**
 * The ID token each case's token endpoint returns: `[header, claims, keyName]` edits of a valid token,
 * or `null` for no ID token. `n` is the 1-based token request number of the case.
 */
function idTokenFor(kase, { issuer, clientId, nonce, n, attacker }) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, aud: clientId, sub: "alice", iat: now, exp: now + 600, auth_time: now - 5, nonce, name: "Alice" };
  const header = { alg: "RS256", kid: "rs", typ: "JWT" };
  const refresh = n > 1; // the second token request of a case is a refresh
  switch (kase) {
    case "ok": case "rfc8414": case "no-iss-param": return signJwt(header, claims);
    case "ps256": return signJwt({ ...header, alg: "PS256", kid: "ps" }, claims);
    case "es256": return signJwt({ ...header, alg: "ES256", kid: "es" }, claims);
    case "eddsa": return signJwt({ ...header, alg: "EdDSA", kid: "ed" }, claims);
    case "no-kid": return signJwt({ alg: "ES256" }, claims);
    case "forged-signature": {
      // A valid header and payload with the signature of another payload.
      const [h, p] = signJwt(header, claims).split(".");
      return `${h}.${p}.${signJwt(header, { ...claims, sub: "mallory" }).split(".")[2]}`;
    }
    case "alg-none": return signJwt({ alg: "none", typ: "JWT" }, claims);
    case "hs256-public-key": return signJwt({ alg: "HS256", kid: "rs" }, claims);
    case "wrong-iss": return signJwt(header, { ...claims, iss: "https://evil.example" });
    case "wrong-aud": return signJwt(header, { ...claims, aud: "someone-else" });
    case "extra-aud": return signJwt(header, { ...claims, aud: [clientId, "someone-else"] });
    case "wrong-azp": return signJwt(header, { ...claims, azp: "someone-else" });
    case "wrong-nonce": return signJwt(header, { ...claims, nonce: "not-the-nonce" });
    case "missing-nonce": { const { nonce: _, ...rest } = claims; return signJwt(header, rest); }
    case "expired": return signJwt(header, { ...claims, iat: now - 7200, exp: now - 3600 });
    case "iat-future": return signJwt(header, { ...claims, iat: now + 3600, exp: now + 7200 });
    case "missing-sub": { const { sub: _, ...rest } = claims; return signJwt(header, rest); }
    case "auth-time-old": return signJwt(header, { ...claims, auth_time: now - 3600 });
    case "unknown-kid": return n === 1 ? signJwt(header, claims) : signJwt({ ...header, kid: "rotated" }, claims, "ROTATED");
    case "rotation": return n === 1 ? signJwt(header, claims) : signJwt({ ...header, kid: "rotated" }, claims, "ROTATED");
    case "weak-key": return signJwt({ ...header, kid: "weak" }, claims, "WEAK");
    case "jku": return signJwt({ ...header, jku: `${attacker}/jwks` }, claims);
    case "embedded-jwk": return signJwt({ ...header, jwk: jwk("RS256", "RS256") }, claims);
    case "crit": return signJwt({ ...header, crit: ["exp"], exp: 1 }, claims);
    case "not-a-jws": return "a.b";
    case "missing-id-token": return null;
    // A refresh response without an ID token (RFC 6749 §6 allows it): the session's must be kept.
    case "refresh-no-id-token": return refresh ? null : signJwt(header, claims);
    case "refresh-other-sub": return signJwt(header, refresh ? { ...claims, sub: "mallory", nonce: undefined } : claims);
    case "refresh-other-iss": return signJwt(header, refresh ? { ...claims, iss: "https://evil.example", nonce: undefined } : claims);
    case "userinfo-other-sub": return signJwt(header, claims);
    default: return signJwt(header, claims);
  }
}

export async function startHostileOidc() {
  const logs = new Map();
  const counts = new Map();
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url, "http://x");
    // RFC 8414 inserts its well-known path before the issuer's path: serve it as the case's own.
    const rfc8414 = url.pathname.match(/^\/\.well-known\/oauth-authorization-server\/c\/([\w-]+)$/);
    const m = rfc8414 ? [null, rfc8414[1], "/.well-known/oauth-authorization-server"] : url.pathname.match(/^\/c\/([\w-]+)(\/.*)$/);
    const send = (status, value, type = "application/json") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(typeof value === "string" ? value : JSON.stringify(value));
    };
    if (url.pathname.startsWith("/attacker")) {
      (logs.get("attacker") ?? logs.set("attacker", []).get("attacker")).push(url.pathname);
      return send(200, { keys: [] });
    }
    if (!m) return send(404, { error: "not_found" });
    const [, kase, rest] = m;
    const log = logs.get(kase) ?? logs.set(kase, []).get(kase);
    log.push({ method: req.method, path: rest, body, authorization: req.headers.authorization });
    const issuer = `${base}/c/${kase}`;
    const doc = {
      issuer: kase === "discovery-wrong-issuer" ? `${base}/c/other` : issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/userinfo`,
      end_session_endpoint: `${issuer}/logout?tenant=t1`,
      revocation_endpoint: `${issuer}/revoke`,
      code_challenge_methods_supported: kase === "discovery-no-s256" ? ["plain"] : ["S256"],
      authorization_response_iss_parameter_supported: kase !== "no-iss-param",
      response_types_supported: ["code"],
    };
    if (kase === "discovery-http-endpoint") doc.token_endpoint = "http://evil.example/token";
    if (rest === "/.well-known/openid-configuration") return kase === "rfc8414" ? send(404, "not here", "text/plain") : send(200, doc);
    if (rest === "/.well-known/oauth-authorization-server") return kase === "rfc8414" ? send(200, doc) : send(404, "not here", "text/plain");
    if (rest === "/jwks") {
      const rotated = kase === "rotation" && log.filter((r) => r.path === "/jwks").length > 1;
      return send(200, { keys: rotated ? [...JWKS, jwk("ROTATED", "RS256")] : JWKS }, "application/jwk-set+json");
    }
    if (rest === "/token" && req.method === "POST") {
      const n = (counts.get(kase) ?? 0) + 1;
      counts.set(kase, n);
      const form = new URLSearchParams(body);
      const idToken = idTokenFor(kase, { issuer, clientId: form.get("client_id") ?? "spa", nonce: form.get("code") ?? undefined, n, attacker: `${base}/attacker` });
      return send(200, { access_token: `AT-${n}`, token_type: "Bearer", expires_in: 300, refresh_token: `RT-${n}`, scope: "openid", ...(idToken ? { id_token: idToken } : {}) });
    }
    if (rest === "/userinfo") {
      if (req.headers.authorization?.startsWith("Bearer AT-") !== true) return send(401, { error: "invalid_token" });
      return send(200, { sub: kase === "userinfo-other-sub" ? "mallory" : "alice", name: "Alice" });
    }
    if (rest === "/revoke" && req.method === "POST") return new URLSearchParams(body).get("token") ? send(200, "") : send(400, { error: "invalid_request" });
    return send(404, { error: "not_found" });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: base,
    issuer: (kase) => `${base}/c/${kase}`,
    log: (kase) => logs.get(kase) ?? [],
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
