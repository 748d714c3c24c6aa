import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KioskSession, KioskView } from './kiosk-session.ts';
import { renderKioskPage } from './kiosk-page.ts';

/** A tap is a few bytes of JSON; anything bigger is not from the page. */
const MAX_BODY = 256;
const MAX_STREAMS = 4;

/**
 * The kiosk's routes beside the traveller display: GET /kiosk (the touch page, assets
 * inline, strict CSP), GET /kiosk/events (SSE of the kiosk view), POST /kiosk/act
 * ({"action": id} for a button, {"touch": true} for other activity). Returns false for any
 * other path, so the display server answers it. Only actions on the current screen pass.
 */
export function kioskRoutes(session: KioskSession): { handle(req: IncomingMessage, res: ServerResponse): boolean; close(): void } {
  const streams = new Set<ServerResponse>();
  const event = (v: KioskView): string => `data: ${JSON.stringify(v)}\n\n`;
  const off = session.on((v) => {
    for (const res of streams) res.write(event(v));
  });

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/kiosk' && req.method === 'GET') {
      const nonce = randomBytes(16).toString('base64');
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(renderKioskPage(nonce, session.view()));
      return true;
    }
    if (path === '/kiosk/events' && req.method === 'GET') {
      if (streams.size >= MAX_STREAMS) {
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('too many kiosk pages\n');
        return true;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 1000\n\n${event(session.view())}`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return true;
    }
    if (path === '/kiosk/act' && req.method === 'POST') {
      readTap(req, (tap) => {
        if (tap === undefined) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('bad tap\n');
        if (tap === 'touch') {
          session.touched();
          return void res.writeHead(204).end();
        }
        res.writeHead(session.act(tap) ? 204 : 409).end();
      });
      return true;
    }
    return false;
  };

  return {
    handle,
    close() {
      off();
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

/** The action id, 'touch', or undefined for anything that is not a well-formed tap. */
function readTap(req: IncomingMessage, done: (tap: string | undefined) => void): void {
  let body = '';
  let over = false;
  req.setEncoding('utf8');
  req.on('data', (c: string) => {
    body += c;
    if (body.length > MAX_BODY) over = true;
  });
  req.on('end', () => {
    if (over || !/^application\/json\b/.test(req.headers['content-type'] ?? '')) return done(undefined);
    try {
      const v = JSON.parse(body) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (Object.keys(o).length === 1 && o.touch === true) return done('touch');
        if (Object.keys(o).length === 1 && typeof o.action === 'string' && /^[a-z0-9-]{1,32}$/.test(o.action)) return done(o.action);
      }
    } catch {
      // not JSON: a bad tap
    }
    done(undefined);
  });
}
