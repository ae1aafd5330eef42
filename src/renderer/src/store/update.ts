// The workstation's update state (src/core/update/controller.ts, pushed as update:changed), what blocks a
// restart here (a decision being written — a draft — or a command on its way), and "update required".
import { afterFirstPage } from '../lib/startup';
import { create } from 'zustand';
import type { ContractError, UpdateStatus } from '../lib/contract-types';
import { api } from '../lib/api';

interface UpdateSlice {
  status?: UpdateStatus;
  /** The last refused update action (e.g. a restart refused because a command is on its way). */
  error?: ContractError;
  /** A decision form holds something typed or chosen: a restart now would lose it. */
  draft: boolean;
  load(): Promise<void>;
  apply(s: UpdateStatus): void;
  check(): Promise<void>;
  download(): Promise<void>;
  restart(): Promise<void>;
  setDraft(draft: boolean): void;
  /** A command was refused with update_required (e.g. delivered later by the outbox). */
  markRequired(minimumVersion: string): void;
}

export const useUpdate = create<UpdateSlice>((set, get) => {
  const act = async (name: 'update:check' | 'update:download' | 'update:restart') => {
    set({ error: undefined });
    const r = await api.call(name, {});
    if (r.ok) get().apply(r.value);
    else set({ error: r.error });
  };
  return {
    draft: false,
    async load() {
      await afterFirstPage();
      const r = await api.call('update:get', {});
      if (r.ok) get().apply(r.value);
    },
    apply: (status) => set({ status }),
    check: () => act('update:check'),
    download: () => act('update:download'),
    restart: () => act('update:restart'),
    setDraft: (draft) => {
      if (get().draft !== draft) set({ draft });
    },
    markRequired(minimumVersion) {
      const s = get().status;
      if (s && s.required?.minimumVersion !== minimumVersion) set({ status: { ...s, required: { minimumVersion } } });
    },
  };
});

/** Why a decision cannot be sent from this build, or undefined: the team needs a newer one. */
export function requiredReason(s: UpdateStatus | undefined): string | undefined {
  if (!s?.required) return undefined;
  return `Update required: this workstation is ${s.currentVersion}, the team needs ${s.required.minimumVersion} or later. Update it to decide cases.`;
}

/** Why "Restart now" is not offered now, or null when a restart interrupts nothing. */
export function restartBlocker(s: UpdateStatus | undefined, draft: boolean, busy: boolean): string | null {
  if (!s || s.state.phase !== 'ready') return 'No update is ready to install.';
  if (draft) return 'Finish or clear your decision first.';
  if (busy) return 'Your command is being sent.';
  return s.restart.allowed ? null : (s.restart.reason ?? 'Not now.');
}
