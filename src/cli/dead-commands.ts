// `guardian dead list|show|replay|discard` (issue 15, DESIGN §13): the dead letters the worker took from
// guardian.dead into the database, for admins (the database refuses anyone else: exit 4). A replay is a
// request the worker carries out (status accepted; `dead show` says when it was replayed); a discard is done
// at once. --json prints what the app's console reads.
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Core } from '../core/core.js';
import type { PersonSession } from '../core/session/person-session.js';
import { DeadLetterState, type DeadLetterActionResult, type DeadLetterSummary } from '../shared/dead-letters.js';

interface Deps {
  withSession<T>(fn: (session: PersonSession, core: Core) => Promise<T>): Promise<T>;
  out(s: string): void;
  err(s: string): void;
  json(v: unknown): void;
}

const ids = (v: string, prev: number[] = []) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${v}" is not a dead letter id`);
  return [...prev, n];
};
const parseIds = (list: string[]) => list.reduce<number[]>((acc, v) => ids(v, acc), []);

const line = (d: DeadLetterSummary) =>
  `${String(d.id).padStart(6)}  ${d.state.padEnd(9)}${d.state === 'pending' && d.replayRequestedAt ? ' (replay on its way)' : ''} ${d.sourceQueue} ${d.routingKey || '-'} ${d.bodyBytes} B  ${d.reason}`;

function printAction(r: DeadLetterActionResult, d: Deps, asJson: boolean) {
  if (asJson) return d.json(r);
  const verb = r.action === 'replay' ? (r.status === 'applied' ? 'replayed' : 'replay requested (the worker carries it out)') : 'discarded';
  d.out(`${r.duplicate ? 'already recorded: ' : ''}${verb}: ${r.ids.length ? r.ids.join(', ') : 'none'}`);
  for (const s of r.skipped) d.err(`skipped ${s.id}: ${s.why}`);
}

export function registerDeadCommands(program: Command, d: Deps): void {
  const dead = program.command('dead').description('dead letters: list, show, replay to their source, discard (admins)');
  dead
    .command('list')
    .addOption(new Option('--state <state>', 'pending (default), replayed, discarded or all').choices([...DeadLetterState.options, 'all']))
    .option('--limit <n>', 'at most this many (default 200)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('--limit must be 1 to 1000');
      return n;
    })
    .option('--json', 'print JSON on stdout')
    .action(async (o: { state?: string; limit?: number; json?: boolean }) => {
      const state = o.state === 'all' ? null : ((o.state ?? 'pending') as DeadLetterState);
      const list = await d.withSession((s) => s.deadLetters.list({ state, limit: o.limit }));
      if (o.json) return d.json(list);
      for (const x of list) d.out(line(x));
      d.err(`${list.length} dead letter(s)`);
    });
  dead
    .command('show')
    .argument('<id>')
    .option('--json', 'print JSON on stdout (the body as text and as base64, the headers)')
    .action(async (id: string, o: { json?: boolean }) => {
      const x = await d.withSession((s) => s.deadLetters.get(ids(id)[0]!));
      if (o.json) return d.json(x);
      d.out(line(x));
      d.out(`message id: ${x.messageId ?? '-'}; attempts ${x.attempts}; replays before ${x.replays}; first seen ${x.firstSeen}; seen ${x.timesSeen} time(s)`);
      if (x.replayRequestedBy) d.out(`replay asked for by ${x.replayRequestedBy} at ${x.replayRequestedAt}`);
      if (x.doneAt) d.out(`${x.state} at ${x.doneAt}${x.doneBy ? ` (${x.doneBy})` : ''}`);
      d.out(`headers: ${JSON.stringify(x.headers)}`);
      d.out(`body (${x.bodyBytes} bytes${x.bodyTruncated ? ', only an excerpt kept' : ''}${x.bodyIsUtf8 ? '' : ', not UTF-8'}):`);
      d.out(x.body);
    });
  for (const action of ['replay', 'discard'] as const)
    dead
      .command(action)
      .description(action === 'replay' ? 'send dead letters back to their source (the worker does it)' : 'discard dead letters')
      .argument('<ids...>')
      .option('--command-id <id>', 'idempotency key (default: a new random id)')
      .option('--json', 'print JSON on stdout')
      .action(async (list: string[], o: { commandId?: string; json?: boolean }) => {
        const r = await d.withSession(async (s, core) => {
          const res = await s.deadLetters[action](parseIds(list), o.commandId ?? randomUUID());
          // Standalone: this process is the worker too; carry the replay out before exiting.
          if (core.mode === 'standalone' && action === 'replay' && res.status === 'accepted') {
            await core.worker?.deadLetters?.replayNow();
            await core.drain();
            const after = await Promise.all(res.ids.map((i) => s.deadLetters.get(i)));
            if (after.every((x) => x.state === 'replayed')) return { ...res, status: 'applied' as const };
          }
          return res;
        });
        printAction(r, d, !!o.json);
      });
}
