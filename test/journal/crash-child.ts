/**
 * The "gate process" of the SIGKILL test: appends forever and prints each seq on stdout
 * only after append returned (stdout on a pipe is synchronous on Linux), so every printed
 * seq is an event the gate could have acted on. Event sizes vary so kills land at
 * different points of the WAL write.
 */
import { SystemClock } from '../../kiosk/clock.ts';
import { Journal } from '../../kiosk/journal/journal.ts';

const [path, secretPath] = process.argv.slice(2) as [string, string];
const j = Journal.open({ path, gate: 'LMC-A-07', clock: new SystemClock(), secretPath });
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const e = j.append('face_attempt', {
    crossing: `X${i}`,
    attempt: i % 5,
    match_score: Math.random(),
    liveness_score: Math.random(),
    issues: Array.from({ length: i % 7 }, (_, k) => `issue_${k}_${'x'.repeat((i * 37) % 200)}`),
  });
  process.stdout.write(`${e.seq}\n`);
}
