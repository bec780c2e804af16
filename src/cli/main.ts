// The command line: `corscope evaluate`, `har`, `probe`, `check` and `scan`. Node only; the evaluator is the
// extension's.
import { createInterface } from 'node:readline';
import { Messenger, type PendingCause, pendingCause } from '../cors/messenger';
import { plural } from '../report/har-judge';
import { commandArgs, engineOf, UsageError, usageExit } from './args';
import {
  causeFirst,
  countsLine,
  evaluateLines,
  isInputError,
  tally,
  textRow,
  verdictTable,
  withCause,
} from './evaluate';
import { FAIL_ON, type FailOn, HAR_FORMATS, type HarFormat, runHar } from './har';
import { type Io, jsonLine, LineCap, openInput, term, write } from './io';
import { COMMAND_USAGE, EVALUATE_USAGE, HAR_USAGE, USAGE, VERSION } from './usage';

export type { Io } from './io';

/** Whether the arguments ask for help (`--help` or `-h` before any `--`). */
const asksHelp = (args: string[]): boolean => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command) {
    await write(io.stderr, USAGE);
    return 64;
  }
  if (command === '--version' || command === '-v') {
    await write(io.stdout, `${VERSION}\n`);
    return 0;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const of = command === 'help' && rest.length === 1 ? COMMAND_USAGE[rest[0]!] : undefined;
    await write(io.stdout, of ? `Usage:\n${of}` : USAGE);
    return 0;
  }
  const usage = COMMAND_USAGE[command];
  if (usage === undefined) {
    await write(io.stderr, term(`corscope: unknown command "${command}"\n\n${USAGE}`));
    return 64;
  }
  if (asksHelp(rest)) {
    await write(io.stdout, `Usage:\n${usage}`);
    return 0;
  }
  if (command === 'evaluate') return evaluate(rest, io);
  if (command === 'har') return har(rest, io);
  // Loaded on use: the network commands' code is not needed by evaluate and har.
  const net = await import('./net');
  if (command === 'probe') return net.runProbe(rest, io);
  if (command === 'check') return net.runCheck(rest, io);
  return net.runScan(rest, io);
}

async function evaluate(args: string[], io: Io): Promise<number> {
  let file: string;
  let format: string;
  let engine: ReturnType<typeof engineOf>;
  try {
    const { values, positionals } = commandArgs(args, {
      format: { type: 'string', short: 'f' },
      engine: { type: 'string' },
    });
    if (positionals.length > 1) throw new UsageError('one FILE at most');
    format = values.format ?? 'json';
    if (format !== 'json' && format !== 'text') throw new UsageError(`unknown format "${format}"`);
    engine = engineOf(values.engine);
    file = positionals[0] ?? '-';
  } catch (e) {
    return usageExit(e, 'evaluate', EVALUATE_USAGE, io);
  }
  const input = await openInput(file, io);
  if (input instanceof Error) {
    await write(io.stderr, term(`corscope evaluate: cannot read ${file}: ${input.message}\n`));
    return 66;
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let failed = 0;
  const table: ReturnType<typeof textRow>[] = [];
  // When CORS is only the messenger: the calls' evidence, for each failed call's cause. JSON Lines go out as
  // they come, with what the lines before showed; the table waits for all of them.
  const messenger = new Messenger('in this file', format === 'json');
  const pending: { at: number; cause: PendingCause }[] = [];
  // 2 MB of binary is thousands of bad lines: the first of each kind are printed, the rest counted.
  const cap = new LineCap();
  for await (const item of evaluateLines(lines, engine)) {
    if (isInputError(item.row)) {
      failed++;
      if (cap.take(item.row.field))
        await write(io.stderr, `${term(`corscope evaluate: line ${item.row.line}: ${item.row.error}`)}\n`);
    }
    const ex = item.exchange;
    if (ex) messenger.see(ex);
    if (format === 'json') {
      const row =
        ex && !isInputError(item.row) ? withCause(item.row, messenger.causeOf(ex, item.row)) : item.row;
      await write(io.stdout, `${jsonLine(row)}\n`);
    } else {
      table.push(textRow(item));
      const cause = ex && !isInputError(item.row) ? pendingCause(ex, item.row) : null;
      if (cause) pending.push({ at: table.length - 1, cause });
    }
  }
  for (const { at, cause } of pending)
    table[at]!.reason = causeFirst(messenger.explain(cause), table[at]!.reason);
  for (const line of cap.summary()) await write(io.stderr, `${term(`corscope evaluate: ${line}`)}\n`);
  if (format === 'text' && !table.length) await write(io.stdout, 'No exchanges in the input.\n');
  else if (format === 'text') {
    await write(io.stdout, `${verdictTable(table)}\n`);
    const counts = new Map<string, number>();
    for (const r of table) tally(counts, r.verdict);
    await write(io.stdout, `\n${plural(table.length, 'call')}: ${countsLine(counts)}\n`);
  }
  return failed > 0 ? 1 : 0;
}

async function har(args: string[], io: Io): Promise<number> {
  let run: Parameters<typeof runHar>;
  try {
    const { values, positionals } = commandArgs(args, {
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      engine: { type: 'string' },
      all: { type: 'boolean' },
    });
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? 'one FILE at most' : 'a FILE is needed');
    const format = values.format ?? 'table';
    if (!(HAR_FORMATS as readonly string[]).includes(format))
      throw new UsageError(`unknown format "${format}"`);
    const failOn = values['fail-on'] ?? 'blocked';
    if (!(FAIL_ON as readonly string[]).includes(failOn))
      throw new UsageError(`--fail-on must be blocked or warning, not "${failOn}"`);
    const engine = values.engine === undefined ? null : engineOf(values.engine);
    run = [positionals[0]!, format as HarFormat, failOn as FailOn, io, engine, { all: values.all ?? false }];
  } catch (e) {
    return usageExit(e, 'har', HAR_USAGE, io);
  }
  return runHar(...run);
}
