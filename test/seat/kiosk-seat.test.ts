import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import { createFaceEngine, type FaceEngine } from '../../kiosk/biometrics/index.ts';
import { resolvePaths } from '../../kiosk/build.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import type { KioskScreen } from '../../kiosk/display/kiosk-types.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { buildKiosk } from '../../kiosk/seat/build-kiosk.ts';
import type { KioskApp, KioskParts } from '../../kiosk/seat/kiosk-profile.ts';
import { KIOSK_PROFILES } from '../../kiosk/seat/registry.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../../kiosk/tokens/world-files.ts';

/**
 * The kiosk host's own promises, with a two-screen profile standing in for a kiosk (the real
 * profiles have their own tests): status and modes through the lane's facade, the mode durable
 * across a new process, the closed screen and no tap reaching the profile when not in service,
 * modes refused mid-transaction, no doors, every operator action journalled.
 */
const screen = (id: string, actions: string[]): KioskScreen => ({
  id,
  tone: 'neutral',
  title: { 'zh-Hant': id, en: id, 'zh-Hans': id },
  lines: [],
  actions: actions.map((a) => ({ id: a, label: { 'zh-Hant': a, en: a, 'zh-Hans': a } })),
  awaitsVisitor: actions.length > 0,
});

class TwoScreens implements KioskApp {
  taps: string[] = [];
  #at = screen('start', ['begin']);
  readonly #fns = new Set<(s: KioskScreen) => void>();
  constructor(readonly parts: KioskParts) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  devices() {
    return { printer: { healthy: true } };
  }
  busy(): boolean {
    return this.#at.id === 'serving';
  }
  screen(): KioskScreen {
    return this.#at;
  }
  on(_e: 'screen', fn: (s: KioskScreen) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }
  act(action: string): void {
    this.taps.push(action);
    if (action === 'begin') this.#show(screen('serving', ['done']));
    if (action === 'done') this.#show(screen('start', ['begin']));
  }
  reset(): void {
    this.#show(screen('start', ['begin']));
  }
  #show(s: KioskScreen): void {
    this.#at = s;
    for (const fn of this.#fns) fn(s);
  }
}

let app: TwoScreens | undefined;
KIOSK_PROFILES.registration = async () => ({ name: 'registration', build: async (parts) => (app = new TwoScreens(parts)) });

let engine: FaceEngine;
let dir: string;
const build = () => {
  const config = resolvePaths(
    parseConfig({
      gate: 'KIOSK-01',
      profile: 'registration',
      dataDir: 'var',
      camera: { driver: 'simulated' },
      readers: { scanners: [{ kind: 'simulated' }] },
      tokens: { fleetKeysDir: 'tokens/fleet', trustListPath: 'tokens/trust-list.json', revocationListPath: 'tokens/revocations.json' },
    }),
    dir,
  );
  return buildKiosk(config, { clock: new SystemClock(), log: silentLogger(), engine });
};

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'egate-seat-'));
  saveTokenWorld(createTokenWorld({ nowMs: Date.now() }), join(dir, 'tokens'));
  engine = await createFaceEngine(parseConfig({}).face);
});
test.after(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a kiosk reports its profile, mode and devices; a commanded mode closes the page, survives a new process and is journalled', async () => {
  const seat = await build();
  await seat.start();
  const journalled: string[] = [];
  seat.on('journal', (e) => journalled.push(`${e.type}:${String(e.data.action)}`));
  let st = seat.status();
  assert.is(st.profile, 'registration');
  assert.is(st.mode, 'in_service');
  assert.equal(st.devices.printer, { healthy: true });
  assert.ok(st.devices.camera, 'the host lists its camera');
  assert.is(seat.page.screen().id, 'start');

  const r = seat.setMode('out_of_service', 'tech1');
  assert.ok(r.ok, JSON.stringify(r));
  assert.is(seat.page.screen().id, 'closed');
  seat.page.act('begin');
  assert.equal(app!.taps, [], 'no tap reaches the profile while the kiosk is closed');
  assert.ok(journalled.includes('maintenance_action:mode_set'));
  assert.equal(await seat.door(), { ok: false, code: 'UNKNOWN_DOOR', error: 'a kiosk has no doors' });
  await seat.stop();

  // a new process on the same data directory comes back as commanded
  const again = await build();
  await again.start();
  st = again.status();
  assert.is(st.mode, 'out_of_service');
  assert.is(again.page.screen().id, 'closed');
  assert.ok(again.setMode('in_service', 'tech1').ok);
  assert.is(again.page.screen().id, 'start');
  await again.stop();
});

test('modes change only between transactions; maintenance resets the visitor', async () => {
  const seat = await build();
  await seat.start();
  seat.page.act('begin');
  assert.is(seat.page.screen().id, 'serving');
  assert.ok(seat.status().inCrossing);
  const r = seat.setMode('maintenance', 'tech1');
  assert.equal(r.ok ? '' : r.code, 'CROSSING_IN_PROGRESS');
  seat.page.act('done');
  assert.ok(seat.setMode('maintenance', 'tech1').ok);
  assert.is(seat.page.screen().id, 'maintenance');
  assert.ok(seat.setMode('in_service', 'tech1').ok);
  assert.is(seat.page.screen().id, 'start');
  await seat.stop();
});

test.run();
