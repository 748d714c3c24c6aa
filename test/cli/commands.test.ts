import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CliClient } from '../../kiosk/cli/client.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import type { GateStatus } from '../../kiosk/control.ts';
import type { JournalEvent } from '../../kiosk/journal/index.ts';
import { worldQr } from '../../kiosk/tokens/token-world.ts';
import { actionsAfter, loggedIn, refusal, ROOT, startTestGate, TECH, waitFor, type TestGate } from './harness.ts';

const t = suite<{ g: TestGate; c: CliClient; logFile: string }>('cli: commands on a running gate');
const PHOTO = join(ROOT, 'fixtures/faces/person03-48.jpg');

t.before(async (ctx) => {
  ctx.logFile = join(tmpdir(), `egate-cli-test-${process.pid}.log`);
  writeFileSync(ctx.logFile, ['{"msg":"one"}', '{"msg":"two"}', '{"msg":"three"}', ''].join('\n'));
  ctx.g = await startTestGate({
    logFile: ctx.logFile,
    // Nobody walks in: a crossing ends after 1.5 s instead of 10.
    config: { timings: { healthyBeforeServiceMs: 200, entryTimeoutMs: 1500 } },
  });
  await setTechnician(ctx.g.credentialsPath, TECH.id, 'pin', TECH.pin);
  ctx.c = await loggedIn(ctx.g);
});
t.after(async (ctx) => {
  ctx.c?.close();
  await ctx.g?.close();
  const { rmSync } = await import('node:fs');
  rmSync(ctx.logFile, { force: true });
});

/** Runs a command and returns the maintenance_action entries it left. */
async function journalled(g: TestGate, run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const seq = g.control.journalStore.lastSeq();
  await run().catch(() => {});
  return actionsAfter(g, seq);
}

t('status: mode, devices, last crossing, journal and sync backlog; journalled with who asked', async ({ g, c }) => {
  const acts = await journalled(g, async () => {
    const s = (await c.request('status')) as GateStatus & { sync: unknown };
    assert.is(s.mode, 'in_service');
    assert.equal(Object.keys(s.devices).sort(), ['camera', 'card_reader', 'controller', 'sim-scanner']);
    assert.ok(Object.values(s.devices).every((d) => d.healthy));
    assert.is(s.lastCrossing, null);
    assert.ok(s.journal.lastSeq > 0 && s.journal.unsent === s.journal.lastSeq);
    assert.is(s.sync, null);
  });
  assert.equal(acts, [{ action: 'status', by: 'tech01', result: 'ok' }]);
});

t('selftest passes with every device; an unplugged scanner fails it by name', async ({ g, c }) => {
  const ok = (await c.request('selftest')) as { ok: boolean; checks: { device: string; ok: boolean }[] };
  assert.ok(ok.ok, JSON.stringify(ok.checks));
  assert.equal(ok.checks.map((x) => x.device), ['controller', 'camera', 'sim-scanner', 'card_reader']);
  g.scanner.unplug();
  await waitFor(() => g.scanner.faulted, 2000, 'scanner fault');
  const acts = await journalled(g, async () => {
    const bad = (await c.request('selftest')) as { ok: boolean; checks: { device: string; ok: boolean }[] };
    assert.not.ok(bad.ok);
    assert.equal(bad.checks.filter((x) => !x.ok).map((x) => x.device), ['sim-scanner']);
  });
  assert.equal(acts, [{ action: 'selftest', by: 'tech01', result: 'ok', passed: false, failed: ['sim-scanner'] }]);
  g.scanner.plug();
  await waitFor(() => !g.scanner.faulted, 2000, 'scanner back');
});

t('door commands are refused in service, move the real door in maintenance, and are journalled', async ({ g, c }) => {
  await waitFor(() => g.control.status().state === 'in_service.idle', 5000, 'idle');
  const refused = await journalled(g, async () => assert.is(await refusal(c.request('door', { action: 'open', door: 'entry' })), 'NOT_IN_MAINTENANCE'));
  assert.equal(refused, [{ action: 'door_open', by: 'tech01', result: 'refused', code: 'NOT_IN_MAINTENANCE' }]);
  assert.is(g.plant.role('entry_closed'), true);

  const mode = await journalled(g, () => c.request('mode', { mode: 'maintenance' }));
  assert.equal(mode, [{ action: 'mode_set', by: 'tech01', result: 'ok', mode: 'maintenance' }]);
  assert.is(g.control.status().mode, 'maintenance');
  const opened = await journalled(g, () => c.request('door', { action: 'open', door: 'entry' }));
  assert.equal(opened, [{ action: 'door_open', door: 'entry', by: 'tech01' }]);
  await waitFor(() => g.plant.role('entry_closed') === false, 5000, 'entry door open in the plant');
  await c.request('door', { action: 'close', door: 'entry' });
  await waitFor(() => g.plant.role('entry_closed') === true, 5000, 'entry door closed again');
  assert.is(await refusal(c.request('door', { action: 'open', door: 'barrier' })), 'UNKNOWN_DOOR', 'no barrier on a pedestrian gate');
  await c.request('mode', { mode: 'in_service' });
  await waitFor(() => g.control.status().state === 'in_service.idle', 5000, 'back in service');
});

t('during a crossing, door and mode commands are refused (CROSSING_IN_PROGRESS) and the refusals journalled', async ({ g, c }) => {
  g.world.nowMs = Date.now();
  g.scanner.scan(worldQr(g.world));
  await waitFor(() => g.control.status().inCrossing, 5000, 'a crossing');
  const acts = await journalled(g, async () => {
    assert.is(await refusal(c.request('door', { action: 'open', door: 'exit' })), 'CROSSING_IN_PROGRESS');
    assert.is(await refusal(c.request('mode', { mode: 'maintenance' })), 'CROSSING_IN_PROGRESS');
  });
  assert.equal(acts.map((a) => `${a.action}:${a.result}:${a.code}`), ['door_open:refused:CROSSING_IN_PROGRESS', 'mode_set:refused:CROSSING_IN_PROGRESS']);
  assert.is(g.plant.role('exit_closed'), true, 'the exit never opened');
  await waitFor(() => !g.control.status().inCrossing, 15_000, 'the crossing to end');
  const s = (await c.request('status')) as GateStatus;
  assert.ok(s.lastCrossing, 'status shows the last crossing');
});

t('journal tail, verify and export (streamed, every seq once, chain intact)', async ({ g, c }) => {
  const tail = (await c.request('journal.tail', { n: 3 })) as { events: JournalEvent[] };
  assert.is(tail.events.length, 3);
  // The tail's own maintenance_action is journalled after the answer was read.
  assert.is(tail.events[2]!.seq, g.control.journalStore.lastSeq() - 1);
  const v = (await c.request('journal.verify')) as { ok: boolean; events: number };
  assert.ok(v.ok);
  assert.ok(v.events >= tail.events[2]!.seq);
  const chunks: JournalEvent[][] = [];
  const last = g.control.journalStore.lastSeq();
  const r = (await c.request('journal.export', { from: 2, to: last }, (m) => chunks.push((m as { events: JournalEvent[] }).events))) as { count: number; from: number; to: number };
  const got = chunks.flat();
  assert.equal({ count: r.count, from: r.from, to: r.to }, { count: last - 1, from: 2, to: last });
  assert.equal(got.map((e) => e.seq), Array.from({ length: last - 1 }, (_, i) => i + 2));
  for (let i = 1; i < got.length; i++) assert.is(got[i]!.prev, got[i - 1]!.hash);
  assert.is(await refusal(c.request('journal.export', { from: last + 5 })), 'BAD_REQUEST');
  const acts = actionsAfter(g, last).map((a) => `${a.action}:${a.result}`);
  assert.equal(acts, ['journal_export:ok', 'journal_export:refused']);
});

t('enrol add/list/remove: the store changes, the journal gets a pseudonym and never the sub', async ({ g, c }) => {
  const sub = 'R7654321';
  const seq = g.control.journalStore.lastSeq();
  const added = (await c.request('enrol.add', { sub, photo: readFileSync(PHOTO).toString('base64') })) as { replaced: boolean };
  assert.is(added.replaced, false);
  assert.ok(g.control.references.has(sub));
  const list = (await c.request('enrol.list')) as { references: { sub: string }[] };
  assert.ok(list.references.some((r) => r.sub === sub));
  await c.request('enrol.remove', { sub });
  assert.not.ok(g.control.references.has(sub));
  assert.is(await refusal(c.request('enrol.remove', { sub })), 'NOT_ENROLLED');
  assert.is(await refusal(c.request('enrol.add', { sub, photo: Buffer.from('not a photo').toString('base64') })), 'IMAGE_UNSUPPORTED');
  const acts = actionsAfter(g, seq);
  const pseudo = g.control.journalStore.pseudonym(sub);
  assert.equal(acts.map((a) => `${a.action}:${a.result}`), ['enrol_add:ok', 'enrol_list:ok', 'enrol_remove:ok', 'enrol_remove:refused', 'enrol_add:refused']);
  assert.is(acts[0]!.subject, pseudo);
  assert.not.ok(JSON.stringify(g.control.journalStore.readAfter(seq, 100)).includes(sub), 'the sub never reaches the journal');
});

t('keys list and reload: a new revocation list takes effect, a broken trust list changes nothing', async ({ g, c }) => {
  const before = (await c.request('keys.list')) as { fleetKeys: string[]; trustListKeys: number; revocations: number };
  assert.equal(before.fleetKeys, [g.world.fleet.kid]);
  const revPath = g.control.config.tokens.revocationListPath;
  const rev = JSON.parse(readFileSync(revPath, 'utf8')) as { cti: string[]; sub: string[] };
  rev.cti.push('ab'.repeat(16));
  writeFileSync(revPath, JSON.stringify(rev));
  const seq = g.control.journalStore.lastSeq();
  const after = (await c.request('keys.reload')) as { revocations: number };
  assert.is(after.revocations, before.revocations + 1);
  const changed = g.control.journalStore.readAfter(seq, 10).find((e) => e.type === 'keys_changed');
  assert.ok(changed, 'keys_changed journalled');
  const trustPath = g.control.config.tokens.trustListPath;
  const goodTrust = readFileSync(trustPath, 'utf8');
  writeFileSync(trustPath, '{"bad kid!": 1}');
  assert.is(await refusal(c.request('keys.reload')), 'TRUST_LIST_INVALID');
  assert.is(((await c.request('keys.list')) as { trustListKeys: number }).trustListKeys, before.trustListKeys);
  writeFileSync(trustPath, goodTrust);
});

t('config show and validate (every bad field with its path)', async ({ c }) => {
  const cfg = (await c.request('config.show')) as { gate: string };
  assert.is(cfg.gate, 'CLI-01');
  assert.equal(await c.request('config.validate', { text: '{"gate":"X-1"}' }), { valid: true, issues: [] });
  const bad = (await c.request('config.validate', { text: '{"door":{"driver":"nope"},"timings":{"entryTimeoutMs":-1}}' })) as { valid: boolean; issues: { path: string }[] };
  assert.not.ok(bad.valid);
  assert.equal(bad.issues.map((i) => i.path).sort(), ['door.driver', 'timings.entryTimeoutMs']);
  assert.is(((await c.request('config.validate', { text: '{oops' })) as { valid: boolean }).valid, false);
});

t('logs tail the configured log file; sync without a link says so', async ({ g, c }) => {
  const r = (await c.request('logs', { lines: 2 })) as { lines: string[] };
  assert.equal(r.lines, ['{"msg":"two"}', '{"msg":"three"}']);
  const acts = await journalled(g, async () => {
    assert.is(await refusal(c.request('sync.status')), 'SYNC_DISABLED');
    assert.is(await refusal(c.request('sync.flush')), 'SYNC_DISABLED');
  });
  assert.equal(acts.map((a) => `${a.action}:${a.code}`), ['sync_status:SYNC_DISABLED', 'sync_flush:SYNC_DISABLED']);
});

t.run();
