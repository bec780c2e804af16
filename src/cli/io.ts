// Standard streams and file input for the command line.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
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
