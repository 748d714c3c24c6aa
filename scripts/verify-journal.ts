/**
 * Checks a gate journal's hash chain, seq continuity and hashes (events.md).
 *
 *   node --import tsx scripts/verify-journal.ts [path] [--checkpoint-key PUB.pem] [--json]
 *
 * Without a path, uses journal.path from the config (EGATE_CONFIG), and then the checkpoint
 * public key beside journal.checkpointKeyPath when there is one. With a key, the signed
 * checkpoints and the purge anchor are checked too: a rewritten history, a forged anchor or
 * removed checkpoints are reported. Exit 0 when the journal verifies, 1 when it does not
 * (the first bad event is reported), 2 when it cannot be read.
 */
import { Command } from 'commander';
import { loadGateConfig } from '../config/load.ts';
import { EgateError } from '../kiosk/errors.ts';
import { existsSync } from 'node:fs';
import { publicKeyPath, readCheckpointPublicKey } from '../kiosk/journal/checkpoint.ts';
import { verifyJournal } from '../kiosk/journal/verify.ts';

const program = new Command('verify-journal')
  .argument('[path]', 'journal SQLite file (default: journal.path from the config)')
  .option('--checkpoint-key <pem>', "the gate's checkpoint public key (<journal.checkpointKeyPath>.pub.pem): checks signed checkpoints")
  .option('--max-unsigned <n>', 'most events allowed after the last checkpoint', (v) => Number.parseInt(v, 10))
  .option('--json', 'print the result as one JSON object')
  .action((path: string | undefined, opts: { json?: boolean; checkpointKey?: string; maxUnsigned?: number }) => {
    const cfg = path ? undefined : loadGateConfig().journal;
    const file = path ?? cfg!.path;
    const fromConfig = cfg?.checkpointKeyPath ? publicKeyPath(cfg.checkpointKeyPath) : undefined;
    const keyPath = opts.checkpointKey ?? (fromConfig && existsSync(fromConfig) ? fromConfig : undefined);
    const result = verifyJournal(file, {
      ...(keyPath ? { checkpointKey: readCheckpointPublicKey(keyPath) } : {}),
      ...(opts.maxUnsigned !== undefined ? { maxUnsigned: opts.maxUnsigned } : {}),
    });
    const cps = result.checkpoints ? `, ${result.checkpoints.verified} signed checkpoints (last covers seq ${result.checkpoints.lastSignedSeq}, ${result.checkpoints.unsigned} events after it)` : ', no checkpoint key given (signatures not checked)';
    if (opts.json) console.log(JSON.stringify({ path: file, ...result }));
    else if (result.ok) console.log(`OK ${file}: ${result.events} events, seq ${result.anchorSeq + 1}..${result.lastGoodSeq}, chain verifies${cps}`);
    else {
      const bad = result.firstBad!;
      console.log(`BAD ${file}: first bad event seq ${bad.seq} (${bad.reason}: ${bad.detail}); ${result.events} events good up to seq ${result.lastGoodSeq}`);
    }
    process.exitCode = result.ok ? 0 : 1;
  });

try {
  program.parse();
} catch (err) {
  console.error(err instanceof EgateError ? `${err.code}: ${err.message}` : err);
  process.exitCode = 2;
}
