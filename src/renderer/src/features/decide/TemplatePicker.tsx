// Reason templates in the decision form (issue 14): `t` (the action table's decide.template) or the button
// opens the picker; the case's policy category comes first; a digit or a click inserts the template into
// the reason with its placeholders filled. The list is the team's and the person's own (api.reason_templates).
import { useEffect, useRef, useState } from 'react';
import type { ContractError, ReasonTemplate } from '../../lib/contract-types';
import { useAction } from '../../lib/keyboard';
import { keysOf } from '../../lib/keymap';
import { fillTemplate, orderTemplates, type TemplateContext } from '../../../../shared/reason-templates';
import { UserText } from '../../lib/UserText';
import { api as api, newCommandId } from '../../lib/api';
import { useSession } from '../../store/session';

export function TemplatePicker({ ctx, disabled, reason, onInsert }: { ctx: TemplateContext; disabled: boolean; reason: string; onInsert(text: string): void }) {
  const role = useSession((st) => st.session?.user?.role);
  const mayTeam = role === 'supervisor' || role === 'admin';
  const [title, setTitle] = useState('');
  const [team, setTeam] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<ReasonTemplate[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  const show = () => {
    setOpen(true);
    setError(null);
    void api.call('templates:list', {}).then((r) => (r.ok ? setList(orderTemplates(r.value, ctx.category)) : setError(r.error)));
  };
  useAction('decide.template', show, () => (disabled ? 'the form is not open to you now' : true), !disabled);
  useEffect(() => {
    if (open && list) listRef.current?.focus();
  }, [open, list]);

  // The reason as written becomes a template for this case's category (one's own; the team's for supervisors
  // and admins — the database decides, a moderator's login is refused).
  const saveReason = async () => {
    setSaved(null);
    const r = await api.call('templates:save', {
      commandId: newCommandId(),
      scope: team && mayTeam ? 'team' : 'own',
      title: title.trim(),
      body: reason.trim(),
      category: (ctx.category && ctx.category !== 'ok' ? ctx.category : null) as ReasonTemplate['category'],
    });
    if (!r.ok) return setError(r.error);
    setTitle('');
    setSaved(`Saved "${r.value.title}" as ${r.value.scope === 'team' ? "a team" : 'your'} template.`);
    show();
  };
  const insert = (t: ReasonTemplate) => {
    setOpen(false);
    onInsert(fillTemplate(t.body, ctx));
  };
  if (!open) {
    return (
      <button type="button" className="small templates-open" disabled={disabled} onClick={show} data-testid="templates-open" aria-keyshortcuts="t">
        Templates <kbd aria-hidden="true">{keysOf('decide.template')}</kbd>
      </button>
    );
  }
  return (
    <div
      className="template-picker"
      role="listbox"
      aria-label="Reason templates: press a number to insert"
      tabIndex={-1}
      ref={listRef}
      data-testid="template-picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          setOpen(false);
          return;
        }
        if ((e.target as HTMLElement).closest('input')) return; // typing a title, not picking
        const n = Number(e.key);
        if (list && Number.isInteger(n) && n >= 1 && n <= Math.min(9, list.length)) {
          e.preventDefault();
          e.stopPropagation();
          insert(list[n - 1]!);
        }
      }}
    >
      {error && (
        <span className="error small" role="alert">
          {error.message}
        </span>
      )}
      {!error && !list && <span className="muted small">Loading templates…</span>}
      {list && list.length === 0 && <span className="muted small">No templates yet: supervisors keep the team&apos;s.</span>}
      {list?.map((t, i) => (
        <button
          key={t.id}
          type="button"
          role="option"
          aria-selected={false}
          className="template-option"
          data-testid="template-option"
          onClick={() => insert(t)}
        >
          {i < 9 && <kbd>{i + 1}</kbd>} <strong><UserText text={t.title} /></strong>{' '}
          <span className="muted small">
            {t.scope === 'team' ? 'team' : 'mine'}
            {t.category ? ` · ${t.category.replace(/_/g, ' ')}` : ''}
            {t.category && t.category === ctx.category ? ' · this case' : ''}
          </span>
          <span className="template-preview muted small"><UserText text={fillTemplate(t.body, ctx)} /></span>
        </button>
      ))}
      {reason.trim() && (
        <div className="template-save small" data-testid="template-save">
          <input aria-label="Template title" placeholder="Save the reason as a template: title" value={title} maxLength={80} onChange={(e) => setTitle(e.target.value)} />
          {mayTeam && (
            <label>
              <input type="checkbox" checked={team} onChange={(e) => setTeam(e.target.checked)} /> for the team
            </label>
          )}
          <button type="button" className="small" disabled={!title.trim()} onClick={() => void saveReason()}>
            Save template
          </button>
        </div>
      )}
      {saved && <span className="muted small" role="status">{saved}</span>}
      <button type="button" className="small" onClick={() => setOpen(false)}>
        Close <kbd>Esc</kbd>
      </button>
    </div>
  );
}
