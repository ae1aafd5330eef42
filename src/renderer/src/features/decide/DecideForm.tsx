import { useEffect, useMemo, useRef, useState } from 'react';
import type { CaseView } from '../../lib/contract-types';
import { DECISION_KEYS, isShortcutTarget, label } from '../../lib/format';
import type { Permission } from '../../../../shared/permissions';
import { useCase } from '../../store/case';
import { CATEGORY_IDS } from '../../lib/domain-values';
import { UserText } from '../../lib/UserText';
import { useUpdate } from '../../store/update';
import { useDraft } from '../../store/draft';

interface FormSpec {
  choiceKey: 'decision' | 'outcome';
  choices: string[];
  reasonMin: number;
  reasonMax: number;
  policies: boolean;
  duration: boolean;
}

/** Reads the decision form's JSON Schema (from the agent's interrupt payload) into what we render. */
export function readFormSchema(schema: Record<string, unknown>): FormSpec | undefined {
  const props = (schema.properties ?? {}) as Record<string, { enum?: string[]; minLength?: number; maxLength?: number }>;
  const choiceKey = props.decision ? 'decision' : props.outcome ? 'outcome' : undefined;
  const choices = choiceKey ? props[choiceKey]?.enum : undefined;
  if (!choiceKey || !choices?.length) return undefined;
  return {
    choiceKey,
    choices,
    reasonMin: props.reason?.minLength ?? 1,
    reasonMax: props.reason?.maxLength ?? 2000,
    policies: 'policyIds' in props,
    duration: 'durationHours' in props,
  };
}

export function DecideForm({ c, permission, onNext }: { c: CaseView; permission: Permission; onNext(): void }) {
  const spec = useMemo(() => (c.decisionForm ? readFormSchema(c.decisionForm) : undefined), [c.decisionForm]);
  const { decide, appealDecide, busy } = useCase();
  const [choice, setChoice] = useState<string>('');
  const [reason, setReason] = useState('');
  /** Policy ids are the policy file's category ids (resources/policy.json); the analysis' category is preselected. */
  const suggested = c.analysis && c.analysis.violationType !== 'ok' ? [c.analysis.violationType] : [];
  const [policies, setPolicies] = useState<string[]>(suggested);
  const [hours, setHours] = useState('');
  /** Set while the ban confirmation is open: whether to move on to the next case afterwards. */
  const [confirmBan, setConfirmBan] = useState<{ next: boolean } | null>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const disabled = !permission.allowed || busy;

  // Reset when the case or its review changes, not on every version bump (a claim must not wipe a reason).
  useEffect(() => {
    setChoice('');
    setReason('');
    setPolicies(c.analysis && c.analysis.violationType !== 'ok' ? [c.analysis.violationType] : []);
    setHours('');
    setConfirmBan(null);
  }, [c.id, c.status, c.level, c.reviewKind]);

  // A decision being written holds back "Restart now" (store/update.ts); leaving the form releases it.
  const drafting = choice !== '' || reason.trim() !== '';
  useEffect(() => {
    useUpdate.getState().setDraft(drafting);
  }, [drafting]);
  useEffect(() => () => useUpdate.getState().setDraft(false), []);
  // What the person types is also kept outside the form (only their edits, never the form's own reset): if
  // someone else decides this review, the case view shows who decided what, and the draft (DecidedElsewhere).
  const latest = useRef({ choice, reason, caseId: c.id, level: c.level, reviewKind: c.reviewKind ?? null });
  latest.current = { choice, reason, caseId: c.id, level: c.level, reviewKind: c.reviewKind ?? null };
  const keep = (next: { choice?: string; reason?: string }) => {
    const l = latest.current;
    useDraft.getState().keep({ caseId: l.caseId, level: l.level, reviewKind: l.reviewKind, choice: next.choice ?? l.choice, reason: next.reason ?? l.reason });
  };
  const pickChoice = (d: string) => {
    setChoice(d);
    keep({ choice: d });
  };

  // Single-key shortcuts pick a decision and put the cursor in the reason field.
  useEffect(() => {
    if (!spec || disabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcutTarget(e)) return;
      const hit = spec.choices.find((d) => DECISION_KEYS[d] === e.key);
      if (!hit) return;
      e.preventDefault();
      pickChoice(hit);
      reasonRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [spec, disabled]);

  if (!spec) return null;
  const reasonOk = reason.trim().length >= spec.reasonMin;
  const canSubmit = !disabled && !!choice && reasonOk;

  const send = async (next: boolean) => {
    setConfirmBan(null);
    const ok =
      spec.choiceKey === 'outcome'
        ? await appealDecide({ outcome: choice as 'uphold' | 'overturn', reason: reason.trim() })
        : await decide({
            decision: choice as 'approve',
            reason: reason.trim(),
            policyIds: spec.policies && policies.length ? policies : undefined,
            durationHours: spec.duration && choice === 'remove_and_ban' && hours ? Number(hours) : undefined,
          });
    if (ok) useDraft.getState().clear(c.id);
    if (ok && next) onNext();
  };
  const submit = (next: boolean) => {
    if (!canSubmit) return;
    if (choice === 'remove_and_ban') setConfirmBan({ next });
    else void send(next);
  };

  return (
    <form
      ref={formRef}
      className="decide"
      aria-label={spec.choiceKey === 'outcome' ? 'Appeal decision' : 'Decision'}
      onSubmit={(e) => {
        e.preventDefault();
        submit(false);
      }}
    >
      <h3>{spec.choiceKey === 'outcome' ? 'Decide the appeal' : c.level >= 2 ? `Decide the level ${c.level} review` : 'Decide'}</h3>
      {!permission.allowed && (
        <p className="why" role="note" data-testid="decide-why" id="decide-why">
          {permission.reason}
        </p>
      )}
      <fieldset disabled={disabled} aria-describedby={!permission.allowed ? 'decide-why' : undefined}>
        <legend className="sr-only">Decision</legend>
        <div className="choices" role="radiogroup" aria-label={spec.choiceKey === 'outcome' ? 'Outcome' : 'Decision'}>
          {spec.choices.map((d) => (
            <label key={d} className={`choice ch-${d}${choice === d ? ' picked' : ''}`}>
              <input type="radio" name="decision" value={d} checked={choice === d} onChange={() => pickChoice(d)} />
              <span>{label(d)}</span> <kbd>{DECISION_KEYS[d]}</kbd>
            </label>
          ))}
        </div>
        <label className="block">
          Reason (required, at least {spec.reasonMin} characters)
          <textarea
            ref={reasonRef}
            required
            minLength={spec.reasonMin}
            maxLength={spec.reasonMax}
            rows={3}
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
              keep({ reason: e.target.value });
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                submit(e.shiftKey);
              } else if (e.key === 'Escape') (e.target as HTMLElement).blur();
            }}
          />
        </label>
        {spec.policies && (
          <fieldset className="policies">
            <legend>Policies</legend>
            {CATEGORY_IDS.map((id) => (
              <label key={id} className="policy">
                <input
                  type="checkbox"
                  checked={policies.includes(id)}
                  onChange={(e) => setPolicies(e.target.checked ? [...policies, id] : policies.filter((p) => p !== id))}
                />
                {id.replace(/_/g, ' ')}
              </label>
            ))}
          </fieldset>
        )}
        {spec.duration && choice === 'remove_and_ban' && (
          <label className="block">
            Ban duration in hours (empty = permanent)
            <input type="number" min={1} max={8760} value={hours} onChange={(e) => setHours(e.target.value)} />
          </label>
        )}
        <div className="buttons">
          <button type="submit" className="primary" disabled={!canSubmit}>
            Submit
          </button>
          <button type="button" disabled={!canSubmit} onClick={() => submit(true)}>
            Submit &amp; next
          </button>
          {!choice && !disabled && <span className="muted">Choose a decision ({spec.choices.map((d) => DECISION_KEYS[d]).join(' ')})</span>}
          {choice && !reasonOk && <span className="muted">A reason is required.</span>}
        </div>
      </fieldset>
      {confirmBan && (
        <div className="backdrop">
          <div role="dialog" aria-modal="true" aria-labelledby="ban-title" className="dialog" onKeyDown={(e) => e.key === 'Escape' && setConfirmBan(null)}>
            <h2 id="ban-title">Ban <UserText identifier text={c.authorId} />?</h2>
            <p>
              This removes the content and bans the author {hours ? `for ${hours} hours` : 'permanently'}. A supervisor can roll it back.
            </p>
            <div className="buttons">
              <button className="danger" autoFocus onClick={() => void send(confirmBan.next)}>
                Confirm ban
              </button>
              <button onClick={() => setConfirmBan(null)}>Cancel</button>
            </div>
          </div>
        </div>
      )}
    </form>
  );
}
