import type { GateConfig } from '../../config/schema.ts';
import type { ChipReader } from '../../drivers/chip/interface.ts';
import { SimulatedChipReader } from '../../drivers/chip/sim-reader.ts';
import type { MrzReader } from '../../drivers/mrz/interface.ts';
import { createMrzReader } from '../../drivers/mrz/index.ts';
import type { FaceEngine } from '../biometrics/index.ts';
import type { Clock } from '../clock.ts';
import type { TokenVerdict } from '../crossing/types.ts';
import type { Logger } from '../log.ts';
import { TrustList } from '../passport/trust.ts';
import { warmFaceDecoders } from '../passport/index.ts';
import { assertStrictModesAll } from '../strict-modes.ts';
import type { TokenScanner } from '../../drivers/scanner/interface.ts';
import type { ReferenceStore } from '../enrolment/reference-store.ts';
import { createDocumentCheck } from './document-check.ts';
import { enrolmentIndexKey, findEnrolment } from './enrolment-index.ts';
import { createExpressVisa, type ExpressVisa } from './visa-check.ts';

export interface ExpressParts {
  mrzReader: MrzReader;
  chipReader: ChipReader;
  /** The CSCA trust list in force; replaced whole by a reload or a signed central command. */
  trust: { current: TrustList; reload(): void };
  checkDocument: (channel: string, token: unknown) => Promise<TokenVerdict>;
  /** e-Visa checks for the nationalities that need one (config visa); the lane's scanners feed its inbox. */
  visa: ExpressVisa;
}

/** The PC/SC driver needs a native addon; load it only for a gate that has a real reader. */
async function chipReaderFor(config: GateConfig): Promise<ChipReader> {
  if (config.passport.chipReader === 'simulated') return new SimulatedChipReader();
  const { PcscChipReader } = await import('../../drivers/chip/pcsc.ts');
  const reader = new PcscChipReader(config.passport.pcscReaderName);
  reader.checkAddon(); // a missing addon refuses the gate here, before any device starts
  return reader;
}

/**
 * The visitors' Express e-Channel's own parts: the MRZ reader and the contactless chip
 * reader at the entry, the CSCA trust list, and the document check that replaces the token
 * check of the residents' lanes. The trust list is loaded at build time: a gate whose trust
 * material is missing or broken does not start (ConfigError names the file).
 */
export async function createExpressParts(
  config: GateConfig,
  deps: {
    clock: Clock;
    log: Logger;
    engine: FaceEngine;
    pseudonym: (v: string) => string;
    scanners?: readonly TokenScanner[];
    /** The lane's reference store: a self-registered visitor's enrolment replaces reading DG2 (kiosk/express/enrolment-index.ts). */
    references?: Pick<ReferenceStore, 'get'>;
  },
): Promise<ExpressParts> {
  const p = config.passport;
  const load = (): TrustList => {
    // a CSCA certificate another user can write lets them sign passports this lane accepts
    assertStrictModesAll([...p.cscaPaths, ...p.crlPaths, ...p.masterListPaths].map((path) => ({ path, what: 'passport trust file' })));
    return TrustList.load({ csca: p.cscaPaths, crl: p.crlPaths, masterLists: p.masterListPaths });
  };
  const trust = { current: load(), reload: () => void (trust.current = load()) };
  const chipReader = await chipReaderFor(config);
  // Compiling the JPEG 2000 decoder blocks the loop for ~0.9 s at load 26: at start, not in the first JPEG 2000 traveller's crossing.
  await warmFaceDecoders();
  const mrzReader = createMrzReader(p, { clock: deps.clock, log: deps.log.child({ part: 'mrz' }) });
  const visa = createExpressVisa(config.visa, { clock: deps.clock, log: deps.log.child({ part: 'visa' }) });
  visa.inbox.attach(deps.scanners ?? []);
  const references = deps.references;
  const indexKey = references && enrolmentIndexKey(config.enrolment.keyPath);
  const checkDocument = createDocumentCheck({
    visa,
    chip: chipReader,
    trust: () => trust.current,
    engine: deps.engine,
    clock: deps.clock,
    log: deps.log.child({ part: 'passport' }),
    pseudonym: deps.pseudonym,
    ...(references && indexKey ? { enrolled: (mrz: unknown) => findEnrolment(references, indexKey, mrz, deps.clock.now()) } : {}),
    policy: { eligibleStates: p.eligibleStates, pace: p.pace, requireCrl: p.requireCrl, chunk: p.readChunk },
  });
  return { mrzReader, chipReader, trust, checkDocument, visa };
}
