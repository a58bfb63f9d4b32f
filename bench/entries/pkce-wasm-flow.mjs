// The pkce-wasm bench entries' shared flow (both entry points have the same client API): the client
// validates the callback (duplicates, state, iss) before the exchange.
export function flow(OAuthClient) {
  let client;
  const get = (cfg) => (client ??= new OAuthClient({ clientId: cfg.clientId, authorizationEndpoint: cfg.authorizationEndpoint, tokenEndpoint: cfg.tokenEndpoint, redirectUri: cfg.redirectUri, scope: cfg.scope, storage: "memory" }));
  return {
    start(cfg) {
      const p = get(cfg).startAuthorization();
      return { url: p.url, state: p.state, pending: p };
    },
    finish: (cfg, callbackUrl, s) => get(cfg).handleCallback(callbackUrl, s.pending),
    refresh: (cfg, tokens) => get(cfg).refresh(tokens.refresh_token),
  };
}
