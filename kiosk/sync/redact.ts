/**
 * `sync.url` may carry the broker password (`mqtts://gate:secret@broker:8883`). Whatever
 * leaves the process — log lines, the CLI's `config show`, status, error messages — carries
 * the URL with the password replaced, and any text that might quote the URL (a library's
 * error message) is scrubbed of the password before it is logged.
 */
export const REDACTED = '***';

/** The URL with its password (and a password-like query parameter) replaced by `***`. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // not parseable: cut anything between "//user:" and "@" the crude way
    return url.replace(/(\/\/[^/:@]*:)[^@/]*@/, `$1${REDACTED}@`);
  }
  if (u.password) u.password = REDACTED;
  for (const k of [...u.searchParams.keys()]) if (/pass|secret|token/i.test(k)) u.searchParams.set(k, REDACTED);
  return u.toString();
}

/** Removes the URL's password from free text (error messages of the MQTT library). */
export function scrubSecret(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    password = /\/\/[^/:@]*:([^@/]*)@/.exec(url)?.[1] ?? '';
  }
  let out = text.split(url).join(redactUrl(url));
  if (password.length > 0) out = out.split(password).join(REDACTED);
  const raw = /\/\/[^/:@]*:([^@/]*)@/.exec(url)?.[1];
  if (raw) out = out.split(raw).join(REDACTED);
  return out;
}
