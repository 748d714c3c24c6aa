// Fixture for test/scripts/run-tests.test.ts: the second test waits for a file the test creates
// once the runner has shown progress, so the file runs exactly as long as the check needs.
import { existsSync } from 'node:fs';
import { test } from 'uvu';

test('quick', () => {});
test('waits for the go file', async () => {
  const go = process.env.EGATE_FIXTURE_GO!;
  const end = Date.now() + 60_000;
  while (!existsSync(go)) {
    if (Date.now() > end) throw new Error('no go file within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
});
test.run();
