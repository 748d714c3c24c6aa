import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { Clock } from '../clock.ts';
import type { SeatControl } from '../control-types.ts';
import { EgateError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { TechnicianAuth } from './auth.ts';
import type { CommandContext, Handler, SyncHandle } from './command-types.ts';
import { gateCommands } from './commands-gate.ts';
import { storeCommands } from './commands-stores.ts';
import { technicianCommands } from './commands-technicians.ts';
import { readCredentials } from './credentials.ts';
import { LineSplitter, MAX_LINE_BYTES, MAX_LINE_BYTES_BEFORE_LOGIN, requestSchema, type CliRequest, type CliResponse } from './protocol.ts';
import { listenPrivate, removeOwn } from './socket-file.ts';

export type { SyncHandle } from './command-types.ts';

export interface CliServerDeps {
  clock: Clock;
  log: Logger;
  /** Unix socket path; created 0600 in a directory others cannot write to. */
  socketPath: string;
  /** Technician credentials file (`egate technician add`); the lockout file sits beside it. */
  credentialsPath: string;
  /** The central link, when sync is enabled; without it sync commands answer SYNC_DISABLED. */
  sync?: SyncHandle;
  /** The gate's log file for `egate logs` (default: config local.logFile). */
  logFile?: string;
}

const COMMANDS: Record<string, Handler> = { ...gateCommands, ...storeCommands, ...technicianCommands };

/**
 * Journal action name of a command: `journal.tail` → `journal_tail`; door commands use the
 * facade's own names (`door_open`, …) so a refused one reads like an executed one.
 */
function actionOf(cmd: string, args: Record<string, unknown>): string {
  if (cmd === 'door' && typeof args.action === 'string' && ['open', 'close', 'cycle'].includes(args.action)) return `door_${args.action}`;
  if (cmd === 'mode') return 'mode_set';
  return cmd.replace(/\./g, '_');
}

/**
 * The technician CLI's end inside the gate process: a Unix socket speaking line-delimited
 * JSON (protocol.ts). Only `login` works without a session. Every command a logged-in
 * technician runs, and every login attempt, is journalled as maintenance_action
 * `{action, by, result}` — refused ones with their code; PINs and keys never.
 */
export async function startCliServer(control: SeatControl, deps: CliServerDeps): Promise<{ stop(): Promise<void> }> {
  const local = control.config.local;
  const log = deps.log.child({ part: 'cli' });
  const logFile = deps.logFile ?? local.logFile;
  const auth = new TechnicianAuth({
    credentialsPath: deps.credentialsPath,
    clock: deps.clock,
    limits: { maxFailures: local.loginMaxFailures, socketMaxFailures: local.loginSocketMaxFailures, lockoutMs: local.loginLockoutMs },
    sessionIdleMs: local.cliSessionIdleMs,
  });
  if (Object.keys(readCredentials(deps.credentialsPath).technicians).length === 0) {
    log.warn({ path: deps.credentialsPath }, 'no technician credentials: nobody can log in to the CLI (egate technician add)');
  }
  const journal = (data: Record<string, unknown>): void => control.journal('maintenance_action', data as { action: string });

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setTimeout(local.cliSessionIdleMs, () => socket.destroy());
    serve(socket);
  });
  server.maxConnections = 16;

  function write(socket: Socket, r: CliResponse): Promise<void> {
    if (socket.destroyed) return Promise.reject(new EgateError('CLIENT_GONE', 'the client went away'));
    if (socket.write(JSON.stringify(r) + '\n')) return Promise.resolve();
    return new Promise((resolve, reject) => {
      socket.once('drain', resolve);
      socket.once('close', () => reject(new EgateError('CLIENT_GONE', 'the client went away')));
    });
  }

  /** True when the head of a long request line carries the token of a live session. */
  function hasLiveSession(head: string): boolean {
    const m = /"session"\s*:\s*"([A-Za-z0-9_-]{1,128})"/.exec(head);
    if (!m) return false;
    try {
      auth.technician(m[1]);
      return true;
    } catch {
      return false;
    }
  }

  function serve(socket: Socket): void {
    // before login a request line is at most 64 KiB; a longer one (an enrolment photo) must
    // open with a live session, so only a logged-in technician can make the gate buffer more
    const lines = new LineSplitter({ maxBytes: MAX_LINE_BYTES, maxBytesUntrusted: MAX_LINE_BYTES_BEFORE_LOGIN, allowLong: hasLiveSession });
    // One request at a time per connection: answers come back in order.
    let chain: Promise<void> = Promise.resolve();
    let refused = false;
    socket.on('data', (chunk) => {
      if (refused) return;
      let got: string[];
      try {
        got = lines.push(chunk);
      } catch (err) {
        // answer once, read nothing more from this peer, and close
        refused = true;
        socket.pause();
        void write(socket, { id: null, ok: false, error: { code: 'BAD_REQUEST', message: (err as Error).message } }).catch(() => {});
        socket.end();
        socket.setTimeout(5000, () => socket.destroy());
        return;
      }
      for (const line of got) chain = chain.then(() => handle(socket, line)).catch(() => {});
    });
  }

  async function handle(socket: Socket, line: string): Promise<void> {
    let req: CliRequest;
    try {
      req = requestSchema.parse(JSON.parse(line));
    } catch {
      await write(socket, { id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'not a CLI request (one JSON object per line)' } });
      return;
    }
    const fail = (code: string, message: string): Promise<void> => write(socket, { id: req.id, ok: false, error: { code, message } });
    if (req.cmd === 'login') return login(socket, req);
    if (req.cmd === 'logout') {
      auth.logout(req.session);
      return write(socket, { id: req.id, ok: true });
    }
    let technician: string;
    try {
      technician = auth.technician(req.session);
    } catch (err) {
      return fail((err as EgateError).code, (err as Error).message);
    }
    const handler = Object.hasOwn(COMMANDS, req.cmd) ? COMMANDS[req.cmd] : undefined;
    if (!handler) return fail('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(req.cmd.slice(0, 32))}`);
    const action = actionOf(req.cmd, req.args);
    const ctx: CommandContext = {
      control,
      technician,
      clock: deps.clock,
      ...(deps.sync ? { sync: deps.sync } : {}),
      ...(logFile ? { logFile } : {}),
      unlockTechnician: (id) => auth.unlock(id),
      send: (result) => write(socket, { id: req.id, ok: true, result, more: true }),
    };
    try {
      const out = await handler(req.args, ctx);
      if (!out.journalled) journal({ action, by: technician, result: 'ok', ...out.journal });
      log.info({ action, by: technician }, 'technician action');
      await write(socket, { id: req.id, ok: true, result: out.result });
    } catch (err) {
      const known = err instanceof EgateError;
      const code = known ? err.code : 'INTERNAL';
      if (!known) log.error({ action, err: (err as Error).message }, 'CLI command failed');
      journal({ action, by: technician, result: 'refused', code });
      await fail(code, known ? err.message : 'internal error (see the gate log)').catch(() => {});
    }
  }

  async function login(socket: Socket, req: CliRequest): Promise<void> {
    const id = typeof req.args.technician === 'string' ? req.args.technician : '';
    const pin = req.args.pin;
    const key = req.args.key;
    const [kind, secret] = typeof pin === 'string' ? (['pin', pin] as const) : typeof key === 'string' ? (['key', key] as const) : (['pin', ''] as const);
    const out = await auth.login(id, kind, secret);
    // Whatever was typed as an id is attacker bytes until it names a real technician.
    const by = Object.hasOwn(readCredentials(deps.credentialsPath).technicians, id) ? id : `unknown:${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
    journal({ action: 'login', by, result: out.ok ? 'ok' : out.code === 'LOCKED_OUT' ? 'locked_out' : 'failed', method: kind });
    log.info({ by, ok: out.ok }, 'technician login');
    if (out.ok) await write(socket, { id: req.id, ok: true, result: { technician: out.technician, session: out.session } });
    else await write(socket, { id: req.id, ok: false, error: { code: out.code, message: out.message } });
  }

  await listenPrivate(server, deps.socketPath);
  const ino = lstatSync(deps.socketPath).ino;
  log.info({ socket: deps.socketPath }, 'technician CLI listening');
  return {
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      removeOwn(deps.socketPath, ino);
    },
  };
}
