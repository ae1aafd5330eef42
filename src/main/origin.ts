// No electron import: unit-tested under plain Node (test/ui/origin.test.ts).

/** The app's own origin: the packaged file:// page, or the dev server in `electron-vite dev`. */
export function createOriginCheck(rendererUrl: string): (url: string) => boolean {
  const app = new URL(rendererUrl);
  return (url: string) => {
    try {
      const u = new URL(url);
      if (app.protocol === 'file:') return u.protocol === 'file:' && u.pathname === app.pathname;
      return u.origin === app.origin;
    } catch {
      return false;
    }
  };
}
