import { useEffect, useMemo, useState } from 'react';
import type { ActionRecord, CaseView as CaseDto, SessionUser } from '../../lib/contract-types';
import { fmtClock, fmtTime, humanizeMessage, humanTime, label } from '../../lib/format';
import { useAction } from '../../lib/keyboard';
import { keysOf } from '../../lib/keymap';
import { casePermissions, claimActive, type Permission } from '../../../../shared/permissions';
import { useCase, type Notice } from '../../store/case';
import { useOutbox } from '../../store/outbox';
import { OutboxActions } from '../outbox/OutboxView';
import { useContentIdOf } from '../outbox/caseLookup';
import { useQueue } from '../../store/queue';
import { useSession } from '../../store/session';
import { DecideForm } from '../decide/DecideForm';
import { DecidedElsewhere } from '../decide/DecidedElsewhere';
import { decidedUnderDraft, useDraft } from '../../store/draft';
import { AnalysisBand } from './AnalysisBand';
import { AuthorHistory } from './AuthorHistory';
import { ContentText } from './ContentText';
import { Statements } from './Statements';
import { Timeline } from './Timeline';
import { StaleMarker } from '../shell/StaleMarker';
import { UserText } from '../../lib/UserText';
import { SlaCountdown } from '../../lib/SlaCountdown';
import { requiredReason, useUpdate } from '../../store/update';
import { blurredCategories, sensitiveCategoriesOf } from '../../lib/wellbeing';
import { useWellbeing } from '../../store/wellbeing';
import { BlurGate } from '../wellbeing/BlurGate';
import { PresenceBadges } from '../presence/PresenceBadges';

function Why({ p, id }: { p: Permission; id: string }) {
  return p.allowed ? null : (
    <span className="why-inline" id={id}>
      {p.reason}
    </span>
  );
}

function NoticeBanner({ n, onClose }: { n: Notice; onClose(): void }) {
  const last = n.error?.details?.lastDecision as { actor?: string; decision?: string; at?: string; reason?: string } | null | undefined;
  const outboxId = n.error?.details?.outboxId as string | undefined;
  const entry = useOutbox((s) => s.entries.find((e) => e.id === outboxId));
  const contentIdOf = useContentIdOf();
  return (
    <div className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
      <strong>{n.kind === 'error' ? (n.error?.code === 'conflict' ? 'Conflict' : n.error?.code === 'forbidden' ? 'Not allowed' : 'Error') : 'Done'}:</strong>{' '}
      <span data-testid="notice-text">{humanizeMessage(n.text, { contentIdOf })}</span>
      {last?.actor && (
        <div className="muted">
          <UserText identifier text={last.actor} /> decided <strong>{label(last.decision)}</strong>
          {last.at ? <> at <time dateTime={last.at} title={fmtTime(last.at)}>{humanTime(last.at)}</time></> : null}
          {last.reason ? (
            <>
              {' — “'}
              <UserText text={last.reason} />”
            </>
          ) : null}
        </div>
      )}
      {entry && (
        <div className="notice-actions">
          Your command is kept as <strong>{entry.state}</strong>. <OutboxActions e={entry} />
        </div>
      )}
      <button className="ghost small" onClick={onClose} aria-label="Dismiss message">
        ×
      </button>
    </div>
  );
}

function Actions({ actions }: { actions: ActionRecord[] }) {
  if (actions.length === 0) return <p className="muted">No platform actions.</p>;
  const byId = new Map(actions.map((a) => [a.id, a]));
  return (
    <table className="actions" aria-label="Platform actions">
      <thead>
        <tr>
          <th>Action</th>
          <th>Status</th>
          <th>Reverses</th>
          <th>Attempts</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        {actions.map((a) => (
          <tr key={a.id} data-testid="action-row" data-kind={a.kind} data-status={a.status}>
            <td>{label(a.kind)}</td>
            <td>
              <span className={`astatus as-${a.status}`}>{label(a.status)}</span>
              {a.lastError && <div className="muted small">{a.lastError}</div>}
            </td>
            <td>{a.reverses ? label(byId.get(a.reverses)?.kind ?? a.reverses) : a.reversible ? '' : 'not reversible'}</td>
            <td>{a.attempts}</td>
            <td>{fmtClock(a.executedAt ?? a.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RollbackPanel({ c, p }: { c: CaseDto; p: Permission }) {
  const { rollback, busy } = useCase();
  const [reason, setReason] = useState('');
  useEffect(() => setReason(''), [c.id, c.version]);
  const reversals = c.actions.filter((a) => a.reverses);
  return (
    <section className="card" aria-label="Rollback">
      <h3>Rollback</h3>
      {reversals.length > 0 && (
        <p className="muted" data-testid="reversal-progress">
          Reversals: {reversals.filter((a) => a.status === 'done' || a.status === 'not_reversible').length} of {reversals.length} finished
          {reversals.some((a) => a.status === 'failed') ? ' — a reversal failed and is retried; the case cannot close until it succeeds' : ''}
        </p>
      )}
      {c.status === 'actioned' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim().length >= 3) void rollback(reason.trim());
          }}
        >
          <Why p={p} id="rollback-why" />
          <fieldset disabled={!p.allowed || busy} aria-describedby={!p.allowed ? 'rollback-why' : undefined}>
            <legend className="sr-only">Roll back this decision</legend>
            <label className="block">
              Rollback reason (required)
              <input value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <p className="muted small">Reverses the executed actions last-in-first-out and sends the case to a level 2 review.</p>
            <button type="submit" className="danger" disabled={reason.trim().length < 3}>
              Roll back
            </button>
          </fieldset>
        </form>
      ) : null}
    </section>
  );
}

/** This user's saved commands for the case and where each one is (DESIGN §9). */
function CaseCommands({ caseId }: { caseId: string }) {
  // Select the stable array, filter outside the selector (a new array per call would loop zustand).
  const all = useOutbox((s) => s.entries);
  const entries = useMemo(() => all.filter((e) => e.caseId === caseId), [all, caseId]);
  if (entries.length === 0) return null;
  return (
    <section className="card" aria-label="Your commands">
      <h3>Your commands</h3>
      <ul className="plain">
        {entries.map((e) => (
          <li key={e.id} data-testid="case-command" data-state={e.state} data-id={e.id}>
            <span className={`ostate os-${e.state}`}>{e.state}</span> {e.summary} <span className="muted small">{fmtTime(e.updatedAt)}</span>
            {e.error && <div className="small muted">{e.error.message}</div>}
            <OutboxActions e={e} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function NoteForm({ caseId }: { caseId: string }) {
  const { note, busy } = useCase();
  const [text, setText] = useState('');
  useEffect(() => setText(''), [caseId]);
  return (
    <form
      className="card note"
      aria-label="Add a note"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) void note(text.trim()).then((ok) => ok && setText(''));
      }}
    >
      <label className="block">
        Note for the timeline
        <input value={text} onChange={(e) => setText(e.target.value)} maxLength={5000} />
      </label>
      <button type="submit" disabled={busy || !text.trim()}>
        Add note
      </button>
    </form>
  );
}

export function CaseView({ onNext }: { onNext(): void }) {
  const { detail: c, loading, loadError, notice, claim, release, busy, clearNotice, caseId } = useCase();
  const user: SessionUser | undefined = useSession((s) => s.session?.user ?? undefined);
  const draft = useDraft((s) => s.draft);
  const perms = c && user ? casePermissions(user, c) : undefined;
  // The team needs a newer build: the database would refuse the decision, so the form says why first.
  const required = useUpdate((u) => requiredReason(u.status));
  const hidden = useWellbeing((w) => w.settings?.hiddenCategories);
  const readingMode = useWellbeing((w) => w.readingMode);
  const sensitive = useMemo(() => (c ? sensitiveCategoriesOf(c) : []), [c]);
  // Counted once per case per session when it is in a sensitive category (the break suggestion's count).
  useEffect(() => {
    if (c) useWellbeing.getState().opened(c.id, sensitive);
  }, [c, sensitive]);

  // c claims the open case, x releases the claim (lib/keymap.ts).
  const claimNow = () => void claim().then(() => void useQueue.getState().sync());
  const releaseNow = () => void release().then(() => void useQueue.getState().sync());
  useAction('case.claim', claimNow, () => (!perms ? 'no case is open' : busy ? 'busy' : perms.claim.allowed ? true : (perms.claim.reason ?? 'not allowed')));
  useAction('case.release', releaseNow, () => (!perms ? 'no case is open' : busy ? 'busy' : perms.release.allowed ? true : (perms.release.reason ?? 'not allowed')));

  if (!caseId) return <p className="empty">Select a case (j / k, Enter) — press ? for shortcuts, Ctrl+K for every command.</p>;
  if (loadError) return <p className="error" role="alert">{loadError.message}</p>;
  if (!c || !perms) return <p className="empty">{loading ? 'Loading…' : ''}</p>;
  const a = c.analysis;
  const claimed = claimActive(c);
  // The open appeal (if this review is one): its reason sits beside the decision it appeals.
  const appeal =
    c.reviewKind === 'appeal' && c.status === 'awaiting_review' ? [...c.timeline].reverse().find((e) => e.type === 'appeal.opened') : undefined;
  const lastTitle = appeal
    ? 'Appealed decision'
    : c.status === 'awaiting_review' && c.reviewKind === 'rollback'
      ? 'Rolled-back decision'
      : c.status === 'awaiting_review' && c.reviewKind === 'escalation'
        ? 'Escalated by'
        : 'Last decision';

  return (
    <article className="case" aria-label={`Case ${c.contentId}`} data-testid="case-view" data-case-id={c.id} data-status={c.status} data-stale={c.stale ? 'true' : undefined}>
      <header className="case-head">
        <h2>
          <UserText identifier text={c.contentId} />
        </h2>
        <span className={`status st-${c.status}`} data-testid="case-status">
          {label(c.status)}
        </span>
        <span className="badge">level {c.level}</span>
        {c.reviewKind && <span className="badge">{c.reviewKind}</span>}
        {c.priority === 'urgent' && <span className="badge urgent">urgent</span>}
        {c.severity && <span className={`badge sev-${c.severity}`}>{label(c.severity)}</span>}
        {c.status === 'awaiting_review' && <SlaCountdown due={c.slaDueAt} start={c.createdAt} className="case-sla" />}
        <span className="muted">v{c.version}</span>
      </header>
      {c.stale && <StaleMarker syncedAt={c.syncedAt} testId="case-stale" />}
      {notice && <NoticeBanner n={notice} onClose={clearNotice} />}

      <div className="claimbar">
        <span data-testid="claim-holder">{claimed ? (
            <>
              Claimed by <UserText identifier text={c.claimedBy} /> until {fmtClock(c.claimUntil)}
            </>
          ) : (
            'Not claimed'
          )}</span>
        <button onClick={claimNow} aria-keyshortcuts="c" disabled={!perms.claim.allowed || busy} aria-describedby={!perms.claim.allowed ? (c.decisionForm ? 'decide-why' : 'claim-why') : undefined}>
          Claim <kbd>{keysOf('case.claim')}</kbd>
        </button>
        <button onClick={releaseNow} aria-keyshortcuts="x" disabled={!perms.release.allowed || busy}>
          Release <kbd aria-hidden="true">{keysOf('case.release')}</kbd>
        </button>
        {!c.decisionForm && <Why p={perms.claim} id="claim-why" />}
        {/* Who else is on the case (issue 14), in the claim bar so its coming and going moves nothing. */}
        <PresenceBadges caseId={c.id} />
      </div>

      <section className={`card${readingMode ? ' reading-mode' : ''}`} aria-label="Content">
        <h3>
          Content <span className="muted small">(untrusted, shown as text)</span>
        </h3>
        {c.editedAfterDecisionAt && c.lastDecision && (
          <p className="notice notice-warn" role="status" data-testid="edited-after-decision">
            Edited by the author at {fmtTime(c.editedAfterDecisionAt)}, after the decision ({label(c.lastDecision.decision)} at{' '}
            {fmtTime(c.lastDecision.at)}): the decision was made on the earlier text, shown in History.
          </p>
        )}
        <BlurGate caseId={c.id} categories={blurredCategories(sensitive, hidden ?? [])}>
          <ContentText key={c.id} caseId={c.id} text={c.text} phrases={a?.keyPhrases ?? []} />
        </BlurGate>
        <dl className="facts">
          <dt>Author</dt>
          <dd>
            <UserText identifier text={c.authorId} />
            <AuthorHistory c={c} />
          </dd>
          {c.url && (
            <>
              <dt>URL</dt>
              <dd className="mono">{c.url}</dd>
            </>
          )}
          {c.reportedBy && (
            <>
              <dt>Reported by</dt>
              <dd>
                {c.reportedBy}
                {c.reportReason ? ` — ${c.reportReason}` : ''}
              </dd>
            </>
          )}
          <dt>Waiting since</dt>
          <dd>{fmtTime(c.createdAt)}</dd>
          {c.slaDueAt && (
            <>
              <dt>SLA due</dt>
              <dd>{fmtTime(c.slaDueAt)}</dd>
            </>
          )}
        </dl>
      </section>

      {a && (
        <section className="card" aria-label="Analysis">
          <h3>Analysis</h3>
          <dl className="facts">
            <dt>Verdict</dt>
            <dd>{label(a.verdict)}</dd>
            <dt>Suggested</dt>
            <dd>{label(a.suggestedAction)}</dd>
            <dt>Violation</dt>
            <dd>{label(a.violationType)}</dd>
            <dt>Severity</dt>
            <dd>{label(a.severity)}</dd>
            <dt>Confidence</dt>
            <dd>{Math.round(a.confidence * 100)}%</dd>
            <dt>Classifier</dt>
            <dd>
              {a.classifier}
              {a.model ? ` (${a.model})` : ''}
              {a.fallbackFrom ? ` — fallback from ${a.fallbackFrom}: ${a.fallbackReason ?? ''}` : ''}
            </dd>
          </dl>
          <AnalysisBand band={a.band} policyVersion={a.policyVersion} />
          <p className="reasoning">{a.reasoning}</p>
        </section>
      )}

      {c.lastDecision && (
        <div className={appeal ? 'beside' : undefined}>
          {appeal && (
            <section className="card" aria-label="Appeal">
              <h3>Appeal</h3>
              <p data-testid="appeal-reason">
                “<UserText text={String(appeal.payload.reason ?? '')} />” <span className="muted small">— <UserText identifier text={appeal.actor} />, {fmtTime(appeal.at)}</span>
              </p>
            </section>
          )}
          <section className="card" aria-label={lastTitle}>
            <h3>{lastTitle}</h3>
            <p data-testid="last-decision">
              <strong>{label(c.lastDecision.decision)}</strong> by <UserText identifier text={c.lastDecision.actor} /> (level {c.lastDecision.level}, {c.lastDecision.reviewKind}) at{' '}
              {fmtTime(c.lastDecision.at)} — “<UserText text={c.lastDecision.reason} />”
            </p>
          </section>
        </div>
      )}

      {draft && decidedUnderDraft(draft, c, user?.id) && <DecidedElsewhere c={c} draft={draft} />}

      {c.decisionForm && (
        <section className="card" aria-label="Decide">
          <DecideForm c={c} permission={required ? { allowed: false, reason: required } : perms.decide} onNext={onNext} />
          {c.excludedDeciders.length > 0 && (
            <p className="muted small">
              Four-eyes: {c.excludedDeciders.join(', ')} made the decision under review and cannot decide it.
            </p>
          )}
        </section>
      )}

      <section className="card" aria-label="Actions">
        <h3>Platform actions</h3>
        <Actions actions={c.actions} />
      </section>

      <Statements statements={c.statements ?? []} />

      {(c.status === 'actioned' || c.actions.some((x) => x.reverses)) && <RollbackPanel c={c} p={perms.rollback} />}

      {c.failureReason && (
        <p className="error" role="alert">
          Failed: {c.failureReason}
        </p>
      )}

      <CaseCommands caseId={c.id} />

      <NoteForm caseId={c.id} />

      <section className="card" aria-label="History">
        <h3>Timeline</h3>
        <Timeline events={c.timeline} />
      </section>

    </article>
  );
}
