import type { ActionKind } from '../../shared/domain.js';

/** DESIGN §7: the body POSTed to `{PLATFORM_URL}/actions`. Stable public contract. */
export interface PlatformAction {
  actionId: string;
  kind: ActionKind;
  contentId: string;
  authorId: string;
  caseId: string;
  reason: string;
  durationHours?: number;
}

export type PlatformResult = { ok: true; alreadyDone: boolean; attempts: number } | { ok: false; permanent: true; error: string; attempts: number };

/** Port to the moderated platform. Implementations are idempotent by actionId. */
export interface Platform {
  readonly name: string;
  execute(action: PlatformAction): Promise<PlatformResult>;
}
