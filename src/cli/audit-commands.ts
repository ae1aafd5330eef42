// `guardian audit verify` and `guardian audit anchor` (DESIGN §10, §13): the hash chains recomputed outside
// the database, and their heads written to a file outside it, so that an edit, a deletion or a truncation
// by a superuser is detected. Exit 0 intact, 1 broken.
import type { Command } from 'commander';
import { appendAnchor, formatVerifyReport, readAnchor, verifyAudit } from '../core/audit/verify.js';
import type { Config } from '../core/config.js';
import { GuardianError } from '../core/errors.js';
import type { PersonSession } from '../core/session/person-session.js';
import { resolveCase } from '../core/store/audit-repo.js';

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
    .option('--case <caseId>', "only this case's chain (the whole id, or its first 4+ hex digits)")
    .option('--content <contentId>', "only the chain of the case with this platform content id")
    .option('--anchor <file>', 'also check the chain heads recorded by `guardian audit anchor`')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (o: { case?: string; content?: string; anchor?: string; json?: boolean }) => {
      const anchor = o.anchor ? await readAnchor(o.anchor) : undefined;
      const report = await d.withSession(async (session) => {
        // A short id or a content id is resolved as the audit list resolves it; a whole id is taken as given.
        const resolved = await resolveCase(session.db, { caseId: o.case, contentId: o.content });
        if (resolved && resolved.caseId === null) throw new GuardianError('not_found', `No case ${o.case ?? o.content}.`, { field: o.case ? 'case' : 'content' });
        return verifyAudit(session.db, { caseId: resolved?.caseId, anchor, anchorFile: o.anchor });
      });
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
