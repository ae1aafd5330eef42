// Managed settings (issue 13): a machine-wide policy file an admin installs with the build, at the OS's
// conventional place, with `defaults` (used when the person has not set the value) and `enforced` values
// (they win over the person's environment, .env and saved settings). Resolved into the environment before
// loadConfig parses it, so every consumer — app, dev host, CLI, worker — sees one configuration.
//
// Not a security boundary: a person who can run their own build or set GUARDIAN_MANAGED_POLICY_FILE can
// ignore it. It keeps a team's workstations on the same servers, channel and switches; the database stays the
// authority on what a person may do (DESIGN §10).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ManagedPolicyError } from './errors.js';
import { platformUrlProblem } from '../platform/url.js';

/** Points at another policy file (tests, and admins who keep it elsewhere). */
export const POLICY_FILE_ENV = 'GUARDIAN_MANAGED_POLICY_FILE';

const urlWith = (protocols: string[], what: string) =>
  z.string({ message: `expected a ${what} URL (string)` }).refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
const https = z
  .string({ message: 'expected an https:// URL (string)' })
  .superRefine((v, ctx) => {
    const problem = platformUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.replace(/^must/, 'expected to') });
  });
const minutes = (max?: number) => {
  const int = z.number({ message: 'expected a whole number of minutes' }).int('expected a whole number of minutes').min(1, 'expected at least 1 minute');
  return max ? int.max(max, `expected at most ${max} minutes`) : int;
};
const boolean = z.boolean({ message: 'expected true or false' });

/**
 * Each managed key: its schema in the file, the environment variable it stands for, how a value is written
 * there, and what applies when nobody sets it (the built-in default of src/core/config.ts).
 */
const KEYS = {
  /** The shared PostgreSQL server (no password: the file is readable by every local user). */
  databaseUrl: { env: 'DATABASE_URL', schema: urlWith(['postgres:', 'postgresql:'], 'postgres://'), builtIn: null },
  /** The shared RabbitMQ server, with the workstation's (read-only, live events) broker user. */
  amqpUrl: { env: 'AMQP_URL', schema: urlWith(['amqp:', 'amqps:'], 'amqp://'), builtIn: null },
  rolePrefix: {
    env: 'GUARDIAN_ROLE_PREFIX',
    schema: z.string({ message: 'expected a string' }).regex(/^[a-z][a-z0-9_]{0,30}$/, 'expected lower-case letters, digits and _ (starting with a letter, at most 31)'),
    builtIn: 'guardian',
  },
  updateChannel: { env: 'GUARDIAN_UPDATE_CHANNEL', schema: z.enum(['stable', 'beta'], { message: 'expected "stable" | "beta"' }), builtIn: 'stable' },
  updateUrl: { env: 'GUARDIAN_UPDATE_URL', schema: https, builtIn: null },
  /** LangSmith tracing (moderated text is sent in clear: FACTS). */
  tracing: { env: 'LANGSMITH_TRACING', schema: boolean, builtIn: false },
  langsmithEndpoint: { env: 'LANGSMITH_ENDPOINT', schema: urlWith(['http:', 'https:'], 'http(s)://'), builtIn: null },
  /** Whether the app also runs the worker role. */
  worker: { env: 'GUARDIAN_WORKER', schema: boolean, builtIn: false },
  slaMinutes: { env: 'GUARDIAN_SLA_MINUTES', schema: minutes(), builtIn: 60 },
  claimMinutes: { env: 'GUARDIAN_CLAIM_MINUTES', schema: minutes(24 * 60), builtIn: 15 },
  /** How long a decision is held with "Undo" before it is sent (seconds; 0: sent at once). Read by the renderer. */
  undoSeconds: {
    env: 'GUARDIAN_UNDO_SECONDS',
    schema: z.number({ message: 'expected a whole number of seconds' }).int('expected a whole number of seconds').min(0, 'expected 0 (off) or more seconds').max(30, 'expected at most 30 seconds'),
    builtIn: 5,
  },
} as const;

export type ManagedKey = keyof typeof KEYS;
export const MANAGED_KEYS = Object.keys(KEYS) as ManagedKey[];
export type ManagedValues = { [K in ManagedKey]: z.infer<(typeof KEYS)[K]['schema']> };

const Section = z.object(Object.fromEntries(MANAGED_KEYS.map((k) => [k, KEYS[k].schema.optional()])) as { [K in ManagedKey]: z.ZodOptional<(typeof KEYS)[K]['schema']> }).strict();
const PolicySchema = z.object({ defaults: Section.optional(), enforced: Section.optional() }).strict();

export interface ManagedPolicy {
  file: string;
  defaults: Partial<ManagedValues>;
  enforced: Partial<ManagedValues>;
}
export interface ManagedSetting {
  key: ManagedKey;
  value: unknown;
  source: 'enforced' | 'user' | 'default' | 'built-in';
  /** Enforced: the settings screen shows it and does not let the person change it. */
  locked: boolean;
}
export interface ManagedView {
  /** The policy file read at start, or null when there is none. */
  file: string | null;
  settings: ManagedSetting[];
}

export { ManagedPolicyError };

/** Where the machine-wide policy file lives on this OS (GUARDIAN_MANAGED_POLICY_FILE overrides it). */
export function policyFilePath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[POLICY_FILE_ENV]?.trim();
  if (override) return override;
  if (platform === 'win32') {
    const programData = env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData';
    return path.win32.join(programData, 'Guardian Workstation', 'policy.json');
  }
  if (platform === 'darwin') return '/Library/Application Support/Guardian Workstation/policy.json';
  return '/etc/guardian-workstation/policy.json';
}

/** Reads and validates the policy file; null when there is none. Throws ManagedPolicyError (a ConfigError). */
export function loadManagedPolicy(file: string = policyFilePath()): ManagedPolicy | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    // Present but unreadable (permissions, a directory): the admin meant something; do not start without it.
    throw new ManagedPolicyError(file, '(file)', `cannot be read (${code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ManagedPolicyError(file, '(file)', `is not valid JSON (${(e as Error).message})`);
  }
  const parsed = PolicySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      const field = [...at, key].join('.');
      const known = at.length === 0 ? '"defaults" and "enforced"' : MANAGED_KEYS.join(', ');
      throw new ManagedPolicyError(file, field, `is not a managed setting (known: ${known})`);
    }
    if (at.length === 0) throw new ManagedPolicyError(file, '(root)', 'expected an object { "defaults": {…}, "enforced": {…} }');
    if (at.length === 1) throw new ManagedPolicyError(file, at[0]!, 'expected an object of managed settings');
    throw new ManagedPolicyError(file, at.join('.'), issue.message);
  }
  const policy: ManagedPolicy = { file, defaults: parsed.data.defaults ?? {}, enforced: parsed.data.enforced ?? {} };
  for (const section of ['defaults', 'enforced'] as const) {
    const url = policy[section].databaseUrl;
    if (url && new URL(url).password)
      throw new ManagedPolicyError(
        file,
        `${section}.databaseUrl`,
        'must not contain a password: a machine-wide policy file is readable by every local user (give the server only; each person signs in with their own login, a worker takes its password from PGPASSWORD or ~/.pgpass)',
      );
  }
  return policy;
}

const toEnv = (key: ManagedKey, value: unknown): string => {
  if (key === 'worker') return value ? 'on' : 'off';
  return String(value);
};
const set = (v: string | undefined) => v !== undefined && v.trim() !== '';

/** What a person's own environment value means, for the view (config.ts parses it for real). */
function fromEnv(key: ManagedKey, raw: string): unknown {
  const v = raw.trim();
  if (key === 'worker') return v.toLowerCase() === 'on';
  if (key === 'tracing') return ['true', '1', 'yes'].includes(v.toLowerCase());
  if (key === 'slaMinutes' || key === 'claimMinutes' || key === 'undoSeconds') return Number(v);
  return v;
}

/** A URL shown in the view without its password (a person's or worker's DATABASE_URL may carry one). */
function withoutPassword(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    const u = new URL(value);
    if (!u.password) return value;
    u.password = '';
    return u.toString();
  } catch {
    return value;
  }
}

/**
 * An enforced server address keeps the login of whoever runs the process (a CLI person, a provisioned
 * worker): the policy decides where to connect, the login stays the identity (DESIGN §10). Only when the
 * enforced URL names no user of its own.
 */
function keepLogin(enforced: string, own: string | undefined): string {
  if (!set(own)) return enforced;
  try {
    const server = new URL(enforced);
    const mine = new URL(own!.trim());
    if (server.username || !mine.username) return enforced;
    server.username = mine.username;
    server.password = mine.password;
    return server.toString();
  } catch {
    return enforced;
  }
}

/**
 * Precedence: enforced > the person's own setting (environment, .env, what the app saved into the
 * environment) > the policy's defaults > built-in. Returns the environment to parse (a copy) and the view.
 */
export function applyManagedPolicy(env: NodeJS.ProcessEnv, policy: ManagedPolicy | null): { env: NodeJS.ProcessEnv; view: ManagedView } {
  const out: NodeJS.ProcessEnv = { ...env };
  const settings: ManagedSetting[] = [];
  for (const key of MANAGED_KEYS) {
    const variable = KEYS[key].env;
    const enforced = policy?.enforced[key];
    const fallback = policy?.defaults[key];
    let setting: ManagedSetting;
    if (enforced !== undefined) {
      out[variable] = key === 'databaseUrl' || key === 'amqpUrl' ? keepLogin(String(enforced), env[variable]) : toEnv(key, enforced);
      setting = { key, value: enforced, source: 'enforced', locked: true };
    } else if (set(env[variable])) {
      setting = { key, value: fromEnv(key, env[variable]!), source: 'user', locked: false };
    } else if (fallback !== undefined) {
      out[variable] = toEnv(key, fallback);
      setting = { key, value: fallback, source: 'default', locked: false };
    } else {
      setting = { key, value: KEYS[key].builtIn, source: 'built-in', locked: false };
    }
    settings.push({ ...setting, value: withoutPassword(setting.value) });
  }
  if (policy?.enforced.tracing === false) for (const v of LANGCHAIN_TRACING_VARIABLES) delete out[v];
  return { env: out, view: { file: policy?.file ?? null, settings } };
}

/**
 * LangChain turns its own tracer on from the process environment, whatever config says: any of these set to
 * "true" (and LANGCHAIN_TRACING set to anything at all) traces every LangChain call. "Tracing off" enforced
 * by the policy therefore removes them from the process itself (@langchain/core utils/callbacks.js).
 */
export const LANGCHAIN_TRACING_VARIABLES = ['LANGSMITH_TRACING', 'LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'LANGCHAIN_TRACING'] as const;

/** Applies an enforced "tracing off" to the running process's environment (see LANGCHAIN_TRACING_VARIABLES). */
export function enforceProcessTracing(policy: ManagedPolicy | null, target: NodeJS.ProcessEnv = process.env): void {
  if (policy?.enforced.tracing === false) for (const v of LANGCHAIN_TRACING_VARIABLES) delete target[v];
}

/** The environment variable a managed key stands for (the settings screen names it). */
export const managedVariable = (key: ManagedKey): string => KEYS[key].env;
