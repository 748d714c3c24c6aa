#!/usr/bin/env node
// Runs scripts/bench-latency.ts as a command (npm link / npx): TypeScript through tsx, no build step.
import { register } from 'tsx/esm/api';
register();
await import('../scripts/bench-latency.ts');
