import { create } from 'zustand';
import type { AppealOutcome, CaseView, CommandOutcome, ContractError, Decision } from '../lib/contract-types';
import { api, newCommandId } from '../lib/api';
import { generation } from './generation';
import { useOutbox } from './outbox';
import { useSession } from './session';
import { useDraft } from './draft';

/** A decision as the form makes it: a case decision or an appeal outcome. */
export type HeldDecision =
  | { kind: 'decide'; decision: Decision; reason: string; policyIds?: string[]; durationHours?: number }
  | { kind: 'appeal'; outcome: AppealOutcome; reason: string };

export const heldLabel = (d: HeldDecision) => (d.kind === 'appeal' ? `Appeal ${d.outcome}` : `Decision ${d.decision}`);

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
  error?: ContractError;
}

interface CaseSlice {
  caseId?: string;
  detail?: CaseView;
  loading: boolean;
  loadError?: ContractError;
  busy: boolean;
  notice?: Notice;
  open(caseId: string | undefined): Promise<void>;
  refresh(): Promise<void>;
  claim(): Promise<boolean>;
  release(): Promise<boolean>;
  decide(input: { decision: Decision; reason: string; policyIds?: string[]; durationHours?: number }): Promise<boolean>;
  appealDecide(input: { outcome: AppealOutcome; reason: string }): Promise<boolean>;
  rollback(reason: string): Promise<boolean>;
  note(text: string): Promise<boolean>;
  /**
   * Sends a decision made earlier on a case that may no longer be the open one (the undo window held it):
   * with the version it was decided on and its own command id. The open case shows the outcome as usual;
   * for another case the outcome is returned (the held-decision bar and the outbox show it).
   */
  sendHeld(target: { caseId: string; version: number; commandId: string }, d: HeldDecision): Promise<{ ok: true; value: CommandOutcome } | { ok: false; error: ContractError }>;
  clearNotice(): void;
  /** Closes the case and forgets it (another person signs in here). */
  reset(): void;
}

// A retry after "unavailable" reuses the command id, so a command that did arrive is applied once.
let retryId: string | undefined;
const commandId = () => retryId ?? (retryId = newCommandId());

export const useCase = create<CaseSlice>((set, get) => {
  async function run(label: string, fn: (meta: { caseId: string; commandId: string; expectedVersion?: number }) => Promise<{ ok: true; value: CommandOutcome } | { ok: false; error: ContractError }>) {
    const d = get().detail;
    if (!d || get().busy) return false;
    set({ busy: true, notice: undefined });
    const g = generation();
    const r = await fn({ caseId: d.id, commandId: commandId(), expectedVersion: d.version });
    // The person signed out meanwhile: the outcome is theirs (in their outbox), not the next person's.
    if (g !== generation()) return false;
    if (r.ok || r.error.code !== 'unavailable') retryId = undefined;
    const okText = (v: CommandOutcome) =>
      v.status === 'pending'
        ? `${label}: saved in the outbox — it will be delivered once the servers can be reached`
        : `${label}: ${v.duplicate ? 'already recorded' : v.status}`;
    set({ busy: false, notice: r.ok ? { kind: 'ok', text: okText(r.value) } : { kind: 'error', text: r.error.message, error: r.error } });
    // The outbox also pushes its changes; reloading here keeps it right even if a push was missed.
    if (useSession.getState().session?.outbox) void useOutbox.getState().load();
    await get().refresh();
    return r.ok;
  }
  return {
    loading: false,
    busy: false,
    async open(caseId) {
      if (caseId === get().caseId && get().detail) {
        set({ notice: undefined });
        return;
      }
      retryId = undefined;
      set({ caseId, detail: undefined, notice: undefined, loadError: undefined });
      if (caseId) await get().refresh();
    },
    async refresh() {
      const id = get().caseId;
      if (!id) return;
      set({ loading: true });
      const g = generation();
      const r = await api.call('case:get', { caseId: id });
      if (get().caseId !== id || g !== generation()) return;
      const before = get().detail;
      // A confirmation belongs to the step it confirmed: drop it once the case has moved on to another review.
      const movedOn = r.ok && before && get().notice?.kind === 'ok' && (before.level !== r.value.level || before.reviewKind !== r.value.reviewKind);
      // A login the database refuses now (disabled) keeps the case in view with the refusal: the seat's banner
      // says what it means, and whatever the person tries next is refused in words too.
      if (!r.ok && before && r.error.details?.reason === 'login_refused') return set({ loading: false, notice: { kind: 'error', text: r.error.message, error: r.error } });
      set(r.ok ? { detail: r.value, loading: false, loadError: undefined, ...(movedOn ? { notice: undefined } : {}) } : { loading: false, loadError: r.error });
    },
    claim: () => run('Claimed', (m) => api.call('case:claim', { caseId: m.caseId, commandId: m.commandId })),
    release: () => run('Released', (m) => api.call('case:release', { caseId: m.caseId, commandId: m.commandId })),
    decide: (i) => run(`Decision ${i.decision}`, (m) => api.call('case:decide', { ...m, ...i })),
    appealDecide: (i) => run(`Appeal ${i.outcome}`, (m) => api.call('appeal:decide', { ...m, ...i })),
    rollback: (reason) => run('Rollback', (m) => api.call('case:rollback', { ...m, reason })),
    note: (text) => run('Note', (m) => api.call('case:note', { caseId: m.caseId, commandId: m.commandId, text })),
    async sendHeld(target, d) {
      const meta = { caseId: target.caseId, commandId: target.commandId, expectedVersion: target.version };
      const g = generation();
      const r =
        d.kind === 'appeal'
          ? await api.call('appeal:decide', { ...meta, outcome: d.outcome, reason: d.reason })
          : await api.call('case:decide', { ...meta, decision: d.decision, reason: d.reason, policyIds: d.policyIds, durationHours: d.durationHours });
      if (g !== generation()) return r;
      if (useSession.getState().session?.outbox) void useOutbox.getState().load();
      if (get().caseId === target.caseId) {
        const text = r.ok
          ? r.value.status === 'pending'
            ? `${heldLabel(d)}: saved in the outbox — it will be delivered once the servers can be reached`
            : `${heldLabel(d)}: ${r.value.duplicate ? 'already recorded' : r.value.status}`
          : r.error.message;
        set({ notice: r.ok ? { kind: 'ok', text } : { kind: 'error', text, error: r.error } });
        await get().refresh();
      }
      return r;
    },
    clearNotice: () => set({ notice: undefined }),
    reset() {
      retryId = undefined;
      useDraft.getState().clear();
      set({ caseId: undefined, detail: undefined, loading: false, loadError: undefined, busy: false, notice: undefined });
    },
  };
});
