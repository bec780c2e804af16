// Standard streams and file input for the command line.
import { createReadStream } from 'node:fs';

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
  const stream = createReadStream(file);
  const opened = await new Promise<Error | null>((resolve) => {
    stream.once('open', () => resolve(null));
    stream.once('error', resolve);
  });
  return opened ?? stream;
}
