// The person's own wellbeing settings (issue 15), saved in the database through api.set_wellbeing: which
// categories are blurred until revealed, and after how many sensitive cases a break is suggested.
import { useEffect, useState } from 'react';
import type { ContractError } from '../../lib/contract-types';
import { CATEGORY_NAMES, SENSITIVE_CATEGORIES, type SensitiveCategory } from '../../lib/wellbeing';
import { useWellbeing } from '../../store/wellbeing';

export function WellbeingSettings() {
  const { settings, fromCache, save, readingMode, toggleReadingMode } = useWellbeing();
  const [hidden, setHidden] = useState<SensitiveCategory[]>([]);
  const [breakAfter, setBreakAfter] = useState('');
  const [state, setState] = useState<{ saving?: boolean; saved?: boolean; error?: ContractError }>({});
  useEffect(() => {
    setHidden(settings?.hiddenCategories ?? []);
    setBreakAfter(settings?.breakAfter == null ? '' : String(settings.breakAfter));
  }, [settings]);
  const n = breakAfter.trim() === '' ? null : Number(breakAfter);
  const invalid = n !== null && (!Number.isInteger(n) || n < 0 || n > 1000);
  return (
    <section className="card wellbeing-settings" aria-labelledby="wellbeing-title" data-testid="wellbeing-settings">
      <h3 id="wellbeing-title">Wellbeing</h3>
      {fromCache && <p className="muted small">The server cannot be reached: these are your settings as last saved on this computer.</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (invalid) return;
          setState({ saving: true });
          void save({ hiddenCategories: hidden, breakAfter: n }).then((error) => setState(error ? { error } : { saved: true }));
        }}
      >
        <fieldset>
          <legend>Blur content in these categories until I reveal it</legend>
          {SENSITIVE_CATEGORIES.map((c) => (
            <label key={c} className="inline">
              <input
                type="checkbox"
                name={c}
                checked={hidden.includes(c)}
                onChange={(e) => {
                  setState({});
                  setHidden(e.target.checked ? [...hidden, c] : hidden.filter((x) => x !== c));
                }}
              />{' '}
              {CATEGORY_NAMES[c]}
            </label>
          ))}
        </fieldset>
        <label className="block">
          Suggest a break after this many sensitive cases in a session (empty: your organisation's default
          {settings ? `, ${settings.defaultBreakAfter}` : ''}; 0: never)
          <input
            inputMode="numeric"
            value={breakAfter}
            aria-invalid={invalid || undefined}
            onChange={(e) => {
              setState({});
              setBreakAfter(e.target.value);
            }}
          />
        </label>
        {invalid && <p className="error small">A whole number from 0 to 1000, or empty.</p>}
        <button type="submit" disabled={state.saving || invalid}>
          Save wellbeing settings
        </button>
        {state.saved && (
          <span className="muted small" role="status" data-testid="wellbeing-saved">
            {' '}
            Saved.
          </span>
        )}
        {state.error && (
          <p className="error small" role="alert">
            Not saved: {state.error.message}
          </p>
        )}
      </form>
      <label className="inline">
        <input type="checkbox" checked={readingMode} onChange={toggleReadingMode} data-testid="reading-mode" /> Greyscale, low-contrast reading mode for
        content (this computer)
      </label>
    </section>
  );
}
