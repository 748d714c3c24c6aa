import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cameraSection } from '../../config/sections/camera.ts';
import { parseConfig } from '../../config/load.ts';
import type { GateConfig } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import { SystemClock } from '../../core/clock.ts';
import { SimulatedCamera } from '../../drivers/camera/twin.ts';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { SimulatedChip } from '../../drivers/chip/sim-chip.ts';
import type { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { SimulatedMrzReader } from '../../drivers/mrz/twin.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { createCounterParts, type CounterParts } from '../../kiosk/counter/counter-parts.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { makeMrz, makePassports, type PassportKind } from '../make-passport.ts';

const FIXTURES = new URL('../../fixtures/faces/', import.meta.url).pathname;

/** The passports visitors bring to the counter (the holder's chip photo is person01's), made by scripts/make-passport.ts. */
export const COUNTER_PASSPORTS: readonly PassportKind[] = ['valid', 'untrusted-ds', 'clone', 'expired-document'];

/** The simulated officer at the counter (officers.json in the world's directory). */
export const OFFICER = { id: 'OFF-07', pin: '481516' };

/** The faces in front of the counter camera: the holder (another photo of person01), someone else, a replay of the holder on a screen. */
export type CounterFace = 'holder' | 'other' | 'spoof' | 'nobody';

/**
 * The counter camera station in the simulated world: the real counter parts (kiosk/counter/
 * counter-parts.ts: Express document check on the simulated chip and MRZ reader with a test
 * PKI, captureBest on the face engine, officer desk on a credentials file, arrival-record
 * store), the real face engine and journal. The camera is the camera twin, 480×640 portrait
 * (head and shoulders) at 15 fps in real time (a device runs at its own pace). Landscape
 * 640×480 crops the screen replay's bezel away and the PAD model then passes it as live
 * (liveness 0.94, measured): a finding for the counter camera's mounting, kept in mind here. The station, desk, records and journal run on the
 * world's clock, so idle sessions and record expiry are the simulation's to move.
 */
export class CounterWorld {
  readonly config: GateConfig;
  readonly journal: Journal;
  readonly camera: SimulatedCamera;
  parts!: CounterParts;
  passports = new Map<PassportKind, string>();
  /** Camera frames the station took, and the wall time it waited for them (the bench splits the capture). */
  frames = 0;
  frameWaitMs = 0;

  private constructor(
    readonly clock: Clock,
    private readonly engine: FaceEngine,
    readonly dir: string,
    csca: string,
    crl: string,
    private readonly apduMs: number,
  ) {
    this.config = parseConfig({
      gate: 'CTR-SIM-01',
      profile: 'counter',
      dataDir: join(dir, 'var'),
      // the counter serves visitors of any state but this world's lane takes Utopia's passports only (the "not eligible" scenario)
      passport: { chipReader: 'simulated', mrzReader: { kind: 'simulated' }, cscaPaths: [csca], crlPaths: [crl], eligibleStates: ['UTO'] },
      counter: {
        officerCredentialsPath: join(dir, 'var/officers.json'),
        arrivalStorePath: join(dir, 'var/arrivals.db'),
        arrivalKeyPath: join(dir, 'var/arrivals.key'),
        centralArrivalKeyPath: join(dir, 'var/central-arrivals.pem'),
      },
    });
    this.journal = Journal.open({ path: join(dir, 'journal.sqlite'), gate: 'CTR-SIM-01', clock, secretPath: join(dir, 'gate-secret') });
    this.camera = new SimulatedCamera(cameraSection.parse({ driver: 'simulated', width: 480, height: 640, fps: 15 }), { clock: new SystemClock(), log: silentLogger() });
  }

  /** `apduMs`: wall-clock air time of each chip APDU (a contactless reader: ~10–60 ms); 0 by default. */
  static async open(clock: Clock, engine: FaceEngine, opts: { apduMs?: number } = {}): Promise<CounterWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'egate-counter-'));
    const { pki, passports } = await makePassports(join(dir, 'passports'), { photo: FIXTURES + 'person01-2.jpg', kinds: [...COUNTER_PASSPORTS] });
    const w = new CounterWorld(clock, engine, dir, pki.cscaPem, pki.crlPem, opts.apduMs ?? 0);
    w.passports = passports;
    // a cheap scrypt cost: the world logs in after every restart
    await setTechnician(w.config.counter.officerCredentialsPath, OFFICER.id, 'pin', OFFICER.pin, { N: 2 ** 10, r: 8, p: 1 });
    await w.camera.start();
    await w.#boot();
    return w;
  }

  /** The station's process parts (what a restart makes anew): document check, desk, station, record store. */
  async #boot(): Promise<void> {
    const camera = this.camera;
    // the station only asks the camera for frames (captureBest); the world counts them
    const counted = {
      nextFrame: async (timeoutMs?: number) => {
        this.frames++;
        const t0 = performance.now();
        try {
          return await camera.nextFrame(timeoutMs);
        } finally {
          this.frameWaitMs += performance.now() - t0;
        }
      },
    } as unknown as Camera;
    this.parts = await createCounterParts(this.config, {
      clock: this.clock,
      log: silentLogger(),
      engine: this.engine,
      camera: counted,
      journal: { append: (type, data) => this.journal.append(type, data as never), pseudonym: (v) => this.journal.pseudonym(v) },
    });
    const chip = this.parts.express.chipReader as SimulatedChipReader;
    const transmit = chip.transmit.bind(chip);
    if (this.apduMs) chip.transmit = async (apdu) => {
      const answer = await transmit(apdu);
      await sleep(this.apduMs);
      return answer;
    };
    await this.parts.start();
  }

  /** The station restarts (power cut, update): everything in memory — the visitor, the officer's session — is gone; disk stays. */
  async restart(): Promise<void> {
    await this.parts.stop();
    await this.#boot();
  }

  /** What the camera sees from now on. */
  async show(face: CounterFace): Promise<void> {
    await this.camera.show(face === 'nobody' ? null : new Uint8Array(readFileSync(FIXTURES + CAST[face])));
  }

  /**
   * The visitor lays the passport on the reader: the chip comes into the field, the MRZ is
   * read. `ineligible`: the booklet's MRZ names a state this counter does not take.
   */
  presentPassport(kind: PassportKind, ineligible = false): void {
    const image = loadChipImage(this.passports.get(kind)!);
    (this.parts.express.chipReader as SimulatedChipReader).insert(new SimulatedChip(image));
    const mrz = ineligible ? makeMrz({ surname: 'SPECIMEN', given: 'ALEX', number: 'UT1234567', birth: '850101', expiry: '340515', state: 'ZZZ' }) : image.mrz;
    (this.parts.express.mrzReader as SimulatedMrzReader).swipe(mrz);
  }

  /** The visitor takes the passport back. */
  takePassport(): void {
    (this.parts.express.chipReader as SimulatedChipReader).remove();
  }

  async close(): Promise<void> {
    await this.parts.stop();
    await this.camera.stop();
    this.journal.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const CAST: Record<Exclude<CounterFace, 'nobody'>, string> = { holder: 'person01-1.jpg', other: 'person07-29.jpg', spoof: 'spoof-screen-person01-1.jpg' };
