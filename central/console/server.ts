import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { Logger } from '../../kiosk/log.ts';
import type { CommandService } from '../commands/service.ts';
import { audit, type Actor } from '../db/audit.ts';
import { NOTIFY_CHANNEL, type Pool } from '../db/pool.ts';
import { CentralError } from '../errors.ts';
import { consolePage } from './page.ts';
import { readState } from './queries.ts';
import { checkPassword } from './users.ts';

export interface ConsoleOptions {
  host: string;
  port: number;
  usersPath: string;
  sessionMinutes: number;
  instance: string;
  dbUrl: string;
  pool: Pool;
  commands: CommandService;
  log: Logger;
}

/** What the session table keeps of a cookie: its SHA-256 (a database reader cannot log in with it). */
const sidHash = (sid: string): string => createHash('sha256').update(sid).digest('hex');

const MAX_BODY = 1 << 20;
const STATUS: Record<string, number> = { CENTRAL_AUTH: 401, CENTRAL_FORBIDDEN: 403, CENTRAL_NOT_FOUND: 404, CENTRAL_BAD_REQUEST: 400, CENTRAL_APPROVAL: 409 };

/**
 * The officers' console: one page with inline assets (no other origin, strict CSP), a JSON
 * API behind a session cookie, and a server-sent event stream fed by PostgreSQL
 * LISTEN/NOTIFY — so a console on any instance sees what every ingest instance stored.
 * Ingest progress is coalesced and pushed every 250 ms; anything that changes the queues
 * (alarms, status, commands) tells the page to re-read the state.
 */
export class ConsoleServer {
  readonly #o: ConsoleOptions;
  readonly #clients = new Set<ServerResponse>();
  #server: Server | undefined;
  #listener: pg.Client | undefined;
  #flush: NodeJS.Timeout | undefined;
  #progress = new Map<string, [number, number, number]>();
  #changed = false;

  constructor(o: ConsoleOptions) {
    this.#o = o;
  }

  get url(): string {
    const a = this.#server?.address() as AddressInfo;
    return `http://${this.#o.host}:${a.port}`;
  }

  async start(): Promise<void> {
    await this.#listen();
    this.#flush = setInterval(() => this.#push(), 250);
    const page = consolePage();
    this.#server = createServer((req, res) => {
      this.#route(req, res, page).catch((err: unknown) => this.#fail(res, err));
    });
    await new Promise<void>((r) => this.#server!.listen(this.#o.port, this.#o.host, r));
  }

  async stop(): Promise<void> {
    clearInterval(this.#flush);
    for (const c of this.#clients) c.end();
    this.#clients.clear();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
    this.#server?.closeAllConnections();
    await this.#listener?.end().catch(() => {});
  }

  async #listen(): Promise<void> {
    const c = new pg.Client({ connectionString: this.#o.dbUrl });
    c.on('error', (err) => {
      this.#o.log.warn({ err: err.message }, 'console listener lost; reconnecting');
      setTimeout(() => void this.#listen().catch(() => {}), 1000);
    });
    c.on('notification', (n) => this.#onNotify(n.payload ?? ''));
    await c.connect();
    await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.#listener = c;
  }

  #onNotify(payload: string): void {
    let m: { t?: string; p?: [string, number, number, number][]; alarms?: number };
    try {
      m = JSON.parse(payload) as typeof m;
    } catch {
      return;
    }
    if (m.t === 'ingest') {
      for (const [gate, seq, oldest, newest] of m.p ?? []) {
        const had = this.#progress.get(gate);
        this.#progress.set(gate, had ? [seq, Math.min(had[1], oldest), newest] : [seq, oldest, newest]);
      }
      if (m.alarms) this.#changed = true;
    } else this.#changed = true;
  }

  #push(): void {
    if (this.#clients.size === 0) {
      this.#progress.clear();
      this.#changed = false;
      return;
    }
    let out = '';
    if (this.#progress.size > 0) {
      out += `event: progress\ndata: ${JSON.stringify([...this.#progress].map(([g, v]) => [g, ...v]))}\n\n`;
      this.#progress.clear();
    }
    if (this.#changed) {
      out += `event: changed\ndata: ${Date.now()}\n\n`;
      this.#changed = false;
    }
    if (out) for (const c of this.#clients) c.write(out);
  }

  async #route(req: IncomingMessage, res: ServerResponse, page: { html: string; csp: string }): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp, 'x-frame-options': 'DENY', 'cache-control': 'no-store' });
      res.end(page.html);
      return;
    }
    if (req.method === 'POST' && path === '/api/login') return this.#login(req, res);
    const me = await this.#session(req);
    if (!me) throw new CentralError('CENTRAL_AUTH', 'log in first');
    const a: Actor = { user: me.user, role: me.role };
    if (req.method === 'GET' && path === '/api/me') return this.#json(res, a);
    if (req.method === 'GET' && path === '/api/state') return this.#json(res, await readState(this.#o.pool));
    if (req.method === 'GET' && path === '/api/stream') return this.#stream(res);
    if (req.method !== 'POST') throw new CentralError('CENTRAL_NOT_FOUND', 'no such resource');
    const body = await this.#body(req);
    if (path === '/api/logout') {
      await this.#o.pool.query('DELETE FROM console_sessions WHERE sid_hash = $1', [sidHash(this.#sid(req) ?? '')]);
      await audit(this.#o.pool, this.#o.instance, a, 'logout');
      return this.#json(res, { ok: true });
    }
    let m = /^\/api\/alarms\/(\d+)\/(ack|note)$/.exec(path);
    if (m) return this.#json(res, await this.#alarm(a, Number(m[1]), m[2] as 'ack' | 'note', body));
    if (path === '/api/commands') {
      const r = await this.#o.commands.request(a, { type: body.type as never, target: String(body.target ?? ''), args: (body.args ?? {}) as Record<string, unknown> });
      return this.#json(res, r);
    }
    m = /^\/api\/commands\/([A-Za-z0-9._:-]{1,64})\/approve$/.exec(path);
    if (m) {
      await this.#o.commands.approve(a, m[1]!);
      return this.#json(res, { ok: true });
    }
    throw new CentralError('CENTRAL_NOT_FOUND', 'no such resource');
  }

  async #login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.#body(req);
    const user = String(body.user ?? '').slice(0, 32);
    const role = await checkPassword(this.#o.usersPath, user, String(body.password ?? ''));
    await audit(this.#o.pool, this.#o.instance, { user: user || '-', role: role ?? '-' }, role ? 'login' : 'login_refused');
    if (!role) throw new CentralError('CENTRAL_AUTH', 'user or password wrong');
    const sid = randomBytes(24).toString('base64url');
    // Sessions live in PostgreSQL, so every console instance behind the load balancer knows
    // them and a logout anywhere ends them everywhere. Expiry is the database's clock (one
    // clock for all instances); expired rows are dropped here so the table cannot only grow.
    await this.#o.pool.query('DELETE FROM console_sessions WHERE expires_at < now()');
    await this.#o.pool.query("INSERT INTO console_sessions (sid_hash, usr, role, instance, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))", [
      sidHash(sid),
      user,
      role,
      this.#o.instance,
      this.#o.sessionMinutes,
    ]);
    res.setHeader('set-cookie', `egate_sid=${sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${this.#o.sessionMinutes * 60}`);
    this.#json(res, { user, role });
  }

  async #alarm(a: Actor, id: number, op: 'ack' | 'note', body: Record<string, unknown>): Promise<{ ok: true }> {
    const text = typeof body.note === 'string' ? body.note.trim().slice(0, 500) : '';
    if (op === 'note' && !text) throw new CentralError('CENTRAL_BAD_REQUEST', 'a note needs text');
    const note = text ? JSON.stringify([{ by: a.user, at: new Date().toISOString(), text }]) : '[]';
    const sql =
      op === 'ack'
        ? 'UPDATE alarms SET acked_by = $2, acked_at = now(), notes = notes || $3::jsonb WHERE id = $1 AND acked_at IS NULL'
        : 'UPDATE alarms SET notes = notes || $3::jsonb WHERE id = $1';
    const r = await this.#o.pool.query(sql, [id, a.user, note]);
    if (!r.rowCount) throw new CentralError('CENTRAL_NOT_FOUND', `no open alarm ${id}`);
    await audit(this.#o.pool, this.#o.instance, a, op === 'ack' ? 'alarm_acknowledged' : 'alarm_note', { alarm: id, note: text || undefined });
    await this.#o.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ t: 'alarm', id })]);
    return { ok: true };
  }

  #stream(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\nevent: changed\ndata: hello\n\n');
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  #sid(req: IncomingMessage): string | undefined {
    return /(?:^|;\s*)egate_sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '')?.[1];
  }

  async #session(req: IncomingMessage): Promise<Actor | undefined> {
    const sid = this.#sid(req);
    if (!sid) return undefined;
    const r = await this.#o.pool.query<{ usr: string; role: string }>('SELECT usr, role FROM console_sessions WHERE sid_hash = $1 AND expires_at > now()', [sidHash(sid)]);
    const s = r.rows[0];
    return s ? { user: s.usr, role: s.role } : undefined;
  }

  async #body(req: IncomingMessage): Promise<Record<string, unknown>> {
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new CentralError('CENTRAL_BAD_REQUEST', 'send application/json');
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_BODY) throw new CentralError('CENTRAL_BAD_REQUEST', 'request too large');
      chunks.push(c);
    }
    try {
      const v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch {
      throw new CentralError('CENTRAL_BAD_REQUEST', 'body is not a JSON object');
    }
  }

  #json(res: ServerResponse, v: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(v));
  }

  #fail(res: ServerResponse, err: unknown): void {
    const code = err instanceof CentralError ? err.code : 'INTERNAL';
    if (!(err instanceof CentralError)) this.#o.log.error({ err: (err as Error).message }, 'console request failed');
    if (res.headersSent) return void res.end();
    res.writeHead(STATUS[code] ?? 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: code, message: err instanceof CentralError ? err.message : 'internal error' }));
  }
}
