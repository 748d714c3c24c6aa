import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadChipImage } from '../../drivers/chip/chip-image.ts';
import { parseTd3 } from '../../kiosk/passport/index.ts';
import { mrzName } from '../../kiosk/visa/holder.ts';
import { localDate } from '../../kiosk/visa/verifier.ts';
import { makeSeal, type SealKind } from '../visa/kinds.ts';
import { loadVisaPki } from '../visa/pki.ts';
import type { SimulatedScanner } from '../../drivers/scanner/twin.ts';
import type { Gate } from '../../kiosk/gate.ts';
import type { Scenario, Traveller } from './scenario.ts';
import { sleep, waitUntil } from './world-core.ts';

/** The nationality the simulated lane asks a visa of (ICAO's code for a stateless person's travel document). */
export const VISA_NATIONALITY = 'XXA';

/** The department's test PKI the corpus keeps (test keys only). */
const PKI_DIR = new URL('../../fixtures/evisa/pki/', import.meta.url).pathname;

const SEAL_OF: Record<string, SealKind> = { valid: 'valid', forged: 'forged', expired: 'expired', revoked: 'revoked', 'other-passport': 'other-passport' };

export interface ScenarioVisas {
  /** The QR text each visa-holding visitor scans. */
  seals: Map<Traveller, string>;
  /** The gate's `visa` configuration for them. */
  config: { requiredNationalities: string[]; roots: Record<string, string[]>; revocationListPath: string; scanWaitMs: number };
}

/**
 * Issues each visa-required visitor's e-Visa, for the passport the chip holds (name, number,
 * date of birth from its MRZ), of the kind the scenario names; revoked ones go on the
 * gate's revocation list. None when no visitor needs a visa.
 */
export function makeScenarioVisas(scenario: Scenario, chipDirs: Map<Traveller, string>, dir: string, nowMs: number): ScenarioVisas | undefined {
  const visitors = scenario.travellers.filter((t) => t.visa);
  if (visitors.length === 0) return undefined;
  const pki = loadVisaPki(PKI_DIR);
  mkdirSync(dir, { recursive: true });
  const seals = new Map<Traveller, string>();
  const revoked: string[] = [];
  for (const [i, t] of visitors.entries()) {
    const kind = SEAL_OF[t.visa!];
    if (!kind) continue; // 'missing': nothing to scan
    const mrz = parseTd3(loadChipImage(chipDirs.get(t)!).mrz);
    const dob = `${Number(mrz.birthDate.slice(0, 2)) > 30 ? '19' : '20'}${mrz.birthDate.slice(0, 2)}-${mrz.birthDate.slice(2, 4)}-${mrz.birthDate.slice(4, 6)}`;
    const seal = makeSeal(kind, pki, {
      holder: { n: mrzName(mrz.lines[0]), i: mrz.documentNumber, dob, nat: mrz.nationality.padEnd(3, '<') },
      today: localDate(nowMs, 480),
      number: `V${String(7000001 + i)}`,
    });
    if (kind === 'revoked') revoked.push(seal.number);
    seals.set(t, seal.text);
  }
  const revocationListPath = join(dir, 'revocations.json');
  writeFileSync(revocationListPath, JSON.stringify({ visas: revoked }) + '\n');
  return { seals, config: { requiredNationalities: [VISA_NATIONALITY], roots: { HKG: [join(PKI_DIR, 'root.pem')] }, revocationListPath, scanWaitMs: 5000 } };
}

/**
 * The visitor lays the passport down, then — once the gate has started on it — scans the
 * e-Visa at the lane's scanner, as the screen asks.
 */
export function withVisa(present: (t: Traveller) => Promise<void>, gate: Gate, scanner: SimulatedScanner, visas: ScenarioVisas | undefined) {
  return async (t: Traveller): Promise<void> => {
    await present(t);
    const seal = visas?.seals.get(t);
    if (!seal) return;
    await waitUntil(() => gate.state?.state !== 'in_service.idle', 10_000, () => `gate did not take the passport (state ${gate.state?.state})`);
    await sleep(300);
    scanner.scan(seal);
  };
}
