#!/usr/bin/env node
// The technician CLI (kiosk/cli/program.ts) as a command: TypeScript through tsx, no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../kiosk/cli/program.ts');
await main();
