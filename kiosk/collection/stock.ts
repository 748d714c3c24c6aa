import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/** card number → stacker slot, as the technician loaded the dispenser. */
const manifestFile = z.record(z.string().min(1).max(16), z.number().int().min(1).max(1000));

/**
 * What the collection kiosk keeps on its disk between residents and restarts: the loading
 * manifest (which card is in which slot, written when the cards are loaded) and the slips
 * already spent (their hashes, appended when a card leaves with its resident, so a slip
 * cannot collect twice even after kill -9). Neither holds a slip's text or a `sub`.
 */
export class CollectionStock {
  readonly #spent = new Set<string>();

  constructor(private readonly paths: { manifest: string; spent: string }) {
    if (existsSync(paths.spent)) for (const line of readFileSync(paths.spent, 'utf8').split('\n')) if (line) this.#spent.add(line);
  }

  /** Read at each slip: a technician may reload the dispenser while the kiosk runs. A bad file loads nothing. */
  slotOf(cardNumber: string): number | undefined {
    if (!existsSync(this.paths.manifest)) return undefined;
    const parsed = manifestFile.safeParse(safeJson(readFileSync(this.paths.manifest, 'utf8')));
    return parsed.success ? parsed.data[cardNumber] : undefined;
  }

  /** The technician's loading step (and the twin's): card `number` is now in `slot`. */
  load(cardNumber: string, slot: number): void {
    const now = existsSync(this.paths.manifest) ? manifestFile.safeParse(safeJson(readFileSync(this.paths.manifest, 'utf8'))) : undefined;
    const next = { ...(now?.success ? now.data : {}), [cardNumber]: slot };
    writeFileSync(this.paths.manifest, JSON.stringify(next, null, 1) + '\n');
  }

  used(slipHash: string): boolean {
    return this.#spent.has(slipHash);
  }

  spend(slipHash: string): void {
    if (this.#spent.has(slipHash)) return;
    appendFileSync(this.paths.spent, slipHash + '\n');
    this.#spent.add(slipHash);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
