// `guardian setup` (DESIGN §10, §13): once, and again after every upgrade, by a DBA login (DATABASE_URL)
// and the broker's admin (AMQP_URL). Persons, workers and the platform then use their own logins.
import type { Command } from 'commander';
import { loadConfig } from '../core/config.js';
import { GuardianError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { brokerDefinitions, brokerPermissionLines, brokerUsers, declareBrokerTopology, vhostOf, type BrokerPrincipal } from '../core/setup/broker-setup.js';
import { setupDatabase } from '../core/setup/db-setup.js';

interface Io {
  out(s: string): void;
  err(s: string): void;
  json(v: unknown): void;
}

function parseUserNames(spec?: string): Partial<Record<BrokerPrincipal, string>> {
  const names: Partial<Record<BrokerPrincipal, string>> = {};
  for (const part of (spec ?? '').split(',').filter(Boolean)) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (!['worker', 'workstation', 'platform'].includes(k ?? '') || !v) throw new GuardianError('invalid_input', `--broker-users: "${part}" is not worker=NAME, workstation=NAME or platform=NAME`);
    names[k as BrokerPrincipal] = v;
  }
  return names;
}

export function registerSetupCommands(program: Command, io: Io): void {
  program
    .command('setup')
    .description('once, by a DBA/admin: migrate, roles, functions and privileges, RabbitMQ topology; first admin and worker login')
    .option('--admin <id>', 'create this person as the first admin (one-time password printed once)')
    .option('--admin-name <name>', "the first admin's display name")
    .option('--worker <login>', 'create this worker login (one-time password printed once)')
    .option('--role-prefix <prefix>', 'role names <prefix>_moderator, …; person logins <prefix>.<id> (default GUARDIAN_ROLE_PREFIX or guardian)')
    .option('--no-broker', 'do not declare the RabbitMQ topology')
    .option('--broker-permissions', 'print the least-privilege broker users as rabbitmqctl lines (with --json: a definitions file) and stop')
    .option('--broker-users <spec>', 'broker user names: worker=NAME,workstation=NAME,platform=NAME')
    .option('--json', 'print one JSON document on stdout')
    .action(async (o: { admin?: string; adminName?: string; worker?: string; rolePrefix?: string; broker: boolean; brokerPermissions?: boolean; brokerUsers?: string; json?: boolean }) => {
      const config = loadConfig();
      const prefix = o.rolePrefix ?? config.rolePrefix;
      if (o.brokerPermissions) {
        if (!config.amqpUrl) throw new GuardianError('invalid_input', 'AMQP_URL must name the vhost the users are for');
        const vhost = vhostOf(config.amqpUrl);
        const users = brokerUsers(prefix, parseUserNames(o.brokerUsers));
        if (o.json) return io.json({ vhost, users, definitions: brokerDefinitions(vhost, users) });
        io.err(`# least-privilege broker users for vhost ${vhost} (passwords shown once; run as the broker's admin)`);
        for (const line of brokerPermissionLines(vhost, users)) io.out(line);
        return;
      }
      if (config.mode !== 'connected') throw new GuardianError('invalid_input', 'standalone mode sets itself up: guardian setup is for the shared PostgreSQL and RabbitMQ (set DATABASE_URL and AMQP_URL to a DBA and the broker admin)');
      const logger = createLogger({ level: process.env.GUARDIAN_LOG_LEVEL ?? 'warn', name: 'guardian-setup' });
      const report = await setupDatabase({
        url: config.databaseUrl!,
        prefix,
        mode: 'connected',
        logger,
        admin: o.admin ? { id: o.admin, displayName: o.adminName } : undefined,
        workerLogin: o.worker,
        progress: (step) => io.err(`setup: ${step}…`),
      });
      if (o.broker) {
        io.err('setup: RabbitMQ topology…');
        await declareBrokerTopology(config.amqpUrl!);
      }
      if (o.json)
        return io.json({
          rolePrefix: prefix,
          roles: report.roles,
          migrations: report.migrations,
          functions: report.functions,
          admin: report.admin ?? null,
          worker: report.worker ?? null,
          broker: { declared: o.broker },
        });
      io.out(`database set up (role prefix ${prefix}): ${report.migrations.length} migration(s) run, ${report.functions.applied.length} function file(s) applied`);
      if (report.admin)
        io.out(report.admin.oneTimePassword ? `first admin ${report.admin.id}: login ${report.admin.login}, one-time password (shown once): ${report.admin.oneTimePassword}` : `admin ${report.admin.id} exists (login ${report.admin.login}): left as it is`);
      if (report.worker)
        io.out(report.worker.oneTimePassword ? `worker login ${report.worker.login}, one-time password (shown once): ${report.worker.oneTimePassword}` : `worker login ${report.worker.login} exists: left as it is`);
      if (o.broker) io.out('RabbitMQ topology declared');
    });
}
