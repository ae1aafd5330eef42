import type { ContractError } from '../../lib/contract-types';
import { hostLink } from '../../lib/api';

/**
 * The session could not even start: before anyone signs in, so this is about the workstation, not a person.
 * It says what happened, what to do, and offers to try again (issue 14: a bad dev host token and an
 * unknown user got the same unstyled line, with no way forward).
 */
export function StartError({ error }: { error: ContractError }) {
  const refused = hostLink.get() === 'refused';
  return (
    <section className="card start-error" role="alert" aria-labelledby="start-error-title" data-testid="start-error">
      <h2 id="start-error-title">{refused ? 'This page is not allowed to reach the workstation' : 'The workstation could not start'}</h2>
      <p className="notice notice-error">{error.message}</p>
      {refused ? (
        <p>
          The address needs the access token the dev host printed when it started (<code>…/?token=…</code>). Open that address
          again, or restart the dev host for a new one. Nothing was signed in or sent from this page.
        </p>
      ) : (
        <p>Nothing was signed in or sent. Try again; if it keeps failing, restart the app and tell your admin what this says.</p>
      )}
      <button type="button" className="primary" onClick={() => location.reload()}>
        Try again
      </button>
    </section>
  );
}
