/**
 * Operator tool for the gate's reference store (enrolment.path, sealed with enrolment.keyPath).
 *
 *   node --import tsx scripts/enrol.ts add <sub> <photo>      enrol from a photo the face engine rates good
 *   node --import tsx scripts/enrol.ts list [--json]          subs, source, dates, quality (no templates)
 *   node --import tsx scripts/enrol.ts remove <sub>
 *   node --import tsx scripts/enrol.ts opt-in <sub>          consent to token-free 1:N identification (walk-through corridor)
 *   node --import tsx scripts/enrol.ts opt-out <sub>         withdraw it (the gallery holds opted-in residents only)
 *   node --import tsx scripts/enrol.ts export <file> [--transfer-key <keyfile>]
 *   node --import tsx scripts/enrol.ts import <file> [--transfer-key <keyfile>]
 *
 * Global: --config <file> (else EGATE_CONFIG), --store <path>, --key <path>. Subs are printed
 * to this terminal only; nothing is logged. Exit 0 done, 1 refused (poor photo, unknown
 * sub), 2 error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadGateConfig } from '../config/load.ts';
import { SystemClock } from '../kiosk/clock.ts';
import { EgateError } from '../kiosk/errors.ts';
import { loadOrCreateKeyFile, readKeyFile } from '../kiosk/journal/key-file.ts';
import { EnrolmentError, ReferenceStore, enrolFromPhoto, exportReferences, importReferences } from '../kiosk/enrolment/index.ts';

interface Globals {
  config?: string;
  store?: string;
  key?: string;
}

const program = new Command('enrol').description('manage the gate reference store');
program.option('--config <file>', 'gate config file (default: EGATE_CONFIG or built-in defaults)');
program.option('--store <path>', 'reference store file (default: enrolment.path)');
program.option('--key <path>', 'store key file (default: enrolment.keyPath)');

/** Opens the store; only `add` and `import` may create it (a mistyped --store must not make a new store and key). */
function context(create = false): { store: ReferenceStore; keyPath: string; config: ReturnType<typeof loadGateConfig> } {
  const g = program.opts<Globals>();
  // The gate's own resolution (paths relative to the config file, stores under dataDir): the same store as the gate.
  const config = loadGateConfig(g.config);
  const keyPath = g.key ?? config.enrolment.keyPath;
  const path = g.store ?? config.enrolment.path;
  if (!create && !existsSync(path)) throw new EnrolmentError('ENROLMENT_NO_STORE', `no reference store at ${path} (--store, --config; \`enrol add\` creates one)`);
  return { store: ReferenceStore.open({ path, keyPath, clock: new SystemClock() }), keyPath, config };
}

program
  .command('add <sub> <photo>')
  .description('enrol <sub> from a photo; refused with the reasons when its quality is poor')
  .action(async (sub: string, photo: string) => {
    const { store, config } = context(true);
    let bytes: Buffer;
    try {
      bytes = readFileSync(photo);
    } catch (err) {
      store.close();
      throw new EnrolmentError('ENROLMENT_IO', `cannot read photo: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    // loaded here so list/remove/export/import never start the models
    const { createFaceEngine } = await import('../kiosk/biometrics/index.ts');
    const engine = await createFaceEngine(config.face, { workers: 1 });
    try {
      const r = await enrolFromPhoto(store, engine, sub, bytes);
      const q = r.quality;
      console.log(`${r.replaced ? 'replaced' : 'enrolled'} ${sub}: inter-eye ${q.interEyePx.toFixed(0)} px, yaw ${q.yaw.toFixed(1)}°, pitch ${q.pitch.toFixed(1)}°, detection ${q.detectionScore.toFixed(2)}${r.issues.length ? ` (noted: ${r.issues.join(', ')})` : ''}`);
    } finally {
      await engine.close();
      store.close();
    }
  });

program
  .command('list')
  .option('--json', 'one JSON array')
  .action((opts: { json?: boolean }) => {
    const { store } = context();
    const refs = store.list();
    if (opts.json) {
      console.log(JSON.stringify(refs.map((r) => ({ ...r, identificationOptIn: store.isIdentificationOptedIn(r.sub) }))));
      return store.close();
    }
    for (const r of refs) console.log(`${r.sub}\t${r.source}\tenrolled ${r.enrolledAt}\tupdated ${r.updatedAt}\t${r.quality ? `inter-eye ${r.quality.interEyePx.toFixed(0)} px` : ''}${store.isIdentificationOptedIn(r.sub) ? '\ttoken-free' : ''}`);
    store.close();
    console.log(`${refs.length} reference(s)`);
  });

program.command('remove <sub>').action((sub: string) => {
  const { store } = context();
  const removed = store.remove(sub);
  store.close();
  if (!removed) throw new EnrolmentError('ENROLMENT_NOT_FOUND', 'no reference enrolled for that sub');
  console.log(`removed ${sub}`);
});

/*
 * Token-free crossing (issue 19): an enrolled resident's consent to be searched 1:N. Walk-through
 * gates load only opted-in references into their gallery when they next enter service.
 */
program
  .command('opt-in <sub>')
  .description('the enrolled resident <sub> consents to token-free 1:N identification')
  .action((sub: string) => {
    const { store } = context();
    try {
      if (!store.has(sub)) throw new EnrolmentError('ENROLMENT_NOT_FOUND', 'only an enrolled resident can opt in (no reference for that sub)');
      const changed = store.setIdentificationOptIn(sub, true);
      console.log(changed ? `${sub} opted in to token-free identification` : `${sub} was already opted in`);
    } finally {
      store.close();
    }
  });

program
  .command('opt-out <sub>')
  .description('withdraw the consent of <sub>: token-free identification no longer finds them (a token tap still works)')
  .action((sub: string) => {
    const { store } = context();
    try {
      const changed = store.setIdentificationOptIn(sub, false);
      console.log(changed ? `${sub} opted out of token-free identification` : `${sub} was not opted in`);
    } finally {
      store.close();
    }
  });

program
  .command('export <file>')
  .option('--transfer-key <keyfile>', 'seal with this 32-byte key file (created if absent) instead of the store key')
  .action((file: string, opts: { transferKey?: string }) => {
    const { store, keyPath } = context();
    try {
      const n = exportReferences(store, file, loadOrCreateKeyFile(opts.transferKey ?? keyPath), new Date());
      console.log(`exported ${n} reference(s) to ${file}`);
    } finally {
      store.close();
    }
  });

program
  .command('import <file>')
  .option('--transfer-key <keyfile>', 'the key file the export was sealed with (default: the store key)')
  .action((file: string, opts: { transferKey?: string }) => {
    const { store, keyPath } = context(true);
    try {
      const r = importReferences(store, file, readKeyFile(opts.transferKey ?? keyPath));
      console.log(`imported ${r.imported} reference(s), ${r.replaced} replaced`);
    } finally {
      store.close();
    }
  });

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof EnrolmentError && (err.code === 'ENROLMENT_POOR_QUALITY' || err.code === 'ENROLMENT_NOT_FOUND')) {
    console.error(`refused: ${err.message}`);
    process.exitCode = 1;
  } else {
    console.error(err instanceof EgateError ? `${err.code}: ${err.message}` : err);
    process.exitCode = 2;
  }
}
