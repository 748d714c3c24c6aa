import { profileNeeds } from '../../config/profile-needs.ts';
import type { GateConfig } from '../../config/schema.ts';
import { createCamera } from '../../drivers/camera/index.ts';
import { createScanners } from '../../drivers/scanner/index.ts';
import { createFaceEngine, type FaceEngine } from '../biometrics/index.ts';
import type { Clock } from '../clock.ts';
import { ReferenceStore } from '../enrolment/reference-store.ts';
import { ConfigError } from '../errors.ts';
import { assertGateFilesSafe } from '../gate-files.ts';
import { openSeatJournal } from '../journal/open-seat-journal.ts';
import type { Logger } from '../log.ts';
import { createTokenVerifier, openTokenStores } from '../tokens/open.ts';
import { KioskSeat } from './kiosk-seat.ts';
import { KIOSK_PROFILES } from './registry.ts';

/**
 * Builds a kiosk from its configuration: the journal, stores and face engine as a gate opens
 * them, the common devices (camera, scanners), then the configured kiosk profile's app on
 * top. Nothing is started; a profile missing from the registry is a ConfigError.
 */
export async function buildKiosk(config: GateConfig, deps: { clock: Clock; log: Logger; engine?: FaceEngine }): Promise<KioskSeat> {
  const { clock, log } = deps;
  const load = KIOSK_PROFILES[config.profile];
  if (!load) throw new ConfigError([{ path: 'profile', message: `no kiosk profile "${config.profile}" in this release` }]);
  const profile = await load();
  assertGateFilesSafe(config);
  const journal = openSeatJournal(config, { clock, log });
  const references = ReferenceStore.open({ path: config.enrolment.path, keyPath: config.enrolment.keyPath, clock });
  // A kiosk that verifies no credential starts without a token trust list (config/profile-needs.ts).
  const tokens = profileNeeds(config.profile).tokens ? openTokenStores(config.tokens) : undefined;
  const verifier = tokens && createTokenVerifier(config.tokens, tokens, { clock, service: config.service, hasReference: (sub) => references.has(sub), log: log.child({ part: 'tokens' }) });
  const engine = deps.engine ?? (await createFaceEngine(config.face));
  let seat: KioskSeat | undefined;
  const parts = {
    config,
    clock,
    log,
    journal: (type: Parameters<KioskSeat['journal']>[0], data: Record<string, unknown>) => seat!.journal(type, data),
    pseudonym: (v: string) => journal.pseudonym(v),
    references,
    ...(tokens && verifier ? { tokens, verifier } : {}),
    engine,
    camera: createCamera(config.camera, { clock, log }),
    scanners: createScanners(config.readers, { clock, log }),
  };
  const app = await profile.build(parts);
  seat = new KioskSeat({ parts, journal, app });
  return seat;
}
