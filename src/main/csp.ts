// No electron import: the dev host serves the same policy.
/** Strict CSP: no inline script, no eval, no remote code; the same policy is in index.html's meta tag. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `electron-vite dev` only (never packaged): Vite's HMR client and React Refresh's inline preamble need
 * an inline script and a WebSocket to the dev server.
 */
export const DEV_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
  "connect-src 'self'",
  "connect-src 'self' ws://localhost:* ws://127.0.0.1:*",
);
