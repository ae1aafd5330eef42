// Every state change a person asks for, in one shape (STYLE: one command, one schema). The IPC contract,
// the core's command path, the outbox and the CLI all derive from these; the database's command functions
// check the same bounds again (resources/db/functions/api), since it is the authority. No actor here: the
// database derives the person from the login.
import { z } from 'zod';
import { AppealOutcome, CommandId, Decision, Reason } from './domain.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const CaseId = z.string().trim().regex(UUID_RE, 'must be a case id (uuid)');
/** Where a command came from (audit provenance only; it grants nothing). */
export const CommandTool = z.enum(['cli', 'ui', 'api']);
export type CommandTool = z.infer<typeof CommandTool>;
export const ExpectedVersion = z.number().int().positive('must be a positive version');
export const MAX_BAN_HOURS = 24 * 365 * 10;
export const PolicyIds = z.array(z.string().trim().min(1).max(64)).max(20);
export const NoteText = z.string().trim().min(1, 'a note cannot be empty').max(5000);

const envelope = { caseId: CaseId, commandId: CommandId, tool: CommandTool.optional() };

/** The fields of each command besides its envelope (case, id, tool). */
export const COMMAND_FIELDS = {
  claim: {},
  release: {},
  decide: {
    expectedVersion: ExpectedVersion.optional(),
    decision: Decision,
    reason: Reason,
    policyIds: PolicyIds.optional(),
    durationHours: z.number().int().positive().max(MAX_BAN_HOURS, `at most ${MAX_BAN_HOURS} hours`).optional(),
  },
  rollback: { expectedVersion: ExpectedVersion.optional(), reason: Reason },
  appeal_decide: { expectedVersion: ExpectedVersion.optional(), outcome: AppealOutcome, reason: Reason },
  note: { text: NoteText },
  request_escalation: { reason: Reason },
} as const;

export const CommandRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('claim'), ...envelope, ...COMMAND_FIELDS.claim }),
  z.object({ type: z.literal('release'), ...envelope, ...COMMAND_FIELDS.release }),
  z.object({ type: z.literal('decide'), ...envelope, ...COMMAND_FIELDS.decide }),
  z.object({ type: z.literal('rollback'), ...envelope, ...COMMAND_FIELDS.rollback }),
  z.object({ type: z.literal('appeal_decide'), ...envelope, ...COMMAND_FIELDS.appeal_decide }),
  z.object({ type: z.literal('note'), ...envelope, ...COMMAND_FIELDS.note }),
  z.object({ type: z.literal('request_escalation'), ...envelope, ...COMMAND_FIELDS.request_escalation }),
]);
export type CommandRequest = z.infer<typeof CommandRequest>;
export type CommandType = CommandRequest['type'];

/** The IPC input of a command: its fields and envelope, without `type` (the channel says it) or `tool`. */
export const ipcInput = <K extends CommandType>(type: K) =>
  z.object({ caseId: CaseId, commandId: CommandId, ...COMMAND_FIELDS[type] }).strict();
