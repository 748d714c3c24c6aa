import { z } from 'zod';

/** The kiosk's receipt printer (ESC/POS): `serial` (RS-232 or USB CDC) or the twin. */
export const printerSection = z
  .strictObject({
    driver: z.enum(['simulated', 'serial']).default('simulated'),
    name: z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/).optional(),
    /** Serial only: e.g. /dev/ttyS0, /dev/ttyUSB0. */
    port: z.string().min(1).optional(),
    baudRate: z.number().int().positive().default(115200),
    rtscts: z.boolean().default(false),
    /** A status query (DLE EOT) unanswered this long is PRINTER_NO_REPLY. */
    statusTimeoutMs: z.number().int().positive().default(2000),
  })
  .refine((p) => p.driver !== 'serial' || p.port !== undefined, { message: 'a serial printer needs `port`', path: ['port'] })
  .prefault({});

export type PrinterConfig = z.infer<typeof printerSection>;
