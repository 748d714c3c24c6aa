import type { Clock, TimerHandle } from '../clock.ts';
import type { KioskScreen, KioskSource } from './kiosk-types.ts';

/** What the page receives: the screen, and a count of resets so the page forgets its language too. */
export interface KioskView {
  readonly screen: KioskScreen;
  readonly resets: number;
  readonly idleMs: number;
}

/**
 * The touch screen's side of a kiosk: checks that a tap names an action the current screen
 * offers (anything else is refused and reaches nothing), and runs the inactivity timeout on
 * the Clock — a screen waiting for the visitor and untouched for `idleMs` goes back to the
 * start and the profile forgets the visitor.
 */
export class KioskSession {
  #resets = 0;
  #timer: TimerHandle | undefined;
  readonly #listeners = new Set<(v: KioskView) => void>();
  readonly #off: () => void;

  constructor(
    private readonly source: KioskSource,
    private readonly clock: Clock,
    readonly idleMs: number,
  ) {
    this.#off = source.on('screen', () => this.#changed());
    this.#arm();
  }

  view(): KioskView {
    return { screen: this.source.screen(), resets: this.#resets, idleMs: this.idleMs };
  }

  on(fn: (v: KioskView) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** A tap. Returns false (and does nothing) when the action is not on the current screen. */
  act(action: string): boolean {
    if (!this.source.screen().actions.some((a) => a.id === action)) return false;
    this.#arm();
    this.source.act(action);
    return true;
  }

  /** The visitor touched the screen without pressing an action (language switch, scrolling). */
  touched(): void {
    this.#arm();
  }

  stop(): void {
    this.#off();
    this.clock.clearTimeout(this.#timer);
    this.#listeners.clear();
  }

  #changed(): void {
    this.#arm();
    this.#emit();
  }

  #emit(): void {
    const v = this.view();
    for (const fn of this.#listeners) fn(v);
  }

  #arm(): void {
    this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.source.screen().awaitsVisitor) return;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#resets++;
      this.source.reset();
      this.#emit(); // the page forgets its language even when the start screen did not change
    }, this.idleMs);
  }
}
