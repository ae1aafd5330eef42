// The renderer's own scheme, app://guardian/ (DESIGN §10: not file://, so the grantFileProtocolExtraPrivileges
// fuse is off). No electron import: index.ts hands this to protocol.handle, and test/ui/app-protocol.test.ts
// drives it under plain Node with real Request objects and a real directory.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'guardian';
/** The page the window loads. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface AppProtocolOptions {
  /** The built renderer (out/renderer). */
  root: string;
  /** The strict CSP (csp.ts), sent on every response, errors included. */
  csp: string;
  host?: string;
}

/**
 * request → response for app://guardian/…: only files under `root`, only GET/HEAD, 404 for anything that
 * names a path outside it (`..`, `%2e%2e`, an encoded separator, a drive or an absolute path) or another host.
 * A navigation to an extension-less path (a client-side route) gets index.html; a missing asset stays a 404.
 */
export function createAppProtocolHandler(o: AppProtocolOptions): (request: Request) => Promise<Response> {
  const root = path.resolve(o.root);
  const host = o.host ?? APP_HOST;
  const headers = (contentType: string, length?: number): Headers => {
    const h = new Headers({
      'Content-Type': contentType,
      'Content-Security-Policy': o.csp,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    if (length !== undefined) h.set('Content-Length', String(length));
    return h;
  };
  const refuse = (status: number, text: string) => new Response(text, { status, headers: headers('text/plain; charset=utf-8') });

  const serve = async (file: string, head: boolean): Promise<Response | null> => {
    try {
      const s = await stat(file);
      if (!s.isFile()) return null;
      const body = head ? null : await readFile(file);
      return new Response(body, { status: 200, headers: headers(contentTypeFor(file), s.size) });
    } catch {
      return null;
    }
  };

  return async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Method Not Allowed');
    const segments = requestSegments(request.url, host);
    if (!segments) return refuse(404, 'Not Found');
    const relative = segments.length === 0 || segments.at(-1) === '' ? [...segments.filter(Boolean), 'index.html'] : segments;
    const file = path.resolve(root, ...relative);
    // Belt and braces after the segment checks: the resolved file must be inside root.
    if (file !== root && !file.startsWith(root + path.sep)) return refuse(404, 'Not Found');
    const head = request.method === 'HEAD';
    const found = await serve(file, head);
    if (found) return found;
    if (path.extname(relative.at(-1)!) === '' && isNavigation(request)) {
      const index = await serve(path.join(root, 'index.html'), head);
      if (index) return index;
    }
    return refuse(404, 'Not Found');
  };
}

/** The decoded path segments of an app://HOST/ URL, or null when it is not ours or not a plain relative path. */
function requestSegments(url: string, host: string): string[] | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== host || u.username || u.password) return null;
  // The raw text too: WHATWG parsing already folds `..` and `%2e%2e` segments, but a request that tried is refused.
  const start = url.indexOf('/', url.indexOf('://') + 3);
  const rawPath = start < 0 ? '' : url.slice(start).split(/[?#]/, 1)[0]!;
  if (/(^|\/|\\)(\.|%2e){1,2}(\/|\\|$)/i.test(rawPath)) return null;
  const parts = u.pathname.split('/').slice(1);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    let seg: string;
    try {
      seg = decodeURIComponent(parts[i]!);
    } catch {
      return null;
    }
    // An empty segment is allowed only last (a trailing slash): `//etc/passwd` is an absolute path.
    if (seg === '' && i !== parts.length - 1) return null;
    if (seg === '.' || seg === '..' || /[/\\:\0]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

function isNavigation(request: Request): boolean {
  const mode = request.headers.get('sec-fetch-mode');
  if (mode) return mode === 'navigate';
  return (request.headers.get('accept') ?? '').includes('text/html');
}
