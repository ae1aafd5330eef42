import net from 'node:net';

/**
 * A TCP proxy in front of RabbitMQ that can lose a publisher confirm: armed, it forwards the client's bytes
 * up to and including the next `basic.publish` (its method frame and the content frames after it, so the
 * broker gets the whole message), then blackholes the link both ways — the broker's confirm never
 * arrives — and holds new connections unconnected until heal(). What a link dying right after the publish
 * frame looks like to a client.
 */
export interface ConfirmProxy {
  port: number;
  url(upstreamUrl: string): string;
  /** Blackhole right after the next basic.publish; resolves when it happened. */
  armAfterNextPublish(): Promise<void>;
  heal(): void;
  close(): Promise<void>;
}

const FRAME_METHOD = 1;
const FRAME_END = 0xce;

export async function startConfirmProxy(target: { host: string; port: number }): Promise<ConfirmProxy> {
  let blackholed = false;
  let armed: (() => void) | undefined;
  const sockets = new Set<net.Socket>();
  const waitingForHeal = new Set<() => void>();

  const everything = new Set<net.Socket>();
  const server = net.createServer((client) => {
    everything.add(client);
    client.on('close', () => everything.delete(client));
    client.on('error', () => {});
    const connect = () => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      const up = net.connect(target.port, target.host);
      sockets.add(up);
      everything.add(up);
      up.on('close', () => everything.delete(up));
      up.on('error', () => client.destroy());
      up.on('close', () => {
        sockets.delete(up);
        client.destroy();
      });
      client.on('close', () => up.destroy());
      up.on('data', (chunk) => {
        if (!blackholed) client.write(chunk);
      });
      // Client → broker: parse frames, so that the cut comes exactly after a whole published message.
      let buf = Buffer.alloc(0);
      let headerSkipped = false;
      let afterPublish = false;
      client.on('data', (chunk) => {
        if (blackholed) return;
        buf = Buffer.concat([buf, chunk]);
        if (!headerSkipped) {
          if (buf.length < 8) return;
          up.write(buf.subarray(0, 8));
          buf = buf.subarray(8);
          headerSkipped = true;
        }
        while (buf.length >= 7) {
          const size = buf.readUInt32BE(3);
          if (buf.length < 8 + size) break;
          const type = buf[0]!;
          const frame = buf.subarray(0, 8 + size);
          const isPublish = type === FRAME_METHOD && size >= 4 && frame.readUInt16BE(7) === 60 && frame.readUInt16BE(9) === 40;
          // The message is complete once a frame other than its header/body frames (types 2, 3) follows.
          if (afterPublish && type !== 2 && type !== 3) {
            afterPublish = false;
            blackholed = true;
            const done = armed!;
            armed = undefined;
            done();
            return;
          }
          if (frame[7 + size] !== FRAME_END) {
            client.destroy();
            return;
          }
          up.write(frame);
          buf = buf.subarray(8 + size);
          if (isPublish && armed) afterPublish = true;
        }
        // A lone publish with nothing after it: cut once its content went through (header + body sent).
        if (afterPublish && buf.length === 0) {
          afterPublish = false;
          blackholed = true;
          const done = armed!;
          armed = undefined;
          done();
        }
      });
    };
    if (blackholed) {
      const go = () => {
        waitingForHeal.delete(go);
        if (!client.destroyed) connect();
      };
      waitingForHeal.add(go);
    } else connect();
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
    armAfterNextPublish: () => new Promise<void>((resolve) => (armed = resolve)),
    heal() {
      if (!blackholed) return;
      blackholed = false;
      // The blackholed connections are dead to their clients (heartbeats): end them; new ones go through.
      for (const s of [...sockets]) s.destroy();
      for (const go of [...waitingForHeal]) go();
    },
    async close() {
      waitingForHeal.clear();
      for (const s of [...everything]) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
