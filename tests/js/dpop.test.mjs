// RFC 9449 DPoP against the real authorization server (oidc-provider with DPoP, and with nonces
// required): every token request carries a proof signed in WebCrypto with a non-extractable key, the
// authorization request its `dpop_jkt`, the tokens are bound to the key (`jkt`), `use_dpop_nonce` is
// answered with exactly one retry and the nonce is kept for the next request; proofs for resource
// requests carry `ath`. And hostile token endpoints.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { initSync, OAuthClient, createDpopKey, isOAuthError } from "../../pkg/index.js";
import { startIdp, TEST_ACCOUNT, CONFIDENTIAL } from "../../idp/server.mjs";
import { authorizeWithConsent } from "../support/consent.mjs";

initSync({ module: readFileSync(new URL("../../pkg/pkce_wasm_bg.wasm", import.meta.url)) });
const servers = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });

const part = (jwt, i) => JSON.parse(Buffer.from(jwt.split(".")[i], "base64url"));
const thumbprint = ({ crv, kty, x, y }) => createHash("sha256").update(JSON.stringify({ crv, kty, x, y })).digest("base64url");

async function stack(dpop) {
  const idp = await startIdp({ dpop });
  servers.push(idp);
  const key = await createDpopKey();
  const client = new OAuthClient({
    clientId: CONFIDENTIAL.clientId, clientSecret: CONFIDENTIAL.clientSecret, authorizationEndpoint: idp.endpoints.authorization,
    tokenEndpoint: idp.endpoints.token, issuer: idp.issuer, redirectUri: "http://127.0.0.1:8997/callback", scope: "openid offline_access",
    jwksUri: idp.issuer + idp.routes.jwks, userinfoEndpoint: idp.endpoints.userinfo, storage: "memory", dpop: key,
  });
  return { idp, key, client };
}

const tokenRequests = (idp) => idp.log.filter((e) => e.path === idp.routes.token);

test("DPoP-bound tokens: dpop_jkt, a proof per token request, token_type DPoP, the key's thumbprint", async () => {
  const { idp, key, client } = await stack({});
  assert.equal(key.privateKey.extractable, false);
  const pending = client.startAuthorization({ prompt: "consent" });
  assert.equal(new URL(pending.url).searchParams.get("dpop_jkt"), thumbprint(key.publicJwk));
  const tokens = await client.handleCallback(await authorizeWithConsent(pending.url, TEST_ACCOUNT), pending);
  assert.equal(tokens.token_type, "DPoP");
  assert.equal((await idp.verifyAccessToken(tokens.access_token)).jkt, thumbprint(key.publicJwk), "bound to the key");
  assert.equal(client.dpopJkt, thumbprint(key.publicJwk), "the client names the key its tokens are bound to");
  const [exchange] = tokenRequests(idp);
  const header = part(exchange.dpop, 0);
  assert.equal(header.typ, "dpop+jwt");
  assert.equal(header.alg, "ES256");
  assert.deepEqual(Object.keys(header.jwk).sort(), ["crv", "kty", "x", "y"], "the public key only");
  const claims = part(exchange.dpop, 1);
  assert.deepEqual([claims.htm, claims.htu], ["POST", idp.endpoints.token]);
  assert.ok(claims.jti && claims.iat);
  const fresh = await client.refresh(tokens);
  assert.equal(fresh.token_type, "DPoP");
  assert.notEqual(part(tokenRequests(idp).at(-1).dpop, 1).jti, claims.jti, "a fresh proof");

  // A resource request's proof: `ath`, htu without the query, the nonce given.
  const proof = await client.dpopProof("GET", "https://api.example/v1/me?x=1", fresh.access_token, { nonce: "n-1" });
  const p = part(proof, 1);
  assert.deepEqual([p.htm, p.htu, p.nonce], ["GET", "https://api.example/v1/me", "n-1"]);
  assert.equal(p.ath, createHash("sha256").update(fresh.access_token).digest("base64url"));
});

test("nonces required: one retry with the server's nonce, then it is kept for the next request", async () => {
  const { idp, client } = await stack({ nonce: true });
  const pending = client.startAuthorization({ prompt: "consent" });
  const tokens = await client.handleCallback(await authorizeWithConsent(pending.url, TEST_ACCOUNT), pending);
  assert.equal(tokens.token_type, "DPoP");
  assert.deepEqual(tokenRequests(idp).map((e) => e.status), [400, 200], "use_dpop_nonce, then the retry");
  assert.ok(part(tokenRequests(idp)[1].dpop, 1).nonce);
  const fresh = await client.refresh(tokens);
  assert.equal(tokenRequests(idp).length, 3, "the kept nonce: no second retry");

  // Userinfo with the bound token: `Authorization: DPoP` and a proof with `ath` and the nonce. The same
  // token sent as Bearer (a client without the key) is refused by the server.
  assert.equal((await client.userinfo(fresh)).sub, "alice");
  const bearer = new OAuthClient({ clientId: CONFIDENTIAL.clientId, clientSecret: CONFIDENTIAL.clientSecret, authorizationEndpoint: idp.endpoints.authorization,
    tokenEndpoint: idp.endpoints.token, redirectUri: "http://127.0.0.1:8997/callback", userinfoEndpoint: idp.endpoints.userinfo });
  await assert.rejects(bearer.userinfo(fresh.access_token, { subject: "alice" }), (e) => isOAuthError(e) && e.status === 401);
});

test("a replayed proof: the server refuses the client's proof sent twice; the client's every proof is fresh", async () => {
  const { idp, key, client } = await stack({ nonce: true });
  const pending = client.startAuthorization({ prompt: "consent" });
  const tokens = await client.handleCallback(await authorizeWithConsent(pending.url, TEST_ACCOUNT), pending);
  const fresh = await client.refresh(tokens);
  const proofs = tokenRequests(idp).map((e) => e.dpop);
  assert.equal(new Set(proofs.map((p) => part(p, 1).jti)).size, proofs.length, "a new jti per request, the nonce retry's too");
  // An attacker who has a refresh request's proof sends it again with the (current) refresh token: refused.
  const send = (proof) => fetch(idp.endpoints.token, {
    method: "POST",
    headers: { dpop: proof, authorization: "Basic " + btoa(`${CONFIDENTIAL.clientId}:${CONFIDENTIAL.clientSecret}`), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: fresh.refresh_token }),
  });
  const replayed = await send(proofs.at(-1));
  assert.equal(replayed.status, 400);
  assert.equal((await replayed.json()).error, "invalid_grant");
  // The control: the same request with a new proof (same key, claims and nonce, a new jti) succeeds.
  const claims = { ...part(proofs.at(-1), 1), jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000) };
  const input = [part(proofs.at(-1), 0), claims].map((o) => Buffer.from(JSON.stringify(o)).toString("base64url")).join(".");
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, new TextEncoder().encode(input));
  const control = await send(`${input}.${Buffer.from(signature).toString("base64url")}`);
  assert.equal(control.status, 200, JSON.stringify(await control.clone().json()));
});

test("EdDSA keys where the host has Ed25519: a bound token, the proof's header says EdDSA", async () => {
  const idp = await startIdp({ dpop: {} });
  servers.push(idp);
  let key;
  try {
    key = await createDpopKey("ed", { alg: "EdDSA" });
  } catch (e) {
    assert.equal(e.code, "unsupported_environment");
    return; // this host has no Ed25519 in WebCrypto
  }
  assert.equal(key.publicJwk.kty, "OKP");
  const client = new OAuthClient({ clientId: CONFIDENTIAL.clientId, clientSecret: CONFIDENTIAL.clientSecret, authorizationEndpoint: idp.endpoints.authorization,
    tokenEndpoint: idp.endpoints.token, issuer: idp.issuer, redirectUri: "http://127.0.0.1:8997/callback", scope: "openid", dpop: key });
  const pending = client.startAuthorization({ prompt: "consent" });
  const tokens = await client.handleCallback(await authorizeWithConsent(pending.url, TEST_ACCOUNT), pending);
  assert.equal(tokens.token_type, "DPoP");
  assert.equal(part(tokenRequests(idp).at(-1).dpop, 0).alg, "EdDSA");
  const { crv, kty, x } = key.publicJwk;
  assert.equal((await idp.verifyAccessToken(tokens.access_token)).jkt, createHash("sha256").update(JSON.stringify({ crv, kty, x })).digest("base64url"));
  await assert.rejects(createDpopKey("x", { alg: "RS256" }), (e) => e.code === "invalid_config");
});

test("a resource server's nonce challenge: userinfo retries once; dpopProof keeps the nonce per origin", async () => {
  const seen = [];
  const server = http.createServer((req, res) => {
    const proof = part(req.headers.dpop, 1);
    seen.push({ auth: req.headers.authorization, nonce: proof.nonce, ath: proof.ath });
    if (proof.nonce !== "rs-1") {
      res.writeHead(401, { "www-authenticate": 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"', "dpop-nonce": "rs-1" });
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ sub: "alice" }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  servers.push({ close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const key = await createDpopKey("rs");
  const client = new OAuthClient({ clientId: "c", authorizationEndpoint: `${origin}/a`, tokenEndpoint: `${origin}/t`, userinfoEndpoint: `${origin}/userinfo`,
    redirectUri: "http://127.0.0.1:8997/callback", dpop: key });
  assert.equal((await client.userinfo("AT", { subject: "alice" })).sub, "alice");
  assert.deepEqual(seen.map((s) => [s.auth, s.nonce]), [["DPoP AT", undefined], ["DPoP AT", "rs-1"]], "one retry, with the nonce");
  assert.equal(seen[0].ath, createHash("sha256").update("AT").digest("base64url"));
  // The origin's nonce is kept: the next userinfo goes once, and so does a resource proof for that origin.
  await client.userinfo("AT", { subject: "alice" });
  assert.equal(seen.length, 3);
  assert.equal(part(await client.dpopProof("GET", `${origin}/api`, "AT"), 1).nonce, "rs-1");
  assert.equal(part(await client.dpopProof("GET", "https://other.example/api", "AT"), 1).nonce, undefined, "another origin's: none");
});

test("hostile token endpoints: endless nonces get one retry, a Bearer answer to a proof is refused", async () => {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    if (req.url === "/nonces") {
      res.writeHead(400, { "content-type": "application/json", "dpop-nonce": `n-${count}` });
      return res.end(JSON.stringify({ error: "use_dpop_nonce" }));
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ access_token: "at", token_type: "Bearer" }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  servers.push({ close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const make = (path) => new OAuthClient({ clientId: "c", authorizationEndpoint: `${origin}/a`, tokenEndpoint: `${origin}${path}`,
    redirectUri: "http://127.0.0.1:8997/callback", storage: "memory", dpop: key });
  const key = await createDpopKey("hostile");
  await assert.rejects(make("/nonces").refresh("rt"), (e) => isOAuthError(e) && e.name === "TokenResponseError" && e.code === "use_dpop_nonce");
  assert.equal(count, 2, "exactly one retry");
  await assert.rejects(make("/bearer").refresh("rt"), (e) => isOAuthError(e) && e.code === "invalid_response");
  // Unless the client accepts unbound tokens from a server that does not do DPoP.
  const lenient = new OAuthClient({ clientId: "c", authorizationEndpoint: `${origin}/a`, tokenEndpoint: `${origin}/bearer`,
    redirectUri: "http://127.0.0.1:8997/callback", storage: "memory", dpop: key, dpopAcceptBearer: true });
  assert.equal((await lenient.refresh("rt")).token_type, "bearer");
  // A DPoP key that is not a private signing key is refused with the config.
  assert.throws(() => new OAuthClient({ clientId: "c", authorizationEndpoint: `${origin}/a`, tokenEndpoint: `${origin}/t`,
    redirectUri: "http://127.0.0.1:8997/callback", dpop: { privateKey: key.publicJwk, publicJwk: key.publicJwk } }), (e) => e.code === "invalid_config");
});
