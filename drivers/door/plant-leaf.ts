/**
 * One moving leaf of the gate: a swing/slide door or the vehicle barrier arm. Position 0 is
 * fully closed (arm down), 1 fully open (arm up); it travels at constant speed toward its
 * target and stops, without crushing, while something blocks it.
 */
export class Leaf {
  readonly name: string;
  readonly travelMs: number;
  position = 0;
  /** Motor fault: the leaf does not move at all (a jammed door). */
  jammed = false;
  /** Something in the way that the controller's safety edge sees (a bag, a person). */
  blocked = false;
  /** Set by the plant each tick: the leaf would move toward closed but is blocked. */
  obstructed = false;

  constructor(name: string, travelMs: number) {
    this.name = name;
    this.travelMs = travelMs;
  }

  get closed(): boolean {
    return this.position <= 0;
  }

  get open(): boolean {
    return this.position >= 1;
  }

  /**
   * Moves toward `wantOpen` for `dt` ms. A block only stops a closing leaf (an opening one
   * moves away from what is in its path); `hold` keeps a closing leaf where it is without
   * reporting an obstruction (the barrier waiting for a vehicle to clear its loop).
   */
  step(dt: number, wantOpen: boolean, hold = false): void {
    const closing = !wantOpen && this.position > 0;
    this.obstructed = closing && this.blocked;
    if (this.jammed || this.obstructed || (closing && hold)) return;
    const delta = dt / this.travelMs;
    this.position = wantOpen ? Math.min(1, this.position + delta) : Math.max(0, this.position - delta);
  }
}
