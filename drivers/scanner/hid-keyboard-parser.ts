/**
 * Decodes a keyboard-wedge scanner: HID boot keyboard input reports (usage page 0x07),
 * 8 bytes = modifiers, reserved, six key usage codes. A key produces a character when it
 * appears in a report and was not in the previous one, so a held key does not repeat and
 * a doubled letter ("ll") arrives as key, release, key. The layout is the keyboard country
 * programmed into the scanner: it decides which usages it sends for "@", '"', "#", "£"…
 * Pure: no I/O, unit-tested on recorded reports.
 */
export type KeyboardLayout = 'us' | 'uk';

const SHIFT = 0x02 | 0x20;
const CTRL = 0x01 | 0x10;
const ALT_GUI = 0x04 | 0x40 | 0x08 | 0x80;
const ROLLOVER = 0x01;
/** What a key the layout does not know becomes: it fails validation as garbage downstream. */
const UNKNOWN = '\ufffd';

type Keymap = Map<number, [plain: string, shifted: string]>;

function baseMap(): Keymap {
  const m: Keymap = new Map();
  for (let i = 0; i < 26; i++) m.set(0x04 + i, [String.fromCharCode(97 + i), String.fromCharCode(65 + i)]);
  const digits = '1234567890';
  const shiftedDigits = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) m.set(0x1e + i, [digits[i] ?? '', shiftedDigits[i] ?? '']);
  const rest: [number, string, string][] = [
    [0x28, '\n', '\n'], [0x29, '\u001b', '\u001b'], [0x2a, '\b', '\b'], [0x2b, '\t', '\t'], [0x2c, ' ', ' '],
    [0x2d, '-', '_'], [0x2e, '=', '+'], [0x2f, '[', '{'], [0x30, ']', '}'], [0x31, '\\', '|'], [0x32, '\\', '|'],
    [0x33, ';', ':'], [0x34, "'", '"'], [0x35, '`', '~'], [0x36, ',', '<'], [0x37, '.', '>'], [0x38, '/', '?'],
    // Keypad, as with Num Lock on (scanners that send digits on the keypad).
    [0x54, '/', '/'], [0x55, '*', '*'], [0x56, '-', '-'], [0x57, '+', '+'], [0x58, '\n', '\n'], [0x63, '.', '.'],
  ];
  for (const [k, a, b] of rest) m.set(k, [a, b]);
  for (let i = 0; i < 9; i++) m.set(0x59 + i, [String(i + 1), String(i + 1)]);
  m.set(0x62, ['0', '0']);
  return m;
}

const LAYOUTS: Record<KeyboardLayout, Keymap> = {
  us: baseMap(),
  uk: (() => {
    const m = baseMap();
    m.set(0x1f, ['2', '"']);
    m.set(0x20, ['3', '£']);
    m.set(0x34, ["'", '@']);
    // The ISO key beside Enter (Linux reads 0x31 and 0x32 as the same key) and the one beside left Shift.
    m.set(0x31, ['#', '~']);
    m.set(0x32, ['#', '~']);
    m.set(0x35, ['`', '¬']);
    m.set(0x64, ['\\', '|']);
    return m;
  })(),
};

export class KeyboardReportParser {
  #down = new Set<number>();
  readonly #map: Keymap;

  constructor(layout: KeyboardLayout) {
    this.#map = LAYOUTS[layout];
  }

  /** Feeds one 8-byte report; returns the characters it types (usually 0 or 1). Throws RangeError on a wrong size. */
  push(report: Uint8Array): string {
    if (report.length !== 8) throw new RangeError(`keyboard report of ${report.length} bytes, expected 8`);
    const mods = report[0] ?? 0;
    const keys = [...report.subarray(2, 8)].filter((k) => k !== 0);
    if (keys.some((k) => k === ROLLOVER)) return ''; // phantom state: keep the previous key set
    let out = '';
    for (const k of keys) {
      if (this.#down.has(k)) continue;
      out += this.#char(k, mods);
    }
    this.#down = new Set(keys);
    return out;
  }

  reset(): void {
    this.#down.clear();
  }

  #char(key: number, mods: number): string {
    const entry = this.#map.get(key);
    if (!entry) return UNKNOWN;
    if (mods & ALT_GUI) return UNKNOWN;
    const ch = mods & SHIFT ? entry[1] : entry[0];
    // Ctrl+letter is how wedge scanners type ASCII controls (e.g. GS as Ctrl+]); keep them
    // as control characters so validation refuses them as garbage rather than as letters.
    if (mods & CTRL) return String.fromCharCode(ch.toUpperCase().charCodeAt(0) & 0x1f);
    return ch;
  }
}
