import { create } from 'zustand';

export type View = 'queue' | 'supervisor' | 'audit' | 'outbox' | 'settings' | 'people' | 'deadLetters';
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
  palette: boolean;
  /** Bumped by "/": the queue's search field takes the focus (takeSearchRequest) once it shows. */
  searchRequest: number;
  searchTaken: number;
  setView(v: View): void;
  setPalette(open: boolean): void;
  requestSearch(): void;
  /** Whether a search request is waiting (and marks it taken). */
  takeSearchRequest(): boolean;
  toggleTheme(): void;
  setCheatSheet(open: boolean): void;
  /** Back to the queue (another person signs in here); the theme is the computer's, it stays. */
  reset(): void;
}

export const useUi = create<UiSlice>((set, get) => ({
  view: 'queue',
  theme: initialTheme(),
  cheatSheet: false,
  palette: false,
  searchRequest: 0,
  searchTaken: 0,
  setView: (view) => set({ view }),
  setPalette: (palette) => set({ palette }),
  requestSearch: () => set({ view: 'queue', searchRequest: get().searchRequest + 1 }),
  takeSearchRequest() {
    const { searchRequest, searchTaken } = get();
    if (searchRequest === searchTaken) return false;
    set({ searchTaken: searchRequest });
    return true;
  },
  toggleTheme() {
    const theme = get().theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('guardian.theme', theme);
    set({ theme });
  },
  setCheatSheet: (cheatSheet) => set({ cheatSheet }),
  reset: () => set({ view: 'queue', cheatSheet: false, palette: false }),
}));
