import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../../kiosk/log.ts';
import { serveDemoDisplay } from '../../scripts/demo.ts';
import { crossingLine, tableHeader } from '../../scripts/sim/summary.ts';
import type { CrossingResult } from '../../scripts/sim/world-core.ts';

// Issue 12 item 4: `npm start -- --help`, `--json`, `--display-port N` were read as a config file name.
const ROOT = new URL('../../', import.meta.url).pathname;

function run(file: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, file), ...args], { cwd: ROOT, env: { ...process.env, EGATE_CONFIG: '' }, timeout: 60_000 }, (e, out, err) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
}

test('npm start -- --help prints a usage line with the real options and exits 0', async () => {
  const r = await run('scripts/start.ts', ['--help']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^Usage: npm start -- \[options\] \[config\]/);
  for (const o of ['--json', '--display-port <port>', '--profile <profile>', '--scenario <file>']) assert.ok(r.out.includes(o), `help lists ${o}`);
  assert.not.match(r.out + r.err, /models:|installing/, 'help fetched or installed nothing');
});

test('an unknown option or a bad port is an option error, not a missing config file', async () => {
  const bogus = await run('scripts/start.ts', ['--bogus']);
  assert.is(bogus.code, 1);
  assert.match(bogus.err, /unknown option '--bogus'/);
  assert.match(bogus.err, /--help lists the options/);
  assert.not.match(bogus.err, /config/i);
  const port = await run('scripts/start.ts', ['--display-port', 'abc']);
  assert.is(port.code, 1);
  assert.match(port.err, /--display-port <port>' argument 'abc' is invalid/);
});

test('a configuration file is the positional argument; simulation-only options are refused with it', async () => {
  const r = await run('scripts/start.ts', ['--json', 'config/examples/pedestrian.json']);
  assert.is(r.code, 2);
  assert.match(r.err, /--json, --scenario and --profile are for the simulated gate/);
  const missing = await run('scripts/start.ts', ['/nonexistent/gate.json']);
  assert.is(missing.code, 2);
  assert.match(missing.err, /error CONFIG_INVALID:[\s\S]*\/nonexistent\/gate\.json: ENOENT/);
});

test('the product entry (kiosk/main.ts) needs a configuration and says where the simulation is', async () => {
  const r = await run('kiosk/main.ts', []);
  assert.is(r.code, 2);
  assert.match(r.err, /no configuration file .*npm start/);
  const help = await run('kiosk/main.ts', ['--help']);
  assert.is(help.code, 0);
  assert.match(help.out, /^Usage: egate-gate \[options\] \[config\]/);
});

const result = (over: Partial<CrossingResult>): CrossingResult => ({ traveller: 'Chan Tai-man', expected: 'CLEARED', outcome: 'CLEARED', reason: 'OK', ms: 5200, overhead_ms: 130, record: null, ...over });

test('the demo table has a header, and a MISMATCH says what was expected, what happened and the device fault', () => {
  const header = tableHeader();
  for (const col of ['#', 'traveller', 'token/behaviour', 'outcome', 'reason', 'crossing', 'controller', 'check']) assert.ok(header.includes(col), col);
  const ok = crossingLine(1, result({}), 'valid', 'normal');
  assert.match(ok, /CLEARED\s+OK\s+5200 ms\s+130 ms\s+ok$/);
  // Columns line up under the header.
  assert.is(ok.indexOf('CLEARED'), header.indexOf('outcome'));
  const bad = crossingLine(2, result({ outcome: 'ABORTED_FAULT', reason: 'DEVICE_FAULT' }), 'valid', 'normal', ['controller DOOR_TIMEOUT', 'controller DOOR_TIMEOUT']);
  assert.match(bad, /MISMATCH: expected CLEARED, the gate decided ABORTED_FAULT\/DEVICE_FAULT; device fault during the crossing: controller DOOR_TIMEOUT$/);
  const noFault = crossingLine(3, result({ outcome: 'REJECTED_FACE', reason: 'NO_MATCH' }), 'valid', 'normal', []);
  assert.match(noFault, /MISMATCH: expected CLEARED, the gate decided REJECTED_FACE\/NO_MATCH; no device fault$/);
});

test('a busy display port is named, and the demo goes on without the display', async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const port = (holder.address() as AddressInfo).port;
  const lines: string[] = [];
  try {
    const source = { screen: () => null, on: () => () => {} };
    const d = await serveDemoDisplay(source as never, '127.0.0.1', port, silentLogger(), (l) => lines.push(l));
    assert.is(d, undefined);
    assert.match(lines.join('\n'), new RegExp(`traveller display not served: port ${port} on 127\\.0\\.0\\.1 is already in use; .*--display-port`));
  } finally {
    holder.close();
  }
});

test.run();
