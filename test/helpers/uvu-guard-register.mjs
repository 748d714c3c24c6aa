// Preloaded by scripts/run-tests.ts (`--import`): test files that import 'uvu' get
// uvu-guard.mjs instead, which prints the error of a throwing before/after hook. uvu itself
// swallows it (its runner returns from a `finally`), so a file reported `0 / 18` and nothing else.
import { register } from 'node:module';

register('./uvu-guard-hooks.mjs', import.meta.url);
