import type { ActionKind } from '../../shared/domain.js';
import type { StatementOfReasons } from '../../shared/statement.js';

/** DESIGN §7: the body POSTed to `{PLATFORM_URL}/actions`. Stable public contract. */
export interface PlatformAction {
  actionId: string;
  kind: ActionKind;
  contentId: string;
  authorId: string;
  caseId: string;
  reason: string;
  durationHours?: number;
  /**
   * Added (issue 15), additive: the statement of reasons the author receives (EU DSA Art. 17), on the
   * actions of a decision that restricts something (warn_user, remove_content, ban_user); never on reversals.
   */
  statement?: StatementOfReasons;
}

export type PlatformResult = { ok: true; alreadyDone: boolean; attempts: number } | { ok: false; permanent: true; error: string; attempts: number };

/** Port to the moderated platform. Implementations are idempotent by actionId. */
export interface Platform {
  readonly name: string;
  execute(action: PlatformAction): Promise<PlatformResult>;
}
