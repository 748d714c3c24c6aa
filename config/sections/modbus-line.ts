import { z } from 'zod';

/**
 * The serial line and Modbus RTU framing every controller on the seat shares (door-io.md,
 * kiosk-io.md): one definition, so the door and the dispenser sections cannot drift apart.
 */
export const modbusLineFields = {
  port: z.string().min(1).optional(),
  baudRate: z.number().int().positive().default(19200),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  /** 8E1 on real RS-485; ptys cannot do parity, so tests run 8N1 (door-io.md). */
  parity: z.enum(['none', 'even', 'odd']).default('even'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  unitId: z.number().int().min(1).max(247).default(1),
  responseTimeoutMs: z.number().int().positive().default(200),
  retries: z.number().int().min(0).max(10).default(2),
};
