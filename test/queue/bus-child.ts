// A process holding one broker connection as a workstation's main process does (lazy, checking the
// topology, a publisher and the live events subscription), for tests that cut the
// broker off while it works. Says `up` / `down` on stdout as the connection's state changes; stderr has
// its logs. Stays until stdin closes.
import { createLogger } from '../../src/core/log.js';
import { createAmqpBus } from '../../src/core/queue/amqp-bus.js';

const logger = createLogger({ level: 'info' });
const bus = createAmqpBus({ url: process.env.AMQP_URL!, logger, lazy: true, declare: false, heartbeatSeconds: 1 });
bus.onStateChange((s) => process.stdout.write(`${s}\n`));
await bus.start();
await bus.subscribeEvents(() => {});
process.stdin.resume();
process.stdin.on('end', () => void bus.close().then(() => process.exit(0)));
