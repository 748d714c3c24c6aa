import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DisplaySource } from '../../kiosk/display/server.ts';
import { DEFAULT_MAX_CLIENTS, startDisplayServer, WAIT_SCREEN } from '../../kiosk/display/server.ts';
import { silentLogger } from '../../kiosk/log.ts';

const source: DisplaySource = { screen: () => WAIT_SCREEN, on: () => () => {} };

function open(url: string): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}events`, (res) => resolve({ req, res }));
    req.on('error', reject);
  });
}

function closed(res: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) resolve();
    else res.once('close', () => resolve());
  });
}

test('the display serves at most N streams (default 8); one more is answered 503, and a freed place is taken again', async () => {
  assert.is(DEFAULT_MAX_CLIENTS, 8);
  const d = await startDisplayServer(source, { host: '127.0.0.1', port: 0, log: silentLogger() });
  const streams = [];
  for (let i = 0; i < DEFAULT_MAX_CLIENTS; i++) {
    const s = await open(d.url);
    assert.is(s.res.statusCode, 200, `stream ${i + 1}`);
    streams.push(s);
  }
  assert.is(d.clients(), DEFAULT_MAX_CLIENTS);
  const extra = await open(d.url);
  assert.is(extra.res.statusCode, 503);
  assert.ok(extra.res.headers['retry-after']);
  extra.res.resume();
  assert.is(d.clients(), DEFAULT_MAX_CLIENTS);
  // the page itself and health checks are still answered while the streams are full
  const health = await new Promise<IncomingMessage>((resolve) => get(`${d.url}healthz`, resolve));
  assert.is(health.statusCode, 200);
  health.resume();
  const first = streams.shift()!;
  first.req.destroy();
  await closed(first.res);
  // the server sees the close on its own socket a moment later: wait for it, then retry
  for (let i = 0; i < 200 && d.clients() >= DEFAULT_MAX_CLIENTS; i++) await new Promise((r) => setTimeout(r, 10));
  const again = await open(d.url);
  assert.is(again.res.statusCode, 200);
  streams.push(again);
  for (const s of streams) s.req.destroy();
  await d.stop();
});

test('the bound is configurable', async () => {
  const d = await startDisplayServer(source, { host: '127.0.0.1', port: 0, log: silentLogger(), maxClients: 2 });
  const a = await open(d.url);
  const b = await open(d.url);
  const c = await open(d.url);
  assert.equal([a.res.statusCode, b.res.statusCode, c.res.statusCode], [200, 200, 503]);
  for (const s of [a, b, c]) s.req.destroy();
  await d.stop();
});

test.run();
