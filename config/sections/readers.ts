import { z } from 'zod';

const serialScanner = z.object({
  kind: z.literal('serial'),
  port: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  /** Line terminator the scanner appends, as a JSON string (e.g. "\r\n", "\r"). */
  suffix: z.string().min(1).default('\r'),
});

const hidScanner = z.object({
  kind: z.literal('hid'),
  vendorId: z.number().int().min(0).max(0xffff),
  productId: z.number().int().min(0).max(0xffff),
  /** `pos`: HID POS barcode scanner (usage page 0x8C). `keyboard`: keyboard wedge (usage page 0x07). */
  mode: z.enum(['pos', 'keyboard']).default('pos'),
  keyboardLayout: z.enum(['us', 'uk']).default('us'),
  suffix: z.string().default('\n'),
});

const simulatedScanner = z.object({ kind: z.literal('simulated') });

export const readersSection = z
  .object({
    scanners: z.array(z.discriminatedUnion('kind', [serialScanner, hidScanner, simulatedScanner])).default([{ kind: 'simulated' }]),
    card: z.object({ driver: z.enum(['simulated', 'pcsc']).default('simulated'), readerName: z.string().optional() }).prefault({}),
    /** The same text read again within this window is one read (a scanner re-reads a phone held still). */
    dedupeMs: z.number().int().min(0).default(2000),
    maxLength: z.number().int().positive().default(4096),
  })
  .prefault({});

export type ReadersConfig = z.infer<typeof readersSection>;
export type ScannerConfig = ReadersConfig['scanners'][number];
