// The command line: `corscope evaluate` (and `corscope har`). Node only; the evaluator is the extension's.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { evaluateLines, formatTable, isInputError, textRow } from './evaluate';

export const USAGE = `Usage:
  corscope evaluate [FILE|-] [--format json|text]
      Reads exchanges as JSON Lines (../shared/exchange/README.md) and writes one verdict per line,
      in the same order. "-" or no FILE reads standard input.
      --format text prints a table: id, method, URL, verdict, reason.
      Exit status: 0 when every line was evaluated, 1 when a line could not be read, 64 on bad usage.
`;

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

interface Options {
  positional: string[];
  format: string;
}

function parseArgs(args: string[]): Options | string {
  const positional: string[] = [];
  let format = 'json';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--format' || a === '-f') {
      const v = args[++i];
      if (v === undefined) return '--format needs a value';
      format = v;
    } else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    else positional.push(a);
  }
  return { positional, format };
}

function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(text)) resolve();
    else out.once('drain', resolve);
  });
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    await write(command ? io.stdout : io.stderr, USAGE);
    return command ? 0 : 64;
  }
  if (command !== 'evaluate') {
    await write(io.stderr, `corscope: unknown command "${command}"\n\n${USAGE}`);
    return 64;
  }
  const opts = parseArgs(rest);
  if (typeof opts === 'string' || opts.positional.length > 1 || !['json', 'text'].includes(opts.format)) {
    const why =
      typeof opts === 'string'
        ? opts
        : opts.positional.length > 1
          ? 'one FILE at most'
          : `unknown format "${opts.format}"`;
    await write(io.stderr, `corscope evaluate: ${why}\n\n${USAGE}`);
    return 64;
  }
  const file = opts.positional[0] ?? '-';
  let input: NodeJS.ReadableStream;
  if (file === '-') input = io.stdin;
  else {
    const stream = createReadStream(file);
    const opened = await new Promise<Error | null>((resolve) => {
      stream.once('open', () => resolve(null));
      stream.once('error', resolve);
    });
    if (opened) {
      await write(io.stderr, `corscope evaluate: cannot read ${file}: ${opened.message}\n`);
      return 66;
    }
    input = stream;
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let failed = 0;
  const table: ReturnType<typeof textRow>[] = [];
  for await (const item of evaluateLines(lines)) {
    if (isInputError(item.row)) {
      failed++;
      await write(io.stderr, `corscope evaluate: line ${item.row.line}: ${item.row.error}\n`);
    }
    if (opts.format === 'json') await write(io.stdout, `${JSON.stringify(item.row)}\n`);
    else table.push(textRow(item));
  }
  if (opts.format === 'text') {
    const rows = table.map((r) => [r.id, r.method, r.url, r.verdict, r.reason]);
    await write(
      io.stdout,
      `${formatTable(['ID', 'METHOD', 'URL', 'VERDICT', 'REASON'], rows, [24, 8, 64, 14])}\n`,
    );
    const counts = new Map<string, number>();
    for (const r of table) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
    await write(
      io.stdout,
      `\n${table.length} calls: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}\n`,
    );
  }
  return failed > 0 ? 1 : 0;
}
