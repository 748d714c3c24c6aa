import type { GateConfig } from '../../config/schema.ts';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { FaceEngine } from '../biometrics/index.ts';
import type { Clock } from '../clock.ts';
import { createExpressParts, type ExpressParts } from '../express/parts.ts';
import type { Logger } from '../log.ts';
import { ArrivalRecordStore } from './arrival-record.ts';
import { captureBest } from './capture.ts';
import { CounterStation } from './counter-station.ts';
import { OfficerDesk } from './officer-desk.ts';

/** The seat's journal as the counter uses it (a Journal, or the kiosk host's append + pseudonym). */
export interface CounterJournal {
  append(type: 'officer_action' | 'counter_case', data: Record<string, string | number | boolean | null | undefined>): unknown;
  pseudonym(value: string): string;
}

export interface CounterParts {
  station: CounterStation;
  desk: OfficerDesk;
  records: ArrivalRecordStore;
  express: ExpressParts;
  /** Starts the passport readers (the host starts the camera); the station follows the MRZ reader. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The passport readers' health for the status. */
  health(): Record<string, { healthy: boolean; code?: string }>;
}

/**
 * The counter station bound to its devices: the Express lane's MRZ and chip readers and
 * document check, the counter camera, the face engine and portrait check, the officer desk
 * (officers' credentials file) and the arrival-record store. The journal is the seat's own.
 */
export async function createCounterParts(
  config: GateConfig,
  deps: { clock: Clock; log: Logger; engine: FaceEngine; camera: Camera; journal: CounterJournal },
): Promise<CounterParts> {
  const c = config.counter;
  const express = await createExpressParts(config, { clock: deps.clock, log: deps.log, engine: deps.engine, pseudonym: (v) => deps.journal.pseudonym(v) });
  const records = new ArrivalRecordStore({ path: c.arrivalStorePath, keyPath: c.arrivalKeyPath, lifeMs: c.arrivalLifeMs });
  const desk = new OfficerDesk({
    credentialsPath: c.officerCredentialsPath,
    lockoutPath: `${c.officerCredentialsPath}.lockout.json`,
    limits: { maxFailures: c.maxFailedLogins, socketMaxFailures: c.maxFailedLoginsGlobal, lockoutMs: c.lockoutMs },
    journal: deps.journal,
    clock: deps.clock,
    idleMs: c.sessionIdleMs,
  });
  const station = new CounterStation({
    checkDocument: (mrz) => express.checkDocument('passport', [...mrz]),
    capture: (reference, guide) => captureBest({ camera: deps.camera, engine: deps.engine, portrait: config.portrait, framesPerCapture: c.framesPerCapture, frameTimeoutMs: c.frameTimeoutMs }, reference, guide),
    records,
    desk,
    journal: (event, data) => deps.journal.append(event, data),
    clock: deps.clock,
  });
  const offs: (() => void)[] = [];
  const health: Record<string, { healthy: boolean; code?: string }> = { mrz_reader: { healthy: true } };
  return {
    station,
    desk,
    records,
    express,
    health: () => ({ ...health }),
    async start() {
      offs.push(express.mrzReader.on('fault', (e) => void (health.mrz_reader = { healthy: false, code: e.code })));
      offs.push(express.mrzReader.on('recovered', () => void (health.mrz_reader = { healthy: true })));
      offs.push(express.mrzReader.on('mrz', (r) => void station.passportRead(r.lines)));
      offs.push(express.mrzReader.on('error', (e) => deps.log.info({ code: e.code }, 'MRZ refused')));
      await express.chipReader.start();
      await express.mrzReader.start();
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      await express.mrzReader.stop();
      await express.chipReader.close();
      records.close();
    },
  };
}
