// The sign-in screen (connected mode, DESIGN §10): a person signs in with their own login and password
// against the server shown. The password lives in this component's state only while it is typed; after a
// failure it is cleared (the login stays) and the password field takes the focus again.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SignInState } from '../../lib/contract-types';
import { signInMessage, useSignIn } from '../../store/signin';

export function SignIn({ info }: { info: SignInState }) {
  const { pending, error, attempt, signIn, fail } = useSignIn();
  const [login, setLogin] = useState(info.login ?? '');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const loginRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    (login ? passwordRef : loginRef).current?.focus();
    // Once, when the screen opens.
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (pending) return;
    const who = login.trim();
    if (!who) {
      fail({ code: 'invalid_input', message: 'Enter your login.' });
      loginRef.current?.focus();
      return;
    }
    if (!password) {
      fail({ code: 'invalid_input', message: 'Enter your password.' });
      passwordRef.current?.focus();
      return;
    }
    const ok = await signIn({ login: who, password, remember: info.keeps && remember });
    // Success unmounts this screen; either way the password does not stay in memory here.
    setPassword('');
    if (!ok) passwordRef.current?.focus();
  }

  const shown = error ? signInMessage(error, info.server) : undefined;
  // Which field the failure is about (marked invalid): none when the server could not be asked at all.
  const invalid = !error
    ? undefined
    : error.message === 'Enter your login.' || error.details?.reason === 'login_refused'
      ? 'login'
      : error.message === 'Enter your password.' || error.details?.reason === 'bad_credentials'
        ? 'password'
        : undefined;
  return (
    <div className="signin-page">
      <form className="signin card" aria-labelledby="signin-title" aria-busy={pending} noValidate onSubmit={(e) => void submit(e)} data-testid="signin">
        <h1 id="signin-title">Sign in to Guardian</h1>
        <p className="muted">Use your own login: every decision you make is recorded under it.</p>
        <p className="signin-server" data-testid="signin-server">
          Server: <span className="mono">{info.server}</span>
        </p>
        <label className="block">
          Login
          <input
            ref={loginRef}
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={login}
            readOnly={pending}
            onChange={(e) => setLogin(e.target.value)}
            maxLength={63}
            placeholder="as your admin gave it, e.g. guardian.alice"
            aria-invalid={invalid === 'login' || undefined}
            aria-describedby={shown && invalid === 'login' ? 'signin-error' : undefined}
          />
        </label>
        <label className="block">
          Password
          <input
            ref={passwordRef}
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            readOnly={pending}
            onChange={(e) => setPassword(e.target.value)}
            maxLength={1024}
            aria-invalid={invalid === 'password' || undefined}
            aria-describedby={shown && invalid !== 'login' ? 'signin-error' : undefined}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={info.keeps && remember}
            disabled={!info.keeps || pending}
            onChange={(e) => setRemember(e.target.checked)}
            aria-describedby="signin-keep-why"
          />
          Keep me signed in on this computer
        </label>
        <p id="signin-keep-why" className="small muted signin-keep-why">
          {info.keeps
            ? 'Your password is kept encrypted by the OS keychain until you sign out.'
            : 'Not available — this computer has no OS keychain: you will sign in at each start.'}
        </p>
        <div className="buttons">
          <button type="submit" className="primary" disabled={pending}>
            {pending ? 'Signing in…' : 'Sign in'}
          </button>
          {pending && (
            <span className="muted" role="status">
              Checking your login with the server…
            </span>
          )}
        </div>
        <div className="signin-alert">
          {shown && (
            <div key={attempt} id="signin-error" className="notice notice-error" role="alert" data-testid="signin-error">
              {shown.text}
              {shown.detail && <div className="small signin-detail">Details: {shown.detail}</div>}
            </div>
          )}
        </div>
      </form>
    </div>
  );
}
