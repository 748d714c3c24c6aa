// uvu with loud hooks: a before/after hook that throws prints which hook of which suite and
// the error's stack on stderr (as `HOOK FAILED: …`, which the test runner quotes), then
// rethrows so uvu counts the suite's tests as not passed. Same exports as uvu.
import * as uvu from 'uvu';

const CONSEQUENCE = {
  before: 'no test of the suite ran',
  'before.each': 'the test after it did not run',
  after: 'the suite did not clean up',
  'after.each': 'the next test may see its leftovers',
};

function report(kind, suiteName, err) {
  const what = err instanceof Error ? err.stack ?? err.message : String(err);
  process.stderr.write(`\nHOOK FAILED: the ${kind} hook of suite "${suiteName || '(default)'}" threw; ${CONSEQUENCE[kind]}\n${what}\n`);
}

function guard(t, suiteName) {
  const wrap = (kind, add) => (fn) =>
    add(async (ctx) => {
      try {
        return await fn(ctx);
      } catch (err) {
        report(kind, suiteName, err);
        throw err;
      }
    });
  for (const kind of ['before', 'after']) {
    const orig = t[kind];
    const guarded = wrap(kind, orig);
    guarded.each = wrap(`${kind}.each`, orig.each);
    t[kind] = guarded;
  }
  return t;
}

export const suite = (name, state) => guard(uvu.suite(name, state), name);
export const test = guard(uvu.test, '');
export const exec = uvu.exec;
