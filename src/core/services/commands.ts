// The person command path, as a thin typed caller (DESIGN §10): each command is one SECURITY DEFINER
// function in the database (resources/db/functions/api), which derives the person from the login and
// checks role, four-eyes, claim and version, writing the command and its audit in one transaction. What is
// left here: validate the shape early (the same zod schema the IPC contract uses), call the function with
// named arguments, turn its answer into a result or a typed error, and publish the job hint the worker
// waits for (after commit; a job is only a hint, the worker re-reads the command).
import { z } from 'zod';
import { CommandRequest } from '../../shared/commands.js';
import type { CommandResult } from '../api.js';
import { GuardianError, invalidInput } from '../errors.js';
import type { Logger } from '../ports.js';
import { backoffMs, type WorkQueue } from '../queue/bus.js';
import { caseRowFromJson, toSummary, type CaseRow } from '../store/cases-repo.js';
import { dbCall } from '../store/db-errors.js';
import type { Queryable } from '../store/db.js';

export interface CommandClientOptions {
  db: Queryable;
  logger: Logger;
  claimMinutes: number;
  publishJob: (queue: WorkQueue, body: object) => Promise<void>;
  /** After a command changed a case: this process's own live update (other processes hear the database's). */
  onCaseChanged?: (row: CaseRow) => void;
}

interface FunctionAnswer {
  outcome: 'accepted' | 'applied' | 'rejected';
  duplicate: boolean;
  job?: WorkQueue | null;
  case?: Record<string, unknown>;
  error?: { code: GuardianError['code']; message: string; details?: Record<string, unknown> };
}

/** One call per command type: the function and its named arguments. */
function callOf(cmd: CommandRequest, claimMinutes: number): { sql: string; params: unknown[] } {
  const tool = cmd.tool ?? 'api';
  const named = (fn: string, args: Record<string, unknown>) => {
    const names = Object.keys(args);
    return { sql: `SELECT api.${fn}(${names.map((n, i) => `${n} => $${i + 1}`).join(', ')}) AS r`, params: Object.values(args) };
  };
  const base = { p_case_id: cmd.caseId, p_command_id: cmd.commandId };
  switch (cmd.type) {
    case 'claim':
      return named('claim_case', { ...base, p_minutes: claimMinutes, p_tool: tool });
    case 'release':
      return named('release_case', { ...base, p_tool: tool });
    case 'decide':
      return named('decide_case', {
        ...base,
        p_decision: cmd.decision,
        p_reason: cmd.reason,
        p_policy_ids: cmd.policyIds ?? null,
        p_duration_hours: cmd.durationHours ?? null,
        p_expected_version: cmd.expectedVersion ?? null,
        p_tool: tool,
      });
    case 'appeal_decide':
      return named('decide_appeal', { ...base, p_outcome: cmd.outcome, p_reason: cmd.reason, p_expected_version: cmd.expectedVersion ?? null, p_tool: tool });
    case 'rollback':
      return named('rollback_case', { ...base, p_reason: cmd.reason, p_expected_version: cmd.expectedVersion ?? null, p_tool: tool });
    case 'note':
      return named('add_note', { ...base, p_text: cmd.text, p_tool: tool });
    case 'request_escalation':
      return named('request_escalation', { ...base, p_reason: cmd.reason, p_tool: tool });
  }
}

export function parseCommand(input: unknown): CommandRequest {
  const parsed = CommandRequest.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw invalidInput(`${i.path.join('.') || 'command'}: ${i.message}`, {
      issues: parsed.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message })),
    });
  }
  return parsed.data;
}

export function createCommandClient(o: CommandClientOptions) {
  let stopping = false;

  /** A confirm that never came means "unknown": resend by id until one is confirmed (the job is idempotent). */
  async function publishUntilConfirmed(queue: WorkQueue, body: { commandId: string; caseId: string }) {
    try {
      await o.publishJob(queue, body);
      return;
    } catch (err) {
      o.logger.warn({ commandId: body.commandId, err: (err as Error).message }, 'job hint not confirmed; resending in the background');
    }
    void (async () => {
      for (let attempt = 2; !stopping; attempt++) {
        await new Promise((r) => setTimeout(r, backoffMs(attempt, 500, 15_000)).unref());
        if (stopping) return;
        try {
          await o.publishJob(queue, body);
          o.logger.info({ commandId: body.commandId, attempt }, 'job hint resent and confirmed');
          return;
        } catch {
          // still unreachable: keep trying (the worker's recovery sweep also finds the command)
        }
      }
    })();
  }

  async function execute(input: CommandRequest): Promise<CommandResult> {
    const cmd = parseCommand(input);
    const { sql, params } = callOf(cmd, o.claimMinutes);
    const { rows } = await dbCall(() => o.db.query<{ r: FunctionAnswer }>(sql, params));
    const a = rows[0]!.r;
    if (a.outcome === 'rejected') {
      const e = a.error ?? { code: 'internal' as const, message: 'rejected' };
      throw new GuardianError(e.code, e.message, { ...e.details, ...(a.duplicate ? { duplicate: true } : {}) });
    }
    const row = caseRowFromJson(a.case!);
    if (!a.duplicate) o.onCaseChanged?.(row);
    // A duplicate that is still only accepted may be a resend after a lost COMMIT reply: its job hint may
    // never have gone out, so it goes out again (the worker applies a command once, whatever the hints).
    if (a.job && a.outcome === 'accepted') await publishUntilConfirmed(a.job, { commandId: cmd.commandId, caseId: cmd.caseId });
    return { commandId: cmd.commandId, status: a.outcome, duplicate: a.duplicate, case: toSummary(row) };
  }

  return {
    execute,
    stop() {
      stopping = true;
    },
  };
}

export type CommandClient = ReturnType<typeof createCommandClient>;
export const CommandRequestSchema: z.ZodType<CommandRequest> = CommandRequest;
