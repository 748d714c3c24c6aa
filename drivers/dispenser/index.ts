import type { DispenserConfig } from '../../config/sections/dispenser.ts';
import type { Clock } from '../../core/clock.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { ModbusSerialTransport } from '../door/modbus-transport.ts';
import type { CardDispenser } from './interface.ts';
import { ModbusCardDispenser } from './modbus-dispenser.ts';
import { DispenserPlant } from './plant.ts';
import { DispenserTwin, settings } from './twin.ts';

export type { CardDispenser, CardDispenserEvents, DispenserStatus } from './interface.ts';
export { DispenserErrorCode } from './interface.ts';
export { DispenserPlant } from './plant.ts';
export { DispenserTwin } from './twin.ts';
export { ModbusCardDispenser } from './modbus-dispenser.ts';

/**
 * The configured card dispenser: the Modbus master on `dispenser.port`, or the twin on a
 * dispenser plant that this factory powers on (the caller stops `plant` after the kiosk).
 */
export function createCardDispenser(config: DispenserConfig, deps: { clock: Clock; log: Logger; isControlLoopAlive: () => boolean }): CardDispenser {
  if (config.driver === 'simulated') {
    const plant = new DispenserPlant({ clock: deps.clock, watchdogMs: config.watchdogMs });
    plant.start();
    return new DispenserTwin(plant, config, { log: deps.log, isControlLoopAlive: deps.isControlLoopAlive });
  }
  if (!config.port) throw new ConfigError([{ path: 'dispenser.port', message: 'required for the Modbus card dispenser' }]);
  const transport = new ModbusSerialTransport({
    path: config.port,
    baudRate: config.baudRate,
    dataBits: config.dataBits,
    parity: config.parity,
    stopBits: config.stopBits,
    unitId: config.unitId,
    responseTimeoutMs: config.responseTimeoutMs,
  });
  return new ModbusCardDispenser({ ...settings(config), transport, clock: deps.clock, log: deps.log, isControlLoopAlive: deps.isControlLoopAlive, name: `dispenser:${config.port}` });
}
