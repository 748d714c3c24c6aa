import type { GateConfig } from '../../config/schema.ts';
import type { ControlResult, GateControlEvents, GateStatus } from '../control-types.ts';
import type { ReferenceStore } from '../enrolment/reference-store.ts';
import type { Journal } from '../journal/index.ts';
import type { TokenStores } from '../tokens/open.ts';

export type SyncConfig = GateConfig['sync'];

/**
 * What the central link needs from the gate: exactly the part of GateControl it uses, so
 * kiosk/control.ts's GateControl is one, and so is a gate-less host made of the real stores
 * (a test, the benchmark, a tool draining a journal file).
 */
export interface SyncHost {
  readonly config: GateConfig;
  readonly journalStore: Journal;
  readonly references: ReferenceStore;
  /** Undefined on a seat that holds no token lists: list commands are refused TOKENS_NOT_HELD. */
  readonly tokens: Pick<TokenStores, 'trustList' | 'revocations'> | undefined;
  status(): GateStatus;
  setMode(mode: 'in_service' | 'out_of_service' | 'maintenance', by: string): ControlResult;
  journal(type: 'maintenance_action' | 'config_changed' | 'keys_changed', data: Record<string, unknown>): void;
  on<K extends keyof GateControlEvents>(event: K, fn: (payload: GateControlEvents[K]) => void): () => void;
}
