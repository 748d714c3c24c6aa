import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { peerSuite } from '../../helpers/suite.ts';

// scripts/sim-controller.ts as a command: its own pty pair, scripted on stdin, read by mbpoll.
const run = promisify(execFile);
const t = peerSuite('door: sim-controller command', ['socat', 'mbpoll']);
const SCRIPT = new URL('../../../scripts/sim-controller.ts', import.meta.url).pathname;

t('serves the plant on a pty it creates; stdin commands move the simulated traveller; SIGTERM cleans up', async () => {
  const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--pty'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    lines.push(l);
    waiters.shift()?.();
  });
  const next = async (): Promise<Record<string, unknown>> => {
    if (lines.length === 0) await new Promise<void>((r) => waiters.push(r));
    return JSON.parse(lines.shift()!) as Record<string, unknown>;
  };
  try {
    const first = await next();
    const device = first.masterDevice as string;
    assert.ok(existsSync(device));
    assert.is((await next()).layout, 'pedestrian');
    proc.stdin!.write('traveller t1\narrive t1\n');
    assert.is((await next()).id, 't1');
    assert.is((await next()).ok, true);
    const r = await run('mbpoll', ['-m', 'rtu', '-a', '1', '-b', '19200', '-P', 'none', '-1', '-t', '1', '-r', '1', '-c', '7', device], { timeout: 5000 });
    const values = [...r.stdout.matchAll(/^\[\d+\]:\s+(\d+)/gm)].map((m) => Number(m[1]));
    assert.equal(values, [1, 1, 1, 0, 0, 0, 0], 'zone_approach seen over Modbus');
    proc.stdin!.write('fault nonsense\n');
    assert.is((await next()).ok, false);
    const exited = new Promise((res) => proc.once('exit', res));
    proc.kill('SIGTERM');
    await exited;
    assert.ok(!existsSync(device), 'pty pair removed');
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
});

t.run();
