// One raw contract message over the dev host WebSocket, sent from inside the page (its origin): what a
// script on the page could do, around the UI.
import type { Page } from '@playwright/test';

/** Resolves with the command's result, or `{ refused: true }` when the dev host refuses the socket. */
export function rawCommand(page: Page, wsUrl: string, name: string, input: unknown) {
  return page.evaluate(
    ({ wsUrl, name, input }) =>
      new Promise<unknown>((resolve) => {
        const ws = new WebSocket(wsUrl);
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, name, input }));
        ws.onmessage = (m) => {
          const msg = JSON.parse(String(m.data));
          if (msg.id === 1) {
            ws.close();
            resolve(msg.result);
          }
        };
        ws.onerror = () => resolve({ refused: true });
      }),
    { wsUrl, name, input },
  );
}

/** The dev host WebSocket URL of a page's own seat (token from the page URL, seat from its sessionStorage). */
export async function ownSocket(page: Page): Promise<string> {
  return page.evaluate(() => {
    const ws = new URL('/ws', location.href);
    ws.protocol = 'ws:';
    ws.search = new URLSearchParams({ token: new URLSearchParams(location.search).get('token') ?? '', seat: sessionStorage.getItem('guardian.seat') ?? '' }).toString();
    return ws.toString();
  });
}
