// Line breaks and other control characters, and the invisible direction
// overrides: each could fake a log line or hide part of one.
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `line` with every character that could forge or hide a log line written as
 * an escape (`\n`, `\u001b`...). For log lines that carry values read from
 * stored data (job data is not trusted) or thrown by listeners.
 */
export function logSafe(line: string): string {
  return line.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
