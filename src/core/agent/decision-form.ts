import { z } from 'zod';
import { AppealOutcome, Decision, Reason } from '../../shared/domain.js';

/** The decision form as JSON Schema: the UI renders it from the interrupt payload. */
export function decisionFormSchema(allowed: string[], appeal: boolean): Record<string, unknown> {
  const base = appeal
    ? z.object({ outcome: AppealOutcome.extract(allowed as ['uphold', 'overturn']), reason: Reason })
    : z.object({
        decision: Decision.extract(allowed as ['approve']),
        reason: Reason,
        policyIds: z.array(z.string()).default([]),
        durationHours: z.number().int().positive().max(24 * 365).optional().describe('ban duration; empty = permanent'),
      });
  return z.toJSONSchema(base, { io: 'input' }) as Record<string, unknown>;
}
