// The example single-page app: plain ES modules, the built package from ../pkg, no third-party code.
import init, { OAuthClient, createDpopKey, isOAuthError } from "../pkg/index.js";

const TOKENS = "pkce-wasm-demo:tokens";
const OVERRIDES = "pkce-wasm-demo:config";
const REFRESHES = "pkce-wasm-demo:refreshes";
const METADATA = "pkce-wasm-demo:metadata";
const CONFIG_KEYS = ["profile", "issuer", "discovery", "authorizationEndpoint", "tokenEndpoint", "jwksUri", "clientId", "scope", "audience", "session", "leeway", "dpop"];
// Session mode (`?session=shared`, `local`, `session`, `memory`): the client keeps the session; the refreshes made by
// every tab of the origin are counted here.
const SESSION_REFRESHES = "pkce-wasm-demo:session-refreshes";

const $ = (id) => document.getElementById(id);
const show = (id) => {
  for (const s of ["loading", "signed-out", "signed-in", "error"]) $(s).hidden = s !== id;
};

/** www/config.json, overridden by query parameters (kept for this tab across the redirect). */
async function loadConfig() {
  const base = await (await fetch("/config.json", { cache: "no-store" })).json();
  const query = new URLSearchParams(location.search);
  const given = Object.fromEntries(CONFIG_KEYS.filter((k) => query.has(k)).map((k) => [k, query.get(k)]));
  if (Object.keys(given).length) sessionStorage.setItem(OVERRIDES, JSON.stringify(given));
  return { ...base, ...JSON.parse(sessionStorage.getItem(OVERRIDES) ?? "{}") };
}

function decodeJwtPayload(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

async function fingerprint(token) {
  if (!token) return "(none)";
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function showError(e) {
  console.warn("sign-in failed:", isOAuthError(e) ? e.code : e);
  // Text only: error_description comes from the server or the callback URL.
  $("error-code").textContent = isOAuthError(e) ? e.code : "unexpected_error";
  $("error-description").textContent = (isOAuthError(e) && e.error_description) || (isOAuthError(e) ? e.message : String(e));
  show("error");
}

let countdown;
async function renderSignedIn(tokens) {
  // `claims` is set when the client verified the ID token (an OpenID Connect client: discovery or jwksUri).
  const claims = tokens.claims ?? (tokens.id_token ? decodeJwtPayload(tokens.id_token) : null);
  $("claims-status").textContent = tokens.claims ? "verified" : "unverified";
  $("claims-note").hidden = !tokens.claims;
  $("user-name").textContent = claims?.name ?? claims?.sub ?? "(no ID token)";
  $("claims").textContent = claims ? JSON.stringify(claims, null, 2) : "(no ID token)";
  $("scope").textContent = tokens.scope ?? "(as requested)";
  $("token-type").textContent = tokens.token_type;
  $("dpop-jkt").textContent = (tokens.token_type === "DPoP" && dpopJkt) || "(not bound)";
  $("rt-fingerprint").textContent = await fingerprint(tokens.refresh_token);
  $("refresh-count").textContent = sessionMode ? (localStorage.getItem(SESSION_REFRESHES) ?? "0") : (sessionStorage.getItem(REFRESHES) ?? "0");
  $("refresh").disabled = !tokens.refresh_token;
  clearInterval(countdown);
  const tick = () => {
    if (tokens.expires_at === undefined) return void ($("expires-in").textContent = "(not given)");
    const left = tokens.expires_at - Math.floor(Date.now() / 1000);
    $("expires-in").textContent = left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : "expired";
  };
  tick();
  countdown = setInterval(tick, 1000);
  show("signed-in");
}

let sessionMode = false;
/** In DPoP mode: the thumbprint of the client's DPoP key, which the provider binds the tokens to. */
let dpopJkt;

async function render(client) {
  if (sessionMode) {
    // The session the client keeps (refreshed first when its access token is about to expire).
    try {
      return await renderSignedIn(await client.getSession());
    } catch (e) {
      if (isOAuthError(e) && e.code === "no_session") return show("signed-out");
      return showError(e);
    }
  }
  const tokens = JSON.parse(sessionStorage.getItem(TOKENS) ?? "null");
  if (tokens) return renderSignedIn(tokens);
  show("signed-out");
}

/**
 * An OpenID Connect client by discovery (its metadata cached for this tab, so a reload makes no request), or
 * a plain OAuth client from explicit endpoints when the config turns discovery off.
 */
async function makeClient(config) {
  const options = {
    clientId: config.clientId,
    redirectUri: `${location.origin}/callback`,
    scope: config.scope,
    extraAuthorizationParams: config.audience ? { audience: config.audience } : {},
    storage: "session",
    session: config.session ? { storage: config.session, leewaySeconds: Number(config.leeway ?? 30) } : null,
    // `?dpop=1`: DPoP-bound tokens, with a key pair kept in IndexedDB (a reload keeps the binding).
    ...(config.dpop && { dpop: await createDpopKey("demo") }),
  };
  if (config.discovery === false || config.discovery === "false") {
    return new OAuthClient({
      ...options,
      authorizationEndpoint: config.authorizationEndpoint,
      tokenEndpoint: config.tokenEndpoint,
      issuer: config.issuer || undefined,
      jwksUri: config.jwksUri || undefined,
    });
  }
  const cached = JSON.parse(sessionStorage.getItem(METADATA) ?? "null");
  if (cached?.issuer === config.issuer) return new OAuthClient({ ...options, ...cached });
  const client = await OAuthClient.discover(config.issuer, options);
  sessionStorage.setItem(METADATA, JSON.stringify(client.metadata));
  return client;
}

async function main() {
  await init();
  const config = await loadConfig();
  $("profile").textContent = config.profile ?? config.issuer ?? "custom";
  let client;
  try {
    client = await makeClient(config);
  } catch (e) {
    return showError(e);
  }
  sessionMode = Boolean(config.session);
  dpopJkt = client.dpopJkt;
  $("use-token").hidden = !sessionMode;
  // The provider's userinfo with the access token (with DPoP: `Authorization: DPoP` and a proof).
  $("userinfo-button").hidden = !client.metadata.userinfoEndpoint;
  $("userinfo-button").addEventListener("click", async () => {
    try {
      const tokens = sessionMode ? await client.getSession() : JSON.parse(sessionStorage.getItem(TOKENS) ?? "null");
      $("userinfo").textContent = JSON.stringify(await client.userinfo(tokens), null, 2);
      $("userinfo").hidden = false;
    } catch (e) {
      showError(e);
    }
  });
  $("refresh").hidden = sessionMode; // the session refreshes itself
  if (sessionMode) {
    client.addEventListener("refreshed", () => {
      localStorage.setItem(SESSION_REFRESHES, String(Number(localStorage.getItem(SESSION_REFRESHES) ?? "0") + 1));
    });
    // A sign-out here or in another tab.
    client.addEventListener("signedout", () => {
      clearInterval(countdown);
      show("signed-out");
    });
    // For the end-to-end tests (and the curious): the access token, as an API call would get it.
    window.demo = { getAccessToken: () => client.getAccessToken() };
    $("use-token").addEventListener("click", async () => {
      try {
        await client.getAccessToken();
        await render(client);
      } catch (e) {
        showError(e);
      }
    });
  }

  const signIn = async () => {
    $("signin").disabled = $("retry").disabled = true;
    try {
      await client.login({ prompt: "consent" });
    } catch (e) {
      showError(e);
    } finally {
      $("signin").disabled = $("retry").disabled = false;
    }
  };
  $("signin").addEventListener("click", signIn);
  $("retry").addEventListener("click", signIn);
  $("signout").addEventListener("click", async () => {
    if (sessionMode) {
      // Revokes the refresh token where the provider can, removes the session, tells the other tabs.
      await client.logout().catch((e) => console.warn("sign-out:", e.code));
      return show("signed-out");
    }
    const tokens = JSON.parse(sessionStorage.getItem(TOKENS) ?? "null");
    clearInterval(countdown);
    sessionStorage.removeItem(TOKENS);
    sessionStorage.removeItem(REFRESHES);
    $("signout").disabled = true;
    // Revoke the refresh token (ends the grant), then sign out at the provider when it supports it.
    if (tokens?.refresh_token && client.metadata.revocationEndpoint) {
      await client.revoke(tokens.refresh_token, { hint: "refresh_token" }).catch((e) => console.warn("revocation failed:", e.code));
    }
    $("signout").disabled = false;
    if (client.metadata.endSessionEndpoint) return location.assign(client.logoutUrl({ postLogoutRedirectUri: `${location.origin}/` }));
    render(client);
  });
  $("refresh").addEventListener("click", async () => {
    const tokens = JSON.parse(sessionStorage.getItem(TOKENS) ?? "null");
    $("refresh").disabled = true;
    try {
      // The whole token set: a new ID token must then name the same user (same iss, sub, aud).
      const fresh = await client.refresh(tokens);
      sessionStorage.setItem(TOKENS, JSON.stringify({ ...fresh, id_token: fresh.id_token ?? tokens.id_token, claims: fresh.claims ?? tokens.claims }));
      sessionStorage.setItem(REFRESHES, String(Number(sessionStorage.getItem(REFRESHES) ?? "0") + 1));
      render(client);
    } catch (e) {
      sessionStorage.removeItem(TOKENS);
      showError(e);
    }
  });

  if (location.pathname === "/callback") {
    try {
      const tokens = await client.handleCallback(); // strips code/state/iss from the address bar
      if (sessionMode) localStorage.setItem(SESSION_REFRESHES, "0");
      else sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
      sessionStorage.setItem(REFRESHES, "0");
      history.replaceState(null, "", "/");
    } catch (e) {
      return showError(e);
    }
  }
  render(client);
}

main().catch(showError);
