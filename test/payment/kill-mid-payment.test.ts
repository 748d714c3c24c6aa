import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APPS, assertChargedOnce, killRig, runChild } from './kill-rig.ts';

/** Each durable step of a payment, the child killed (SIGKILL, by itself) right after it, once per application. */
const SCRIPTED = ['stored:PA0001', 'persisted:PA0001', 'opened:PA0002', 'notice_paid:PA0003', 'journalled_paid:PA0004'];

test('kill -9 right after each durable step of a payment, then a restart: never a second charge', async () => {
  const rig = await killRig();
  try {
    for (const spec of SCRIPTED) {
      const run = await runChild(rig.dir, rig.url, { KILL: spec });
      const [step, app] = spec.split(':');
      assert.is(run.signal, 'SIGKILL', `${spec}: the child was to die at that step (exit ${run.code}): ${run.stderr.slice(0, 400)}`);
      assert.is(run.lines.at(-1), `step ${step} ${app}`, `${spec}: died elsewhere`);
    }
    const last = await runChild(rig.dir, rig.url, {});
    assert.is(last.code, 0, `final run failed: ${last.stderr.slice(0, 600)}`);
    assertChargedOnce(rig.dir, rig.acq);
    console.log(`kill -9 payment test: ${SCRIPTED.length} scripted kills, ${APPS.length} applications, ${rig.acq.opened} charges opened, every application debited once`);
  } finally {
    await rig.close();
  }
});

test.run();
