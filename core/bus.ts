import { EventEmitter } from 'node:events';

/**
 * A typed event bus: parts publish facts (door closed, token read, frame, decision) and
 * the journal, display and status publisher listen, instead of being called from
 * everywhere. A listener that throws is reported on 'listenerError' and never stops the
 * other listeners or the publisher: a broken display must not stop a door from closing.
 */
export class Bus<Events extends { [K in keyof Events]: unknown }> {
  readonly #emitter = new EventEmitter({ captureRejections: false });
  #onError: (err: unknown, event: string) => void = () => {};

  constructor() {
    this.#emitter.setMaxListeners(100);
  }

  onListenerError(fn: (err: unknown, event: string) => void): void {
    this.#onError = fn;
  }

  on<K extends keyof Events & string>(event: K, fn: (payload: Events[K]) => void): () => void {
    const wrapped = (payload: Events[K]): void => {
      try {
        fn(payload);
      } catch (err) {
        this.#onError(err, event);
      }
    };
    this.#emitter.on(event, wrapped);
    return () => this.#emitter.off(event, wrapped);
  }

  once<K extends keyof Events & string>(event: K): Promise<Events[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (p) => {
        off();
        resolve(p);
      });
    });
  }

  emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    this.#emitter.emit(event, payload);
  }
}
