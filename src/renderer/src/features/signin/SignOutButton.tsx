// "Sign out" in the header (connected mode). Decisions still waiting in the outbox are not lost by signing
// out — they stay on this computer under this login and are delivered at the next sign-in — but the person
// is told so and asked first.
import { useEffect, useRef, useState } from 'react';
import type { ContractError } from '../../lib/contract-types';
import { useOutbox } from '../../store/outbox';
import { useSignIn } from '../../store/signin';

export function SignOutButton() {
  const { signOut, signingOut } = useSignIn();
  const [confirm, setConfirm] = useState<number | null>(null);
  const [error, setError] = useState<ContractError>();
  const stay = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirm !== null) stay.current?.focus();
  }, [confirm]);

  async function leave() {
    setConfirm(null);
    const err = await signOut();
    if (err) setError(err);
  }

  async function ask() {
    setError(undefined);
    // Read the outbox now rather than trust the last push: what is not delivered yet is what matters.
    const outbox = useOutbox.getState();
    await outbox.load();
    const waiting = useOutbox.getState().entries.filter((e) => e.state === 'pending').length;
    if (waiting > 0) setConfirm(waiting);
    else await leave();
  }

  const cancel = () => {
    setConfirm(null);
    opener.current?.focus();
  };

  return (
    <>
      <button ref={opener} className="ghost" onClick={() => void ask()} disabled={signingOut} aria-busy={signingOut}>
        {signingOut ? 'Signing out…' : 'Sign out'}
      </button>
      {error && (
        <span className="error small" role="alert">
          Could not sign out: {error.message}
        </span>
      )}
      {confirm !== null && (
        <div className="backdrop" onClick={cancel}>
          <div
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="signout-title"
            aria-describedby="signout-desc"
            className="dialog"
            onClick={(e) => e.stopPropagation()}
            onKeyDown={(e) => e.key === 'Escape' && cancel()}
          >
            <h2 id="signout-title">Sign out?</h2>
            <p id="signout-desc" data-testid="signout-pending">
              {confirm === 1 ? '1 decision is not delivered yet' : `${confirm} decisions are not delivered yet`}; they stay on this computer and are sent when
              you sign in again.
            </p>
            <div className="buttons">
              <button ref={stay} onClick={cancel}>
                Stay signed in
              </button>
              <button className="primary" onClick={() => void leave()}>
                Sign out
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
