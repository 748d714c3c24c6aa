import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpuRate, nextFile, type Candidate } from '../../scripts/test-schedule.ts';

const c = (file: string, wall: number, cpu: number | undefined, serial = false): Candidate => ({ file, wall, ...(cpu !== undefined ? { cpu } : {}), serial });
const P = { jobs: 2, maxFiles: 4 };

test('below the cores the longest waiting file starts, @serial first', () => {
  const q = [c('long', 200, 190), c('pcsc', 100, 20, true), c('short', 5, 5)];
  assert.is(nextFile(q, [], P)?.file, 'pcsc');
  assert.is(nextFile(q, [c('pcsc', 100, 20, true)], P)?.file, 'long');
});

test('two busy files fill the cores: nothing else starts', () => {
  const q = [c('waits', 150, 15)];
  assert.is(nextFile(q, [c('a', 100, 95), c('b', 80, 78)], P), undefined);
});

test('beside files that mostly wait, a file whose CPU fits starts; never beyond maxFiles', () => {
  const running = [c('scenarios', 141, 23), c('kill', 97, 37)];
  // 1.5 × 23/141 + 1.5 × 37/97 ≈ 0.82 cores used: a busy file (1 core) still fits
  assert.is(nextFile([c('busy', 60, 60)], running, P)?.file, 'busy');
  assert.is(nextFile([c('waits', 150, 15)], [...running, c('x', 100, 10), c('y', 100, 10)], P), undefined);
});

test('a file that does not fit is passed over for a shorter one that does', () => {
  const running = [c('busy', 100, 100), c('waits', 100, 20)];
  assert.is(nextFile([c('busy2', 90, 90), c('light', 30, 3)], running, P)?.file, 'light');
});

test('two @serial files never run at once; an unknown file counts as one busy core', () => {
  assert.is(nextFile([c('pcsc2', 50, 5, true)], [c('pcsc1', 100, 5, true)], P), undefined);
  assert.is(cpuRate(c('new', 10, undefined)), 1);
  assert.is(cpuRate(c('all-cpu', 10, 10)), 1);
  assert.ok(Math.abs(cpuRate(c('half', 100, 20)) - 0.3) < 1e-9);
});

test.run();
