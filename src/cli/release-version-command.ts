// `guardian release require-version V` (issue 13): the team's minimum client version, held by the database
// (api.set_minimum_version, admins only, audited as release.minimum_version). A person's command from an
// older client is then refused with `update_required` (CLI exit 5) and changes nothing; reading still works.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { GuardianError } from '../core/errors.js';
import type { PersonSession } from '../core/session/person-session.js';
import { dbCall } from '../core/store/db-errors.js';

interface Deps {
  withSession<T>(fn: (session: PersonSession) => Promise<T>): Promise<T>;
  out(s: string): void;
  err(s: string): void;
  json(v: unknown): void;
}

type SetAnswer =
  | { outcome: 'applied'; duplicate: boolean; minimumVersion: string | null; previous: string | null }
  | { outcome: 'rejected'; duplicate: boolean; error: { code: GuardianError['code']; message: string; details?: Record<string, unknown> } };

export function registerRequireVersion(release: Command, d: Deps): Command {
  return release
    .command('require-version')
    .description("the minimum client version people's commands need (admins): an older client is refused (exit 5) until it is updated")
    .argument('[version]', 'the minimum, e.g. 0.2.0 (major.minor.patch, optionally -prerelease)')
    .option('--show', 'print the current minimum instead of setting it')
    .option('--clear', 'remove the minimum (every client may send commands again)')
    .option('--command-id <id>', 'the idempotency key: the same id again returns the first outcome (default: a new one)')
    .option('--json', 'print { minimumVersion, previous } (with --show: { minimumVersion, setAt, clientVersion, current }) on stdout')
    .action(async (version: string | undefined, o: { show?: boolean; clear?: boolean; commandId?: string; json?: boolean }) => {
      const modes = [version !== undefined, !!o.show, !!o.clear].filter(Boolean).length;
      if (modes !== 1)
        throw new GuardianError('invalid_input', 'version: give the minimum version (e.g. 0.2.0), or --show, or --clear (one of them)');

      if (o.show) {
        const r = await d.withSession((session) =>
          dbCall(() => session.db.query<{ r: { minimumVersion: string | null; setAt: string | null; clientVersion: string | null; current: boolean } }>('SELECT api.minimum_version() AS r')),
        );
        const m = r.rows[0]!.r;
        if (o.json) return d.json(m);
        if (!m.minimumVersion) return d.out('no minimum version: every client may send commands');
        return d.out(
          `minimum version: ${m.minimumVersion} (set ${m.setAt}); this client (${m.clientVersion ?? 'no version'}) ${m.current ? 'is current' : 'must be updated to send commands'}`,
        );
      }

      const commandId = o.commandId ?? `minimum-version-${randomUUID()}`;
      const r = await d.withSession((session) =>
        dbCall(() =>
          session.db.query<{ r: SetAnswer }>("SELECT api.set_minimum_version(p_version => $1, p_command_id => $2, p_tool => 'cli') AS r", [
            o.clear ? null : version,
            commandId,
          ]),
        ),
      );
      const a = r.rows[0]!.r;
      if (a.outcome === 'rejected') throw new GuardianError(a.error.code, a.error.message, a.error.details);
      if (o.json) return d.json({ minimumVersion: a.minimumVersion, previous: a.previous });
      d.out(
        a.minimumVersion
          ? `minimum version is now ${a.minimumVersion} (was ${a.previous ?? 'none'})${a.duplicate ? ', already recorded' : ''}: commands from older clients are refused until they update`
          : `no minimum version now (was ${a.previous ?? 'none'})${a.duplicate ? ', already recorded' : ''}`,
      );
    });
}
