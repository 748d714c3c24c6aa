import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkShare, TOOLS } from './tools-sandbox.ts';

// Issue 12 item 7 (share 4 of 5 of the tools; see tools-sandbox.ts for what is checked).
test(`tools share 4/5 of ${TOOLS.length} answer --help with a usage line and no side effect; an unknown option is one line`, async () => {
  const failing = await checkShare(3, 5);
  assert.equal(failing, [], `\n${failing.join('\n')}`);
});

test.run();
