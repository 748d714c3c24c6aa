import { fromCallback, fromPromise, type EventObject } from 'xstate';
import type { TokenVerdict } from './types.ts';

/**
 * The two activities every crossing profile invokes, declared once. The statecharts only name
 * them; the binding (bind.ts) provides the real ones — the token or document check and the
 * face loop — so a machine never does I/O and tests provide their own.
 */
export const crossingActors = {
  checkToken: fromPromise<TokenVerdict, { channel: string; token: unknown }>(async () => {
    throw new Error('checkToken not provided');
  }),
  faceLoop: fromCallback<EventObject, { reference: unknown }>(() => {
    throw new Error('faceLoop not provided');
  }),
};
