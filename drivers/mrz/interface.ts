import { DeviceError } from '../../core/errors.ts';

/** Two TD3 lines as the reader delivered them (unchecked: check digits are kiosk/passport's job). Traveller data: never log. */
export interface MrzRead {
  readonly lines: readonly [string, string];
  readonly reader: string;
  /** Clock time (ms) when the second line arrived. */
  readonly at: number;
}

/**
 * Text that cannot be a TD3 MRZ: a line that is neither 44 nor 88 characters, or a first
 * line whose second never came within the pairing window. Carries a short hash of the
 * input and its length, never the text.
 */
export class MrzFramingError extends DeviceError {
  readonly digest: string;
  readonly length: number;
  constructor(reader: string, message: string, digest: string, length: number) {
    super(reader, 'MRZ_FRAMING', message);
    this.digest = digest;
    this.length = length;
  }
}

export interface MrzReaderEvents {
  mrz: MrzRead;
  error: MrzFramingError;
  /** The underlying device is gone (cable, power); it keeps being retried. */
  fault: DeviceError;
  recovered: { reader: string; at: number };
}

/**
 * The MRZ reader at the entry side (a swipe or page reader sending text over serial or as
 * a keyboard wedge). `start()` resolves after the first attempt to open the device (an
 * absent device is a 'fault', not a rejection); `stop()` is idempotent and silences it.
 * Lines are paired in arrival order; a stray line never joins a later passport's line.
 */
export interface MrzReader {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  on<K extends keyof MrzReaderEvents>(event: K, fn: (payload: MrzReaderEvents[K]) => void): () => void;
}
