import type { DoorConfig } from '../../config/sections/door.ts';
import type { Clock } from '../../core/clock.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { DoorControllerOptions } from './interface.ts';
import { ModbusSerialTransport } from './modbus-transport.ts';
import { PolledDoorController } from './polled-controller.ts';
import { resolveRoles } from './roles.ts';

export interface ModbusDoorDeps extends DoorControllerOptions {
  clock: Clock;
  log?: Logger;
}

/**
 * The real door/barrier controller driver: a Modbus RTU master on the serial line named by
 * `door.port`, with the role map of `door.layout` plus config overrides (door-io.md).
 * Throws ConfigError when no port is configured or the role map is inconsistent.
 */
export function createModbusDoorController(config: DoorConfig, deps: ModbusDoorDeps): PolledDoorController {
  if (!config.port) throw new ConfigError([{ path: 'door.port', message: 'required for the Modbus door controller' }]);
  let roles;
  try {
    roles = resolveRoles(config.layout, config.roles);
  } catch (err) {
    throw new ConfigError([{ path: 'door.roles', message: (err as Error).message }]);
  }
  const transport = new ModbusSerialTransport({
    path: config.port,
    baudRate: config.baudRate,
    dataBits: config.dataBits,
    parity: config.parity,
    stopBits: config.stopBits,
    unitId: config.unitId,
    responseTimeoutMs: config.responseTimeoutMs,
  });
  return new PolledDoorController({
    layout: config.layout,
    roles,
    transport,
    clock: deps.clock,
    log: deps.log,
    isControlLoopAlive: deps.isControlLoopAlive,
    retries: config.retries,
    pollIntervalMs: config.pollIntervalMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    faultAfterMs: config.faultAfterMs,
    reconnectIntervalMs: config.reconnectIntervalMs,
    watchdogMs: config.watchdogMs,
  });
}
