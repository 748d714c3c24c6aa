/**
 * Every error the gate raises on purpose carries a machine-readable `code`; code branches
 * on the code, never on the message. Messages never echo traveller data (token text, raw
 * identity numbers, images) — at most a short hash of attacker-supplied bytes.
 */
export class EgateError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The configuration is unusable; `issues` lists every bad field with its path. */
export class ConfigError extends EgateError {
  readonly issues: readonly { path: string; message: string }[];
  constructor(issues: readonly { path: string; message: string }[]) {
    super('CONFIG_INVALID', `invalid configuration:\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
    this.issues = issues;
  }
}

/** A device (controller, camera, scanner, reader) failed or is unreachable. */
export class DeviceError extends EgateError {
  readonly device: string;
  constructor(device: string, code: string, message: string, options?: { cause?: unknown }) {
    super(code, `${device}: ${message}`, options);
    this.device = device;
  }
}

export function errorCode(err: unknown): string {
  return err instanceof EgateError ? err.code : 'INTERNAL';
}
