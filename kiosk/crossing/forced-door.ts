import type { DoorLayout, DoorSnapshot } from '../../drivers/door/interface.ts';

/** Each door (or the arm): the input that reads 1 when it is shut, and the coil that opens it. */
const DOORS: Record<DoorLayout, { door: string; shut: string; release: string }[]> = {
  pedestrian: [
    { door: 'entry', shut: 'entry_closed', release: 'entry_release' },
    { door: 'exit', shut: 'exit_closed', release: 'exit_release' },
  ],
  vehicle: [{ door: 'barrier', shut: 'barrier_down', release: 'barrier_raise' }],
};

/**
 * Tells a forced door from one the gate opened: a door that read shut at one poll and open at
 * the next, while the gate commanded it shut all along (its release was off in the table
 * since before the earlier poll, and reads back off) and the fire input was off (on a fire
 * alarm the controller opens the doors itself). A door still travelling shut never "opens",
 * so closing, obstruction and a watchdog trip raise nothing.
 */
export class ForcedDoorWatch {
  readonly #doors: { door: string; shut: string; release: string }[];
  /** Per release coil: when the table last turned it off (Infinity while it is on or unknown). */
  readonly #offSince = new Map<string, number>();
  #prev: DoorSnapshot | undefined;

  constructor(layout: DoorLayout) {
    this.#doors = DOORS[layout];
  }

  /** The table the binding now commands, at monotonic `now` (an empty table commands nothing). */
  commanded(table: Record<string, boolean>, now: number): void {
    for (const { release } of this.#doors) {
      if (table[release] !== false) this.#offSince.set(release, Infinity);
      else if ((this.#offSince.get(release) ?? Infinity) === Infinity) this.#offSince.set(release, now);
    }
  }

  /** One complete poll; returns the door found forced open, if any. */
  check(snap: DoorSnapshot): string | undefined {
    const prev = this.#prev;
    this.#prev = snap;
    if (!prev || snap.inputs.fire_alarm === true || prev.inputs.fire_alarm === true) return undefined;
    for (const { door, shut, release } of this.#doors) {
      const opened = prev.inputs[shut] === true && snap.inputs[shut] === false;
      const heldShut = (this.#offSince.get(release) ?? Infinity) < prev.at && snap.outputs[release] === false && prev.outputs[release] === false;
      if (opened && heldShut) return door;
    }
    return undefined;
  }
}
