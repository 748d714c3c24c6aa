// Worker threads do not get tsx's loader for their entry file on Node 20 even with
// `--import tsx` in execArgv, so the worker starts here, registers tsx, then loads the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
