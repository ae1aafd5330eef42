import { useEffect, useMemo, useRef, useState } from 'react';
import type { CaseView } from '../../lib/contract-types';
import { label } from '../../lib/format';
import { useAction, registerAction } from '../../lib/keyboard';
import { DECISION_ACTION, keysOf, type ActionId } from '../../lib/keymap';
import { useHeld } from '../../store/held';
import type { Permission } from '../../../../shared/permissions';
import { useCase, type HeldDecision } from '../../store/case';
import { CATEGORY_IDS } from '../../lib/domain-values';
import { UserText } from '../../lib/UserText';
import { useUpdate } from '../../store/update';
import { useDraft } from '../../store/draft';
import { TemplatePicker } from './TemplatePicker';

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

const keyOf = (d: string) => (DECISION_ACTION[d] ? keysOf(DECISION_ACTION[d] as ActionId) : '');

export function DecideForm({ c, permission, onNext }: { c: CaseView; permission: Permission; onNext(): void }) {
  const spec = useMemo(() => (c.decisionForm ? readFormSchema(c.decisionForm) : undefined), [c.decisionForm]);
  const busyCase = useCase((s) => s.busy);
  const [sending, setSending] = useState(false);
  const heldHere = useHeld((s) => s.held?.caseId === c.id);
  const restored = useHeld((s) => s.restored);
  const busy = busyCase || sending;
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
  const disabled = !permission.allowed || busy || heldHere;

  // Reset when the case or its review changes, not on every version bump (a claim must not wipe a reason).
  useEffect(() => {
    setChoice('');
    setReason('');
    setPolicies(c.analysis && c.analysis.violationType !== 'ok' ? [c.analysis.violationType] : []);
    setHours('');
    setConfirmBan(null);
  }, [c.id, c.status, c.level, c.reviewKind]);

  // Undo gave this case's draft back: the form shows it as it was (after the reset above, on a new case).
  useEffect(() => {
    if (restored?.caseId !== c.id) return;
    const d = useHeld.getState().takeRestored(c.id);
    if (!d) return;
    setChoice(d.choice);
    setReason(d.reason);
    setPolicies(d.policies);
    setHours(d.hours);
    reasonRef.current?.focus();
  }, [c.id, restored]);

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

  // The decision keys of the action table (lib/keymap.ts) pick a decision and put the cursor in the reason field.
  const choices = spec?.choices;
  useEffect(() => {
    if (!choices || disabled) return;
    const offs = choices
      .filter((d) => DECISION_ACTION[d])
      .map((d) =>
        registerAction(DECISION_ACTION[d]!, {
          run() {
            pickChoice(d);
            reasonRef.current?.focus();
          },
        }),
      );
    return () => offs.forEach((off) => off());
  }, [choices, disabled]);
  const submitRef = useRef<(next: boolean) => void>(() => {});
  const why = () => (disabled ? (heldHere ? 'the decision is held' : permission.allowed ? 'busy' : (permission.reason ?? 'not allowed')) : !choice ? 'choose a decision first' : !reasonOk ? 'a reason is required' : true);
  useAction('decide.submit', () => submitRef.current(false), why, !!spec);
  useAction('decide.submitNext', () => submitRef.current(true), why, !!spec);

  const reasonOk = !!spec && reason.trim().length >= spec.reasonMin;
  if (!spec) return null;
  const canSubmit = !disabled && !!choice && reasonOk;

  const send = async (next: boolean) => {
    setConfirmBan(null);
    const decision: HeldDecision =
      spec.choiceKey === 'outcome'
        ? { kind: 'appeal', outcome: choice as 'uphold' | 'overturn', reason: reason.trim() }
        : {
            kind: 'decide',
            decision: choice as 'approve',
            reason: reason.trim(),
            policyIds: spec.policies && policies.length ? policies : undefined,
            durationHours: spec.duration && choice === 'remove_and_ban' && hours ? Number(hours) : undefined,
          };
    setSending(true);
    const r = await useHeld.getState().hold({ caseId: c.id, contentId: c.contentId, version: c.version, decision, draft: { choice, reason, policies, hours } });
    setSending(false);
    if (r) useDraft.getState().clear(c.id);
    if (r && next) onNext();
  };
  const submit = (next: boolean) => {
    if (!canSubmit) return;
    if (choice === 'remove_and_ban') setConfirmBan({ next });
    else void send(next);
  };
  submitRef.current = submit;

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
      {heldHere && (
        <p className="why" role="note" data-testid="decide-held">
          This decision is held until the undo window ends; Undo ({keysOf('decide.undo')}) gives the draft back.
        </p>
      )}
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
              <span>{label(d)}</span> <kbd>{keyOf(d)}</kbd>
            </label>
          ))}
        </div>
        <TemplatePicker
          disabled={disabled}
          reason={reason}
          ctx={{ category: c.analysis?.violationType ?? null, authorId: c.authorId, contentId: c.contentId, policyIds: policies }}
          onInsert={(text) => {
            const next = reason.trim() ? `${reason.trimEnd()} ${text}` : text;
            const clipped = next.slice(0, spec.reasonMax);
            setReason(clipped);
            keep({ reason: clipped });
            reasonRef.current?.focus();
          }}
        />
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
              if (e.key === 'Escape') (e.target as HTMLElement).blur();
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
          <button type="submit" className="primary" disabled={!canSubmit} aria-keyshortcuts="Control+Enter">
            Submit <kbd aria-hidden="true">{keysOf('decide.submit')}</kbd>
          </button>
          <button type="button" disabled={!canSubmit} onClick={() => submit(true)} aria-keyshortcuts="Control+Shift+Enter">
            Submit &amp; next <kbd aria-hidden="true">{keysOf('decide.submitNext')}</kbd>
          </button>
          {!choice && !disabled && <span className="muted">Choose a decision ({spec.choices.map(keyOf).join(' ')})</span>}
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
