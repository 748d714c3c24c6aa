import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * Imports point down (codebase.md, issue 11 item 13): core/ (clock, errors, log, bus) and
 * icao/ (ICAO 9303 protocol primitives) sit below the devices; drivers/ sits below the
 * product; the product (kiosk/) never depends on its tools (scripts/) or its tests.
 * A static scan of every import, export-from and dynamic import() specifier.
 */
const ROOT = resolve(new URL('..', import.meta.url).pathname);

/** Top-level folder → top-level folders it must never import from. */
const FORBIDDEN: Record<string, readonly string[]> = {
  core: ['icao', 'drivers', 'kiosk', 'config', 'scripts', 'test', 'central'],
  icao: ['drivers', 'kiosk', 'config', 'scripts', 'test', 'central'],
  drivers: ['kiosk', 'scripts', 'test', 'central'],
  kiosk: ['scripts', 'test', 'central'],
};

interface Violation {
  file: string;
  specifier: string;
  target: string;
}

function tsFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Every module specifier in the source: static imports, re-exports, side-effect and dynamic imports. */
function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]!);
  return found;
}

function scan(root: string, rules: Record<string, readonly string[]>): Violation[] {
  const out: Violation[] = [];
  for (const [layer, forbidden] of Object.entries(rules)) {
    for (const file of tsFiles(join(root, layer))) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(dirname(file), spec)).split(sep)[0]!;
        if (forbidden.includes(target)) out.push({ file: relative(root, file), specifier: spec, target });
      }
    }
  }
  return out;
}

function report(v: readonly Violation[]): string {
  return v.map((x) => `${x.file} imports ${x.specifier}`).join('\n');
}

test('the scan finds a forbidden import (static, re-export and dynamic) in a tree made for it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-layers-'));
  try {
    mkdirSync(join(dir, 'drivers', 'chip'), { recursive: true });
    mkdirSync(join(dir, 'kiosk'), { recursive: true });
    writeFileSync(join(dir, 'drivers', 'chip', 'a.ts'), "import { x } from '../../kiosk/passport/tlv.ts';\n// import { y } from '../../kiosk/commented.ts';\n");
    writeFileSync(join(dir, 'drivers', 'b.ts'), "export { z } from '../kiosk/z.ts';\nimport '../core/ok.ts';\n");
    writeFileSync(join(dir, 'kiosk', 'main.ts'), "const m = await import('../scripts/demo.ts');\n");
    const v = scan(dir, FORBIDDEN);
    assert.equal(v.map((x) => x.file).sort(), ['drivers/b.ts', 'drivers/chip/a.ts', 'kiosk/main.ts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('core/ and icao/ import nothing above them', () => {
  const v = scan(ROOT, { core: FORBIDDEN.core!, icao: FORBIDDEN.icao! });
  assert.is(v.length, 0, report(v));
});

test('no file under drivers/ imports kiosk/ (devices sit below the passport logic and the gate)', () => {
  const v = scan(ROOT, { drivers: FORBIDDEN.drivers! });
  assert.is(v.length, 0, report(v));
});

test('no file under kiosk/ imports scripts/ (the product does not depend on its tools)', () => {
  const v = scan(ROOT, { kiosk: FORBIDDEN.kiosk! });
  assert.is(v.length, 0, report(v));
});

test.run();
