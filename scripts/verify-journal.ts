/**
 * Checks a gate journal's hash chain, seq continuity and hashes (events.md).
 *
 *   node --import tsx scripts/verify-journal.ts [path] [--json]
 *
 * Without a path, uses journal.path from the config (EGATE_CONFIG). Exit 0 when the chain
 * verifies, 1 on a bad chain (the first bad event is reported), 2 when it cannot be read.
 */
import { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { EgateError } from '../kiosk/errors.ts';
import { verifyJournal } from '../kiosk/journal/verify.ts';

const program = new Command('verify-journal')
  .argument('[path]', 'journal SQLite file (default: journal.path from the config)')
  .option('--json', 'print the result as one JSON object')
  .action((path: string | undefined, opts: { json?: boolean }) => {
    const file = path ?? loadConfig().journal.path;
    const result = verifyJournal(file);
    if (opts.json) console.log(JSON.stringify({ path: file, ...result }));
    else if (result.ok) console.log(`OK ${file}: ${result.events} events, seq ${result.anchorSeq + 1}..${result.lastGoodSeq}, chain verifies`);
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
