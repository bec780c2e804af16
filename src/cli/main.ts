// The command line: `corscope evaluate`, `har`, `probe`, `check` and `scan`. Node only; the evaluator is the
// extension's.
import { createInterface } from 'node:readline';
import type { Engine } from '../cors/types';
import { countsLine, evaluateLines, isInputError, tally, textRow, verdictTable } from './evaluate';
import { FAIL_ON, type FailOn, HAR_FORMATS, type HarFormat, runHar } from './har';
import { type Io, jsonLine, LineCap, openInput, term, write } from './io';
import { CHECK_USAGE, PROBE_USAGE, SCAN_USAGE } from './usage';

export type { Io } from './io';

export const USAGE = `Usage:
  corscope evaluate [FILE|-] [--format json|text] [--engine chromium|firefox]
      Reads exchanges as JSON Lines (tests/fixtures/exchange/FORMAT.md) and writes one verdict per line,
      in the same order. "-" or no FILE reads standard input.
      --format text prints a table: id, method, URL, verdict, reason.
      --engine firefox judges by Firefox ESR 153's rules and words (its console line, reason key, 24 h
      preflight cache); the default, chromium, by Chromium 156's.
      Exit status: 0 when every line was evaluated, 1 when a line could not be read, 64 on bad usage.
  corscope har FILE|- [--format table|json|jsonl|markdown] [--fail-on blocked|warning] [--all]
                      [--engine chromium|firefox]
      Reads a HAR file (from Chrome DevTools, chrome-har, WebPagetest, Firefox, Safari, Playwright, Charles,
      Fiddler, mitmproxy, HTTP Toolkit or CORScope) as a stream, rebuilds each call with its preflights and
      redirect hops, and puts it in one class: a CORS call (judged allowed or blocked), same-origin, not
      governed by CORS (a navigation, a no-cors load, a WebSocket, a data: URL, a service worker's answer),
      or cannot tell (the recording does not say; the reason names what is missing).
      --format table (the default): the counts by class, then id, method, URL, verdict, reason of each CORS
      call (--all: every call, with its class and reason). jsonl: one line per call with its class, the
      verdict of a CORS call, its method, url and HAR entry indexes. json: {"calls": [...], "entries": N,
      "counts": {...}, "errors": [...]}. markdown: a report with the counts by class, counts by verdict and
      reason, then each blocked call's console line and fix (--all: and every call not judged).
      Input errors (not JSON, not HAR, truncated, entries missing fields) are printed to standard error
      with the entry's index; the calls that could be read are still evaluated and printed.
      --fail-on warning fails on risky policies (warnings) too, not only on blocked calls.
      --engine as for evaluate; without it, Firefox's rules for a HAR that Firefox wrote (its log.creator
      or log.browser names Firefox), else Chromium's.
      Exit status: 2 when a CORS call is blocked (with --fail-on warning: or has a warning), else 1 when the
      input had errors, else 0; 66 when FILE cannot be read, 64 on bad usage. Calls of the other classes,
      "cannot tell" included, never fail it.
${PROBE_USAGE}${CHECK_USAGE}${SCAN_USAGE}`;

interface Options {
  positional: string[];
  all: boolean;
  format: string | null;
  failOn: string | null;
  engine: string | null;
}

export const ENGINES: readonly Engine[] = ['chromium', 'firefox'];

const isEngine = (v: string): v is Engine => (ENGINES as readonly string[]).includes(v);

/** The usage error for --engine, or null when it names an engine (or is absent). */
function engineError(engine: string | null): string | null {
  return engine === null || isEngine(engine)
    ? null
    : `unknown engine "${engine}" (--engine takes ${ENGINES.join(' or ')})`;
}

function parseArgs(args: string[], allowed: string[], flags: string[] = []): Options | string {
  const positional: string[] = [];
  const values: Record<string, string> = {};
  let all = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a === '-f' ? '--format' : a.split('=', 1)[0]!;
    if (flags.includes(a)) all = true;
    else if (allowed.includes(name)) {
      const v = a.includes('=') ? a.slice(name.length + 1) : args[++i];
      if (v === undefined) return `${name} needs a value`;
      values[name] = v;
    } else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    else positional.push(a);
  }
  return {
    positional,
    all,
    format: values['--format'] ?? null,
    failOn: values['--fail-on'] ?? null,
    engine: values['--engine'] ?? null,
  };
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    await write(command ? io.stdout : io.stderr, USAGE);
    return command ? 0 : 64;
  }
  if (command === 'har') return har(rest, io);
  // Loaded on use: the network commands' code is not needed by evaluate and har.
  if (command === 'probe') return (await import('./probe')).runProbe(rest, io);
  if (command === 'check') return (await import('./check')).runCheck(rest, io);
  if (command === 'scan') return (await import('./scan')).runScan(rest, io);
  if (command !== 'evaluate') {
    await write(io.stderr, term(`corscope: unknown command "${command}"\n\n${USAGE}`));
    return 64;
  }
  const opts = parseArgs(rest, ['--format', '--engine']);
  const format = typeof opts === 'string' ? null : (opts.format ?? 'json');
  const why =
    typeof opts === 'string'
      ? opts
      : opts.positional.length > 1
        ? 'one FILE at most'
        : !['json', 'text'].includes(format!)
          ? `unknown format "${format}"`
          : engineError(opts.engine);
  if (why !== null || typeof opts === 'string') {
    await write(io.stderr, term(`corscope evaluate: ${why}\n\n${USAGE}`));
    return 64;
  }
  const engine = (opts.engine ?? 'chromium') as Engine;
  const file = opts.positional[0] ?? '-';
  const input = await openInput(file, io);
  if (input instanceof Error) {
    await write(io.stderr, term(`corscope evaluate: cannot read ${file}: ${input.message}\n`));
    return 66;
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let failed = 0;
  const table: ReturnType<typeof textRow>[] = [];
  // 2 MB of binary is thousands of bad lines: the first of each kind are printed, the rest counted.
  const cap = new LineCap();
  for await (const item of evaluateLines(lines, engine)) {
    if (isInputError(item.row)) {
      failed++;
      if (cap.take(item.row.field))
        await write(io.stderr, `${term(`corscope evaluate: line ${item.row.line}: ${item.row.error}`)}\n`);
    }
    if (format === 'json') await write(io.stdout, `${jsonLine(item.row)}\n`);
    else table.push(textRow(item));
  }
  for (const line of cap.summary()) await write(io.stderr, `${term(`corscope evaluate: ${line}`)}\n`);
  if (format === 'text') {
    await write(io.stdout, `${verdictTable(table)}\n`);
    const counts = new Map<string, number>();
    for (const r of table) tally(counts, r.verdict);
    await write(io.stdout, `\n${table.length} calls: ${countsLine(counts)}\n`);
  }
  return failed > 0 ? 1 : 0;
}

async function har(args: string[], io: Io): Promise<number> {
  const opts = parseArgs(args, ['--format', '--fail-on', '--engine'], ['--all']);
  let why: string | null = null;
  if (typeof opts === 'string') why = opts;
  else if (opts.positional.length !== 1)
    why = opts.positional.length ? 'one FILE at most' : 'a FILE is needed';
  else if (opts.format && !(HAR_FORMATS as readonly string[]).includes(opts.format))
    why = `unknown format "${opts.format}"`;
  else if (opts.failOn && !(FAIL_ON as readonly string[]).includes(opts.failOn))
    why = `--fail-on must be blocked or warning, not "${opts.failOn}"`;
  else why = engineError(opts.engine);
  if (why !== null || typeof opts === 'string') {
    await write(io.stderr, term(`corscope har: ${why}\n\n${USAGE}`));
    return 64;
  }
  return runHar(
    opts.positional[0]!,
    (opts.format ?? 'table') as HarFormat,
    (opts.failOn ?? 'blocked') as FailOn,
    io,
    opts.engine as Engine | null,
    { all: opts.all },
  );
}
