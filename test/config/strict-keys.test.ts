import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../config/load.ts';
import { configSchema } from '../../config/schema.ts';
import { ConfigError } from '../../kiosk/errors.ts';

/** Issue 11 item 7: every object in the gate's configuration refuses keys it does not know. */

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  catchall?: { _zod: { def: Def } };
  innerType?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  valueType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  out?: { _zod: { def: Def } };
  items?: { _zod: { def: Def } }[];
  left?: { _zod: { def: Def } };
  right?: { _zod: { def: Def } };
}

/** Every object schema reachable from `def`, with the config path it sits at; `[]` marks an array element or record value. */
function objects(def: Def, path: string, out: { path: string; strict: boolean }[] = []): { path: string; strict: boolean }[] {
  const next = (d: { _zod: { def: Def } } | undefined, p: string): void => void (d && objects(d._zod.def, p, out));
  switch (def.type) {
    case 'object':
      out.push({ path: path || '(root)', strict: def.catchall?._zod.def.type === 'never' });
      for (const [k, v] of Object.entries(def.shape ?? {})) next(v, path ? `${path}.${k}` : k);
      break;
    case 'array':
      next(def.element, `${path}[]`);
      break;
    case 'record':
      next(def.valueType, `${path}[]`);
      break;
    case 'union':
      for (const o of def.options ?? []) next(o, path);
      break;
    case 'tuple':
      for (const o of def.items ?? []) next(o, `${path}[]`);
      break;
    case 'intersection':
      next(def.left, path);
      next(def.right, path);
      break;
    case 'pipe':
      next(def.in, path);
      next(def.out, path);
      break;
    default:
      next(def.innerType, path);
  }
  return out;
}

test('every object in the configuration schema is strict (nested sections, list items, union members, record values)', () => {
  const all = objects((configSchema as unknown as { _zod: { def: Def } })._zod.def, '');
  assert.ok(all.length > 20, `walked ${all.length} objects`);
  const loose = all.filter((o) => !o.strict).map((o) => o.path);
  assert.equal(loose, [], `objects that would drop unknown keys silently: ${loose.join(', ')}`);
});

function refusedPaths(raw: Record<string, unknown>): string[] {
  try {
    parseConfig(raw);
  } catch (e) {
    assert.instance(e, ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

test('a misspelled key is refused at its own path, wherever it is', () => {
  assert.equal(refusedPaths({ dorr: { driver: 'simulated' } }), ['dorr: unknown key (misspelled?)']);
  assert.equal(refusedPaths({ door: { drivr: 'modbus' } }), ['door.drivr: unknown key (misspelled?)']);
  assert.equal(refusedPaths({ door: { roles: { coil: { entry_release: 3 } } } }), ['door.roles.coil: unknown key (misspelled?)']);
  assert.equal(refusedPaths({ readers: { scanners: [{ kind: 'simulated' }, { kind: 'serial', port: '/dev/x', sufix: '\r' }] } }), ['readers.scanners.1.sufix: unknown key (misspelled?)']);
  assert.equal(refusedPaths({ profile: 'express', passport: { mrzReader: { kind: 'simulated', port: '/dev/x' } } }), ['passport.mrzReader.port: unknown key (misspelled?)']);
  assert.equal(refusedPaths({ journal: { pathh: 'x' }, sync: { backoffMs: { mn: 1 } } }).sort(), ['journal.pathh: unknown key (misspelled?)', 'sync.backoffMs.mn: unknown key (misspelled?)']);
});

test('door.watchdogMs: never 0 (that disables the controller watchdog), at most 65535 (a 16-bit register), at least two heartbeats', () => {
  assert.ok(refusedPaths({ door: { watchdogMs: 0 } }).some((m) => m.startsWith('door.watchdogMs: ') && m.includes('disables')));
  assert.ok(refusedPaths({ door: { watchdogMs: 65536 } }).some((m) => m.startsWith('door.watchdogMs: ') && m.includes('65535')));
  assert.ok(refusedPaths({ door: { watchdogMs: 400, heartbeatIntervalMs: 250 } }).some((m) => m.includes('twice')));
  assert.equal(refusedPaths({ door: { watchdogMs: 65535 } }), []);
  assert.is(parseConfig({}).door.watchdogMs, 3000);
});

test("collection: the resident's limits come from config, and the take limit stays inside the dispenser's own backstop", () => {
  const c = parseConfig({ profile: 'collection', collection: { faceAttempts: 2, faceMs: 20_000 } });
  assert.equal([c.collection.faceAttempts, c.collection.faceMs, c.collection.takeLimitMs], [2, 20_000, 30_000]);
  assert.equal(refusedPaths({ collection: { faceAtempts: 2 } }), ['collection.faceAtempts: unknown key (misspelled?)']);
  // A 40 s mouth backstop leaves the kiosk 20 s: a 30 s take limit would let the controller act first.
  assert.ok(refusedPaths({ dispenser: { mouthLimitS: 40 } }).some((m) => m.startsWith('collection.takeLimitMs: ') && m.includes('mouthLimitS')));
  assert.equal(refusedPaths({ dispenser: { mouthLimitS: 40 }, collection: { takeLimitMs: 20_000 } }), []);
});

test.run();
