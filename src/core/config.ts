import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './managed/errors.js';
import { applyManagedPolicy, enforceProcessTracing, loadManagedPolicy, policyFilePath, type ManagedView } from './managed/policy.js';
import { platformUrlProblem } from './platform/url.js';

export { ConfigError };

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalUrl = (protocols: string[]) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`)
      .optional(),
  );
const bool = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
  z.enum(['true', 'false', '1', '0', 'yes', 'no', '']).optional().transform((v) => v === 'true' || v === '1' || v === 'yes'),
);

/** Who may get an SLA target of their own: urgent posts, and each severity the analysis gives. */
export const SLA_TARGET_KEYS = ['urgent', 'critical', 'high', 'medium', 'low', 'none'] as const;
export type SlaTargets = Partial<Record<(typeof SLA_TARGET_KEYS)[number], number>>;
/**
 * GUARDIAN_SLA_TARGETS: minutes per key, e.g. "urgent=15,critical=30,high=60". A key not named follows
 * GUARDIAN_SLA_MINUTES (urgent a quarter of it, critical a half, the rest all of it: private.sla_minutes).
 */
const slaTargets = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx): SlaTargets => {
      const out: SlaTargets = {};
      if (v === undefined) return out;
      for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
        const m = /^([a-z]+)\s*=\s*(\d{1,6})$/.exec(part);
        const key = m?.[1] as (typeof SLA_TARGET_KEYS)[number] | undefined;
        if (!m || !key || !SLA_TARGET_KEYS.includes(key) || Number(m[2]) < 1 || key in out) {
          ctx.addIssue({ code: 'custom', message: `must be key=minutes pairs separated by commas, each key once (${SLA_TARGET_KEYS.join(', ')}), minutes at least 1: "${part}"` });
          return z.NEVER;
        }
        out[key] = Number(m[2]);
      }
      return out;
    }),
);

const EnvSchema = z.object({
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  AMQP_URL: optionalUrl(['amqp:', 'amqps:']),
  GROQ_API_KEY: z.preprocess(emptyToUndefined, z.string().min(8, 'looks too short to be an API key').optional()),
  GROQ_MODEL: z.preprocess(emptyToUndefined, z.string().default('llama-3.3-70b-versatile')),
  GROQ_BASE_URL: optionalUrl(['http:', 'https:']),
  GROQ_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(120_000).default(15_000)),
  LANGSMITH_TRACING: bool,
  LANGSMITH_API_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
  LANGSMITH_ENDPOINT: optionalUrl(['http:', 'https:']),
  LANGSMITH_PROJECT: z.preprocess(emptyToUndefined, z.string().default('guardian-workstation')),
  PLATFORM_URL: optionalUrl(['http:', 'https:']),
  PLATFORM_WEBHOOK_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  PLATFORM_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(120_000).default(10_000)),
  GUARDIAN_USER: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be a user id (letters, digits, . _ @ -)').optional()),
  GUARDIAN_DATA_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  GUARDIAN_WORKER: z.preprocess(
    (v) => emptyToUndefined(typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['on', 'off'], { message: 'must be "on" or "off"' }).default('off'),
  ),
  GUARDIAN_ROLE_PREFIX: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, 'must be lower-case letters, digits and _ (starting with a letter, at most 31)').default('guardian'),
  ),
  GUARDIAN_POLICY_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  GUARDIAN_LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  GUARDIAN_PREFETCH: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(256).default(8)),
  GUARDIAN_CLAIM_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(24 * 60).default(15)),
  GUARDIAN_SLA_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(60)),
  GUARDIAN_UNDO_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(30, 'must be at most 30 seconds').default(5)),
  GUARDIAN_SLA_TARGETS: slaTargets,
  GUARDIAN_UPDATE_CHANNEL: z.preprocess(
    (v) => emptyToUndefined(typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['stable', 'beta'], { message: 'must be "stable" or "beta"' }).default('stable'),
  ),
  GUARDIAN_UPDATE_URL: z.preprocess(emptyToUndefined, z.string().optional()),
  // Wellbeing (issue 15): after how many cases in sensitive categories a session suggests a break (0: never).
  GUARDIAN_BREAK_AFTER: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0, 'must be 0 (never) or more').max(1000, 'must be at most 1000').default(25)),
  // Issue 15: the worker takes guardian.dead into the database (`table`, the default) for the dead letters
  // console; `queue` leaves them in the queue (as before: for tools that read guardian.dead themselves).
  GUARDIAN_DEAD_LETTERS: z.preprocess(
    (v) => emptyToUndefined(typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['table', 'queue'], { message: 'must be "table" or "queue"' }).default('table'),
  ),
});

export type Mode = 'connected' | 'standalone';

export interface Config {
  mode: Mode;
  databaseUrl?: string;
  amqpUrl?: string;
  dataDir: string;
  user?: string;
  /** The app runs the worker role too (an admin provisioned it: DATABASE_URL/AMQP_URL are then the worker's). */
  worker: boolean;
  /** The installation's role-name prefix (guardian setup --role-prefix): person logins are <prefix>.<id>. */
  rolePrefix: string;
  groq?: { apiKey: string; model: string; baseUrl?: string; timeoutMs: number };
  langsmith: { tracing: boolean; apiKey?: string; endpoint?: string; project: string };
  platform: { url: string; secret: string; timeoutMs: number } | { url?: undefined };
  policyFile?: string;
  logLevel: string;
  prefetch: number;
  claimMinutes: number;
  slaMinutes: number;
  /** How long the app holds a decision with "Undo" before sending it (0: at once); the renderer reads it from the settings view. */
  undoSeconds: number;
  /** The worker moves guardian.dead into the dead_letters table (GUARDIAN_DEAD_LETTERS=table, the default). */
  deadLetterIntake: boolean;
  /** Review windows per urgency/severity (GUARDIAN_SLA_TARGETS); what is not named follows slaMinutes. */
  slaTargets: SlaTargets;
  /** The update feed (electron-builder's generic provider) and channel; null feed: no update checks. */
  update: { channel: 'stable' | 'beta'; feedUrl: string | null };
  /** Wellbeing: the break suggestion point of a person who set none (GUARDIAN_BREAK_AFTER; 0: never). */
  wellbeing: { breakAfter: number };
  /** What the machine-wide policy file decided, for the settings screen (src/core/managed/policy.ts). */
  managed: ManagedView;
}

/** The standalone local user's id: GUARDIAN_USER, else the OS user, made a valid moderator id. */
export function localUserId(configured?: string): string {
  return (configured ?? os.userInfo().username ?? 'local').replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 64) || 'local';
}

export function defaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? home, 'Guardian Workstation');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Guardian Workstation');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'guardian-workstation');
}

/**
 * Parse the environment, after the machine-wide policy file (managed settings) has been applied to it:
 * enforced values over the person's, the policy's defaults under them. Throws ConfigError naming the first
 * offending variable, or the policy file and its field.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const policy = loadManagedPolicy(policyFilePath(process.platform, env));
  const managed = applyManagedPolicy(env, policy);
  // LangChain reads its tracing switches from process.env itself: an enforced "off" must reach it there.
  enforceProcessTracing(policy);
  const parsed = EnvSchema.safeParse(managed.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.AMQP_URL)
    throw new ConfigError('AMQP_URL', 'is not set but DATABASE_URL is: connected mode needs both (unset both for standalone mode)');
  if (e.AMQP_URL && !e.DATABASE_URL)
    throw new ConfigError('DATABASE_URL', 'is not set but AMQP_URL is: connected mode needs both (unset both for standalone mode)');
  if (e.PLATFORM_URL && !e.PLATFORM_WEBHOOK_SECRET)
    throw new ConfigError('PLATFORM_WEBHOOK_SECRET', 'must be set when PLATFORM_URL is set (requests are signed with it)');
  const platformProblem = e.PLATFORM_URL ? platformUrlProblem(e.PLATFORM_URL) : undefined;
  if (platformProblem) throw new ConfigError('PLATFORM_URL', platformProblem);
  // The feed carries the builds this machine will run: https, like PLATFORM_URL (plain http only to loopback).
  const feedProblem = e.GUARDIAN_UPDATE_URL ? platformUrlProblem(e.GUARDIAN_UPDATE_URL) : undefined;
  if (feedProblem) throw new ConfigError('GUARDIAN_UPDATE_URL', feedProblem);
  if (e.LANGSMITH_TRACING && !e.LANGSMITH_API_KEY)
    throw new ConfigError('LANGSMITH_API_KEY', 'must be set when LANGSMITH_TRACING=true');
  return {
    mode: e.DATABASE_URL ? 'connected' : 'standalone',
    databaseUrl: e.DATABASE_URL,
    amqpUrl: e.AMQP_URL,
    dataDir: path.resolve(e.GUARDIAN_DATA_DIR ?? defaultDataDir()),
    user: e.GUARDIAN_USER,
    worker: e.GUARDIAN_WORKER === 'on',
    rolePrefix: e.GUARDIAN_ROLE_PREFIX,
    groq: e.GROQ_API_KEY
      ? { apiKey: e.GROQ_API_KEY, model: e.GROQ_MODEL, baseUrl: e.GROQ_BASE_URL, timeoutMs: e.GROQ_TIMEOUT_MS }
      : undefined,
    langsmith: {
      tracing: e.LANGSMITH_TRACING,
      apiKey: e.LANGSMITH_API_KEY,
      endpoint: e.LANGSMITH_ENDPOINT,
      project: e.LANGSMITH_PROJECT,
    },
    platform: e.PLATFORM_URL
      ? { url: e.PLATFORM_URL.replace(/\/+$/, ''), secret: e.PLATFORM_WEBHOOK_SECRET!, timeoutMs: e.PLATFORM_TIMEOUT_MS }
      : {},
    policyFile: e.GUARDIAN_POLICY_FILE,
    logLevel: e.GUARDIAN_LOG_LEVEL,
    prefetch: e.GUARDIAN_PREFETCH,
    claimMinutes: e.GUARDIAN_CLAIM_MINUTES,
    slaMinutes: e.GUARDIAN_SLA_MINUTES,
    undoSeconds: e.GUARDIAN_UNDO_SECONDS,
    deadLetterIntake: e.GUARDIAN_DEAD_LETTERS === 'table',
    slaTargets: e.GUARDIAN_SLA_TARGETS,
    update: { channel: e.GUARDIAN_UPDATE_CHANNEL, feedUrl: e.GUARDIAN_UPDATE_URL ?? null },
    wellbeing: { breakAfter: e.GUARDIAN_BREAK_AFTER },
    managed: managed.view,
  };
}
