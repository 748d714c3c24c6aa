#!/usr/bin/env node
// Runs scripts/token-tool.ts as a command (npm link / npx): TypeScript through tsx, no build step.
import { register } from 'tsx/esm/api';
register();
await import('../scripts/token-tool.ts');
