import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../config/load.ts';
import type { GateConfig } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../../drivers/chip/sim-chip.ts';
import type { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { SimulatedMrzReader } from '../../drivers/mrz/twin.ts';
import type { SimulatedPrinter } from '../../drivers/printer/twin.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import type { JournalEventType } from '../../kiosk/crossing/facts.ts';
import { ReferenceStore } from '../../kiosk/enrolment/reference-store.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { buildRegistration, type RegistrationApp } from '../../kiosk/registration/registration-profile.ts';
import { makePassports, type PassportKind } from '../make-passport.ts';

const FIXTURES = new URL('../../fixtures/faces/', import.meta.url).pathname;

/** The passports the visitors bring: the holder's own (person01's chip photo), each kind made by scripts/make-passport.ts. */
export const WORLD_PASSPORTS: readonly PassportKind[] = ['valid', 'valid-ca', 'expired-document', 'untrusted-ds', 'clone', 'tampered-dg2'];

/**
 * The registration kiosk in the simulated world: the real profile (kiosk/registration/
 * registration-profile.ts: Express document check on the simulated chip and MRZ reader, CSCA
 * trust from a test PKI, printer twin, statechart and binding), the real face engine, reference
 * store and journal. The camera is a still: whatever the simulation puts in front of it.
 */
export class RegistrationWorld {
  readonly dir: string;
  readonly config: GateConfig;
  readonly journal: Journal;
  readonly store: ReferenceStore;
  app!: RegistrationApp;
  /** What the camera sees (an encoded photo), or null: nobody there. */
  live: Uint8Array | null = null;
  /** Camera frames taken (each a capture's frame). */
  frames = 0;
  passports = new Map<PassportKind, string>();

  private constructor(readonly clock: Clock, private readonly engine: FaceEngine, dir: string, csca: string, crl: string, overrides: Record<string, unknown>) {
    this.dir = dir;
    this.config = parseConfig({
      gate: 'REG-SIM-01',
      profile: 'registration',
      dataDir: join(dir, 'var'),
      passport: { chipReader: 'simulated', mrzReader: { kind: 'simulated' }, cscaPaths: [csca], crlPaths: [crl] },
      enrolment: { path: join(dir, 'var/references.db'), keyPath: join(dir, 'var/references.key') },
      printer: { driver: 'simulated' },
      registration: { framesPerCapture: 1, ...(overrides.registration as object | undefined) },
    });
    this.journal = Journal.open({ path: join(dir, 'journal.sqlite'), gate: 'REG-SIM-01', clock, secretPath: join(dir, 'gate-secret') });
    this.store = ReferenceStore.open({ path: this.config.enrolment.path, keyPath: this.config.enrolment.keyPath, clock });
  }

  /** `apduMs`: wall-clock air time of each chip APDU (a contactless reader: ~10–60 ms); 0 by default. */
  static async open(clock: Clock, engine: FaceEngine, overrides: Record<string, unknown> = {}, opts: { apduMs?: number } = {}): Promise<RegistrationWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'egate-registration-'));
    const { pki, passports } = await makePassports(join(dir, 'passports'), { photo: FIXTURES + 'person01-2.jpg', kinds: [...WORLD_PASSPORTS] });
    const w = new RegistrationWorld(clock, engine, dir, pki.cscaPem, pki.crlPem, overrides);
    w.passports = passports;
    const camera = {
      nextFrame: async () => {
        w.frames++;
        if (!w.live) throw new Error('nobody in front of the camera');
        return w.live;
      },
    } as unknown as Camera;
    w.app = await buildRegistration({
      config: w.config,
      clock,
      log: silentLogger(),
      journal: (type: JournalEventType, data: Record<string, unknown>) => void w.journal.append(type as never, data as never),
      pseudonym: (v: string) => w.journal.pseudonym(v),
      references: w.store,
      engine,
      camera,
      scanners: [],
    });
    const chip = w.app.express.chipReader as SimulatedChipReader;
    const transmit = chip.transmit.bind(chip);
    if (opts.apduMs) chip.transmit = async (apdu) => {
      const answer = await transmit(apdu);
      await sleep(opts.apduMs);
      return answer;
    };
    await w.app.start();
    return w;
  }

  get printer(): SimulatedPrinter {
    return this.app.printer as SimulatedPrinter;
  }

  /** The visitor lays the passport on the reader: the chip comes into the field, the MRZ is read. */
  presentPassport(kind: PassportKind): void {
    const image = loadChipImage(this.passports.get(kind)!);
    (this.app.express.chipReader as SimulatedChipReader).insert(new SimulatedChip(image));
    (this.app.express.mrzReader as SimulatedMrzReader).swipe(image.mrz);
  }

  /** The visitor takes the passport back. */
  takePassport(): void {
    (this.app.express.chipReader as SimulatedChipReader).remove();
  }

  mrzOf(kind: PassportKind): [string, string] {
    return loadChipImage(this.passports.get(kind)!).mrz as [string, string];
  }

  async close(): Promise<void> {
    await this.app.stop();
    this.store.close();
    this.journal.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The faces the scenarios use: the holder (another photo of person01), someone else, a replay of the holder on a screen. */
export function registrationCast(): { holder: Uint8Array; other: Uint8Array; spoof: Uint8Array } {
  const read = (f: string): Uint8Array => new Uint8Array(readFileSync(FIXTURES + f));
  return { holder: read('person01-1.jpg'), other: read('person07-29.jpg'), spoof: read('spoof-screen-person01-1.jpg') };
}
