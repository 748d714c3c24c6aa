import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config/load.ts';
import { SimulatedCamera } from '../../drivers/camera/twin.ts';
import { DoorPlant } from '../../drivers/door/plant.ts';
import { RtuSlave } from '../../drivers/door/rtu-slave.ts';
import { SimulatedCardReader } from '../../drivers/card/twin.ts';
import { SimulatedScanner } from '../../drivers/scanner/twin.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import { buildGate, resolvePaths } from '../../kiosk/build.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import type { Gate } from '../../kiosk/gate.ts';
import type { Logger } from '../../kiosk/log.ts';
import { createTokenWorld, type TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { checkPeers } from '../../test/helpers/peers.ts';
import { openPtyPair, type PtyPair } from './pty.ts';
import type { Scenario, Traveller } from './scenario.ts';
import { writeTokenFiles } from './tokens-for.ts';
import { SimWorld } from './world.ts';
import { makeScenarioVisas, withVisa } from './express-visas.ts';
import { makeScenarioPassports, passportPresenter, takePassportBack, type PassportSet } from './express-setup.ts';
import { SimulatedMrzReader } from '../../drivers/mrz/twin.ts';
import { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
// Vehicle lane: its own profile and world, chosen by the scenario's profile.
import { vehicleProfile } from '../../kiosk/profiles.ts';
import { VehicleWorld } from './vehicle-world.ts';

export interface Simulation {
  gate: Gate;
  world: SimWorld | VehicleWorld;
  plant: DoorPlant;
  tokens: TokenWorld;
  /** 'modbus over a pty' when socat is there, else the in-process twin. */
  doorLink: string;
  subOf: (t: Traveller) => string;
  close(): Promise<void>;
}

/**
 * A complete gate in simulation: the real Modbus master talking over a socat pty to the
 * simulated controller (the plant behind an RTU slave), the camera twin showing whoever is
 * in the mantrap, the scanner and card-reader twins fed with each traveller's token, and
 * the real token checks, enrolment store, face engine and journal.
 */
export async function startSimulation(
  scenario: Scenario,
  opts: { photosDir: string; spoofPhoto: string; log: Logger; engine?: FaceEngine; dataDir?: string; say?: (line: string) => void },
): Promise<Simulation> {
  const say = opts.say ?? (() => {});
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'egate-sim-'));
  const clock = new SystemClock();
  const usePty = checkPeers('socat').ok;
  if (!usePty) say('socat missing: the door controller runs as the in-process twin (run `npm run peers` as root for the Modbus link over a pty)');
  const pty: PtyPair | undefined = usePty ? await openPtyPair() : undefined;
  const express = scenario.profile === 'express';
  const passports: PassportSet | undefined = express ? await makeScenarioPassports(scenario, opts.photosDir, join(dataDir, 'passports')) : undefined;
  const visas = passports ? makeScenarioVisas(scenario, passports.chipDirs, join(dataDir, 'visa'), Date.now()) : undefined;
  const config = resolvePaths(
    parseConfig({
      gate: 'SIM-01',
      profile: scenario.profile,
      dataDir: 'var',
      // The simulated controller runs in this very process, so a door process of its own would
      // isolate nothing here: the master stays on the gate's loop (door.ownProcess false).
      door: pty ? { driver: 'modbus', port: pty.b, parity: 'none', baudRate: 19200, ownProcess: false } : { driver: 'simulated' },
      camera: { driver: 'simulated' },
      readers: { scanners: [{ kind: 'simulated' }], card: { driver: 'simulated' } },
      // A visa-required visitor's document check is the chip read plus the e-Visa scan: a longer budget.
      timings: { ...(visas ? { tokenBudgetMs: 14000 } : {}), ...scenario.timings },
      ...(passports ? { passport: { cscaPaths: passports.cscaPaths, crlPaths: passports.crlPaths, chipReader: 'simulated', mrzReader: { kind: 'simulated' } } } : {}),
      ...(visas ? { visa: visas.config } : {}),
    }),
    dataDir,
  );
  const subs = new Map<Traveller, string>();
  scenario.travellers.forEach((t, i) => subs.set(t, `R${String(1000001 + i)}`));
  const subOf = (t: Traveller): string => subs.get(t)!;
  const tokens = createTokenWorld({ nowMs: Date.now(), service: config.service });
  writeTokenFiles(tokens, config.tokens, scenario.travellers.filter((t) => t.token === 'revoked').map(subOf));

  const vehicle = scenario.profile === 'vehicle';
  const built = await buildGate(config, { clock, log: opts.log, ...(opts.engine ? { engine: opts.engine } : {}), ...(vehicle ? { profile: vehicleProfile } : {}) });
  const gate = built.gate;
  let plant = built.plant;
  let slave: RtuSlave | undefined;
  if (pty) {
    plant = new DoorPlant({ layout: config.door.layout, clock });
    plant.start();
    slave = new RtuSlave(plant, { path: pty.a, parity: 'none', baudRate: 19200, log: opts.log });
    await slave.start();
  }
  if (!plant) throw new Error('no simulated controller');

  // Enrol each traveller's reference photo, as the enrolment kiosk would have done.
  for (const t of scenario.travellers) {
    // Visitors at the Express e-Channel are not enrolled: their chip photo is the reference.
    if (t.token === 'not-enrolled' || express) continue;
    const ref = await gate.deps.engine.extractReference(new Uint8Array(readFileSync(join(opts.photosDir, t.reference[0]!))));
    if (!ref.acceptable) say(`warning: ${t.name}'s reference photo is rated poor (${ref.issues.join(', ')}); enrolled anyway for the demo`);
    gate.deps.references.upsert(subOf(t), ref.template, { source: 'enrolment-photo', quality: { ...ref.quality } as never });
  }

  const camera = gate.deps.camera;
  const scanner = gate.deps.scanners[0];
  const card = gate.deps.card;
  const readers = gate.deps.passportReaders;
  if (!(camera instanceof SimulatedCamera) || !(scanner instanceof SimulatedScanner)) throw new Error('the simulation needs the camera and scanner twins');
  if (!express && !(card instanceof SimulatedCardReader)) throw new Error('the simulation needs the card-reader twin');
  if (express && !(readers?.mrz instanceof SimulatedMrzReader && readers.chip instanceof SimulatedChipReader)) throw new Error('the Express simulation needs the MRZ and chip reader twins');
  const identities = scenario.travellers.map((t) => t.reference[0]!);
  const world = new (vehicle ? VehicleWorld : SimWorld)({
    gate,
    plant,
    camera,
    scan: (text) => scanner.scan(text),
    presentCard: (image) => void (card as SimulatedCardReader).presentCard(image),
    removeCard: () => (card as SimulatedCardReader).hasCard && (card as SimulatedCardReader).remove(),
    ...(express && passports
      ? {
          present: withVisa(passportPresenter({ mrz: readers!.mrz as SimulatedMrzReader, chip: readers!.chip as SimulatedChipReader }, passports), gate, scanner, visas),
          afterCrossing: () => takePassportBack({ chip: readers!.chip as SimulatedChipReader }),
        }
      : {}),
    tokens,
    photosDir: opts.photosDir,
    impostorPhoto: (t) => join(opts.photosDir, impostorFor(t, scenario.travellers, identities)),
    spoofPhoto: opts.spoofPhoto,
  });
  await gate.start();
  return {
    gate,
    world,
    plant,
    tokens,
    doorLink: pty ? `Modbus RTU over a socat pty (${pty.b} ↔ ${pty.a})` : 'in-process twin',
    subOf,
    async close() {
      await gate.stop();
      await slave?.stop();
      plant?.stop();
      await pty?.close();
      if (!opts.dataDir && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Someone else's live photo: the first traveller whose reference differs from this one's. */
function impostorFor(t: Traveller, all: Traveller[], identities: string[]): string {
  const other = all.find((o) => o !== t && o.reference[0] !== t.reference[0] && o.live[0] !== t.live[0]);
  return other?.live[0] ?? identities.find((f) => f !== t.reference[0]) ?? t.live[0]!;
}
