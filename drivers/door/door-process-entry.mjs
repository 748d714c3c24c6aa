// The door process starts here: it registers tsx relative to this file (not to the gate's
// working directory), then loads the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./door-process.ts');
