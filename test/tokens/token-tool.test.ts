import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tokensSection } from '../../config/sections/tokens.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { EgateError } from '../../kiosk/errors.ts';
import { createTokenVerifier, openTokenStores } from '../../kiosk/tokens/open.ts';
import { VARIANTS } from '../../kiosk/tokens/token-world.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const tool = (...args: string[]): string =>
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/token-tool.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

test('token-tool writes a world the gate opens from config, and every variant it prints gets its reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-token-tool-'));
  const now = '2026-11-23T08:00:00.000Z';
  try {
    const paths = JSON.parse(tool('init', '--dir', join(dir, 'w'), '--now', now)) as Record<string, string>;
    assert.is(statSync(join(dir, 'w', 'fleet', 'fleet-2026-11.pem')).mode & 0o777, 0o600);
    const cfg = tokensSection.parse({ ...paths, replayCachePath: join(dir, 'replay.sqlite') });
    const stores = openTokenStores(cfg);
    const clock = new SimulatedClock(Date.parse(now));
    const world = JSON.parse(tool('variant', 'valid-card', '--dir', join(dir, 'w'), '--now', now)) as { input: string };
    assert.ok(world.input.length > 100);
    const verifier = createTokenVerifier(cfg, stores, { clock, service: 'ECH', hasReference: (sub) => sub !== 'R0077777' });
    const lines = tool('variants', '--dir', join(dir, 'w'), '--now', now).trim().split('\n');
    assert.is(lines.length, Object.keys(VARIANTS).length);
    for (const line of lines) {
      const v = JSON.parse(line) as { name: string; channel: 'qr' | 'card'; expect: string; presentTwice: boolean; input: string };
      const input = v.channel === 'card' ? new Uint8Array(Buffer.from(v.input, 'base64')) : v.input;
      if (v.presentTwice) await verifier.verify(input, v.channel);
      const r = await verifier.verify(input, v.channel);
      assert.is(r.ok ? 'OK' : r.reason, v.expect, v.name);
    }
    stores.replayCache.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the gate does not open token stores that are missing', () => {
  const cfg = tokensSection.parse({ trustListPath: '/nonexistent/trust.json' });
  assert.throws(() => openTokenStores(cfg), (e: unknown) => e instanceof EgateError && e.code === 'TRUST_LIST_MISSING');
});

test.run();
