// `corscope evaluate [FILE|-]`: exchanges in (JSON Lines), verdicts out, same order, same ids.
import { Evaluator } from '../cors/evaluate';
import { summaryBody } from '../cors/sentence';
import type { Cause, Engine, Exchange, Reading, Verdict } from '../cors/types';
import { parseExchange } from '../cors/validate';
import { formatTable, tableLines } from './table';

export interface InputError {
  line: number;
  id?: string;
  error: string;
  field: string;
}

export type Row = Verdict | InputError;

export const isInputError = (r: Row): r is InputError => 'error' in r && 'line' in r && 'field' in r;

export interface Evaluated {
  row: Row;
  method: string;
  url: string;
  /** The exchange evaluated (absent for an input error). */
  exchange?: Exchange;
}

/** Evaluates JSON Lines read line by line; a bad line becomes an error row, the others are still evaluated. */
export async function* evaluateLines(
  lines: AsyncIterable<string>,
  engine: Engine = 'chromium',
): AsyncGenerator<Evaluated> {
  const ev = new Evaluator({ engine });
  let n = 0;
  for await (const raw of lines) {
    n++;
    // A byte order mark opens some files written on Windows; JSON.parse would refuse it (har accepts it too).
    const line = n === 1 && raw.startsWith('\ufeff') ? raw.slice(1) : raw;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      yield {
        row: { line: n, error: `not JSON: ${(e as Error).message}`, field: '(line)' },
        method: '',
        url: '',
      };
      continue;
    }
    const parsed = parseExchange(value);
    if ('exchange' in parsed) {
      const { request } = parsed.exchange;
      yield {
        row: ev.evaluate(parsed.exchange),
        method: request.method,
        url: request.url,
        exchange: parsed.exchange,
      };
    } else {
      const row: InputError = {
        line: n,
        ...(parsed.id !== undefined ? { id: parsed.id } : {}),
        error: `${parsed.field}: ${parsed.message}`,
        field: parsed.field,
      };
      yield { row, method: '', url: '' };
    }
  }
}

export interface TextRow {
  id: string;
  method: string;
  url: string;
  verdict: string;
  reason: string;
}

/** A failed reading's short reason, in parentheses: both readings may be blocked, for different reasons. */
function failureOf(r: Reading): string {
  return r.verdict === 'blocked' || r.verdict === 'network-error'
    ? ` (${summaryBody(r).replace(/\.$/, '')})`
    : '';
}

/** The few words the text table shows for a verdict, with both readings when it depends on what was not recorded. */
export function reasonOf(v: Verdict): string {
  const own =
    v.verdict === 'blocked' || v.verdict === 'network-error' || v.verdict === 'cannot-tell'
      ? summaryBody(v)
      : v.verdict === 'allowed' && v.preflight !== 'none'
        ? `preflight ${v.preflight}`
        : '';
  const readings = v.dependsOn
    ? ` Depends on the ${v.dependsOn.input} mode, not recorded: ${Object.values(v.dependsOn.readings)
        .map((r) => `${r.when}, ${r.verdict}${failureOf(r)}`)
        .join('; ')}.`
    : '';
  return `${own}${readings}`.trim();
}

/** A table's reason with what really failed first: the CORS part second, or not at all when it is not CORS. */
export function causeFirst(cause: Cause, reason: string): string {
  return cause.kind === 'not-cors' ? cause.summary : `${cause.summary} CORS part: ${reason}`;
}

/** The verdict with what really failed, when CORS only reported it (src/cors/messenger.ts). */
export function withCause(v: Verdict, cause: Cause | null): Verdict {
  return cause ? { ...v, cause } : v;
}

export function textRow({ row: v, method, url }: Evaluated): TextRow {
  if (isInputError(v)) {
    return {
      id: v.id ?? `line ${v.line}`,
      method: '',
      url: '',
      verdict: 'input-error',
      reason: `line ${v.line}: ${v.error}`,
    };
  }
  return { id: v.id, method, url, verdict: v.verdict, reason: reasonOf(v) };
}

const COLUMNS = ['ID', 'METHOD', 'URL', 'VERDICT', 'REASON'];
const MAX_WIDTHS = [24, 8, 64, 20];

/** The verdict table both commands print, line by line: id, method, URL, verdict, reason. */
export function verdictTableLines(rows: readonly TextRow[]): Generator<string> {
  return tableLines(
    COLUMNS,
    rows.map((r) => [r.id, r.method, r.url, r.verdict, r.reason]),
    MAX_WIDTHS,
  );
}

export function verdictTable(rows: readonly TextRow[]): string {
  return [...verdictTableLines(rows)].join('\n');
}

/** Counts verdicts in the order they first appear. */
export function tally(counts: Map<string, number>, verdict: string): void {
  counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
}

/** "31 allowed, 31 blocked, 1 opaque". */
export function countsLine(counts: Map<string, number>): string {
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

export { formatTable };
