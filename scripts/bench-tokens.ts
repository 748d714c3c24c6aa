/**
 * Verifier time per token (tokens.md checks, all of them), measured in process with
 * performance.now() around `verify`. Tokens are made beforehand (not timed); the replay
 * cache is a real SQLite file (WAL, synchronous=FULL) in a temp dir, so each accepted QR
 * pays its fsync. Prints a table, then one JSON line (the last line) for tooling.
 *
 *   node --import tsx scripts/bench-tokens.ts [--n 500]
 */
import { cpus, loadavg } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { makeVariant, worldCredential, worldQr, type VariantName } from '../kiosk/tokens/token-world.ts';
import { makeRig } from '../test/tokens/fixture.ts';

const { n: N } = new Command('bench-tokens')
  .description('verifier time per token, every tokens.md check; a table, then one JSON line')
  .option('--n <count>', 'tokens per kind', (v) => {
    if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('a positive whole number');
    return Number(v);
  }, 500)
  .parse()
  .opts<{ n: number }>();
const rig = makeRig();
const w = rig.world;

function stats(ms: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return { n: s.length, p50: r(q(0.5)), p95: r(q(0.95)), p99: r(q(0.99)), max: r(s.at(-1) ?? NaN), mean: r(s.reduce((a, b) => a + b, 0) / s.length) };
}

async function time(inputs: (string | Uint8Array)[], channel: 'qr' | 'card', expect: string): Promise<number[]> {
  const out: number[] = [];
  for (const input of inputs) {
    const t0 = performance.now();
    const r = await rig.verifier.verify(input, channel);
    out.push(performance.now() - t0);
    const got = r.ok ? 'OK' : r.reason;
    if (got !== expect) throw new Error(`bench token gave ${got}, expected ${expect}`);
  }
  return out;
}

const variantInputs = (name: VariantName, n: number): (string | Uint8Array)[] => Array.from({ length: n }, () => makeVariant(w, name).input);

// Warm up JIT and OpenSSL paths (not counted).
await time(Array.from({ length: 30 }, () => worldQr(w)), 'qr', 'OK');

const cases: { name: string; channel: 'qr' | 'card'; expect: string; inputs: (string | Uint8Array)[] }[] = [
  { name: 'mobile QR, accepted', channel: 'qr', expect: 'OK', inputs: Array.from({ length: N }, () => worldQr(w)) },
  { name: 'card credential, accepted', channel: 'card', expect: 'OK', inputs: Array.from({ length: N }, () => worldCredential(w, { mobile: false })) },
  { name: 'MALFORMED (garbage)', channel: 'qr', expect: 'MALFORMED', inputs: variantInputs('garbage', Math.ceil(N / 2)) },
  { name: 'DECRYPT_FAILED', channel: 'qr', expect: 'DECRYPT_FAILED', inputs: variantInputs('tampered-ciphertext', Math.ceil(N / 2)) },
  { name: 'BAD_SIGNATURE (presentation)', channel: 'qr', expect: 'BAD_SIGNATURE', inputs: variantInputs('bad-presentation-signature', Math.ceil(N / 2)) },
];

const results: Record<string, ReturnType<typeof stats>> = {};
for (const c of cases) results[c.name] = stats(await time(c.inputs, c.channel, c.expect));
rig.close();

const qrLengths = Array.from({ length: 50 }, () => worldQr(w).length);
const conditions = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  replayCache: 'SQLite file, WAL, synchronous=FULL, tmpdir',
  qrTextChars: { min: Math.min(...qrLengths), max: Math.max(...qrLengths) },
};
console.log('case                            n      p50 ms   p95 ms   p99 ms   max ms   mean ms');
for (const [name, s] of Object.entries(results)) {
  console.log(`${name.padEnd(30)} ${String(s.n).padStart(4)} ${[s.p50, s.p95, s.p99, s.max, s.mean].map((x) => x.toFixed(3).padStart(8)).join(' ')}`);
}
console.log(`conditions: ${JSON.stringify(conditions)}`);
console.log(JSON.stringify({ bench: 'tokens', unit: 'ms per verify', results, conditions }));
