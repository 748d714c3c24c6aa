// Fixture for test/scripts/run-tests.test.ts: listens on a port someone else holds.
import { createServer } from 'node:net';
import { test } from 'uvu';

test('serves on the fixture port', async () => {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(process.env.EGATE_FIXTURE_PORT), '127.0.0.1', resolve);
  });
  server.close();
});
test.run();
