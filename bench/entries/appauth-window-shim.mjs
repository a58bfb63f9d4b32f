// @openid/appauth's DefaultCrypto reads `window.crypto` when it loads; outside a browser, point it at the
// platform's WebCrypto. A no-op in browsers.
globalThis.window ??= { crypto: globalThis.crypto };
