/**
 * A fleet simulator process (used by scripts/bench-central.ts; also handy against a real
 * central): `node --import tsx central/sim/fleet-main.ts --url mqtt://… --dir /dev/shm/fleet
 * --gates 500 --first 0 --per-site 67 --rate 600 [--offline-site LMC --offline-hours 1]`.
 * Prints one JSON line per stage on stdout; on "go\n" from stdin the held-back control
 * point connects; on "stop\n" it stops.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { silentLogger } from '../../kiosk/log.ts';
import { Fleet } from './fleet.ts';

const o = new Command('fleet')
  .requiredOption('--url <url>')
  .requiredOption('--dir <dir>')
  .option('--gates <n>', 'gates in this process', '100')
  .option('--first <n>', 'index of the first gate', '0')
  .option('--per-site <n>', 'gates per control point', '67')
  .option('--rate <n>', 'crossings per hour per gate', '600')
  .option('--batch <n>', 'events per MQTT message (sync.batchSize)', '100')
  .option('--offline-site <sites>', 'control points (comma-separated) held offline until "go <site>"', '')
  .option('--offline-hours <h>', 'hours of backlog journalled by the held-back control point', '1')
  .option('--central-key <pem>', 'central public key the gates trust')
  .parse()
  .opts<{ url: string; dir: string; gates: string; first: string; perSite: string; rate: string; batch: string; offlineSite: string; offlineHours: string; centralKey?: string }>();

const say = (v: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(v) + '\n');
const fleet = new Fleet({
  dir: o.dir,
  url: o.url,
  gates: Number(o.gates),
  first: Number(o.first),
  perSite: Number(o.perSite),
  crossingsPerHour: Number(o.rate),
  log: silentLogger(),
  ...(o.centralKey ? { centralKeyPem: readFileSync(o.centralKey, 'utf8') } : {}),
  sync: { batchSize: Number(o.batch), statusIntervalMs: 30_000 },
});
const offline = new Set(o.offlineSite.split(',').filter(Boolean));
const held = fleet.gates.filter((g) => offline.has(g.config.sync.site));
const live = fleet.gates.filter((g) => !offline.has(g.config.sync.site));
const t0 = performance.now();
const backlog = held.length ? fleet.fillBacklog(held, Number(o.offlineHours)) : 0;
const perSite: Record<string, number> = {};
for (const g of held) perSite[g.config.sync.site] = (perSite[g.config.sync.site] ?? 0) + g.journalStore.lastSeq();
say({ stage: 'filled', gates: fleet.gates.length, held: held.length, backlog, perSite, fillMs: Math.round(performance.now() - t0) });
fleet.start(live);
say({ stage: 'started', live: live.length });
const lines = createInterface({ input: process.stdin });
lines.on('line', (l) => {
  if (l.startsWith('go ')) {
    const site = l.slice(3);
    const these = held.filter((g) => g.config.sync.site === site);
    fleet.start(these);
    say({ stage: 'released', site, gates: these.length, at: Date.now() });
  } else if (l === 'stats') {
    say({ stage: 'stats', backlog: fleet.backlog(), crossings: fleet.gates.reduce((n, g) => n + g.crossings, 0), rss: process.memoryUsage().rss });
  } else if (l === 'stop') {
    void fleet.stop().then(() => {
      say({ stage: 'stopped' });
      process.exit(0);
    });
  }
});
