import type { TokenScanner } from '../../drivers/scanner/interface.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Mrz } from '../passport/index.ts';
import { mrzName } from '../visa/holder.ts';
import { VisaRevocationList } from '../visa/revocations.ts';
import { VisaTrust } from '../visa/trust.ts';
import { VisaVerifier } from '../visa/verifier.ts';
import type { VisaConfig } from '../../config/sections/visa.ts';

/**
 * The lane's scanner as the e-Visa's reader: remembers the latest scan, and hands it to a
 * document check waiting for it. A scan is taken once; one older than the check that asks
 * (a previous visitor's) is never given out.
 */
export class VisaInbox {
  #last: { text: string; at: number } | undefined;
  #waiters = new Set<() => void>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  attach(scanners: readonly TokenScanner[]): void {
    for (const s of scanners) s.on('read', (r) => this.put(r.text));
  }

  put(text: string): void {
    this.#last = { text, at: this.#clock.monotonic() };
    for (const w of [...this.#waiters]) w();
  }

  /** The first scan at or after `since` (monotonic ms), waiting up to `ms` on the gate clock. */
  take(since: number, ms: number): Promise<string | undefined> {
    const grab = (): string | undefined => {
      const l = this.#last;
      if (!l || l.at < since) return undefined;
      this.#last = undefined;
      return l.text;
    };
    const now = grab();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (v: string | undefined): void => {
        this.#clock.clearTimeout(timer);
        this.#waiters.delete(onScan);
        resolve(v);
      };
      const onScan = (): void => {
        const v = grab();
        if (v !== undefined) done(v);
      };
      const timer = this.#clock.setTimeout(() => done(grab()), ms);
      this.#waiters.add(onScan);
    });
  }
}

export type VisaOutcome = { ok: true; detail: Record<string, string | number | boolean> } | { ok: false; reason: string; detail: Record<string, string | number | boolean> };

export interface ExpressVisa {
  required(nationality: string): boolean;
  /** After the passport was proven: waits for the e-Visa scan and checks it against the passport (DG1 = MRZ). */
  check(mrz: Mrz, since: number): Promise<VisaOutcome>;
  inbox: VisaInbox;
}

/** Looks like a seal rather than an MRZ: JSON. */
export function looksLikeSeal(token: unknown): boolean {
  return typeof token === 'string' && token.trimStart().startsWith('{');
}

/**
 * The Express lane's e-Visa rule: a visitor whose nationality is listed must scan a seal
 * that verifies (docs/evisa.md) and names this passport's number, name and date of birth.
 * Refusal reasons are the verifier's prefixed VISA_ (VISA_BAD_SIGNATURE, VISA_EXPIRED…),
 * or VISA_MISSING when no scan came. The journal gets the visa's state, type and timing,
 * never its number or the holder's data.
 */
export function createExpressVisa(config: VisaConfig, deps: { clock: Clock; log: Logger }): ExpressVisa {
  const needed = new Set(config.requiredNationalities.map((n) => n.replace(/<+$/, '')));
  const trust = needed.size ? VisaTrust.fromPaths(Object.entries(config.roots).map(([state, paths]) => ({ state, paths }))) : new VisaTrust([]);
  const verifier = new VisaVerifier({
    trust: () => trust,
    revocations: VisaRevocationList.load(config.revocationListPath),
    signerEku: config.signerEku,
    zoneOffsetMinutes: config.utcOffsetMinutes,
  });
  const inbox = new VisaInbox(deps.clock);
  return {
    inbox,
    required: (nationality) => needed.has(nationality.replace(/<+$/, '')),
    async check(mrz, since): Promise<VisaOutcome> {
      const waitStart = deps.clock.monotonic();
      const text = await inbox.take(since, config.scanWaitMs);
      const visa_wait_ms = Math.round(deps.clock.monotonic() - waitStart);
      if (text === undefined) return { ok: false, reason: 'VISA_MISSING', detail: { visa_wait_ms } };
      const t0 = performance.now();
      const r = verifier.verify(text, {
        nowMs: deps.clock.now(),
        holder: { documentNumber: mrz.documentNumber, name: mrzName(mrz.lines[0]), birthDate: mrz.birthDate, nationality: mrz.nationality.padEnd(3, '<') },
      });
      const visa_ms = Math.round((performance.now() - t0) * 10) / 10;
      if (!r.ok) {
        deps.log.info({ reason: r.reason, layer: r.layer, detail: r.detail, input: r.inputHash }, 'e-Visa refused');
        const reason = r.reason.startsWith('VISA_') ? r.reason : `VISA_${r.reason}`;
        return { ok: false, reason, detail: { visa_wait_ms, visa_ms, visa_layer: r.layer } };
      }
      return { ok: true, detail: { visa_wait_ms, visa_ms, visa_state: r.state, visa_type: r.visa.vt } };
    },
  };
}
