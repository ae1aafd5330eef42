// No electron import: unit-tested under plain Node (test/ui/origin.test.ts).

/**
 * The app's own origin: app://guardian (the built renderer, served by app-protocol.ts), or the dev server's
 * origin in `electron-vite dev`. Nothing else — file:// included — is ours: the renderer never loads from disk.
 */
export function createOriginCheck(rendererUrl: string): (url: string) => boolean {
  const app = new URL(rendererUrl);
  // WHATWG gives a non-special scheme an opaque origin ("null"), so app:// is compared by scheme and host.
  const custom = app.protocol !== 'http:' && app.protocol !== 'https:';
  if (custom && app.protocol !== 'app:') throw new Error(`renderer URL ${rendererUrl}: must be app:// or the dev server's http(s)://`);
  return (url: string) => {
    try {
      const u = new URL(url);
      if (custom) return u.protocol === app.protocol && u.host === app.host && !u.username && !u.password;
      return u.origin === app.origin;
    } catch {
      return false;
    }
  };
}
