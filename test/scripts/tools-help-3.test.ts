import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkShare, TOOLS } from './tools-sandbox.ts';

// Issue 12 item 7 (share 3 of 5 of the tools; see tools-sandbox.ts for what is checked).
test(`tools share 3/5 of ${TOOLS.length} answer --help with a usage line and no side effect; an unknown option is one line`, async () => {
  const failing = await checkShare(2, 5);
  assert.equal(failing, [], `\n${failing.join('\n')}`);
});

test.run();
