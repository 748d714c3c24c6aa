import { z } from 'zod';
import { modbusLineFields } from './modbus-line.ts';

/** Role → zero-based Modbus address maps (door-io.md). A vendor layout is a config change. */
export const pedestrianRoles = {
  coils: { entry_release: 0, exit_release: 1, entry_green: 2, entry_red: 3, exit_green: 4, exit_red: 5, buzzer: 6, out_of_service_sign: 7 },
  inputs: { entry_closed: 0, exit_closed: 1, zone_approach: 2, zone_mantrap: 3, zone_exit: 4, fire_alarm: 5, tamper: 6 },
  inputRegisters: { mantrap_occupancy: 0, fault_bits: 1, firmware_version: 2 },
  holdingRegisters: { heartbeat: 0, watchdog_ms: 1 },
} as const;

export const vehicleRoles = {
  coils: { barrier_raise: 0, green: 2, red: 3, buzzer: 6, out_of_service_sign: 7 },
  inputs: { barrier_down: 0, loop_approach: 2, loop_barrier: 3, loop_exit: 4, fire_alarm: 5, tamper: 6 },
  inputRegisters: { vehicle_count: 0, fault_bits: 1, firmware_version: 2 },
  holdingRegisters: { heartbeat: 0, watchdog_ms: 1 },
} as const;

const addressMap = z.record(z.string(), z.number().int().min(0).max(65535));

export const doorSection = z
  .strictObject({
    /** `modbus`: the real master on a serial line. `simulated`: the in-process plant model. */
    driver: z.enum(['modbus', 'simulated']).default('simulated'),
    layout: z.enum(['pedestrian', 'vehicle']).default('pedestrian'),
    /**
     * The Modbus master runs in a process of its own (true), so that the gate's work cannot
     * hold up a heartbeat or a poll; false runs it on the gate's event loop.
     */
    ownProcess: z.boolean().default(true),
    ...modbusLineFields,
    pollIntervalMs: z.number().int().min(20).max(100).default(100),
    heartbeatIntervalMs: z.number().int().min(50).max(500).default(250),
    faultAfterMs: z.number().int().positive().default(1000),
    reconnectIntervalMs: z.number().int().positive().default(500),
    /**
     * watchdog_ms written to the controller (door-io.md): a 16-bit register, and 0 would
     * disable the watchdog (maintenance only), so 1…65,535; at least two heartbeat intervals
     * (checked below) so that one late heartbeat does not trip a healthy lane.
     */
    watchdogMs: z.number().int().min(1, 'door.watchdogMs 0 disables the controller watchdog; use 1…65535').max(65535, 'door.watchdogMs is a 16-bit register: at most 65535').default(3000),
    /** Consecutive polls that must read fire_alarm before it counts (and clears): 4 × 100 ms still opens within 500 ms. */
    fireAlarmPolls: z.number().int().min(1).max(4).default(2),
    /** Overrides of the layout's default role map (door-io.md tables). */
    roles: z
      .strictObject({ coils: addressMap.optional(), inputs: addressMap.optional(), inputRegisters: addressMap.optional(), holdingRegisters: addressMap.optional() })
      .prefault({}),
  })
  .prefault({})
  .refine((d) => d.driver !== 'modbus' || !!d.port, { message: 'door.port is required when door.driver is "modbus"', path: ['port'] })
  .refine((d) => d.watchdogMs >= 2 * d.heartbeatIntervalMs, { message: 'door.watchdogMs must be at least twice door.heartbeatIntervalMs', path: ['watchdogMs'] });

export type DoorConfig = z.infer<typeof doorSection>;
