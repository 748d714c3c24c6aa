import type { DoorConfig } from '../../config/sections/door.ts';
import type { Logger } from '../../core/log.ts';
import type { DoorControllerOptions } from './interface.ts';
import type { DoorPlant } from './plant.ts';
import { PlantTransport } from './plant-transport.ts';
import { PolledDoorController } from './polled-controller.ts';
import { resolveRoles } from './roles.ts';

export interface DoorTwinDeps extends DoorControllerOptions {
  log?: Logger;
  /** Delay of every answer on the plant's clock (the wire's round trip). */
  latencyMs?: number;
}

/**
 * The in-process door controller: the same DoorController behaviour as the Modbus master,
 * talking to the plant model directly instead of over a serial line, on the plant's clock
 * (a SimulatedClock in unit tests). Beside the interface it offers test controls:
 * `plant` (travellers, cars, faults) and unplug()/plugIn() of the "adapter".
 */
export class DoorTwin extends PolledDoorController {
  readonly plant: DoorPlant;
  readonly #transport: PlantTransport;

  constructor(plant: DoorPlant, config: DoorConfig, deps: DoorTwinDeps) {
    const transport = new PlantTransport(plant, { responseTimeoutMs: config.responseTimeoutMs, latencyMs: deps.latencyMs });
    super({
      layout: plant.layout,
      roles: resolveRoles(plant.layout, config.roles),
      transport,
      clock: plant.clock,
      log: deps.log,
      isControlLoopAlive: deps.isControlLoopAlive,
      retries: config.retries,
      pollIntervalMs: config.pollIntervalMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      faultAfterMs: config.faultAfterMs,
      reconnectIntervalMs: config.reconnectIntervalMs,
      watchdogMs: config.watchdogMs,
    });
    this.plant = plant;
    this.#transport = transport;
  }

  /** The serial adapter is pulled: the link is lost and cannot reopen until plugIn(). */
  unplug(): void {
    this.#transport.unplug();
  }

  plugIn(): void {
    this.#transport.plugIn();
  }
}
