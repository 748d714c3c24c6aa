import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { CliError } from './errors.ts';
import { LineSplitter, type CliResponse } from './protocol.ts';

/**
 * The technician's end of the gate socket. One request at a time; `request` resolves with
 * the result or rejects with CliError carrying the gate's code. A gate that is not running
 * (no socket file, or a file nobody listens on) is GATE_NOT_RUNNING; a socket the user may
 * not open is PERMISSION_DENIED.
 */
export class CliClient {
  session: string | undefined;
  readonly #socket: Socket;
  readonly #lines = new LineSplitter();
  #nextId = 1;
  #pending: { id: number; resolve: (v: unknown) => void; reject: (e: Error) => void; onMore?: (r: unknown) => void } | undefined;
  #closedError: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk) => {
      for (const line of this.#lines.push(chunk)) this.#receive(line);
    });
    socket.on('close', () => {
      this.#closedError = new CliError('GATE_CLOSED', 'the gate closed the connection');
      this.#pending?.reject(this.#closedError);
      this.#pending = undefined;
    });
    socket.on('error', () => {});
  }

  static connect(path: string): Promise<CliClient> {
    return new Promise((resolveConn, reject) => {
      const s = connect(path);
      s.once('connect', () => resolveConn(new CliClient(s)));
      s.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
          reject(new CliError('GATE_NOT_RUNNING', `the gate is not running (nothing listens on ${path})`));
        } else if (err.code === 'EACCES' || err.code === 'EPERM') {
          reject(new CliError('PERMISSION_DENIED', `not allowed to open ${path}: run egate as the gate's user`));
        } else reject(new CliError('GATE_UNREACHABLE', `cannot reach the gate on ${path}: ${err.code ?? err.message}`));
      });
    });
  }

  /** Sends one command; `onMore` receives the streamed parts of a multi-line answer. */
  request(cmd: string, args: Record<string, unknown> = {}, onMore?: (r: unknown) => void): Promise<unknown> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    if (this.#pending) return Promise.reject(new Error('one request at a time'));
    const id = this.#nextId++;
    return new Promise((resolveReq, reject) => {
      this.#pending = { id, resolve: resolveReq, reject, ...(onMore ? { onMore } : {}) };
      // the session goes before args: the gate takes a line past 64 KiB only when its head carries a live session
      this.#socket.write(JSON.stringify({ id, cmd, ...(this.session ? { session: this.session } : {}), args }) + '\n');
    });
  }

  close(): void {
    this.#socket.end();
  }

  #receive(line: string): void {
    let r: CliResponse;
    try {
      r = JSON.parse(line) as CliResponse;
    } catch {
      return;
    }
    const p = this.#pending;
    if (!p || (r.id !== p.id && r.id !== null)) return;
    if (r.ok && r.more) {
      p.onMore?.(r.result);
      return;
    }
    this.#pending = undefined;
    if (r.ok) p.resolve(r.result);
    else p.reject(new CliError(r.error.code, r.error.message));
  }
}

/**
 * The session kept between commands, like sudo's timestamp: a file only its owner can read,
 * holding the token the gate issued for one socket. The gate forgets it after its idle
 * time or a restart, whatever this file says.
 */
export const sessionStore = {
  load(file: string, socketPath: string): string | undefined {
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as { socket?: string; session?: string };
      return v.socket === resolve(socketPath) && typeof v.session === 'string' ? v.session : undefined;
    } catch {
      return undefined;
    }
  },
  save(file: string, socketPath: string, session: string): void {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify({ socket: resolve(socketPath), session }) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  },
  clear(file: string): void {
    rmSync(file, { force: true });
  },
};
