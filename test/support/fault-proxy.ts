import net from 'node:net';

export type FaultMode = 'pass' | 'blackhole' | 'reset' | { latencyMs: number };

export interface FaultProxy {
  /** host:port clients connect to */
  readonly port: number;
  /** The upstream URL with host and port replaced by the proxy's (postgres://…, amqp://…). */
  url(upstreamUrl: string): string;
  mode(): FaultMode;
  /**
   * pass: forward; blackhole: keep every socket open but deliver nothing (bytes are held and delivered
   * on heal, as TCP would retransmit them), and accept new connections without connecting them upstream
   * until the route heals (what a dead route looks like); reset: RST every connection,
   * now and as they arrive (a refused/crashed server); latency: forward each chunk late.
   */
  set(mode: FaultMode): void;
  connections(): number;
  /** Connections accepted since start (each refused/reset attempt counts too). */
  accepted(): number;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
  /** Bytes held back while blackholed, delivered in order when the route heals (as TCP retransmits). */
  held: Array<() => void>;
}

/** A TCP proxy between the code under test and PostgreSQL or RabbitMQ, for fault-injection tests. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  const pairs = new Set<Pair>();

  const kill = (p: Pair) => {
    p.client.resetAndDestroy();
    p.upstream?.resetAndDestroy();
    pairs.delete(p);
  };

  const forward = (p: Pair, from: net.Socket, to: () => net.Socket | undefined) => {
    from.on('data', (chunk) => {
      const send = () => {
        const dest = to();
        if (dest && !dest.destroyed) dest.write(chunk);
      };
      if (mode === 'blackhole' || p.held.length) {
        p.held.push(send);
        return;
      }
      if (typeof mode === 'object') {
        from.pause();
        setTimeout(() => {
          send();
          from.resume();
        }, mode.latencyMs);
      } else send();
    });
  };

  const connectUpstream = (p: Pair) => {
    const up = net.connect(target.port, target.host);
    p.upstream = up;
    up.on('error', () => kill(p));
    up.on('close', () => kill(p));
    forward(p, up, () => p.client);
    forward(p, p.client, () => p.upstream);
  };

  let acceptedCount = 0;
  const server = net.createServer((client) => {
    acceptedCount++;
    const p: Pair = { client, held: [] };
    pairs.add(p);
    client.on('error', () => kill(p));
    client.on('close', () => kill(p));
    if (mode === 'reset') return kill(p);
    if (mode === 'blackhole') {
      // Connect upstream only when the route heals; until then the client hears nothing.
      const heal = setInterval(() => {
        if (client.destroyed) return clearInterval(heal);
        if (mode !== 'blackhole') {
          clearInterval(heal);
          if (mode === 'reset') kill(p);
          else connectUpstream(p);
        }
      }, 50);
      return;
    }
    connectUpstream(p);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url(upstreamUrl) {
      const u = new URL(upstreamUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    mode: () => mode,
    set(m) {
      mode = m;
      if (m === 'reset') for (const p of [...pairs]) kill(p);
      else if (m !== 'blackhole')
        for (const p of pairs) {
          const held = p.held.splice(0);
          for (const send of held) send();
        }
    },
    connections: () => pairs.size,
    accepted: () => acceptedCount,
    async close() {
      for (const p of [...pairs]) kill(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
