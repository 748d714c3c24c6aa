import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatedAcquirer } from './acquirer-sim.ts';
import { GatewayError, type ChargeRequest } from './gateway-interface.ts';

/**
 * The simulated acquirer behind a JSON HTTP API, the peer the real driver (http-gateway.ts)
 * talks to in tests, the demo and the kill -9 test (one acquirer outliving the kiosk
 * process). The API, the driver's contract with an acquirer (docs/decisions.md):
 *   POST /v1/charges              Idempotency-Key header, body {amountCents, billNumber} → Charge
 *   GET  /v1/charges/:key         → Charge
 *   POST /v1/charges/:key/cancel  → Charge
 *   GET  /v1/notices?after=N      → {notices, next}
 * Errors: {error: CODE} with 404 (unknown charge), 409 (conflict), 400 (bad request).
 */
export interface AcquirerServer {
  readonly url: string;
  /** While true, requests are held unanswered (the acquirer is slow or the line hangs). */
  hang: boolean;
  /** While true, requests are acted on but their answers never sent (a lost answer). */
  loseAnswers: boolean;
  close(): Promise<void>;
}

const MAX_BODY = 4096;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new GatewayError('acquirer-sim', 'GATEWAY_PROTOCOL', 'body too large');
    parts.push(chunk);
  }
  return JSON.parse(Buffer.concat(parts).toString('utf8') || 'null');
}

function route(acq: SimulatedAcquirer, req: IncomingMessage, body: unknown): [number, unknown] {
  const url = new URL(req.url ?? '/', 'http://acquirer');
  const m = /^\/v1\/charges\/([A-Za-z0-9_-]{1,64})(\/cancel)?$/.exec(url.pathname);
  if (req.method === 'POST' && url.pathname === '/v1/charges') {
    const key = req.headers['idempotency-key'];
    const b = body as Partial<ChargeRequest> | null;
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(key) || !b || !Number.isSafeInteger(b.amountCents) || typeof b.billNumber !== 'string') {
      return [400, { error: 'GATEWAY_PROTOCOL' }];
    }
    return [200, acq.open({ key, amountCents: b.amountCents!, billNumber: b.billNumber })];
  }
  if (req.method === 'GET' && m && !m[2]) return [200, acq.charge(m[1]!)];
  if (req.method === 'POST' && m?.[2]) return [200, acq.cancel(m[1]!)];
  if (req.method === 'GET' && url.pathname === '/v1/notices') {
    const after = Number(url.searchParams.get('after') ?? '0');
    if (!Number.isSafeInteger(after) || after < 0) return [400, { error: 'GATEWAY_PROTOCOL' }];
    return [200, acq.noticesAfter(after)];
  }
  return [404, { error: 'NOT_FOUND' }];
}

export async function serveAcquirer(acq: SimulatedAcquirer, port = 0): Promise<AcquirerServer> {
  const held = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = req.method === 'POST' ? await readJson(req) : null;
        if (handle.hang) {
          held.add(res);
          return;
        }
        const [status, out] = route(acq, req, body);
        if (handle.loseAnswers) {
          held.add(res);
          return;
        }
        send(res, status, out);
      } catch (err) {
        const code = err instanceof GatewayError ? err.code : 'GATEWAY_PROTOCOL';
        send(res, code === 'GATEWAY_UNKNOWN_CHARGE' ? 404 : code === 'GATEWAY_CONFLICT' ? 409 : 400, { error: code });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const handle: AcquirerServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hang: false,
    loseAnswers: false,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}
