import type { Clock, TimerHandle } from '../clock.ts';
import type { DispenserPlant } from '../../drivers/dispenser/plant.ts';
import type { SimulatedCardReader } from '../../drivers/card/twin.ts';
import type { TestCard } from '../card/test-cards.ts';

/**
 * The simulated dispenser's physics for a kiosk run on twins: the internal reader sees a card
 * exactly while the plant holds it at the reading position. `cards` (label → chip image) is
 * what the simulator loaded into the stacker.
 */
export class CollectionTwin {
  readonly cards = new Map<string, TestCard>();
  #timer: TimerHandle | undefined;

  constructor(readonly plant: DispenserPlant, readonly reader: SimulatedCardReader, private readonly clock: Clock) {}

  start(): void {
    this.#timer = this.clock.setInterval(() => this.#step(), 20);
  }

  stop(): void {
    this.clock.clearInterval(this.#timer);
  }

  /** Puts the personalised `card` into `slot` under `label` (the caller writes the manifest). */
  load(slot: number, label: string, card: TestCard): void {
    this.cards.set(label, card);
    this.plant.load(slot, label);
  }

  #step(): void {
    const c = this.plant.card;
    if (c.place === 'reader' && !this.reader.hasCard) {
      const card = this.cards.get(c.label);
      if (card) this.reader.presentCard({ files: new Map([[0x0101, Buffer.from(card.files.cred)], [0x0102, Buffer.from(card.files.photo)], [0x0103, Buffer.from(card.files.card)]]), chipKeyPem: card.chipKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    } else if (c.place !== 'reader' && this.reader.hasCard) this.reader.remove();
  }
}
