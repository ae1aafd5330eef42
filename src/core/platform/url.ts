/**
 * PLATFORM_URL's transport rule (issue 12): requests carry the moderation decisions and their signature, so
 * they go over https. Plain http is allowed only to a loopback address (127.0.0.0/8, [::1]) — a local
 * platform stand-in or a TLS-terminating sidecar on the same host — with no extra setting. Names are not
 * resolved here: `localhost` is a name (it could resolve elsewhere), so it needs https like any other.
 */
export function isLoopbackHost(hostname: string): boolean {
  // WHATWG URL parsing normalises IPv4 (127.1, 2130706433 → 127.0.0.1) and IPv6 ([0:0::1] → [::1]).
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) || hostname === '[::1]';
}

/** Why the URL cannot be the platform's webhook base URL, or undefined when it can. */
export function platformUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be a URL starting with https://';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:')
    return isLoopbackHost(u.hostname)
      ? undefined
      : `must use https:// (plain http:// is allowed only to a loopback address, 127.0.0.0/8 or [::1]; got http://${u.host})`;
  return 'must be a URL starting with https://';
}
