import { create } from 'zustand';

export type View = 'queue' | 'supervisor' | 'audit' | 'outbox' | 'settings' | 'deadLetters';
export type Theme = 'light' | 'dark';

const initialTheme = (): Theme => {
  const saved = localStorage.getItem('guardian.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
};

interface UiSlice {
  view: View;
  theme: Theme;
  cheatSheet: boolean;
  setView(v: View): void;
  toggleTheme(): void;
  setCheatSheet(open: boolean): void;
  /** Back to the queue (another person signs in here); the theme is the computer's, it stays. */
  reset(): void;
}

export const useUi = create<UiSlice>((set, get) => ({
  view: 'queue',
  theme: initialTheme(),
  cheatSheet: false,
  setView: (view) => set({ view }),
  toggleTheme() {
    const theme = get().theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('guardian.theme', theme);
    set({ theme });
  },
  setCheatSheet: (cheatSheet) => set({ cheatSheet }),
  reset: () => set({ view: 'queue', cheatSheet: false }),
}));
