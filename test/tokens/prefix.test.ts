import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readQrPrefix } from '../../kiosk/tokens/qr-text.ts';
import { TokenRejection } from '../../kiosk/tokens/reasons.ts';

const reasonOf = (text: string): string => {
  try {
    readQrPrefix(text);
    return 'OK';
  } catch (err) {
    return err instanceof TokenRejection ? err.reason : 'THROWN';
  }
};

// Found by the QR-layer fuzz (insert "0" at position 4): a lenient numeric read took
// "HKMQ01:" for version 1 and let the token through.
test('only the exact prefix HKMQ1: is version 1; a padded version is malformed, another version unsupported', () => {
  assert.is(reasonOf('HKMQ1:ABC'), 'OK');
  assert.is(reasonOf('HKMQ01:ABC'), 'MALFORMED');
  assert.is(reasonOf('HKMQ001:ABC'), 'MALFORMED');
  assert.is(reasonOf('HKMQ0:ABC'), 'MALFORMED');
  assert.is(reasonOf('HKMQ2:ABC'), 'UNSUPPORTED_VERSION');
  assert.is(reasonOf('HKMQ10:ABC'), 'UNSUPPORTED_VERSION');
  assert.is(reasonOf('HKMQ:ABC'), 'MALFORMED');
  assert.is(reasonOf('hkmq1:ABC'), 'MALFORMED');
});

test.run();
