// Fixture for test/scripts/run-tests.test.ts: a suite whose before hook throws.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const s = suite('rig that cannot start');
s.before(() => {
  throw new Error('the rig could not start: fixture peer missing');
});
s('one', () => assert.ok(true));
s('two', () => assert.ok(true));
s('three', () => assert.ok(true));
s.run();
