import { CliError } from './errors.ts';

/**
 * Reads one line from the terminal in raw mode. With `echo: false` nothing of what is typed
 * appears (not even asterisks, which would give away a PIN's length). Ctrl-C cancels.
 * Refuses with NO_TERMINAL when stdin is not a terminal: a PIN is never read from a pipe.
 */
export function promptLine(question: string, opts: { echo: boolean }): Promise<string> {
  const input = process.stdin;
  const out = process.stderr;
  if (!input.isTTY) return Promise.reject(new CliError('NO_TERMINAL', 'no terminal to ask for the login on: use --key-file'));
  out.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  let value = '';
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      out.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new CliError('CANCELLED', 'login cancelled'));
        if (ch === '\u007f' || ch === '\b') {
          if (value.length > 0) {
            value = value.slice(0, -1);
            if (opts.echo) out.write('\b \b');
          }
          continue;
        }
        if (ch < ' ') continue;
        if (value.length >= 256) continue;
        value += ch;
        if (opts.echo) out.write(ch);
      }
    };
    input.on('data', onData);
  });
}
