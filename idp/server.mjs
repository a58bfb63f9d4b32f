// The embedded authorization server: oidc-provider (OpenID Certified) on 127.0.0.1, with our own small
// login and consent pages, a public SPA client, a confidential client, one test account, refresh-token
// rotation, CORS for the SPA origin, and provider profiles that present other providers' endpoint layouts.
//
//   startIdp({ port, profile, appOrigin, issuerOverride, accessTokenTtl, mcpResource })
//     -> { issuer, profile, routes, log, close, verifyAccessToken }
// With `mcpResource` (an MCP server's URL) it is that server's authorization server: dynamic client
// registration (RFC 7591) and resource indicators (RFC 8707) on, `mcp:read mcp:write` for that resource.
//   node idp/server.mjs [--profile auth0|workos|wso2|default] [--port N] [--app-origin URL]
import http from "node:http";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import Provider, { errors } from "oidc-provider";

export const TEST_ACCOUNT = { username: "alice", password: "wonderland" };
export const CONFIDENTIAL = { clientId: "confidential", clientSecret: "confidential-secret-change-me" };
export const SPA_CLIENT_ID = "spa";
export const ES256_CLIENT_ID = "spa-es256";

/** Endpoint layouts of the providers our users use most. */
export const PROFILES = {
  default: { label: "oidc-provider defaults", routes: {} },
  auth0: {
    label: "Auth0 layout (/authorize, /oauth/token, audience)",
    routes: { authorization: "/authorize", token: "/oauth/token", userinfo: "/userinfo", jwks: "/.well-known/jwks.json", end_session: "/oidc/logout", revocation: "/oauth/revoke" },
  },
  workos: {
    label: "WorkOS Connect layout (/oauth2/authorize, /oauth2/token)",
    routes: { authorization: "/oauth2/authorize", token: "/oauth2/token", userinfo: "/oauth2/userinfo", jwks: "/oauth2/jwks", end_session: "/oauth2/logout", revocation: "/oauth2/revoke" },
  },
  par: {
    label: "pushed authorization requests required (RFC 9126)",
    routes: {},
    features: { pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true } },
  },
  wso2: {
    label: "WSO2 Identity Server layout (/oauth2/authorize, /oauth2/token, client_secret_basic)",
    routes: { authorization: "/oauth2/authorize", token: "/oauth2/token", userinfo: "/oauth2/userinfo", jwks: "/oauth2/jwks", end_session: "/oidc/logout", revocation: "/oauth2/revoke" },
  },
};

const DEFAULT_ROUTES = { authorization: "/auth", token: "/token", userinfo: "/me", jwks: "/jwks", end_session: "/session/end", revocation: "/token/revocation" };

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; margin: 0; display: grid; place-items: center; min-height: 100vh; }
  main { background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px #0002; width: min(22rem, 90vw); }
  h1 { font-size: 1.3rem; margin-top: 0; } label { display: block; margin-top: .8rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .2rem; border: 1px solid #bbb; border-radius: 6px; font: inherit; }
  button { margin-top: 1.2rem; padding: .6rem 1.2rem; border: 0; border-radius: 6px; font: inherit; cursor: pointer; background: #2456d6; color: #fff; }
  button.secondary { background: #e4e6eb; color: #222; } .hint { background: #eef3ff; padding: .6rem .8rem; border-radius: 6px; font-size: .9rem; }
  .error { color: #b00020; } ul { padding-left: 1.2rem; }
</style></head><body><main>${body}</main></body></html>`;

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
      if (body.length > 16384) reject(new Error("form too large"));
    });
    req.on("end", () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on("error", reject);
  });
}

function publicJwks() {
  // Fresh signing keys per start: RS256 (the OIDC default) and ES256.
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  return { keys: [{ ...rsa, use: "sig", alg: "RS256", kid: `rs-${randomBytes(4).toString("hex")}` }, { ...ec, use: "sig", alg: "ES256", kid: `es-${randomBytes(4).toString("hex")}` }] };
}

export const PRIVATE_KEY_JWT_CLIENT_ID = "pkjwt";

export async function startIdp({ port = 0, profile = "default", appOrigin = "http://127.0.0.1:4401", issuerOverride, accessTokenTtl = 600, mcpResource, clientJwks, dpop } = {}) {
  const prof = PROFILES[profile];
  if (!prof) throw new Error(`unknown profile ${profile}; one of ${Object.keys(PROFILES).join(", ")}`);
  const log = []; // every token/revocation request: { path, grant_type, client_id, auth }
  const audiences = new Map(); // authorization code -> audience (auth0 profile echoes it)

  const server = http.createServer();
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const routes = { ...DEFAULT_ROUTES, ...prof.routes };
  const redirectUris = [`${appOrigin}/callback`];

  const clientsList = [
      {
        client_id: SPA_CLIENT_ID,
        token_endpoint_auth_method: "none",
        redirect_uris: redirectUris,
        post_logout_redirect_uris: [`${appOrigin}/`],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
      {
        // The same public client, with ES256-signed ID tokens (the default is RS256).
        client_id: ES256_CLIENT_ID,
        token_endpoint_auth_method: "none",
        id_token_signed_response_alg: "ES256",
        redirect_uris: redirectUris,
        post_logout_redirect_uris: [`${appOrigin}/`],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
      {
        client_id: CONFIDENTIAL.clientId,
        client_secret: CONFIDENTIAL.clientSecret,
        token_endpoint_auth_method: "client_secret_basic",
        // Loopback redirect URIs of native clients match any port (RFC 8252), so servers and tests on
        // ephemeral ports can use this client.
        application_type: "native",
        redirect_uris: ["http://127.0.0.1/callback", `${appOrigin}/callback`],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
  ];
  if (clientJwks) {
    // A `private_key_jwt` client (RFC 7523) with the given public keys.
    clientsList.push({ client_id: PRIVATE_KEY_JWT_CLIENT_ID, token_endpoint_auth_method: "private_key_jwt", jwks: clientJwks,
      application_type: "native", redirect_uris: ["http://127.0.0.1/callback"], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] });
  }
  const provider = new Provider(issuer, {
    clients: clientsList,
    routes,
    jwks: publicJwks(),
    cookies: { keys: [randomBytes(32).toString("hex")] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      ...prof.features,
      // RFC 9449: `dpop: { nonce: true }` requires server nonces.
      ...(dpop && { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => Boolean(dpop.nonce) } }),
      ...(mcpResource && {
        registration: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async (ctx, client, oneOf) => oneOf,
          useGrantedResource: async () => true,
          async getResourceServerInfo(ctx, resource) {
            if (resource !== mcpResource) throw new errors.InvalidTarget();
            return { scope: "mcp:read mcp:write", audience: resource, accessTokenFormat: "opaque", accessTokenTTL: accessTokenTtl };
          },
        },
      }),
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Our own page with stable ids; `form` is oidc-provider's hidden form (its action and xsrf token).
        async logoutSource(ctx, form) {
          ctx.body = page("Sign out", `<h1>Sign out of the test server?</h1>${form}
<button id="logout-yes" type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
<button id="logout-no" class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`);
        },
      },
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "given_name", "family_name"] },
    scopes: ["openid", "offline_access", "profile", "email"],
    // Put the scopes' claims in the ID token too (the example app shows them).
    conformIdTokenClaims: false,
    extraParams: ["audience"],
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      if (sub !== TEST_ACCOUNT.username) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, name: "Alice Liddell", given_name: "Alice", family_name: "Liddell", email: "alice@example.test", email_verified: true }),
      };
    },
    // Refresh tokens whenever the client may use them (no prompt=consent needed), rotated on every use.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    ttl: { AccessToken: accessTokenTtl, IdToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 3600 },
    clientBasedCORS: (ctx, origin) => origin === appOrigin,
    renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = page("Error", `<h1>Error</h1><p id="error-code" class="error">${esc(out.error)}</p><p>${esc(out.error_description ?? "")}</p>`);
    },
  });
  if (issuerOverride) {
    // Misconfiguration for tests: the `iss` this server puts in authorization responses is not its own.
    provider.use(async (ctx, next) => {
      await next();
      const loc = ctx.response.get("location");
      if (loc && loc.includes("iss=")) {
        const u = new URL(loc);
        u.searchParams.set("iss", issuerOverride);
        ctx.redirect(u.href);
      }
    });
  }
  provider.use(async (ctx, next) => {
    // A browser app registers itself (MCP): oidc-provider has no CORS on the registration endpoint.
    if (mcpResource && ctx.path === "/reg" && ctx.get("origin") === appOrigin) {
      ctx.set("access-control-allow-origin", appOrigin);
      ctx.set("vary", "origin");
      if (ctx.method === "OPTIONS") {
        ctx.set("access-control-allow-methods", "POST");
        ctx.set("access-control-allow-headers", "content-type, accept");
        ctx.status = 204;
        return;
      }
    }
    let entry;
    const isToken = ctx.path === routes.token || ctx.path === routes.revocation || ctx.path === "/request";
    if (isToken && ctx.method === "POST") {
      // Read the form ourselves to log it; oidc-provider then reads the pre-parsed body. oidc-provider
      // accepts client_secret_post from a client registered for client_secret_basic; the wso2 profile
      // is strict about it, as WSO2's default is.
      let raw = "";
      for await (const chunk of ctx.req) raw += chunk;
      const form = new URLSearchParams(raw);
      const auth = ctx.get("authorization") ? "basic" : form.has("client_secret") ? "post" : form.has("client_assertion") ? "private_key_jwt" : "none";
      entry = { path: ctx.path, grant_type: form.get("grant_type"), client_id: form.get("client_id") ?? "(basic)", auth, has_verifier: form.has("code_verifier"), ...(ctx.get("dpop") && { dpop: ctx.get("dpop") }), ...(form.has("client_assertion") && { assertion: form.get("client_assertion") }), ...(form.has("resource") && { resource: form.getAll("resource") }) };
      log.push(entry);
      if (profile === "wso2" && auth === "post") {
        ctx.status = 401;
        ctx.set("www-authenticate", 'Basic realm="token"');
        ctx.body = { error: "invalid_client", error_description: "client_secret_basic is required" };
        return;
      }
      ctx.req.body = form.toString();
    }
    if (ctx.path === "/reg" && ctx.method === "POST") log.push((entry = { path: ctx.path }));
    await next();
    if (entry) entry.status = ctx.status;
    if (profile !== "auth0") return;
    // Auth0 accepts an `audience` and echoes it: remember it per code, add it to the token response.
    const loc = ctx.response.get("location");
    const audience = ctx.oidc?.params?.audience;
    if (loc && audience && loc.includes("code=")) audiences.set(new URL(loc).searchParams.get("code"), audience);
    if (ctx.path === routes.token && ctx.status === 200 && ctx.body && typeof ctx.body === "object") {
      const code = ctx.oidc?.params?.code;
      if (code && audiences.has(code)) {
        ctx.body.audience = audiences.get(code);
        if (entry) entry.echoed_audience = ctx.body.audience;
      }
    }
  });

  const callback = provider.callback();
  server.on("request", async (req, res) => {
    const url = new URL(req.url, issuer);
    const m = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      const [, , action] = m;
      const send = (status, html) => {
        res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer", // form-action also governs the redirects after a submission: back to the client's redirect URI.
          "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:* http://localhost:* https:; frame-ancestors 'none'" });
        res.end(html);
      };
      if (!action && details.prompt.name === "login") {
        return send(200, page("Sign in", `<h1>Sign in to the test server</h1>
<p class="hint" id="test-account">Test account: <b>${TEST_ACCOUNT.username}</b> / <b>${TEST_ACCOUNT.password}</b></p>
<form id="login-form" method="post" action="/interaction/${details.uid}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button id="login-submit" type="submit">Sign in</button></form>`));
      }
      if (!action) {
        const client = await provider.Client.find(details.params.client_id);
        const scopes = String(details.params.scope ?? "").split(" ").filter(Boolean);
        return send(200, page("Consent", `<h1>Allow access?</h1>
<p><b id="consent-client">${esc(client?.clientId)}</b> asks for:</p><ul id="consent-scopes">${scopes.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>
<form method="post" action="/interaction/${details.uid}/confirm"><button id="consent-allow" type="submit">Allow</button></form>
<form method="post" action="/interaction/${details.uid}/abort"><button id="consent-deny" class="secondary" type="submit">Deny</button></form>`));
      }
      if (req.method !== "POST") return send(405, page("Error", "<p>Method not allowed</p>"));
      const form = await readForm(req);
      if (action === "login") {
        if (form.username !== TEST_ACCOUNT.username || form.password !== TEST_ACCOUNT.password) {
          return send(200, page("Sign in", `<h1>Sign in to the test server</h1><p id="login-error" class="error">Wrong username or password.</p>
<p class="hint" id="test-account">Test account: <b>${TEST_ACCOUNT.username}</b> / <b>${TEST_ACCOUNT.password}</b></p>
<form id="login-form" method="post" action="/interaction/${details.uid}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button id="login-submit" type="submit">Sign in</button></form>`));
        }
        return provider.interactionFinished(req, res, { login: { accountId: TEST_ACCOUNT.username } }, { mergeWithLastSubmission: false });
      }
      if (action === "abort") {
        return provider.interactionFinished(req, res, { error: "access_denied", error_description: "The user denied the request" }, { mergeWithLastSubmission: false });
      }
      const { prompt: { details: missing }, params, session } = details;
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      if (missing.missingResourceScopes) {
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) grant.addResourceScope(indicator, scopes.join(" "));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    } catch (err) {
      res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
      res.end(page("Error", `<h1>Error</h1><p id="error-code" class="error">${esc(err.name ?? "error")}</p><p>${esc(err.message)}</p>`));
    }
  });

  return {
    issuer,
    profile,
    label: prof.label,
    routes,
    endpoints: {
      authorization: issuer + routes.authorization,
      token: issuer + routes.token,
      userinfo: issuer + routes.userinfo,
      revocation: issuer + routes.revocation,
      endSession: issuer + routes.end_session,
    },
    confidentialAuth: profile === "wso2" ? ["client_secret_basic"] : ["client_secret_basic", "client_secret_post"],
    log,
    /** An access token this server issued, as the resource server sees it (`{ aud, scope, clientId }`), or null. */
    async verifyAccessToken(token) {
      const at = await provider.AccessToken.find(token);
      return at ? { aud: at.aud, scope: at.scope, clientId: at.clientId, jkt: at.jkt } : null;
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const idp = await startIdp({
    port: Number(arg("port", process.env.PKCE_IDP_PORT ?? 4400)),
    profile: arg("profile", process.env.PKCE_IDP_PROFILE ?? "default"),
    appOrigin: arg("app-origin", process.env.PKCE_APP_ORIGIN ?? "http://127.0.0.1:4401"),
  });
  console.log(`listening ${idp.issuer} profile=${idp.profile}`);
}
