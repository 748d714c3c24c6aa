/**
 * A gate process reduced to its central link: drains the journal in `dir` to the broker at
 * `url` until SIGTERM (orderly stop) or SIGKILL (the test's crash). argv: dir url batchSize.
 */
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { startSync } from '../../kiosk/sync/attach.ts';
import { StoreHost } from './host.ts';

const [dir, url, batch] = process.argv.slice(2);
if (!dir || !url) throw new Error('usage: outbox-child.ts dir url [batchSize]');
const clock = new SystemClock();
const host = new StoreHost(dir, clock, { url, batchSize: Number(batch ?? 20), pollMs: 50, backoffMs: { min: 50, max: 400 } });
const h = await startSync(host, { clock, log: silentLogger() });
process.on('SIGTERM', () => {
  void h.stop().then(() => {
    host.close();
    process.exit(0);
  });
});
process.stdout.write('started\n');
