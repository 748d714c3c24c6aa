import { z } from 'zod';

/** Reader name in reads, faults and the journal; defaults to kind and address (e.g. "serial:/dev/ttyACM0"). */
const name = z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/).optional();

const serialScanner = z.strictObject({
  kind: z.literal('serial'),
  name,
  port: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  /** Line terminator the scanner appends, as a JSON string (e.g. "\r\n", "\r"). */
  suffix: z.string().min(1).default('\r'),
  /** Silence after some bytes but before the terminator longer than this ends a broken scan (SCAN_FRAMING). */
  gapMs: z.number().int().positive().default(500),
});

const hidScanner = z.strictObject({
  kind: z.literal('hid'),
  name,
  vendorId: z.number().int().min(0).max(0xffff),
  productId: z.number().int().min(0).max(0xffff),
  /** `pos`: HID POS barcode scanner (usage page 0x8C). `keyboard`: keyboard wedge (usage page 0x07). */
  mode: z.enum(['pos', 'keyboard']).default('pos'),
  keyboardLayout: z.enum(['us', 'uk']).default('us'),
  /** Keyboard mode only: the key the scanner sends after a code (Enter gives "\n"). */
  suffix: z.string().min(1).default('\n'),
  /** Keyboard mode only: as gapMs for serial — keystrokes stopping mid-code end a broken scan. */
  gapMs: z.number().int().positive().default(500),
});

const simulatedScanner = z.strictObject({ kind: z.literal('simulated'), name });

export const readersSection = z
  .strictObject({
    scanners: z.array(z.discriminatedUnion('kind', [serialScanner, hidScanner, simulatedScanner])).default([{ kind: 'simulated' }]),
    card: z.strictObject({ driver: z.enum(['simulated', 'pcsc']).default('simulated'), readerName: z.string().optional() }).prefault({}),
    /** The same text read again within this window is one read (a scanner re-reads a phone held still). */
    dedupeMs: z.number().int().min(0).default(2000),
    maxLength: z.number().int().positive().default(4096),
    /** Reopening an unplugged or absent scanner/reader: exponential back-off between attempts. */
    reconnectBackoffMs: z.strictObject({ min: z.number().int().positive().default(250), max: z.number().int().positive().default(5000) }).prefault({}),
  })
  .prefault({});

export type ReadersConfig = z.infer<typeof readersSection>;
export type ScannerConfig = ReadersConfig['scanners'][number];
