#!/usr/bin/env -S node --import tsx
/**
 * Verifies one photo against another with the gate's face engine.
 *
 *   npm run face-verify -- REFERENCE LIVE [--json] [--operating-point NAME] [--source chip]
 *
 * REFERENCE is enrolled (extractReference), LIVE is verified against it as a camera frame
 * would be. Prints score, decision at the configured operating point, liveness, quality and
 * per-stage milliseconds. Exit 0 on match, 1 on any other decision, 2 on an error.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { EgateError } from '../kiosk/errors.ts';
import { createFaceEngine, type FaceReference } from '../kiosk/biometrics/index.ts';

const fmt = (v: number | null | undefined, d = 3): string => (v === null || v === undefined ? '-' : v.toFixed(d));

async function main(refPath: string, livePath: string, opts: { json?: boolean; operatingPoint?: string; source: FaceReference['source'] }): Promise<number> {
  const config = loadConfig().face;
  const t0 = performance.now();
  const engine = await createFaceEngine(config);
  const loadMs = performance.now() - t0;
  try {
    const ref = await engine.extractReference(new Uint8Array(readFileSync(refPath)));
    const result = await engine.verify({ template: ref.template, source: opts.source }, new Uint8Array(readFileSync(livePath)), opts.operatingPoint ? { operatingPoint: opts.operatingPoint } : {});
    const operatingPoint = opts.operatingPoint ?? config.operatingPoint;
    if (opts.json) {
      const { template: _t, ...reference } = ref;
      console.log(JSON.stringify({ operatingPoint, engineStartMs: Math.round(loadMs), reference, ...result }));
    } else {
      const q = result.quality;
      console.log(`reference  ${refPath}: ${ref.acceptable ? 'acceptable' : 'NOT acceptable'}${ref.issues.length ? ` (${ref.issues.join(', ')})` : ''}`);
      console.log(`live       ${livePath}`);
      console.log(`decision   ${result.decision} at ${operatingPoint} (threshold ${fmt(result.threshold)})`);
      console.log(`score      ${fmt(result.score)}`);
      console.log(`liveness   ${fmt(result.liveness)} (live at ≥ ${config.livenessThreshold})`);
      if (q) {
        console.log(`quality    box ${q.box.map((v) => Math.round(v)).join(',')} det ${fmt(q.detectionScore)} inter-eye ${fmt(q.interEyePx, 0)} px yaw/pitch/roll ${fmt(q.yaw, 0)}/${fmt(q.pitch, 0)}/${fmt(q.roll, 0)}° sharpness ${fmt(q.sharpness, 0)} exposure ${fmt(q.exposure, 0)} faces ${q.faceCount}`);
      }
      console.log(`issues     ${result.issues.join(', ') || 'none'}; other faces ${result.otherFaces}`);
      console.log(`ms         ${Object.entries(result.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(' · ')} (engine start ${loadMs.toFixed(0)})`);
    }
    return result.decision === 'match' ? 0 : 1;
  } finally {
    await engine.close();
  }
}

new Command('face-verify')
  .argument('<reference>', 'reference photo (enrolment or chip)')
  .argument('<live>', 'live photo, verified as a camera frame')
  .option('--json', 'print one JSON object')
  .option('--operating-point <name>', 'operating point (default: face.operatingPoint)')
  .option('--source <source>', 'reference source: enrolment, card or chip', 'enrolment')
  .action(async (a: string, b: string, opts: { json?: boolean; operatingPoint?: string; source: FaceReference['source'] }) => {
    try {
      process.exitCode = await main(a, b, opts);
    } catch (err) {
      console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
    }
  })
  .parseAsync();
