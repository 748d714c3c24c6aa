import type { DispenserConfig } from '../../config/sections/dispenser.ts';
import type { Logger } from '../../core/log.ts';
import { PlantTransport } from '../door/plant-transport.ts';
import { ModbusCardDispenser } from './modbus-dispenser.ts';
import type { DispenserPlant } from './plant.ts';

/**
 * The in-process card dispenser: the same driver as on the serial line, talking to the
 * dispenser plant through the door twin's in-process transport on the plant's clock (a
 * SimulatedClock in unit tests). Test controls: `plant` (load slots, take the card, faults)
 * and unplug()/plugIn() of the "adapter".
 */
export class DispenserTwin extends ModbusCardDispenser {
  readonly plant: DispenserPlant;
  readonly #transport: PlantTransport;

  constructor(plant: DispenserPlant, config: DispenserConfig, deps: { log?: Logger; isControlLoopAlive: () => boolean; latencyMs?: number }) {
    const transport = new PlantTransport(plant, { responseTimeoutMs: config.responseTimeoutMs, latencyMs: deps.latencyMs });
    super({ ...settings(config), transport, clock: plant.clock, ...(deps.log ? { log: deps.log } : {}), isControlLoopAlive: deps.isControlLoopAlive, name: 'sim-dispenser' });
    this.plant = plant;
    this.#transport = transport;
  }

  unplug(): void {
    this.#transport.unplug();
  }

  plugIn(): void {
    this.#transport.plugIn();
  }
}

/** The driver settings of the config section (shared by the twin and the serial driver). */
export function settings(c: DispenserConfig) {
  return {
    retries: c.retries,
    pollIntervalMs: c.pollIntervalMs,
    heartbeatIntervalMs: c.heartbeatIntervalMs,
    reconnectIntervalMs: c.reconnectIntervalMs,
    watchdogMs: c.watchdogMs,
    mouthLimitS: c.mouthLimitS,
    moveTimeoutMs: c.moveTimeoutMs,
  };
}
