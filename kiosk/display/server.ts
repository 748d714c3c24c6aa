import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemClock, type Clock, type TimerHandle } from '../clock.ts';
import type { GateControlApi } from '../control-types.ts';
import { EgateError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { MESSAGES, type Screen } from './messages.ts';
import { renderPage } from './page/render.ts';

/** What the display needs from the gate: the current screen and its changes (GateControl has both). */
export type DisplaySource = Pick<GateControlApi, 'screen' | 'on'>;

export interface DisplayServerOptions {
  /** Interface to listen on; the display is usually on the same box: 127.0.0.1. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  log: Logger;
  /** Heartbeat events on the stream; the page counts three missed ones as a dropped link. */
  heartbeatMs?: number;
  /** `retry:` hint: how soon the browser reconnects after a drop. */
  retryMs?: number;
  /** Pages following the stream at once (config local.displayMaxClients); one more gets 503. */
  maxClients?: number;
  clock?: Clock;
  /** Extra routes tried first (a kiosk's touch page, kiosk/display/kiosk-routes.ts); true when answered. */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface DisplayServer {
  url: string;
  /** Number of pages following the stream now. */
  clients(): number;
  stop(): Promise<void>;
}

/** Shown before the gate publishes its first screen, and by the page while the gate is unreachable. */
export const WAIT_SCREEN: Screen = { screen: 'wait', tone: 'neutral', pictogram: 'wait', ...MESSAGES.wait };
const OFFLINE_SCREEN: Screen = { ...WAIT_SCREEN, screen: 'offline' };
/** A page that cannot keep up (a hung browser) is dropped rather than buffered without end. */
const MAX_BUFFERED = 256 * 1024;
/** A lane has one or two screens; eight leaves room for a technician's laptop and reconnects. */
export const DEFAULT_MAX_CLIENTS = 8;

/**
 * Serves the traveller display: GET / (the page, all assets inline, strict CSP), GET /events
 * (SSE: the current screen first, then every change, heartbeats between), GET /healthz.
 * The server only reads from the gate; nothing a page sends can reach the crossing engine.
 */
export async function startDisplayServer(control: DisplaySource, opts: DisplayServerOptions): Promise<DisplayServer> {
  const clock = opts.clock ?? new SystemClock();
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const retryMs = opts.retryMs ?? 1000;
  const maxClients = opts.maxClients ?? DEFAULT_MAX_CLIENTS;
  const log = opts.log.child({ part: 'display' });
  const clients = new Set<ServerResponse>();
  let current: Screen = control.screen() ?? WAIT_SCREEN;
  let seq = 0;

  const send = (res: ServerResponse, chunk: string): void => {
    if (res.writableLength > MAX_BUFFERED) {
      log.warn({ buffered: res.writableLength }, 'display client not reading; dropped');
      clients.delete(res);
      res.destroy();
      return;
    }
    res.write(chunk);
  };
  const screenEvent = (s: Screen): string => `id: ${++seq}\ndata: ${JSON.stringify(s)}\n\n`;

  const off = control.on('screen', (s) => {
    current = s;
    const chunk = screenEvent(s);
    for (const res of clients) send(res, chunk);
  });
  const beat: TimerHandle = clock.setInterval(() => {
    const chunk = `event: heartbeat\ndata: ${clock.now()}\n\n`;
    for (const res of clients) send(res, chunk);
  }, heartbeatMs);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (opts.routes?.(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/') {
      const nonce = randomBytes(16).toString('base64');
      const html = renderPage(nonce, { initial: current, offline: OFFLINE_SCREEN, heartbeatMs, retryMs });
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    if (path === '/events') {
      if (clients.size >= maxClients) {
        // every stream holds a socket and a buffer: beyond the bound, a neighbour gets a refusal, not memory
        log.warn({ clients: clients.size, max: maxClients }, 'display client refused: too many');
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': String(Math.ceil(retryMs / 1000) * 5), 'cache-control': 'no-store' }).end('too many display clients\n');
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      res.socket?.setNoDelay(true);
      res.write(`retry: ${retryMs}\n\n`);
      res.write(screenEvent(current));
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ok: true, screen: current.screen, clients: clients.size }));
      return;
    }
    if (path === '/favicon.ico') {
      // Browsers ask for it on their own; an empty answer keeps the kiosk's console clean.
      res.writeHead(204, { 'cache-control': 'max-age=86400' }).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'display request failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5000;
  // streams plus page loads and health checks; sockets past this are closed on accept
  server.maxConnections = maxClients * 2 + 4;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    off();
    clock.clearInterval(beat);
    const code = (err as NodeJS.ErrnoException).code ?? 'LISTEN_FAILED';
    throw new EgateError('DISPLAY_LISTEN_FAILED', `display server cannot listen on ${opts.host}:${opts.port} (${code})`, { cause: err });
  }
  server.on('error', (err) => log.error({ err: err.message }, 'display server error'));
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}/`;
  log.info({ url }, 'display server listening');

  let stopped: Promise<void> | undefined;
  return {
    url,
    clients: () => clients.size,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        off();
        clock.clearInterval(beat);
        for (const res of clients) res.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
