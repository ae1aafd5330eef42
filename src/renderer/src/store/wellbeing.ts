// Wellbeing (issue 15), one store per signed-in person: their own settings (from the database, the last
// answer kept on this computer so that a workstation started offline still blurs what they opted out of),
// this session's exposure count and break suggestion, the reveal of the open case, and the reading mode.
import { create } from 'zustand';
import type { ContractError, WellbeingSettings } from '../lib/contract-types';
import { api, newCommandId } from '../lib/api';
import { dismissBreak, noteOpened, NO_EXPOSURE, type Exposure, type SensitiveCategory } from '../lib/wellbeing';
import { generation } from './generation';

const cacheKey = (person: string) => `guardian.wellbeing.${person}`;
const READING_KEY = 'guardian.readingMode';

function cached(person: string): WellbeingSettings | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(cacheKey(person)) ?? 'null') as WellbeingSettings | null;
    return v && Array.isArray(v.hiddenCategories) ? v : undefined;
  } catch {
    return undefined;
  }
}

interface WellbeingSlice {
  person: string | null;
  settings: WellbeingSettings | null;
  /** The settings shown are the last ones kept on this computer (the server could not be asked). */
  fromCache: boolean;
  exposure: Exposure;
  /** The case whose content this person revealed (recorded in the audit); blurred again once another opens. */
  revealed: string | null;
  /** The case whose masked personal data this person revealed (issue 14; recorded as 'personal_data'). */
  personalRevealed: string | null;
  revealing: boolean;
  revealError?: ContractError;
  /** Greyscale, lower-contrast reading of the content (kept on this computer). */
  readingMode: boolean;
  load(person: string): Promise<void>;
  save(s: { hiddenCategories: SensitiveCategory[]; breakAfter: number | null }): Promise<ContractError | undefined>;
  opened(caseId: string, categories: SensitiveCategory[]): void;
  dismissBreak(): void;
  reveal(caseId: string, category: SensitiveCategory | 'personal_data'): Promise<boolean>;
  toggleReadingMode(): void;
  reset(): void;
}

export const useWellbeing = create<WellbeingSlice>((set, get) => ({
  person: null,
  settings: null,
  fromCache: false,
  exposure: NO_EXPOSURE,
  revealed: null,
  personalRevealed: null,
  revealing: false,
  readingMode: localStorage.getItem(READING_KEY) === 'on',
  async load(person) {
    const g = generation();
    if (get().person !== person) set({ person, settings: cached(person) ?? null, fromCache: !!cached(person) });
    const r = await api.call('wellbeing:get', {});
    if (g !== generation()) return;
    if (r.ok) {
      localStorage.setItem(cacheKey(person), JSON.stringify(r.value));
      set({ settings: r.value, fromCache: false });
    }
  },
  async save(s) {
    const person = get().person;
    const r = await api.call('wellbeing:set', { commandId: newCommandId(), ...s });
    if (!r.ok) return r.error;
    if (person) localStorage.setItem(cacheKey(person), JSON.stringify(r.value));
    set({ settings: r.value, fromCache: false });
    return undefined;
  },
  opened(caseId, categories) {
    const next = noteOpened(get().exposure, caseId, categories);
    const revealed = get().revealed === caseId ? caseId : null;
    const personalRevealed = get().personalRevealed === caseId ? caseId : null;
    if (next !== get().exposure || revealed !== get().revealed || personalRevealed !== get().personalRevealed) {
      set({ exposure: next, revealed, personalRevealed, revealError: undefined });
    }
  },
  dismissBreak: () => set({ exposure: dismissBreak(get().exposure) }),
  async reveal(caseId, category) {
    if (get().revealing) return false;
    const g = generation();
    set({ revealing: true, revealError: undefined });
    const r = await api.call('case:reveal', { caseId, commandId: newCommandId(), category });
    if (g !== generation()) return false;
    // Shown only once the reveal is recorded: offline the content stays blurred and says why.
    const shown = category === 'personal_data' ? { personalRevealed: caseId } : { revealed: caseId };
    set(r.ok ? { revealing: false, ...shown } : { revealing: false, revealError: r.error });
    return r.ok;
  },
  toggleReadingMode() {
    const readingMode = !get().readingMode;
    localStorage.setItem(READING_KEY, readingMode ? 'on' : 'off');
    set({ readingMode });
  },
  reset: () => set({ person: null, settings: null, fromCache: false, exposure: NO_EXPOSURE, revealed: null, personalRevealed: null, revealing: false, revealError: undefined }),
}));
