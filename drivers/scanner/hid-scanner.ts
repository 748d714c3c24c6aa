import type { ReadersConfig } from '../../config/sections/readers.ts';
import type { Clock } from '../../core/clock.ts';
import { DeviceError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Deduper } from './dedupe.ts';
import { KeyboardReportParser } from './hid-keyboard-parser.ts';
import { PosReportParser } from './hid-pos-parser.ts';
import { LineFramer } from './line-framer.ts';
import { Reconnector } from './reconnect.ts';
import { ScannerBase } from './scanner-base.ts';

export type HidScannerConfig = Extract<ReadersConfig['scanners'][number], { kind: 'hid' }>;

/** The part of node-hid's HIDAsync the driver uses: input reports, an error on unplug, close. */
export interface HidDevice {
  on(event: 'data', fn: (report: Buffer) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  close(): Promise<void>;
}

/** Usage page of the interface to open: POS scanners report on 0x8C, wedges on Generic Desktop (keyboard). */
const USAGE_PAGE = { pos: 0x8c, keyboard: 0x01 } as const;

/**
 * Opens the scanner with node-hid (hidraw on Linux). A composite scanner exposes several
 * interfaces; the one whose usage page matches the mode is chosen. Loaded lazily so a
 * gate without HID scanners never loads the native module.
 */
export async function openNodeHid(config: HidScannerConfig): Promise<HidDevice> {
  const hid = await import('node-hid');
  const candidates = await hid.devicesAsync(config.vendorId, config.productId);
  const wanted = candidates.find((d) => d.usagePage === USAGE_PAGE[config.mode]) ?? candidates[0];
  if (!wanted?.path) throw new Error('device not found');
  return hid.HIDAsync.open(wanted.path, { nonExclusive: false });
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/**
 * A USB HID scanner: HID POS (length-prefixed reports, no terminator needed) or keyboard
 * wedge (keystrokes, framed by the suffix key like a serial line). Note for keyboard mode
 * on Linux: the kernel also feeds the keystrokes to the console unless the device is
 * grabbed; POS mode is the one to use at a gate.
 */
export class HidScanner extends ScannerBase {
  static defaultName(c: Pick<HidScannerConfig, 'vendorId' | 'productId'>): string {
    return `hid:${hex4(c.vendorId)}:${hex4(c.productId)}`;
  }

  readonly #reconnect: Reconnector;
  readonly #pos: PosReportParser;
  readonly #keys: KeyboardReportParser;
  readonly #lines: LineFramer;
  #device: HidDevice | undefined;
  #opening: Promise<void> | undefined;

  constructor(
    private readonly config: HidScannerConfig,
    private readonly deps: {
      clock: Clock;
      log: Logger;
      dedupe: Deduper;
      maxLength: number;
      reconnectBackoffMs: { min: number; max: number };
      /** How to reach the device; node-hid unless a test replays recorded reports. */
      open?: (config: HidScannerConfig) => Promise<HidDevice>;
    },
  ) {
    super(config.name ?? HidScanner.defaultName(config), deps);
    this.#reconnect = new Reconnector(deps.clock, deps.reconnectBackoffMs, () => void this.#open());
    this.#pos = new PosReportParser({ maxLength: deps.maxLength });
    this.#keys = new KeyboardReportParser(config.keyboardLayout);
    this.#lines = new LineFramer({ suffix: config.suffix, gapMs: config.gapMs, maxLength: deps.maxLength, clock: deps.clock, core: this.core });
  }

  protected override connect(): Promise<void> {
    return this.#open();
  }

  protected override async disconnect(): Promise<void> {
    this.#reconnect.cancel();
    await this.#opening;
    this.#lines.reset();
    const dev = this.#device;
    this.#device = undefined;
    await dev?.close().catch(() => {});
  }

  #open(): Promise<void> {
    this.#opening = this.#doOpen().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #doOpen(): Promise<void> {
    if (!this.core.running) return;
    let dev: HidDevice;
    try {
      dev = await (this.deps.open ?? openNodeHid)(this.config);
    } catch (err) {
      this.#lost('SCANNER_OPEN', `cannot open ${this.name}: ${(err as Error).message}`);
      return;
    }
    if (!this.core.running) {
      await dev.close().catch(() => {});
      return;
    }
    this.#device = dev;
    this.#pos.reset();
    this.#keys.reset();
    this.#lines.reset();
    dev.on('data', (report) => {
      if (dev === this.#device) this.#onReport(report);
    });
    dev.on('error', (err) => {
      if (dev !== this.#device || !this.core.running) return;
      this.#device = undefined;
      void dev.close().catch(() => {});
      this.#lost('SCANNER_DISCONNECTED', `HID read failed: ${err.message}`);
    });
    this.#reconnect.succeeded();
    this.core.recovered();
  }

  #onReport(report: Buffer): void {
    if (this.config.mode === 'pos') {
      for (const r of this.#pos.push(report)) {
        if (r.kind === 'error') this.core.refuse(r.code, r.message, r.sample);
        else this.core.offer(new TextDecoder('utf-8').decode(r.data));
      }
      return;
    }
    let typed: string;
    try {
      typed = this.#keys.push(report);
    } catch (err) {
      this.core.refuse('SCAN_FRAMING', (err as Error).message, report);
      return;
    }
    if (typed) this.#lines.push(typed);
  }

  #lost(code: string, message: string): void {
    this.#lines.reset();
    this.core.fault(new DeviceError(this.name, code, message));
    this.#reconnect.schedule();
  }
}
