// A confidential OAuth client as a Cloudflare Worker (backend-for-frontend): the pending authorization and
// the session live in sealed (AES-256-GCM), HttpOnly cookies, so this Worker needs no storage and the
// browser never sees a token.
//   /login     start an authorization, set the pending cookie, redirect to the authorization server
//   /callback  open the cookie, validate the callback, exchange the code, set the session cookie
//   /me        the signed-in user and token expiry as JSON, or 401
//   /userinfo  the provider's userinfo for the session (with the session's access token), or 401
//   /logout    (POST) revoke the refresh token, clear the session, and sign out at the provider
// Optionally (see wrangler.toml) the Worker authenticates with private_key_jwt instead of a client secret,
// and its tokens are DPoP-bound (RFC 9449): a token stolen from the session is useless without the key.
import { OAuthClient, isOAuthError, sealPending, openPending, sealSession, openSession } from "pkce-wasm";

const PENDING_TTL = 600;
const SESSION_TTL = 8 * 3600;

function names(url) {
  // The __Host- prefix needs https; http is only for local development on 127.0.0.1.
  const prefix = url.protocol === "https:" ? "__Host-" : "";
  return { pending: `${prefix}pkce_pending`, session: `${prefix}pkce_session` };
}

const setCookie = (name, value, maxAge) => `${name}=${value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${maxAge}`;
const clearCookie = (name) => setCookie(name, "", 0);

function readCookie(request, name) {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

function json(status, body, cookies = []) {
  const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
  for (const c of cookies) headers.append("set-cookie", c);
  return new Response(JSON.stringify(body), { status, headers });
}

function redirect(location, cookies = []) {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const c of cookies) headers.append("set-cookie", c);
  return new Response(null, { status: 302, headers });
}

/** 400 for what the browser brought (callback, cookies), 502 for what the authorization server answered. */
function failure(e, cookies) {
  if (!isOAuthError(e)) return json(500, { code: "internal_error" }, cookies);
  const upstream = e.name === "TokenResponseError" || ["invalid_response", "network_error", "timeout"].includes(e.code);
  const body = { code: e.code };
  if (e.error_description) body.error_description = e.error_description;
  return json(upstream ? 502 : 400, body, cookies);
}

/** WebCrypto's parameters for a private JWK: EC P-256 (ES256), OKP Ed25519 (EdDSA), or RSA (RS256). */
function importParams(jwk) {
  if (jwk.kty === "EC") return { name: "ECDSA", namedCurve: jwk.crv };
  if (jwk.kty === "OKP") return { name: jwk.crv };
  return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
}

/**
 * The Worker's signing keys, from its secrets (private JWKs, JSON text): CLIENT_PRIVATE_JWK for
 * private_key_jwt, DPOP_PRIVATE_JWK for DPoP. Imported once per isolate, non-extractable; a Worker has no
 * IndexedDB, and the DPoP key must outlive an invocation (the tokens in the session cookie are bound to it).
 */
const imported = new Map();
function keys(env) {
  const id = `${env.CLIENT_PRIVATE_JWK ?? ""}\n${env.DPOP_PRIVATE_JWK ?? ""}`;
  if (!imported.has(id)) {
    const load = async (text) => {
      if (!text) return undefined;
      const { d, p, q, dp, dq, qi, key_ops, ext, ...publicJwk } = JSON.parse(text);
      const privateKey = await crypto.subtle.importKey("jwk", JSON.parse(text), importParams(publicJwk), false, ["sign"]);
      return { privateKey, publicJwk };
    };
    const made = Promise.all([load(env.CLIENT_PRIVATE_JWK), load(env.DPOP_PRIVATE_JWK)]);
    made.catch(() => imported.delete(id)); // a broken secret is retried, not remembered
    imported.set(id, made);
  }
  return imported.get(id);
}

async function client(env, url) {
  const [clientKey, dpop] = await keys(env);
  return new OAuthClient({
    clientId: env.CLIENT_ID,
    ...(clientKey
      ? { tokenEndpointAuthMethod: "private_key_jwt", clientPrivateKey: clientKey.privateKey, clientKeyId: env.CLIENT_KEY_ID }
      : { clientSecret: env.CLIENT_SECRET, tokenEndpointAuthMethod: env.TOKEN_ENDPOINT_AUTH_METHOD ?? "client_secret_basic" }),
    ...(dpop && { dpop }),
    authorizationEndpoint: env.AUTHORIZATION_ENDPOINT,
    tokenEndpoint: env.TOKEN_ENDPOINT,
    issuer: env.ISSUER,
    // OpenID Connect: with the JWKS every ID token is verified (signature and claims) and `tokens.claims` set.
    // Explicit endpoints rather than OAuthClient.discover(): no discovery request per Worker invocation.
    jwksUri: env.JWKS_URI,
    userinfoEndpoint: env.USERINFO_ENDPOINT,
    revocationEndpoint: env.REVOCATION_ENDPOINT,
    endSessionEndpoint: env.END_SESSION_ENDPOINT,
    redirectUri: `${url.origin}/callback`,
    scope: env.SCOPE,
    storage: "memory",
  });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const cookie = names(url);
    try {
      switch (url.pathname) {
        case "/login": {
          const pending = (await client(env, url)).startAuthorization({ prompt: "consent" });
          const sealed = await sealPending(pending, env.COOKIE_SECRET, { ttlSeconds: PENDING_TTL });
          return redirect(pending.url, [setCookie(cookie.pending, sealed, PENDING_TTL)]);
        }
        case "/callback": {
          // The pending cookie is single use: it goes away whatever happens next.
          const consumed = [clearCookie(cookie.pending)];
          try {
            const sealed = readCookie(request, cookie.pending);
            if (!sealed) return json(400, { code: "no_pending_authorization" }, consumed);
            const pending = await openPending(sealed, env.COOKIE_SECRET, { maxAgeSeconds: PENDING_TTL });
            const tokens = await (await client(env, url)).handleCallback(request.url, pending);
            const claims = tokens.claims; // verified; absent without JWKS_URI
            const session = {
              user: claims ? { sub: claims.sub, name: claims.name, email: claims.email } : null,
              verified: Boolean(claims),
              expires_at: tokens.expires_at,
              scope: tokens.scope,
              tokens,
            };
            const sealedSession = await sealSession(session, env.COOKIE_SECRET, { ttlSeconds: SESSION_TTL });
            return redirect("/me", [...consumed, setCookie(cookie.session, sealedSession, SESSION_TTL)]);
          } catch (e) {
            return failure(e, consumed);
          }
        }
        case "/me": {
          const sealed = readCookie(request, cookie.session);
          if (!sealed) return json(401, { code: "not_signed_in" });
          try {
            const session = await openSession(sealed, env.COOKIE_SECRET);
            const { user, verified, expires_at, scope, tokens } = session;
            return json(200, { user, verified, expires_at, scope, token_type: tokens.token_type });
          } catch (e) {
            return json(401, { code: isOAuthError(e) ? e.code : "not_signed_in" }, [clearCookie(cookie.session)]);
          }
        }
        case "/userinfo": {
          const sealed = readCookie(request, cookie.session);
          const session = sealed ? await openSession(sealed, env.COOKIE_SECRET).catch(() => null) : null;
          if (!session) return json(401, { code: "not_signed_in" });
          // A DPoP client sends its bound token as `Authorization: DPoP` with a proof.
          return json(200, await (await client(env, url)).userinfo(session.tokens));
        }
        case "/logout": {
          // POST only: the SameSite=Lax session cookie comes with a cross-site link or redirect (a GET),
          // never with a cross-site POST, so another site cannot sign the user out.
          if (request.method !== "POST") return json(405, { code: "method_not_allowed" });
          // Revoke the refresh token (ends the grant at the provider), then sign out there too.
          const sealed = readCookie(request, cookie.session);
          const session = sealed ? await openSession(sealed, env.COOKIE_SECRET).catch(() => null) : null;
          const c = await client(env, url);
          const refreshToken = session?.tokens?.refresh_token;
          if (refreshToken && env.REVOCATION_ENDPOINT) {
            await c.revoke(refreshToken, { hint: "refresh_token" }).catch((e) => console.warn("revocation failed:", isOAuthError(e) ? e.code : "error"));
          }
          const cleared = [clearCookie(cookie.session)];
          return env.END_SESSION_ENDPOINT ? redirect(c.logoutUrl(), cleared) : json(200, { signed_out: true }, cleared);
        }
        default:
          return json(404, { code: "not_found", routes: ["/login", "/callback", "/me", "/userinfo", "/logout"] });
      }
    } catch (e) {
      return failure(e, []);
    }
  },
};
