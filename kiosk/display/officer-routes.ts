import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CounterStation } from '../counter/counter-station.ts';
import { OfficerError, type OfficerDecision, type OfficerDesk } from '../counter/officer-desk.ts';
import { renderOfficerCase, renderOfficerLogin } from './officer-page.ts';

/** A login or a decision is a few short fields; anything bigger is not from the page. */
const MAX_BODY = 1024;
const COOKIE = 'egate_officer';

function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve) => {
    if (!/^application\/x-www-form-urlencoded\b/.test(req.headers['content-type'] ?? '')) return resolve(undefined);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      }
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', () => resolve(undefined));
  });
}

function sessionOf(req: IncomingMessage): string {
  const m = (req.headers.cookie ?? '').match(new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]{16,64})`));
  return m?.[1] ?? '';
}

/**
 * A form posted from another site's page reaches nothing: the browser's Sec-Fetch-Site must
 * say same-origin (the page's no-referrer policy makes Chromium send `Origin: null`), and a
 * real Origin, when sent, must be this host.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return site !== undefined || origin === undefined;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function page(res: ServerResponse, status: number, render: (nonce: string) => string, extra: Record<string, string> = {}): void {
  const nonce = randomBytes(16).toString('base64');
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...extra,
  });
  res.end(render(nonce));
}

const back = (res: ServerResponse, extra: Record<string, string> = {}): void => void res.writeHead(303, { location: '/officer', 'cache-control': 'no-store', ...extra }).end();

/**
 * The officer's page beside the visitor display: GET /officer (login, or the case at the
 * counter), POST /officer/login, /officer/decide, /officer/logout. The session is a random
 * token in an HttpOnly, SameSite=Strict cookie scoped to /officer; the server listens on the
 * display's host (127.0.0.1 by default, or the configured counter network address).
 * Returns false for any other path so the display server answers it.
 */
export function officerRoutes(station: CounterStation, desk: OfficerDesk, opts: { secureCookie?: boolean } = {}): { handle(req: IncomingMessage, res: ServerResponse): boolean } {
  const cookie = (token: string, maxAge?: number): string =>
    `${COOKIE}=${token}; Path=/officer; HttpOnly; SameSite=Strict${opts.secureCookie ? '; Secure' : ''}${maxAge !== undefined ? `; Max-Age=${maxAge}` : ''}`;

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/officer' && (req.method === 'GET' || req.method === 'HEAD')) {
      const officer = desk.officerOf(sessionOf(req));
      if (!officer) page(res, 200, (n) => renderOfficerLogin(n, null));
      else page(res, 200, (n) => renderOfficerCase(n, officer, station.view(), null));
      return true;
    }
    if (!path?.startsWith('/officer/')) return false;
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('method not allowed\n');
      return true;
    }
    if (!sameOrigin(req)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('cross-site request refused\n');
      return true;
    }
    void readForm(req).then(async (form) => {
      if (!form) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('bad form\n');
      if (path === '/officer/login') {
        try {
          const token = await desk.login(form.get('officer') ?? '', form.get('pin') ?? '');
          back(res, { 'set-cookie': cookie(token) });
        } catch (err) {
          const locked = err instanceof OfficerError && err.code === 'OFFICER_LOCKED';
          page(res, locked ? 423 : 401, (n) => renderOfficerLogin(n, locked ? 'Too many failed logins: this login is locked for now. Ask the supervisor.' : 'Wrong officer id or PIN.'));
        }
        return;
      }
      const session = sessionOf(req);
      if (path === '/officer/logout') {
        desk.logout(session);
        return back(res, { 'set-cookie': cookie('', 0) });
      }
      if (path === '/officer/decide') {
        const officer = desk.officerOf(session);
        if (!officer) return back(res);
        try {
          await station.decide(session, form.get('arrival') ?? '', (form.get('decision') ?? '') as OfficerDecision);
          return back(res);
        } catch (err) {
          const msg = err instanceof OfficerError ? err.message : 'the decision was not taken';
          return page(res, 409, (n) => renderOfficerCase(n, officer, station.view(), msg));
        }
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
    return true;
  };
  return { handle };
}
