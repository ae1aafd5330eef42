import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import dotenv from 'dotenv';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AppealOutcome, CaseStatus, CaseSummary, Decision } from '../shared/domain.js';
import type { CommandInput, CommandResult } from '../core/api.js';
import { ConfigError, loadConfig, type Config } from '../core/config.js';
import { readEvalFile, runEval, formatEvalTable } from '../core/classify/eval.js';
import { defaultPolicyFile, loadPolicy } from '../core/classify/policy.js';
import { createClassifier } from '../core/classify/configured.js';
import { createCore, withLogin, type Core } from '../core/core.js';
import { assertActingAs, type PersonSession } from '../core/session/person-session.js';
import { registerSetupCommands } from './setup-commands.js';
import { registerReleaseCommands } from './release-commands.js';
import { registerRequireVersion } from './release-version-command.js';
import { registerAuditCommands } from './audit-commands.js';
import { registerDeadCommands } from './dead-commands.js';
import { exportStatements, statementsCsv } from '../core/services/statements.js';
import { roleNames } from '../core/setup/roles.js';
import { exitCodeFor, GuardianError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { ContentSubmittedV1 } from '../core/queue/messages.js';
import { parseProcesses, runWorker } from '../worker/index.js';

const out = (s: string): void => void process.stdout.write(`${s}\n`);
const err = (s: string): void => void process.stderr.write(`${s}\n`);
const json = (v: unknown): void => out(JSON.stringify(v, null, 2));

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

interface CliContext {
  core: Core;
  session: PersonSession;
  config: Config;
}

/**
 * The configuration for a person's command: the login is DATABASE_URL's (or PGUSER, or .pgpass, as pg
 * resolves them). `--as X` / GUARDIAN_USER with no user in DATABASE_URL picks X's saved login
 * (<prefix>.X, its password from PGPASSWORD or .pgpass); with one, it must be the login's person (exit 4).
 */
function personConfig(as?: string): Config {
  const config = loadConfig();
  if (config.mode === 'connected' && as && !new URL(config.databaseUrl!).username)
    return { ...config, databaseUrl: withLogin(config.databaseUrl!, roleNames(config.rolePrefix).personLogin(as)) };
  return config;
}

/**
 * Opens the core and the person's session for one command. In standalone mode the CLI process owns the
 * embedded database and the in-process bus, so it also runs the work its command causes (and waits for
 * it) before exiting; its one local person holds every role.
 */
async function withSession<T>(fn: (ctx: CliContext) => Promise<T>, opts: { process?: boolean; as?: string } = {}): Promise<T> {
  const as = opts.as ?? loadConfig().user;
  const config = personConfig(as);
  const logger = createLogger({ level: process.env.GUARDIAN_LOG_LEVEL ?? 'warn', name: 'guardian-cli' });
  const standalone = config.mode === 'standalone';
  const core = await createCore({ config, logger, worker: standalone });
  try {
    await core.start();
    const session = await core.openSession({ tool: 'cli' });
    assertActingAs(session.person, as);
    const result = await fn({ core, session, config });
    if (standalone && opts.process !== false) await core.drain();
    return result;
  } finally {
    await core.stop();
  }
}

/** The core alone (publishing to the ingest exchange, health): no person needed. */
async function withCore<T>(fn: (core: Core, config: Config) => Promise<T>, opts: { process?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const logger = createLogger({ level: process.env.GUARDIAN_LOG_LEVEL ?? 'warn', name: 'guardian-cli' });
  const standalone = config.mode === 'standalone';
  const core = await createCore({ config, logger, worker: standalone });
  try {
    await core.start();
    const result = await fn(core, config);
    if (standalone && opts.process !== false) await core.drain();
    return result;
  } finally {
    await core.stop();
  }
}

function summaryLine(c: CaseSummary): string {
  const claim = c.claimedBy ? ` claimed:${c.claimedBy}` : '';
  return `${c.id}  ${c.status.padEnd(15)} L${c.level} v${c.version} ${c.priority.padEnd(6)} ${(c.violationType ?? '-').padEnd(13)} ${(c.severity ?? '-').padEnd(8)}${claim}  ${c.textPreview.slice(0, 60)}`;
}

function printResult(r: CommandResult, asJson: boolean) {
  if (asJson) return json(r);
  out(`${r.duplicate ? 'already recorded' : r.status}: case ${r.case.id} is ${r.case.status} (level ${r.case.level}, version ${r.case.version})`);
}

async function runCommand(input: CommandInput, asJson: boolean, as?: string) {
  await withSession(
    async ({ core, session }) => {
      const r = await session.execute(input);
      // Standalone runs the resulting work in this process; report the state it ended in.
      const after = core.mode === 'standalone' ? (await core.drain(), await session.getCase(r.case.id)) : r.case;
      printResult({ ...r, case: CaseSummary.parse(after) }, asJson);
    },
    { as },
  );
}

/** Who acts: the login (DESIGN §10). --as / GUARDIAN_USER only pick whose saved login to use. */
const asOption = () => new Option('--as <user>', "whose saved login to use (must be the login's person)").env('GUARDIAN_USER');
const commandIdOption = () => new Option('--command-id <id>', 'idempotency key (default: a new random id)');

export function buildProgram(): Command {
  const program = new Command('guardian')
    .description('Guardian Workstation: moderation agent, review queue and operations')
    .showHelpAfterError()
    // `audit --json` and `audit verify --json`: an option after a subcommand belongs to the subcommand.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('worker')
    .description('run the core headless until SIGTERM/SIGINT')
    .option('--processes <n>', 'worker processes, each a full consumer ("auto": one per core)', '1')
    .action(async (o: { processes: string }) => {
      const code = await runWorker({ processes: parseProcesses(o.processes) });
      if (code === 2 || code === 5) throw new GuardianError(code === 2 ? 'invalid_input' : 'update_required', 'a worker process cannot start (see the log above)');
      if (code !== 0) throw new GuardianError('internal', 'a worker process did not stop cleanly (see the log above)');
    });

  program
    .command('ingest')
    .description('publish content.submitted lines of a JSONL file (progress on stderr)')
    .argument('<file>', 'JSONL file, one content.submitted v1 message per line')
    .action(async (file: string) => {
      if (!fs.existsSync(file)) throw new GuardianError('invalid_input', `no such file: ${file}`);
      const invalid: string[] = [];
      let published = 0;
      await withCore(async (core) => {
        const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
        let n = 0;
        for await (const line of rl) {
          n++;
          if (!line.trim()) continue;
          let msg: unknown;
          try {
            msg = ContentSubmittedV1.parse(JSON.parse(line));
          } catch (e) {
            const why = e instanceof SyntaxError ? `malformed JSON (${e.message})` : (e as Error).message.replace(/\s+/g, ' ').slice(0, 300);
            invalid.push(`line ${n}: ${why}`);
            continue;
          }
          await core.bus.publishIngest('content.submitted', msg, { messageId: (msg as ContentSubmittedV1).contentId });
          published++;
          if (published % 100 === 0) err(`published ${published} (line ${n})`);
        }
        err(`published ${published} message(s) to moderation.ingest${invalid.length ? `; ${invalid.length} invalid line(s) skipped` : ''}`);
        if (core.mode === 'standalone') err('processing in this process (standalone mode)...');
      });
      for (const i of invalid) err(i);
      if (invalid.length) throw new GuardianError('invalid_input', `${invalid.length} line(s) were not valid content.submitted v1 messages`);
    });

  const cases = program.command('cases').description('query cases');
  cases
    .command('list')
    .option('--status <status>', `filter by status (${CaseStatus.options.join('|')}), comma-separated`)
    .option('--level <n>', 'filter by level (1 or 2)', int('--level'))
    .option('--limit <n>', 'at most this many (default 100)', int('--limit'))
    .option('--json', 'print JSON on stdout')
    .action(async (o: { status?: string; level?: number; limit?: number; json?: boolean }) => {
      const status = o.status?.split(',').map((s) => s.trim());
      for (const s of status ?? []) if (!CaseStatus.safeParse(s).success) throw new GuardianError('invalid_input', `unknown status "${s}"`);
      const list = await withSession(({ session }) => session.listCases({ status: status as CaseStatus[] | undefined, level: o.level, limit: o.limit ?? 100 }), { process: false });
      if (o.json) return json(list);
      for (const c of list) out(summaryLine(c));
      err(`${list.length} case(s)`);
    });
  cases
    .command('show')
    .argument('<caseId>')
    .option('--json', 'print JSON on stdout')
    .action(async (caseId: string, o: { json?: boolean }) => {
      const c = await withSession(({ session }) => session.getCase(caseId), { process: false });
      if (o.json) return json(c);
      out(summaryLine(c));
      out(`text: ${c.text}`);
      if (c.analysis) out(`analysis: ${c.analysis.verdict} ${c.analysis.violationType} (${c.analysis.classifier}, ${c.analysis.confidence}) ${c.analysis.reasoning}`);
      for (const a of c.actions) out(`action ${a.kind} ${a.status}${a.reverses ? ` (reverses ${a.reverses})` : ''}`);
      for (const e of c.timeline) out(`${e.at} ${e.type} by ${e.actor} via ${e.tool}`);
    });

  program
    .command('claim')
    .argument('<caseId>')
    .addOption(asOption())
    .option('--release', 'release the claim instead')
    .option('--json', 'print JSON on stdout')
    .action((caseId: string, o: { as: string; release?: boolean; json?: boolean }) =>
      runCommand({ type: o.release ? 'release' : 'claim', caseId, tool: 'cli', commandId: randomUUID() }, !!o.json, o.as),
    );

  program
    .command('decide')
    .argument('<caseId>')
    .addOption(new Option('--decision <d>', 'the decision').choices(Decision.options).makeOptionMandatory())
    .requiredOption('--reason <text>', 'why (required)')
    .addOption(asOption())
    .option('--expected-version <v>', 'the case version you saw (compare-and-set)', int('--expected-version'))
    .addOption(commandIdOption())
    .option('--duration-hours <n>', 'ban duration for remove_and_ban (default: permanent)', int('--duration-hours'))
    .option('--policy <ids>', 'policy ids, comma-separated')
    .option('--json', 'print JSON on stdout')
    .action((caseId: string, o: { decision: Decision; reason: string; as: string; expectedVersion?: number; commandId?: string; durationHours?: number; policy?: string; json?: boolean }) =>
      runCommand(
        {
          type: 'decide',
          caseId,
          decision: o.decision,
          reason: o.reason,
          tool: 'cli',
          commandId: o.commandId ?? randomUUID(),
          expectedVersion: o.expectedVersion,
          durationHours: o.durationHours,
          policyIds: o.policy?.split(',').map((s) => s.trim()).filter(Boolean),
        },
        !!o.json,
        o.as,
      ),
    );

  program
    .command('rollback')
    .argument('<caseId>')
    .requiredOption('--reason <text>', 'why (required)')
    .addOption(asOption())
    .option('--expected-version <v>', 'the case version you saw', int('--expected-version'))
    .addOption(commandIdOption())
    .option('--json', 'print JSON on stdout')
    .action((caseId: string, o: { reason: string; as: string; expectedVersion?: number; commandId?: string; json?: boolean }) =>
      runCommand({ type: 'rollback', caseId, reason: o.reason, tool: 'cli', commandId: o.commandId ?? randomUUID(), expectedVersion: o.expectedVersion }, !!o.json, o.as),
    );

  program
    .command('appeal')
    .description('appeal reviews')
    .command('decide')
    .argument('<caseId>')
    .addOption(new Option('--outcome <o>', 'uphold or overturn').choices(AppealOutcome.options).makeOptionMandatory())
    .requiredOption('--reason <text>', 'why (required)')
    .addOption(asOption())
    .option('--expected-version <v>', 'the case version you saw', int('--expected-version'))
    .addOption(commandIdOption())
    .option('--json', 'print JSON on stdout')
    .action((caseId: string, o: { outcome: 'uphold' | 'overturn'; reason: string; as: string; expectedVersion?: number; commandId?: string; json?: boolean }) =>
      runCommand({ type: 'appeal_decide', caseId, outcome: o.outcome, reason: o.reason, tool: 'cli', commandId: o.commandId ?? randomUUID(), expectedVersion: o.expectedVersion }, !!o.json, o.as),
    );

  const audit = program
    .command('audit')
    .description('the audit log (a case\'s, or everything); `audit verify` and `audit anchor` check it')
    .argument('[caseId]', 'the whole case id, or its first 4+ hex digits (the short id the UI shows)')
    .option('--content <contentId>', "the case with this platform content id")
    .option('--actor <user>')
    .option('--type <type>')
    .option('--from <time>', 'events at or after this ISO 8601 time')
    .option('--to <time>', 'events at or before this ISO 8601 time')
    .option('--newest', 'newest first (default: oldest first, chain order)')
    .option('--limit <n>', 'at most this many (default 1000)', int('--limit'))
    .option('--json', 'print JSON on stdout')
    .enablePositionalOptions()
    .action(async (caseId: string | undefined, o: { content?: string; actor?: string; type?: string; from?: string; to?: string; newest?: boolean; limit?: number; json?: boolean }) => {
      const q = { caseId, contentId: o.content, actor: o.actor, type: o.type, from: o.from, to: o.to, limit: o.limit, ...(o.newest ? { order: 'newest' as const } : {}) };
      const events = await withSession(({ session }) => session.audit(q), { process: false });
      if (o.json) return json(events);
      for (const e of events) out(`${e.at} ${e.caseId ?? '-'} ${e.type} by ${e.actor} via ${e.tool} ${JSON.stringify(e.payload)}`);
    });
  registerAuditCommands(audit, { withSession: (fn) => withSession(({ session, config }) => fn(session, config), { process: false }), out, err, json });

  // Transparency reporting (EU DSA Art. 17, issue 15): every decision's statement of reasons, one row each.
  program
    .command('statements')
    .description('statements of reasons sent to authors (EU DSA Art. 17)')
    .command('export')
    .description('one row per decision with the DSA fields as columns, oldest first (CSV with a header, or JSON)')
    .option('--from <time>', 'statements recorded at or after this ISO 8601 time')
    .option('--to <time>', 'statements recorded before this ISO 8601 time')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .addOption(asOption())
    .action(async (o: { from?: string; to?: string; format: 'csv' | 'json'; as?: string }) => {
      const rows = await withSession(({ session }) => exportStatements(session.db, { from: o.from, to: o.to }), { process: false, as: o.as });
      if (o.format === 'json') return json(rows);
      process.stdout.write(statementsCsv(rows));
      err(`${rows.length} statement(s)`);
    });

  const moderators = program.command('moderators').description('people: list, add (with a one-time password), disable, change role (admins)');
  moderators
    .command('list')
    .description('every person, enabled or not, with role, login and last activity (admins)')
    .option('--json', 'print JSON on stdout')
    .action(async (o: { json?: boolean }) => {
      const people = await withSession(({ session }) => session.people.list(), { process: false });
      if (o.json) return json(people);
      for (const p of people)
        out(`${p.id}\t${p.role}\t${p.active ? 'enabled' : 'disabled'}\t${p.lastActivity ? `${p.lastActivity.at} ${p.lastActivity.type}` : '-'}\t${p.displayName}`);
    });
  moderators
    .command('add')
    .argument('<id>')
    .addOption(new Option('--role <role>').choices(['moderator', 'supervisor', 'admin']).makeOptionMandatory())
    .option('--name <name>', 'display name')
    .option('--json', 'print { id, role, login, oneTimePassword } on stdout')
    .action(async (id: string, o: { role: 'moderator' | 'supervisor' | 'admin'; name?: string; json?: boolean }) => {
      const m = await withSession(({ session }) => session.people.add({ id, role: o.role, displayName: o.name }), { process: false });
      if (o.json) return json({ id: m.id, role: m.role, login: m.login, oneTimePassword: m.oneTimePassword });
      out(`${m.id} (${m.displayName}) is ${m.role}; login ${m.login}`);
      out(`one-time password (shown once): ${m.oneTimePassword}`);
    });
  moderators
    .command('disable')
    .argument('<id>')
    .option('--json', 'print JSON on stdout')
    .action(async (id: string, o: { json?: boolean }) => {
      const m = await withSession(({ session }) => session.people.disable(id), { process: false });
      if (o.json) return json(m);
      out(`${m.id} is disabled: the login ${m.login} can no longer connect`);
    });
  moderators
    .command('set-role')
    .argument('<id>')
    .addOption(new Option('--role <role>').choices(['moderator', 'supervisor', 'admin']).makeOptionMandatory())
    .option('--json', 'print JSON on stdout')
    .action(async (id: string, o: { role: 'moderator' | 'supervisor' | 'admin'; json?: boolean }) => {
      const m = await withSession(({ session }) => session.people.setRole(id, o.role), { process: false });
      if (o.json) return json(m);
      out(`${m.id} is now ${m.role}`);
    });

  program
    .command('whoami')
    .description('the person this login is, as the database says')
    .option('--json', 'print JSON on stdout')
    .action(async (o: { json?: boolean }) => {
      const me = await withSession(({ session }) => session.whoami(), { process: false });
      if (o.json) return json(me);
      out(`${me.id} (${me.displayName}), ${me.role}, login ${me.login}`);
    });

  registerDeadCommands(program, { withSession: (fn) => withSession(({ session, core }) => fn(session, core), { process: false }), out, err, json });

  registerSetupCommands(program, { out, err, json });
  const release = registerReleaseCommands(program, { out, err, json });
  registerRequireVersion(release, { withSession: (fn) => withSession(({ session }) => fn(session), { process: false }), out, err, json });

  program
    .command('eval')
    .description('evaluate the configured classifier on a labelled JSONL file ({ text, label } lines)')
    .argument('<file>')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (file: string, o: { json?: boolean }) => {
      const config = loadConfig();
      const logger = createLogger({ level: process.env.GUARDIAN_LOG_LEVEL ?? 'warn', name: 'guardian-eval' });
      const lines = await readEvalFile(file);
      const classifier = createClassifier(config, logger);
      let shown = 0;
      const report = await runEval(
        lines,
        classifier,
        (done, total) => {
          if (done === total || done - shown >= 25) {
            shown = done;
            err(`evaluated ${done}/${total}`);
          }
        },
        loadPolicy(config.policyFile ?? defaultPolicyFile()), // the bands the report shows
      );
      if (o.json) return json(report);
      out(formatEvalTable(report));
    });

  program
    .command('health')
    .description('check the database, the broker, queue depths, dead letters and stuck work (exit 0 ok, 1 degraded or down)')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (o: { json?: boolean }) => {
      const h = await withCore((core) => core.health(), { process: false });
      if (o.json) json(h);
      else {
        out(`status: ${h.status} (${h.mode})`);
        out(`database: ${h.database.state}${h.database.latencyMs !== undefined ? ` (${h.database.latencyMs} ms)` : ''}`);
        out(`broker: ${h.broker.state}`);
        for (const q of h.broker.queues ?? []) out(`  ${q.queue.padEnd(20)} ${String(q.messages).padStart(7)} waiting  ${q.consumers} consumer(s)`);
        if (h.cases) out(`cases: ${h.cases.awaitingReview} awaiting review (${h.cases.pastSla} past SLA), ${h.cases.stuckAnalyzing} stuck analysing, ${h.cases.failed} failed`);
        for (const p of h.problems) err(`problem: ${p}`);
      }
      if (h.status !== 'ok') throw new GuardianError('unavailable', `${h.status}: ${h.problems.join('; ')}`);
    });

  program
    .command('demo')
    .description('publish demo content (standalone or connected; no demo people)')
    .action(async () => {
      await withCore(async (core) => {
        const n = await core.seedDemo();
        err(`published ${n} demo message(s) to moderation.ingest`);
        if (core.mode === 'standalone') err('processing in this process (standalone mode)...');
      });
    });

  return program;
}

/** Runs the CLI; returns the exit code (DESIGN §13: 0 done, 1 failure, 2 usage, 3 conflict, 4 forbidden). */
export async function main(argv: string[]): Promise<number> {
  // A .env in the working directory fills in what the environment does not set (DESIGN §12).
  if (process.env.GUARDIAN_DOTENV !== 'off') dotenv.config({ quiet: true });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
    }
    if (e instanceof GuardianError) {
      err(`${e.code}: ${e.message}`);
      return exitCodeFor(e);
    }
    err(`error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
