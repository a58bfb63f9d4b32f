// Adversarial cases through the public JS API. Runs unchanged in Node and in a browser page (served by the
// adversarial server): `runCases(api, serverUrl, tag)` returns plain observations that the test asserts.
export const ISSUER = "https://idp.example";
export const CLIENT_SECRET = "CS-secret-1";
const CODE = "CODE-secret-1";
const A = "OAuthClientError";
const T = "TokenResponseError";
const R = "AuthorizationResponseError";
const invalid = (status) => ({ name: A, code: "invalid_response", status });
const LONG = "x".repeat(100_000);

/** The callback for `p`, with `extra` appended and `state`/`iss`/`code` replaceable. */
function cb(p, { state = p.state, iss = ISSUER, code = CODE, extra = "" } = {}) {
  const parts = [];
  if (code !== null) parts.push(`code=${encodeURIComponent(code)}`);
  if (state !== null) parts.push(`state=${encodeURIComponent(state)}`);
  if (iss !== null) parts.push(`iss=${encodeURIComponent(iss)}`);
  return `https://app.example/cb?${parts.join("&")}${extra}`;
}

// flow "callback": the callback is bad; the token endpoint ("ok") must receive nothing.
// flow "exchange": the callback is good; the token endpoint misbehaves as `behaviour` says.
export const CASES = [
  { name: "missing state", flow: "callback", url: (p) => cb(p, { state: null }), expect: { name: A, code: "missing_state" } },
  { name: "empty state", flow: "callback", url: (p) => cb(p, { state: "" }), expect: { name: A, code: "missing_state" } },
  { name: "duplicated state", flow: "callback", url: (p) => cb(p, { extra: `&state=${p.state}` }), expect: { name: A, code: "duplicate_parameter" } },
  { name: "mismatched state", flow: "callback", url: (p) => cb(p, { state: "forged" }), expect: { name: A, code: "state_mismatch" } },
  { name: "state of another pending authorization", flow: "callback", url: (p, other) => cb(other), expect: { name: A, code: "state_mismatch" } },
  { name: "state of another client instance", flow: "callback", url: (p, other, foreign) => cb(foreign), expect: { name: A, code: "state_mismatch" } },
  { name: "iss missing when required", flow: "callback", requireIss: true, url: (p) => cb(p, { iss: null }), expect: { name: A, code: "missing_issuer" } },
  { name: "iss mismatched", flow: "callback", url: (p) => cb(p, { iss: "https://evil.example" }), expect: { name: A, code: "issuer_mismatch" } },
  { name: "iss duplicated", flow: "callback", url: (p) => cb(p, { extra: `&iss=${encodeURIComponent(ISSUER)}` }), expect: { name: A, code: "duplicate_parameter" } },
  { name: "error together with code", flow: "callback", url: (p) => cb(p, { extra: "&error=access_denied" }), expect: { name: R, code: "access_denied" } },
  { name: "error_description with HTML and script", flow: "callback", url: (p) => cb(p, { code: null, extra: "&error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E%3Cimg%20src%3Dx%3E" }), expect: { name: R, code: "access_denied", error_description: "<script>alert(1)</script><img src=x>" } },
  { name: "very long error_description is capped", flow: "callback", url: (p) => cb(p, { code: null, extra: `&error=server_error&error_description=${LONG}` }), expect: { name: R, code: "server_error", descriptionLength: 1024 } },
  { name: "very long state", flow: "callback", url: (p) => cb(p, { state: LONG }), expect: { name: A, code: "state_mismatch" } },
  { name: "very long iss", flow: "callback", url: (p) => cb(p, { iss: LONG }), expect: { name: A, code: "issuer_mismatch" } },
  { name: "expired pending authorization", flow: "callback", expired: true, url: (p) => cb(p), expect: { name: A, code: "pending_expired" } },
  { name: "tampered pending (bad verifier)", flow: "callback", tamper: (p) => ({ ...p, codeVerifier: "short" }), url: (p) => cb(p), expect: { name: A, code: "invalid_pending" } },
  { name: "garbage pending", flow: "callback", tamper: () => "garbage", url: (p) => cb(p), expect: { name: A, code: "invalid_pending" } },

  { name: "HTML 500", behaviour: "html500", expect: invalid(500) },
  { name: "empty body", behaviour: "empty", expect: invalid(200) },
  { name: "JSON array", behaviour: "array", expect: invalid(200) },
  { name: "JSON string", behaviour: "string", expect: invalid(200) },
  { name: "truncated JSON", behaviour: "truncated", expect: invalid(200) },
  { name: "a 200 carrying error", behaviour: "error-in-200", expect: invalid(200) },
  { name: "missing access_token", behaviour: "no-access-token", expect: invalid(200) },
  { name: "empty access_token", behaviour: "empty-access-token", expect: invalid(200) },
  { name: "token_type mac", behaviour: "type-mac", expect: invalid(200) },
  { name: "token_type missing", behaviour: "type-missing", expect: invalid(200) },
  { name: "token_type BeArEr (case variant)", behaviour: "type-BeArEr", expect: { ok: true, token_type: "bearer" } },
  { name: "expires_in negative", behaviour: "expires-negative", expect: invalid(200) },
  { name: "expires_in fractional", behaviour: "expires-fraction", expect: invalid(200) },
  { name: "expires_in huge", behaviour: "expires-huge", expect: invalid(200) },
  { name: "expires_in as a digit string", behaviour: "expires-string", expect: { ok: true, expires_in: 3600 } },
  { name: "expires_in as another string", behaviour: "expires-bad-string", expect: invalid(200) },
  { name: "wrong member types", behaviour: "wrong-types", expect: invalid(200) },
  { name: "refresh_token of the wrong type", behaviour: "wrong-refresh-type", expect: invalid(200) },
  { name: "multi-megabyte body", behaviour: "huge", expect: invalid(200) },
  { name: "multi-megabyte chunked body", behaviour: "huge-chunked", expect: invalid(200) },
  { name: "slower than the timeout", behaviour: "slow", timeoutMs: 500, expect: { name: A, code: "timeout" } },
  { name: "trickling body", behaviour: "trickle", timeoutMs: 700, expect: { name: A, code: "timeout" } },
  { name: "302 to another host", behaviour: "redirect302-other-host", expect: { name: A, code: "invalid_response", redirect: true } },
  { name: "307 to another host", behaviour: "redirect307-other-host", expect: { name: A, code: "invalid_response", redirect: true } },
  { name: "302 on the same host", behaviour: "redirect302", expect: { name: A, code: "invalid_response", redirect: true } },
  { name: "wrong Content-Type", behaviour: "wrong-content-type", expect: invalid(200) },
  { name: "no Content-Type", behaviour: "no-content-type", expect: invalid(200) },
  { name: "duplicate JSON members", behaviour: "duplicate-members", expect: invalid(200) },
  { name: "RFC 6749 error", behaviour: "rfc-error", expect: { name: T, code: "invalid_grant", status: 400 } },
  { name: "RFC error with script and javascript: URI", behaviour: "error-with-script", expect: { name: T, code: "invalid_request", status: 400, error_description: "<script>alert(1)</script>", error_uri: "javascript:alert(1)" } },
  { name: "scope \"\" (no scope granted) is accepted", behaviour: "scope-empty", expect: { ok: true, scope: "" } },
  { name: "an empty error code is not the server's code", behaviour: "error-empty", expect: invalid(400) },
  { name: "an error code outside RFC 6749's syntax", behaviour: "error-not-rfc", expect: invalid(400) },
  { name: "invalid_client with 401", behaviour: "unauthorized", expect: { name: T, code: "invalid_client", status: 401 } },
];

const errorOf = (e) => ({ name: e?.name, code: e?.code, status: e?.status, message: String(e?.message), error_description: e?.error_description, error_uri: e?.error_uri, isOAuthError: false });

export async function runCases(api, serverUrl, tag) {
  const { OAuthClient, isOAuthError } = api;
  const get = async (p) => (await fetch(`${serverUrl}${p}`)).json();
  const results = [];
  const clientFor = (id, behaviour, extra = {}) =>
    new OAuthClient({
      clientId: "adv", clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: "client_secret_post",
      authorizationEndpoint: "https://idp.example/authorize", tokenEndpoint: `${serverUrl}/t/${id}/${behaviour}`,
      redirectUri: "https://app.example/cb", issuer: ISSUER, scope: "openid offline_access", storage: "memory", ...extra,
    });
  for (const [i, c] of CASES.entries()) {
    const id = `${tag}-${i}`;
    const client = clientFor(id, c.behaviour ?? "ok", { requireIss: !!c.requireIss, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) });
    let pending = client.startAuthorization();
    const other = client.startAuthorization();
    const foreign = clientFor(`${id}-foreign`, "ok").startAuthorization();
    const url = (c.url ?? ((p) => cb(p)))(pending, other, foreign);
    if (c.expired) pending = { ...pending, createdAt: pending.createdAt - 601 };
    if (c.tamper) pending = c.tamper(pending);
    const r = { name: c.name, verifier: pending.codeVerifier };
    try {
      const tokens = await client.handleCallback(url, pending);
      r.tokens = tokens;
    } catch (e) {
      r.error = errorOf(e);
      r.error.isOAuthError = isOAuthError(e);
    }
    r.requests = (await get(`/log/${id}`)).map((q) => ({ url: q.url, body: q.body, referer: q.headers?.referer ?? null }));
    r.sameHostAttacker = (await get(`/log/${id}-attacker`)).length;
    results.push(r);
  }
  results.push(...(await refreshCases(clientFor, get, tag, isOAuthError)));
  return { results, attackerLog: await get("/attacker-log") };
}

async function refreshCases(clientFor, get, tag, isOAuthError) {
  const out = [];
  const attempt = async (name, fn, id) => {
    const r = { name, refresh: true };
    try {
      r.value = await fn();
    } catch (e) {
      r.error = errorOf(e);
      r.error.isOAuthError = isOAuthError(e);
    }
    r.requests = (await get(`/log/${id}`)).map((q) => ({ url: q.url, body: q.body, referer: q.headers?.referer ?? null }));
    out.push(r);
  };
  let id = `${tag}-refresh-rotate`;
  let c = clientFor(id, "rotate");
  await attempt("refresh: rotation", async () => (await c.refresh("RT-secret-1")).refresh_token, id);
  id = `${tag}-refresh-keep`;
  c = clientFor(id, "keep");
  await attempt("refresh: no new refresh token keeps the old one", async () => (await c.refresh("RT-secret-1")).refresh_token, id);
  id = `${tag}-refresh-reuse`;
  c = clientFor(id, "reuse-detect");
  await attempt("refresh: invalid_grant on reuse", async () => {
    await c.refresh("RT-secret-1");
    return c.refresh("RT-secret-1");
  }, id);
  id = `${tag}-refresh-type`;
  c = clientFor(id, "refresh-changes-type");
  await attempt("refresh: a response that changes token_type", async () => {
    await c.refresh("RT-secret-1");
    return c.refresh("RT-secret-2");
  }, id);
  id = `${tag}-refresh-flight`;
  c = clientFor(id, "rotate");
  await attempt("refresh: concurrent calls share one request", async () => {
    const all = await Promise.all([c.refresh("RT-secret-1"), c.refresh("RT-secret-1"), c.refresh("RT-secret-1")]);
    return all.map((t) => t.refresh_token);
  }, id);
  return out;
}
