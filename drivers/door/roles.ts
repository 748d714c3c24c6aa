import { pedestrianRoles, vehicleRoles, type DoorConfig } from '../../config/sections/door.ts';
import { DeviceError } from '../../core/errors.ts';
import { DoorErrorCode, type DoorLayout } from './interface.ts';

export type RoleTable = Readonly<Record<string, number>>;

/** Role → zero-based address, per Modbus table, for one layout (door-io.md + config overrides). */
export interface RoleMap {
  readonly coils: RoleTable;
  readonly inputs: RoleTable;
  readonly inputRegisters: RoleTable;
  readonly holdingRegisters: RoleTable;
}

/** One read that covers every mapped address of a table: [start, start + count). */
export interface Span {
  readonly start: number;
  readonly count: number;
}

export function defaultRoles(layout: DoorLayout): RoleMap {
  return layout === 'vehicle' ? vehicleRoles : pedestrianRoles;
}

/**
 * The layout's default map with config overrides merged per role. Checks what would
 * otherwise fail on the wire: two roles on one address, a span too wide for one read,
 * and the heartbeat register the watchdog needs.
 */
export function resolveRoles(layout: DoorLayout, overrides: DoorConfig['roles'] = {}): RoleMap {
  const base = defaultRoles(layout);
  const map: RoleMap = {
    coils: { ...base.coils, ...overrides.coils },
    inputs: { ...base.inputs, ...overrides.inputs },
    inputRegisters: { ...base.inputRegisters, ...overrides.inputRegisters },
    holdingRegisters: { ...base.holdingRegisters, ...overrides.holdingRegisters },
  };
  for (const [table, roles] of Object.entries(map) as [string, RoleTable][]) {
    const seen = new Map<number, string>();
    for (const [role, addr] of Object.entries(roles)) {
      const other = seen.get(addr);
      if (other) throw roleError(`door.roles.${table}: ${role} and ${other} share address ${addr}`);
      seen.set(addr, role);
    }
    const limit = table === 'coils' || table === 'inputs' ? 2000 : 125;
    const span = spanOf(roles);
    if (span && span.count > limit) throw roleError(`door.roles.${table}: addresses span ${span.count}, more than one read (${limit})`);
  }
  if (map.holdingRegisters.heartbeat === undefined) throw roleError('door.roles.holdingRegisters: no heartbeat register');
  return map;
}

/** The smallest single read covering every role of a table; undefined for an empty table. */
export function spanOf(roles: RoleTable): Span | undefined {
  const addrs = Object.values(roles);
  if (addrs.length === 0) return undefined;
  const start = Math.min(...addrs);
  return { start, count: Math.max(...addrs) - start + 1 };
}

/**
 * Groups the addresses to write into runs of consecutive addresses, so contiguous coils go
 * in one transaction (FC15) while coils that were not asked for are never rewritten from a
 * possibly stale read-back (the controller may have cleared them itself on a trip).
 */
export function contiguousRuns(writes: ReadonlyMap<number, boolean>): { start: number; values: boolean[] }[] {
  const addrs = [...writes.keys()].sort((a, b) => a - b);
  const runs: { start: number; values: boolean[] }[] = [];
  for (const a of addrs) {
    const last = runs.at(-1);
    if (last && last.start + last.values.length === a) last.values.push(writes.get(a)!);
    else runs.push({ start: a, values: [writes.get(a)!] });
  }
  return runs;
}

export function roleError(message: string): DeviceError {
  return new DeviceError('door', DoorErrorCode.UNKNOWN_ROLE, message);
}
