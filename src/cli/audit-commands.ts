// `guardian audit verify` and `guardian audit anchor` (DESIGN §10, §13): the hash chains recomputed outside
// the database, and their heads written to a file outside it, so that an edit, a deletion or a truncation
// by a superuser is detected. Exit 0 intact, 1 broken.
import type { Command } from 'commander';
import { appendAnchor, formatVerifyReport, readAnchor, verifyAudit } from '../core/audit/verify.js';
import type { Config } from '../core/config.js';
import { GuardianError } from '../core/errors.js';
import type { PersonSession } from '../core/session/person-session.js';

interface Deps {
  withSession<T>(fn: (session: PersonSession, config: Config) => Promise<T>): Promise<T>;
  out(s: string): void;
  err(s: string): void;
  json(v: unknown): void;
}

export function registerAuditCommands(audit: Command, d: Deps): void {
  audit
    .command('verify')
    .description('recompute every hash chain and name the first broken event (exit 0 intact, 1 broken)')
    .option('--case <caseId>', "only this case's chain")
    .option('--anchor <file>', 'also check the chain heads recorded by `guardian audit anchor`')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (o: { case?: string; anchor?: string; json?: boolean }) => {
      const anchor = o.anchor ? await readAnchor(o.anchor) : undefined;
      const report = await d.withSession((session) => verifyAudit(session.db, { caseId: o.case, anchor, anchorFile: o.anchor }));
      if (o.json) d.json(report);
      else d.out(formatVerifyReport(report));
      if (!report.ok) throw new GuardianError('internal', report.firstBroken?.message ?? 'the audit log is broken');
    });
  audit
    .command('anchor')
    .description('append the current chain heads to FILE (keep it outside the database)')
    .argument('<file>')
    .action(async (file: string) => {
      const entry = await d.withSession((session) => appendAnchor(session.db, file));
      d.err(`anchored ${entry.heads.length} chain head(s) at ${entry.at} in ${file}`);
    });
}
