// The door/barrier controller's public surface (door-io.md): what the gate, the simulator and
// the demo import.
export type { DoorChange, DoorController, DoorControllerOptions, DoorEvents, DoorLayout, DoorSnapshot } from './interface.ts';
export { DoorErrorCode } from './interface.ts';
export { createDoorController, type DoorDeps } from './create.ts';
export { createModbusDoorController, type ModbusDoorDeps } from './modbus-master.ts';
export { DoorTwin, type DoorTwinDeps } from './twin.ts';
export { PolledDoorController, type DoorLinkStats } from './polled-controller.ts';
export { DoorPlant, FAULT_BIT, PlantException, type PlantFault, type PlantOptions } from './plant.ts';
export type { SimPerson, PersonPlace } from './plant-people.ts';
export type { SimCar, CarPlace } from './plant-traffic.ts';
export { runPlantCommand, plantStatus, type PlantCommandResult } from './plant-commands.ts';
export { RtuSlave, type RtuSlaveOptions, type RtuSlaveStats } from './rtu-slave.ts';
export { resolveRoles, defaultRoles, type RoleMap } from './roles.ts';
