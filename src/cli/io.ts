// Standard streams and file input for the command line.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { escapeChar, UNSAFE_FOR_DISPLAY } from '../report/inert';

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The environment (proxy settings); process.env when absent. */
  env?: Record<string, string | undefined>;
}

/** Writes, waiting for the stream to drain when its buffer is full (memory stays bounded). */
export function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(text)) resolve();
    else out.once('drain', resolve);
  });
}

/** Opens FILE ("-": standard input); an Error when it cannot be read. */
export async function openInput(file: string, io: Io): Promise<NodeJS.ReadableStream | Error> {
  if (file === '-') return io.stdin;
  // A directory opens on Linux and fails at the first read (EISDIR): said plainly, before anything is read.
  const kind = await stat(file).catch(() => null);
  if (kind?.isDirectory()) return new Error('is a directory');
  const stream = createReadStream(file);
  const opened = await new Promise<Error | null>((resolve) => {
    stream.once('open', () => resolve(null));
    stream.once('error', resolve);
  });
  return opened ?? stream;
}

/** Text for a terminal: every control character but the line breaks written as a visible escape (`\x1b`). */
export function term(text: string): string {
  return text.replace(UNSAFE_FOR_DISPLAY, (c) => (c === '\n' ? c : escapeChar(c)));
}

/**
 * JSON on one line with the characters JSON.stringify leaves raw and a terminal acts on (DEL, the C1
 * controls, among them an 8-bit CSI, and the bidirectional controls) escaped as \u00XX: still the same JSON.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    UNSAFE_FOR_DISPLAY,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Caps repeated error lines: the first `perKind` lines of each kind (and `total` in all) are printed, the
 * rest counted; `summary()` says how many of each were held back.
 */
export class LineCap {
  private readonly shown = new Map<string, number>();
  private readonly held = new Map<string, number>();
  private printed = 0;

  constructor(
    private readonly perKind = 10,
    private readonly total = 50,
  ) {}

  /** Whether a line of this kind is printed; if not, it is counted. */
  take(kind: string): boolean {
    const n = this.shown.get(kind) ?? 0;
    if (n < this.perKind && this.printed < this.total) {
      this.shown.set(kind, n + 1);
      this.printed++;
      return true;
    }
    this.held.set(kind, (this.held.get(kind) ?? 0) + 1);
    return false;
  }

  /** One line per kind held back: `N more "KIND" errors not shown`. */
  summary(): string[] {
    return [...this.held].map(
      ([kind, n]) =>
        `${n.toLocaleString('en-US')} more ${JSON.stringify(kind)} ${n === 1 ? 'error' : 'errors'} not shown`,
    );
  }
}
