import type { Bus } from '../queue/bus.js';
import { demoMessages } from './demo-content.js';

/**
 * `guardian demo` and the standalone first run: publishes demo content to moderation.ingest, as the
 * platform would. No demo people: in connected mode nobody well-known can log in (DESIGN §10), and in
 * standalone mode the one local person holds every role.
 */
export async function seedDemo(bus: Bus): Promise<number> {
  const messages = demoMessages();
  for (const m of messages) await bus.publishIngest('content.submitted', m, { messageId: m.contentId });
  return messages.length;
}
