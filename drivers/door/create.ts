import type { DoorConfig } from '../../config/sections/door.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { DoorController, DoorControllerOptions } from './interface.ts';
import { createModbusDoorController } from './modbus-master.ts';
import { DoorPlant } from './plant.ts';
import { ProcessDoorController } from './process-controller.ts';
import { DoorTwin } from './twin.ts';

export interface DoorDeps extends DoorControllerOptions {
  clock: Clock;
  log?: Logger;
  /** For driver 'simulated': the plant to drive (the demo scripts travellers on it). A started one is made when absent. */
  plant?: DoorPlant;
}

/**
 * The door controller that `door.driver` names: the Modbus RTU master on `door.port`, or
 * the in-process twin on a simulated plant (reach it as `(c as DoorTwin).plant`). The master
 * runs in a process of its own unless `door.ownProcess` is false.
 */
export function createDoorController(config: DoorConfig, deps: DoorDeps): DoorController {
  if (config.driver === 'modbus') return config.ownProcess ? new ProcessDoorController(config, deps) : createModbusDoorController(config, deps);
  let plant = deps.plant;
  if (!plant) {
    plant = new DoorPlant({ clock: deps.clock, layout: config.layout, watchdogMs: config.watchdogMs });
    plant.start();
  }
  return new DoorTwin(plant, config, deps);
}
