/**
 * egate-central CLI: accounts, gate checkpoint keys, commands and retention, against the
 * same PostgreSQL and broker as the service.
 *   node --import tsx central/cli.ts --config central.json user set sup1 --role supervisor   (password on stdin)
 *   … gate-key add LMC-A-01 /path/checkpoint.key.pub.pem --as tech1
 *   … command request --as sup1 --type replace_trust_list --target LMC --args @trust-list-command.json
 *   … command approve c-… --as sup2
 *   … command list | purge
 * Actions that change anything ask for the acting user's password (stdin) and are audited.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import mqtt from 'mqtt';
import { checkpointKid } from '../kiosk/journal/checkpoint.ts';
import { listRollouts, migrateRollouts, RolloutService } from './rollout-service.ts';
import { CommandService } from './commands/service.ts';
import { openCommandSigner } from './commands/signer.ts';
import { loadCentralConfig, type CentralConfig } from './config.ts';
import { checkPassword, ROLES, setUser, type Role } from './console/users.ts';
import { audit, type Actor } from './db/audit.ts';
import { openPool } from './db/pool.ts';
import { migrate, purge } from './db/schema.ts';
import { CentralError } from './errors.ts';

async function stdinLine(): Promise<string> {
  let text = '';
  for await (const c of process.stdin as AsyncIterable<Buffer>) {
    text += c.toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]!.trim();
}

async function actor(cfg: CentralConfig, user: string): Promise<Actor> {
  const role = await checkPassword(cfg.console.usersPath, user, process.env.EGATE_CENTRAL_PASSWORD ?? (await stdinLine()));
  if (!role) throw new CentralError('CENTRAL_AUTH', 'user or password wrong');
  return { user, role };
}

async function withDb<T>(cfg: CentralConfig, fn: (pool: ReturnType<typeof openPool>) => Promise<T>): Promise<T> {
  const pool = openPool(cfg.db.url, 2);
  try {
    await migrate(pool);
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

async function withCommands<T>(cfg: CentralConfig, fn: (s: CommandService, pool: ReturnType<typeof openPool>) => Promise<T>): Promise<T> {
  const signer = openCommandSigner(cfg.commands);
  const client = await mqtt.connectAsync(cfg.mqtt.url, { protocolVersion: 5, clientId: `egate-central-cli-${process.pid}` });
  try {
    return await withDb(cfg, (pool) =>
      fn(new CommandService({ pool, signer, groups: cfg.commands.groups, instance: 'cli', publish: async (t, p) => void (await client.publishAsync(t, p, { qos: 1 })) }), pool),
    );
  } finally {
    await client.endAsync();
    signer.close();
  }
}

const program = new Command('egate-central').requiredOption('--config <path>', 'central configuration JSON');
const cfg = (): CentralConfig => loadCentralConfig(program.opts<{ config: string }>().config);
const out = (v: unknown): void => console.log(typeof v === 'string' ? v : JSON.stringify(v, null, 2));

program
  .command('user')
  .command('set <id>')
  .requiredOption('--role <role>', ROLES.join(' | '))
  .description('add or change a console account (password on stdin)')
  .action(async (id: string, op: { role: string }) => {
    if (!(ROLES as readonly string[]).includes(op.role)) throw new CentralError('CENTRAL_BAD_REQUEST', `role is one of ${ROLES.join(', ')}`);
    await setUser(cfg().console.usersPath, id, op.role as Role, await stdinLine());
    out(`user ${id} set (${op.role})`);
  });

program
  .command('gate-key')
  .command('add <gate> <pem>')
  .requiredOption('--as <user>', 'acting technician or supervisor')
  .option('--kind <kind>', 'checkpoint (keys/checkpoint.key.pub.pem) or command (the gate command key, for sealed commands)', 'checkpoint')
  .description("register a gate's journal checkpoint public key or its command key")
  .action(async (gate: string, pem: string, op: { as: string; kind: string }) => {
    const c = cfg();
    const a = await actor(c, op.as);
    if (a.role === 'officer') throw new CentralError('CENTRAL_FORBIDDEN', 'officers do not register keys');
    const text = readFileSync(pem, 'utf8');
    const kid = op.kind === 'command' ? 'command' : Buffer.from(checkpointKid(createPublicKey(text))).toString('hex');
    await withDb(c, async (pool) => {
      await pool.query('INSERT INTO gate_keys (gate, kid, pem, added_by) VALUES ($1, $2, $3, $4) ON CONFLICT (gate, kid) DO UPDATE SET pem = $3, added_by = $4, added_at = now()', [gate, kid, text, a.user]);
      await audit(pool, 'cli', a, 'gate_key_added', { gate, kid });
    });
    out({ gate, kid });
  });

const cmd = program.command('command').description('central commands');
cmd
  .command('request')
  .requiredOption('--as <user>')
  .requiredOption('--type <type>')
  .requiredOption('--target <gate|site|group|*>')
  .option('--args <json|@file>', 'command args', '{}')
  .action(async (op: { as: string; type: string; target: string; args: string }) => {
    const c = cfg();
    const a = await actor(c, op.as);
    const args = JSON.parse(op.args.startsWith('@') ? readFileSync(op.args.slice(1), 'utf8') : op.args) as Record<string, unknown>;
    out(await withCommands(c, (s) => s.request(a, { type: op.type as never, target: op.target, args })));
  });
cmd
  .command('approve <id>')
  .requiredOption('--as <user>')
  .action(async (id: string, op: { as: string }) => {
    const c = cfg();
    const a = await actor(c, op.as);
    await withCommands(c, (s) => s.approve(a, id));
    out(`command ${id} approved and published`);
  });
const rollout = program.command('rollout').description('staged rollout of a signed release (issue 18): canary group, then waves; halts past the failure limit');
rollout
  .command('start')
  .requiredOption('--as <user>', 'a supervisor')
  .requiredOption('--release <label>')
  .requiredOption('--targets-version <n>', 'TUF targets version of the release (release-tool publish prints it)')
  .requiredOption('--canary <gates>', 'comma-separated canary gates')
  .option('--shares <list>', 'cumulative shares of the other gates per wave', '0.1,0.5')
  .option('--failure-limit <f>', 'halt when failed/allowed gates passes this', '0.05')
  .action(async (op: { as: string; release: string; targetsVersion: string; canary: string; shares: string; failureLimit: string }) => {
    const c = cfg();
    const a = await actor(c, op.as);
    const row = await withCommands(c, async (s, pool) => {
      const r = new RolloutService(pool, s, 'cli');
      await r.migrate();
      return r.start(a, { release: op.release, targetsVersion: Number(op.targetsVersion), canary: op.canary.split(','), shares: op.shares.split(',').map(Number), failureLimit: Number(op.failureLimit) });
    });
    out({ id: row.id, waves: row.waves.map((w) => w.length) });
  });
rollout.command('list').action(async () => {
  const rows = await withDb(cfg(), async (pool) => {
    await migrateRollouts(pool);
    return listRollouts(pool);
  });
  for (const r of rows) out(`${r.id}\t${r.release}\tv${r.targets_version}\twave ${r.wave + 1}/${r.waves.length}\t${r.state}${r.reason ? `\t${r.reason}` : ''}`);
});
cmd.command('list').action(async () => {
  const rows = await withDb(cfg(), async (pool) => (await pool.query(
    'SELECT m.version, m.id, m.type, m.target, m.state, (SELECT count(*) FROM command_results r WHERE r.command_id = m.id AND r.ok) AS applied, cardinality(m.gates) AS gates FROM commands m ORDER BY version DESC LIMIT 50',
  )).rows);
  for (const r of rows) out(`${r.version}\t${r.id}\t${r.type}\t${r.target}\t${r.state}\t${r.applied}/${r.gates}`);
});

program
  .command('purge')
  .description('apply the retention settings now')
  .action(async () => {
    const c = cfg();
    out(await withDb(c, (pool) => purge(pool, new Date(), c.retention.eventDays, c.retention.recordDays)));
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`egate-central: ${(err as Error).message}`);
  process.exit(err instanceof CentralError && err.code === 'CENTRAL_AUTH' ? 3 : 1);
});
