import type { GateConfig } from '../config/schema.ts';
import type { Camera } from '../drivers/camera/interface.ts';
import type { CardReader } from '../drivers/card/interface.ts';
import { createCardReader } from '../drivers/card/index.ts';
import { createScanners } from '../drivers/scanner/index.ts';
import type { TokenScanner } from '../drivers/scanner/interface.ts';
import { createCamera } from '../drivers/camera/index.ts';
import { createDoorController } from '../drivers/door/create.ts';
import type { DoorPlant } from '../drivers/door/plant.ts';
import { DoorTwin } from '../drivers/door/twin.ts';
import { createFaceEngine, type FaceEngine } from './biometrics/index.ts';
import type { Clock } from './clock.ts';
import { ReferenceStore } from './enrolment/reference-store.ts';
import { ConfigError } from './errors.ts';
import { Gate, type GateProfile } from './gate.ts';
import { assertGateFilesSafe } from './gate-files.ts';
import { openSeatJournal } from './journal/open-seat-journal.ts';
import type { Logger } from './log.ts';
import { createCorridorParts } from './corridor/parts.ts';
import type { FaceDetector } from './corridor/corridor-loop.ts';
import { createExpressParts } from './express/parts.ts';
import { expressProfile } from './express/profile.ts';
import { pedestrianProfile, vehicleProfile } from './profiles.ts';
import { createTokenVerifier, openTokenStores } from './tokens/open.ts';

export interface BuiltGate {
  gate: Gate;
  /** The plant behind a simulated door controller (only with door.driver = simulated). */
  plant?: DoorPlant;
}

function profileFor(config: GateConfig): GateProfile {
  if (config.profile === 'express') return expressProfile;
  if (config.profile === 'vehicle') return vehicleProfile;
  if (config.profile === 'pedestrian') return pedestrianProfile;
  // A kiosk or corridor profile is not a mantrap lane: building one as a pedestrian gate would drive doors it does not have.
  throw new ConfigError([{ path: 'profile', message: `"${config.profile}" is not a lane this gate builder runs` }]);
}

/** Kept here for the gate's callers; the one list of store and key paths lives in config/data-paths.ts. */
export { resolvePaths } from '../config/data-paths.ts';

/**
 * Builds a gate from its configuration: stores, token checks, face engine and devices (each
 * the real driver or its twin, as config says). Opening a store or the engine can fail —
 * a missing trust list, a model with a wrong checksum — and then nothing is started.
 */
export async function buildGate(
  config: GateConfig,
  deps: { clock: Clock; log: Logger; engine?: FaceEngine; profile?: GateProfile; /** Walk-through: who finds faces in the corridor frames (default: the face engine). */ corridorDetector?: FaceDetector },
): Promise<BuiltGate> {
  const { clock, log } = deps;
  assertGateFilesSafe(config);
  const journal = openSeatJournal(config, { clock, log });
  const references = ReferenceStore.open({ path: config.enrolment.path, keyPath: config.enrolment.keyPath, clock });
  const stores = openTokenStores(config.tokens);
  const verifier = createTokenVerifier(config.tokens, stores, {
    clock,
    service: config.service,
    hasReference: (sub) => references.has(sub),
    log: log.child({ part: 'tokens' }),
  });
  const engine = deps.engine ?? (await createFaceEngine(config.face));
  // The door driver asks the crossing engine whether it is alive before each heartbeat;
  // the binding exists only once the gate is built, hence the late-bound check.
  let alive: () => boolean = () => false;
  const door = createDoorController(config.door, { clock, log: log.child({ part: 'door' }), isControlLoopAlive: () => alive() });
  const plant = door instanceof DoorTwin ? door.plant : undefined;
  // The walk-through corridor has its own 3–5 cameras (config.corridor) and its own profile.
  const corridor = config.profile === 'walkthrough'
    ? createCorridorParts(config, { clock, log: log.child({ part: 'corridor' }), engine, references, verifier, pseudonym: (v) => journal.pseudonym(v), ...(deps.corridorDetector ? { detector: deps.corridorDetector } : {}) })
    : undefined;
  const camera: Camera = corridor?.camera ?? createCamera(config.camera, { clock, log });
  const scanners: TokenScanner[] = createScanners(config.readers, { clock, log });
  const card: CardReader | null = config.profile === 'express' ? null : createCardReader(config.readers, { clock, log });
  const express = config.profile === 'express' ? await createExpressParts(config, { clock, log, engine, pseudonym: (v) => journal.pseudonym(v), scanners, references }) : undefined;
  const gate = new Gate({
    config,
    clock,
    log,
    profile: deps.profile ?? corridor?.profile ?? profileFor(config),
    journal,
    references,
    verifier,
    tokens: stores,
    engine,
    door,
    camera,
    scanners,
    card,
    ...(express ? { passportReaders: { mrz: express.mrzReader, chip: express.chipReader }, checkToken: express.checkDocument } : {}),
  });
  alive = gate.binding.isControlLoopAlive;
  return plant ? { gate, plant } : { gate };
}
