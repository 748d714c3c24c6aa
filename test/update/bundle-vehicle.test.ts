import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realGate } from './real-gate.ts';
import { updateWorld, type UpdateWorld } from './update-world.ts';

/**
 * A vehicle lane's update is health-checked by its own layout's self-test crossing (issue 18
 * item 2): the gate runs the vehicle profile from a bundle of this checkout's HEAD; a release
 * whose calibration lets anyone match passes READY, models and devices, but on the barrier
 * twin its impostor driver is cleared, so it goes back (HEALTH_SELF_TEST, "vehicle layout").
 */
let w: UpdateWorld | undefined;
let stop: (() => Promise<void>) | undefined;

test.after(async () => {
  await stop?.();
  await w?.close();
});

test('vehicle lane: a release clearing the impostor on the barrier twin is rolled back; the confirmed one runs on', async () => {
  w = await updateWorld();
  const journal: { type: string; data: Record<string, unknown> }[] = [];
  const g = await realGate(w, { profile: 'vehicle', journal: (type, data) => journal.push({ type, data }) });
  stop = () => g.launcher.stop();
  g.publish('1.1.0', 'loose');
  const r = await g.launcher.install(await g.updater.fetchRelease());
  assert.is(r.outcome, 'rolled_back', JSON.stringify(r));
  assert.is(r.reason, 'HEALTH_SELF_TEST');
  const back = journal.at(-1)!;
  assert.is(back.type, 'update_rolled_back');
  assert.match(String(back.data.detail), /vehicle layout: genuine CLEARED\/OK, impostor CLEARED/, String(back.data.detail));
  assert.is(g.slots.manifest(g.slots.current()!).release, '1.0.0');
  assert.is(g.slots.current(), g.slots.confirmed());
  assert.ok(g.launcher.running && !g.launcher.running.exited, 'the confirmed release runs again');
});

test.run();
