import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { GateStatus, SelfTestCheck } from '../control-types.ts';
import { EgateError } from '../errors.ts';
import type { JournalEvent, VerifyResult } from '../journal/index.ts';
import { CliClient, sessionStore } from './client.ts';
import { generateKeyFile, readKeyFile, removeTechnician, setTechnician } from './credentials.ts';
import { CliError } from './errors.ts';
import * as fmt from './format.ts';
import { configFile, connectGate, defaultConfigPath, pathFromConfig } from './locate.ts';
import { addMoreCommands, followJournal } from './program-more.ts';
import { promptLine } from './prompt.ts';

interface GlobalOpts {
  socket?: string;
  config?: string;
  sessionFile: string;
  technician?: string;
  keyFile?: string;
  json?: boolean;
}

const out = (line: string): void => void process.stdout.write(line + '\n');
const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive whole number');
  return n;
};

/** The credentials file: the option, else the config's (--config, EGATE_CONFIG, default location), else var/keys. */
const credentialsPath = (o: GlobalOpts, given?: string): string => {
  if (given) return given;
  const cfg = configFile(o.config);
  return cfg ? pathFromConfig(cfg, (c) => c.local.technicianCredentialsPath) : 'var/keys/technicians.json';
};

/** Logs in with the key file, or asks for the technician id and PIN on the terminal. */
async function login(client: CliClient, o: GlobalOpts, socket: string): Promise<string> {
  let args: Record<string, unknown>;
  if (o.keyFile) {
    const technician = o.technician ?? process.env.EGATE_TECHNICIAN;
    if (!technician) throw new CliError('BAD_REQUEST', '--key-file needs --technician <id> (or EGATE_TECHNICIAN)');
    args = { technician, key: readKeyFile(o.keyFile) };
  } else {
    const technician = o.technician ?? (await promptLine('technician: ', { echo: true }));
    args = { technician, pin: await promptLine('PIN: ', { echo: false }) };
  }
  client.session = undefined;
  const r = (await client.request('login', args)) as { technician: string; session: string };
  client.session = r.session;
  sessionStore.save(o.sessionFile, socket, r.session);
  return r.technician;
}

/** Runs one command on the gate, logging in first when there is no valid session. */
async function call(o: GlobalOpts, cmd: string, args: Record<string, unknown> = {}, onMore?: (r: unknown) => void): Promise<unknown> {
  const { client, socket } = await connectGate(o);
  try {
    client.session = sessionStore.load(o.sessionFile, socket);
    const fresh = !client.session;
    if (fresh) await login(client, o, socket);
    try {
      return await client.request(cmd, args, onMore);
    } catch (err) {
      if (fresh || !(err instanceof CliError) || err.code !== 'LOGIN_REQUIRED') throw err;
      await login(client, o, socket);
      return await client.request(cmd, args, onMore);
    }
  } finally {
    client.close();
  }
}

/** Registers a gate command whose answer is printed by `show` (or as JSON with --json). */
function gateAction<A extends unknown[]>(
  program: Command,
  build: (...a: A) => { cmd: string; args?: Record<string, unknown>; onMore?: (r: unknown) => void },
  show: (r: never, o: GlobalOpts) => void,
): (...a: A) => Promise<void> {
  return async (...a: A) => {
    const o = program.opts<GlobalOpts>();
    const req = build(...a);
    const r = await call(o, req.cmd, req.args, req.onMore);
    if (o.json) out(JSON.stringify(r, null, 2));
    else show(r as never, o);
  };
}

export function buildProgram(): Command {
  const program = new Command('egate')
    .description("technician CLI of the e-Channel gate: talks to the running gate over its local socket")
    .option('--socket <path>', 'gate socket (default: EGATE_SOCKET, the config\'s local.socketPath, ./var/egate.sock)')
    .option('--config <file>', `gate config file, for the socket and credentials paths (default: EGATE_CONFIG, else ${defaultConfigPath()} when present)`)
    .option('--session-file <file>', 'where the login session is kept', join(homedir(), '.egate-session.json'))
    .option('--technician <id>', 'technician id (asked for when absent)')
    .option('--key-file <file>', 'log in with this key file instead of a PIN')
    .option('--json', 'print the gate answer as JSON');
  const act = <A extends unknown[]>(build: (...a: A) => { cmd: string; args?: Record<string, unknown>; onMore?: (r: unknown) => void }, show: (r: never, o: GlobalOpts) => void) =>
    gateAction(program, build, show);

  program.command('login').description('log in (PIN on the terminal, or --key-file)').action(async () => {
    const o = program.opts<GlobalOpts>();
    const { client, socket } = await connectGate(o);
    try {
      out(`logged in as ${await login(client, o, socket)}`);
    } finally {
      client.close();
    }
  });
  program.command('logout').description('end the session').action(async () => {
    const o = program.opts<GlobalOpts>();
    const gate = await connectGate(o).catch(() => undefined);
    const session = gate ? sessionStore.load(o.sessionFile, gate.socket) : undefined;
    sessionStore.clear(o.sessionFile);
    if (gate && session) {
      gate.client.session = session;
      await gate.client.request('logout').catch(() => {});
    }
    gate?.client.close();
    out('logged out');
  });
  program.command('status').description('mode, devices, door and sensor states, last crossing, sync backlog').action(act(() => ({ cmd: 'status' }), (r: GateStatus & { sync: unknown }) => fmt.printStatus(r, out)));
  program.command('selftest').description('controller answers, camera frames, readers present').action(
    act(() => ({ cmd: 'selftest' }), (r: { ok: boolean; checks: SelfTestCheck[] }) => {
      fmt.printSelfTest(r, out);
      if (!r.ok) process.exitCode = 1;
    }),
  );
  program.command('door <action> <door>').description('open|close|cycle entry|exit|barrier (maintenance only, never during a crossing)').action(
    act((action: string, door: string) => ({ cmd: 'door', args: { action, door } }), (r: { action: string; door: string }) => out(`${r.door}: ${r.action} done`)),
  );
  const mode = program.command('mode').description('gate mode');
  mode.command('set <mode>').description('in_service | out_of_service | maintenance').action(
    act((m: string) => ({ cmd: 'mode', args: { mode: m } }), (r: { mode: string; detail?: string; next?: string }) => {
      out(`mode ${r.detail ?? r.mode}`);
      if (r.next) out(r.next);
    }),
  );
  program.command('reset').description('reset after a cleared fire alarm').action(act(() => ({ cmd: 'reset' }), () => out('reset done')));

  const journal = program.command('journal').description('the gate journal');
  journal.command('tail').option('-n, --lines <n>', 'events', int, 20).option('-f, --follow', 'keep printing new events until interrupted').action(
    async (opts: { lines: number; follow?: boolean }) => {
      const o = program.opts<GlobalOpts>();
      if (opts.follow) return followJournal(opts.lines, (cmd, args) => call(o, cmd, args), out, o.json === true);
      return act((x: { lines: number }) => ({ cmd: 'journal.tail', args: { n: x.lines } }), (r: { events: JournalEvent[] }) => fmt.printEvents(r.events, out))(opts);
    },
  );
  journal.command('verify').description('check the hash chain').action(
    act(() => ({ cmd: 'journal.verify' }), (r: VerifyResult) => {
      fmt.printVerify(r, out);
      if (!r.ok) process.exitCode = 1;
    }),
  );
  journal.command('export').description('write events as JSON lines').requiredOption('-o, --output <file>', 'new file to write')
    .option('--from <seq>', 'first seq', int).option('--to <seq>', 'last seq', int)
    .action(async (opts: { output: string; from?: number; to?: number }) => {
      // The file is written here, by the technician's process, never by the gate.
      const fd = openSync(opts.output, 'wx', 0o600);
      try {
        await act(
          () => ({
            cmd: 'journal.export',
            args: { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) },
            onMore: (r) => {
              for (const e of (r as { events: unknown[] }).events) writeSync(fd, JSON.stringify(e) + '\n');
            },
          }),
          (r: { from: number; to: number; count: number }) => out(`${r.count} event(s), seq ${r.from}..${r.to}, written to ${opts.output}`),
        )();
      } finally {
        closeSync(fd);
      }
    });

  const sync = program.command('sync').description('the central link');
  sync.command('status').action(act(() => ({ cmd: 'sync.status' }), (r: unknown) => out(JSON.stringify(r, null, 2))));
  sync.command('flush').description('send the backlog now').action(
    act(() => ({ cmd: 'sync.flush' }), (r: { unsentBefore: number; unsentAfter: number }) => out(`backlog ${r.unsentBefore} → ${r.unsentAfter} event(s)`)),
  );

  const enrol = program.command('enrol').description('enrolled references');
  enrol.command('add <sub> <photo>').description('enrol from a reference photo').action(
    act((sub: string, photo: string) => ({ cmd: 'enrol.add', args: { sub, photo: readFileSync(photo).toString('base64') } }), (r: { replaced: boolean; issues: string[] }) =>
      out(`${r.replaced ? 'reference replaced' : 'reference enrolled'}${r.issues.length ? ` (noted: ${r.issues.join(', ')})` : ''}`),
    ),
  );
  enrol.command('list').action(act(() => ({ cmd: 'enrol.list' }), (r: { references: Parameters<typeof fmt.printReferences>[0] }) => fmt.printReferences(r.references, out)));
  enrol.command('remove <sub>').action(act((sub: string) => ({ cmd: 'enrol.remove', args: { sub } }), () => out('reference removed')));

  const keys = program.command('keys').description('fleet keys, trust list, revocations');
  const showKeys = (r: { fleetKeys: string[]; trustListKeys: number; revocations: number }): void =>
    out(`fleet keys: ${r.fleetKeys.join(', ') || 'none'}\ntrust list: ${r.trustListKeys} issuer key(s)\nrevocation list: ${r.revocations} entr(ies)`);
  keys.command('list').action(act(() => ({ cmd: 'keys.list' }), showKeys));
  keys.command('reload').description('re-read them from disk').action(act(() => ({ cmd: 'keys.reload' }), showKeys));

  const config = program.command('config').description('gate configuration');
  config.command('show').action(act(() => ({ cmd: 'config.show' }), (r: unknown) => out(JSON.stringify(r, null, 2))));
  config.command('validate <file>').description("check a config file against the running gate's schema").action(
    act((file: string) => ({ cmd: 'config.validate', args: { text: readFileSync(file, 'utf8') } }), (r: { valid: boolean; issues: { path: string; message: string }[] }) => {
      fmt.printIssues(r, out);
      if (!r.valid) process.exitCode = 1;
    }),
  );
  program.command('logs').option('-n, --lines <n>', 'lines', int, 50).description("the gate's recent log lines, or where they go").action(
    act((opts: { lines: number }) => ({ cmd: 'logs', args: { lines: opts.lines } }), (r: { where: string; hint?: string; lines: string[] }) => {
      if (r.hint) out(r.hint);
      for (const l of r.lines) out(l);
    }),
  );

  const tech = program.command('technician').description('technician credentials (local file; needs write access to it, no gate needed)');
  tech.command('add <id>').option('--credentials <file>', 'credentials file').option('--new-key-file <file>', 'create a key file for this technician instead of a PIN')
    .action(async (id: string, opts: { credentials?: string; newKeyFile?: string }) => {
      const o = program.opts<GlobalOpts>();
      const path = credentialsPath(o, opts.credentials);
      if (opts.newKeyFile) {
        await setTechnician(path, id, 'key', generateKeyFile(opts.newKeyFile));
        out(`technician ${id} added with key file ${opts.newKeyFile} (keep it 0600)`);
        return;
      }
      const pin = await promptLine('new PIN (6-12 digits): ', { echo: false });
      if ((await promptLine('again: ', { echo: false })) !== pin) throw new CliError('BAD_REQUEST', 'the PINs differ');
      await setTechnician(path, id, 'pin', pin);
      out(`technician ${id} added`);
    });
  tech.command('remove <id>').option('--credentials <file>', 'credentials file').action((id: string, opts: { credentials?: string }) => {
    const removed = removeTechnician(credentialsPath(program.opts<GlobalOpts>(), opts.credentials), id);
    out(removed ? `technician ${id} removed` : `no technician ${id}`);
    if (!removed) process.exitCode = 1;
  });
  addMoreCommands(program, { call: (cmd, args) => call(program.opts<GlobalOpts>(), cmd, args), credentialsPath: (given) => credentialsPath(program.opts<GlobalOpts>(), given), out });
  return program;
}

/** Runs the CLI; every error is one line `error CODE: message` and exit code 1. */
export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof EgateError) process.stderr.write(`error ${err.code}: ${err.message}\n`);
    else if ((err as NodeJS.ErrnoException).code === 'EEXIST') process.stderr.write(`error EXISTS: ${(err as Error).message}\n`);
    else process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
