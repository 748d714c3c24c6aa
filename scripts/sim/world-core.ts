import { join } from 'node:path';
import type { SimulatedCamera } from '../../drivers/camera/twin.ts';
import { FID, type CardImage } from '../../drivers/card/card-image.ts';
import { personaliseCard } from '../../kiosk/card/test-cards.ts';
import { makeCardPhotos } from '../make-card.ts';
import type { DoorPlant } from '../../drivers/door/plant.ts';
import type { Gate } from '../../kiosk/gate.ts';
import type { CrossingRecord } from '../../kiosk/crossing/types.ts';
import type { TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { expectedOutcome, type Traveller } from './scenario.ts';
import { presentationFor } from './tokens-for.ts';

/**
 * What the pedestrian and the vehicle world share: the parts of the gate they reach, the
 * token presentation, waiting for the lane, the crossing_finished wait and the result
 * record. Each world keeps how its people or cars move and what they react to.
 */

/** What the simulated world needs to reach: the gate's twins and the plant behind the controller. */
export interface WorldParts {
  gate: Gate;
  plant: DoorPlant;
  camera: SimulatedCamera;
  scan: (text: string) => void;
  /** A smart identity card laid on the reader twin (files by FID, the chip's key). */
  presentCard: (card: Pick<CardImage, 'files' | 'chipKeyPem'>) => void;
  /** The traveller takes the card off the reader again. */
  removeCard: () => void;
  tokens: TokenWorld;
  /** Presents what this lane takes instead of a QR or card (the Express lane: a passport). */
  present?: (t: Traveller, sub: string) => Promise<void>;
  /** The traveller takes back what they put on a reader. */
  afterCrossing?: () => void;
  photosDir: string;
  /** A photo of someone else, for impostors; and a presentation-attack image. */
  impostorPhoto: (t: Traveller) => string;
  spoofPhoto: string;
}

export interface CrossingResult {
  traveller: string;
  expected: string;
  outcome: string;
  reason: string;
  ms: number;
  overhead_ms: number;
  record: CrossingRecord | null;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The traveller's hand at the QR scanner or card reader. It remembers the last good QR shown
 * at this gate, so a `replayed` token is a real replay of one.
 */
export class TokenPresenter {
  readonly #p: WorldParts;
  #lastGoodQr: string | undefined;

  constructor(parts: WorldParts) {
    this.#p = parts;
  }

  async present(t: Traveller, sub: string): Promise<void> {
    const p = this.#p;
    const pres = presentationFor(p.tokens, t.token, sub, Date.now(), t.token === 'replayed' ? this.#lastGoodQr : undefined);
    if (t.token === 'replayed' && !this.#lastGoodQr && typeof pres.input === 'string') {
      // Nobody used a code at this gate yet: this one was already shown once (a photographed screen).
      await p.gate.deps.verifier.verify(pres.input, 'qr');
    }
    if (pres.channel === 'card') await this.#presentSmartCard(t, sub);
    else p.scan(pres.input as string);
    if (t.token === 'valid' && typeof pres.input === 'string') this.#lastGoodQr = pres.input;
  }

  /**
   * A genuine smart identity card for `sub` (its chip proves the credential, issue 14), photo
   * from the traveller's reference. It stays on the reader until the gate has checked it (chip
   * authentication needs the card there), then the traveller takes it back.
   */
  async #presentSmartCard(t: Traveller, sub: string): Promise<void> {
    const p = this.#p;
    const [photo] = await makeCardPhotos(undefined, join(p.photosDir, t.reference[0]!));
    p.tokens.nowMs = Date.now();
    const card = personaliseCard(p.tokens, { photo, sub });
    const files = new Map<number, Buffer>([[FID.cred, Buffer.from(card.files.cred)], [FID.photo, Buffer.from(card.files.photo)], [FID.card, Buffer.from(card.files.card)]]);
    let taken = false;
    const takeBack = () => {
      if (taken) return;
      taken = true;
      off();
      clearTimeout(fallback);
      p.removeCard();
    };
    const off = p.gate.bus.on('journal', (e) => (e.type === 'token_checked' || e.type === 'crossing_finished') && takeBack());
    const fallback = setTimeout(takeBack, 15_000);
    p.presentCard({ files, chipKeyPem: card.chipKey.export({ type: 'pkcs8', format: 'pem' }) as string });
  }
}

/** Polls until the lane is ready for the next traveller; a lane that never is fails the run. */
export async function waitUntil(ready: () => boolean, timeoutMs: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(failure());
    await sleep(50);
  }
}

/**
 * The record of the next crossing the gate finishes. Subscribe before the traveller acts,
 * or a quick refusal finishes before anyone listens; `within` gives up (null) after timeoutMs.
 */
export function nextCrossingFinished(gate: Gate): { within: (timeoutMs: number) => Promise<CrossingRecord | null> } {
  const finished = new Promise<CrossingRecord>((resolve) => {
    const off = gate.bus.on('crossing_finished', (r) => {
      off();
      resolve(r);
    });
  });
  return { within: (timeoutMs) => Promise.race([finished, sleep(timeoutMs).then(() => null)]) };
}

/** The photo the camera sees: the traveller's own face, someone else's, or a photo held up. */
export function facePhoto(p: WorldParts, t: Traveller): string {
  return t.behaviour === 'impostor' ? p.impostorPhoto(t) : t.behaviour === 'spoof-photo' ? p.spoofPhoto : join(p.photosDir, t.live[0]!);
}

/** One crossing's result line; no record (the gate never finished it) is a TIMEOUT. */
export function crossingResult(t: Traveller, record: CrossingRecord | null, timeoutMs: number): CrossingResult {
  return {
    traveller: t.name,
    expected: expectedOutcome(t),
    outcome: record?.outcome ?? 'TIMEOUT',
    reason: record?.reason ?? 'no crossing_finished',
    ms: record?.durations.total_ms ?? timeoutMs,
    overhead_ms: controllerTime(record),
    record,
  };
}

/**
 * The controller's own time in a crossing: the token check plus the face decision. A decision
 * reached on evidence (a match, a presentation attack) counts from the traveller being in
 * place to the decision; a refusal because the face budget ran out counts one frame's
 * verification, since the rest is the budget's policy wait, not the controller working.
 */
export function controllerTime(r: CrossingRecord | null): number {
  if (!r) return 0;
  const token = r.durations.token_ms ?? 0;
  if (r.outcome === 'CLEARED' || r.outcome === 'REJECTED_PAD') return token + (r.durations.face_ms ?? 0);
  return token + (r.face_frame_ms ?? 0);
}
