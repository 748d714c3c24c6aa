/** Tests share the simulator's socat pty pairs. */
export { openPtyPair, type PtyPair } from '../../scripts/sim/pty.ts';
