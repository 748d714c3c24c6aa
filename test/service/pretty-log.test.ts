import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPrettyLogger, logFormat, prettyLine } from '../../kiosk/service/pretty-log.ts';

// Issue 12 item 12: logs on a terminal are readable lines; JSON stays for journald and pipes.
/** A terminal stand-in: what the logger writes, line by line, synchronously. */
function sink(): { out: NodeJS.WritableStream; lines: string[] } {
  const lines: string[] = [];
  const out = { write: (s: string) => (lines.push(...s.split('\n').filter(Boolean)), true) } as unknown as NodeJS.WritableStream;
  return { out, lines };
}

test('a pino line becomes time, level, part, message and the other fields', () => {
  const t = Date.UTC(2026, 11, 2, 12, 0, 3, 123);
  const line = JSON.stringify({ level: 40, time: t, app: 'egate', part: 'door', code: 'DOOR_TIMEOUT', retries: 2, msg: 'door command failed; will re-assert' });
  assert.is(prettyLine(line), '12:00:03.123 WARN  door: door command failed; will re-assert  code=DOOR_TIMEOUT retries=2');
  assert.is(prettyLine(JSON.stringify({ level: 30, time: t, msg: 'service ready', display: 'http://127.0.0.1:8080/', note: 'two words' })), '12:00:03.123 INFO  service ready  display=http://127.0.0.1:8080/ note="two words"');
  assert.is(prettyLine(line, true).includes('\x1b[33mWARN \x1b[0m'), true, 'warnings are yellow on a colour terminal');
  assert.is(prettyLine('not json'), 'not json');
});

test('the readable logger keeps the redaction of traveller data', () => {
  const { out, lines } = sink();
  const log = createPrettyLogger({ out, level: 'info' }).child({ part: 'tokens' });
  log.info({ token: 'HKMQ01:SECRET', sub: 'R1234567' }, 'token read');
  assert.is(lines.length, 1);
  assert.match(lines[0]!, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}tokens: token read {2}token=\[redacted\] sub=\[redacted\]$/);
  assert.not.match(lines[0]!, /SECRET|R1234567/);
});

test('format: journald under systemd, readable on a terminal, JSON in a pipe; EGATE_LOG_FORMAT overrides', () => {
  assert.is(logFormat({ JOURNAL_STREAM: '8:123' }, false), 'journald');
  assert.is(logFormat({}, true), 'pretty');
  assert.is(logFormat({}, false), 'json');
  assert.is(logFormat({ EGATE_LOG_FORMAT: 'json' }, true), 'json');
  assert.is(logFormat({ EGATE_LOG_FORMAT: 'pretty', JOURNAL_STREAM: '8:1' }, false), 'pretty');
});

test.run();
