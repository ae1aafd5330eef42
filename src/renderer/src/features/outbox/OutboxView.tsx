import type { OutboxEntry } from '../../lib/contract-types';
import { caseName, fmtTime, humanizeMessage } from '../../lib/format';
import { useContentIdOf } from './caseLookup';
import { useCase } from '../../store/case';
import { needsAction, useOutbox } from '../../store/outbox';
import { useUi } from '../../store/ui';
import { UserText } from '../../lib/UserText';

export function OutboxActions({ e }: { e: OutboxEntry }) {
  const { discard, escalate } = useOutbox();
  if (!needsAction(e)) return null;
  return (
    <span className="buttons">
      <button onClick={() => void discard(e.id)}>Discard</button>
      <button onClick={() => void escalate(e.id)}>Request escalation</button>
    </span>
  );
}

/** DESIGN §9: every saved command with its delivery state; conflicts offer discard or escalation. */
export function OutboxView() {
  const { entries, error } = useOutbox();
  const setView = useUi((s) => s.setView);
  const contentIdOf = useContentIdOf();
  const openCase = (caseId: string) => {
    setView('queue');
    void useCase.getState().open(caseId);
  };
  return (
    <section className="pane scroll" aria-label="Outbox">
      <h2 className="h2">Outbox</h2>
      <p className="muted small">
        A decision is saved once it is on this computer’s disk; it is then delivered (once, by its command id) and applied, or comes back as a
        conflict or a refusal.
      </p>
      {error && <p className="error" role="alert">{error.message}</p>}
      <table aria-label="Outbox entries">
        <thead>
          <tr>
            <th>Saved</th>
            <th>Case</th>
            <th>Command</th>
            <th>State</th>
            <th>Why</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-testid="outbox-row" data-state={e.state} data-id={e.id} data-case-id={e.caseId}>
              <td>{fmtTime(e.createdAt)}</td>
              <td>
                <button className="link" data-testid="outbox-case" title={`Open case ${e.caseId}`} onClick={() => openCase(e.caseId)}>
                  <UserText identifier text={caseName(e.caseId, contentIdOf(e.caseId))} />
                </button>
              </td>
              <td>
                <button className="link" onClick={() => openCase(e.caseId)}>
                  <UserText text={e.summary} />
                </button>
              </td>
              <td>
                <span className={`ostate os-${e.state}`}>{e.state}</span>
              </td>
              <td className="small">
                <UserText text={humanizeMessage(e.error?.message ?? '', { contentIdOf })} />
              </td>
              <td>
                <OutboxActions e={e} />
              </td>
            </tr>
          ))}
          {entries.length === 0 && (
            <tr>
              <td colSpan={6} className="empty">
                Nothing saved yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
