// A HAR file → rows the panel shows as it shows live traffic: each call rebuilt by the streaming importer
// (src/report) and evaluated in file order by one evaluator, so the preflight cache carries over.
import { toRow } from '../capture/controller';
import type { RedactionPolicy } from '../capture/redact';
import type { CapturedExchange, StoredExchange } from '../capture/types';
import { Evaluator } from '../cors/index';
import { HarImport, type HarIssue, harEngine } from '../report/index';

/** The tab id of imported rows: no browser tab. */
export const IMPORTED_TAB = -1;

export interface HarImportResult {
  /** seq 1..N in call order. */
  rows: StoredExchange[];
  /** What kept the file from being read whole, and the entries skipped (notes left out). */
  errors: HarIssue[];
}

/** Reads a HAR (chunks of text or UTF-8 bytes) into evaluated rows. Never rejects: failures are errors. */
export async function importHar(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  /** The settings' redaction list: an imported call is redacted as a captured one is. */
  redact?: RedactionPolicy,
): Promise<HarImportResult> {
  const imp = new HarImport(redact ? { redact } : {});
  // Made at the first call, once the HAR's creator is known: a HAR Firefox wrote is judged by its rules.
  let ev: Evaluator | null = null;
  const rows: StoredExchange[] = [];
  try {
    for await (const { exchange } of imp.calls(chunks)) {
      ev ??= new Evaluator({ engine: harEngine(imp.meta) ?? 'chromium' });
      const ex: CapturedExchange = {
        ...exchange,
        time: exchange.time ?? 0,
        capture: {
          tabId: IMPORTED_TAB,
          frameId: 0,
          documentId: null,
          requestId: exchange.id,
          resourceType: 'xmlhttprequest',
          engine: ev.engine,
          ambiguous: false,
          recovered: false,
          missing: null,
          headersLost: false,
          netError: null,
        },
      };
      rows.push({ ...toRow(ex, ev.evaluate(ex)), seq: rows.length + 1 });
    }
  } catch (e) {
    // A read error of the file itself (the importer reports bad content as issues).
    imp.issues.push({
      entry: null,
      field: null,
      message: `cannot read the file: ${e instanceof Error ? e.message : String(e)}`,
      level: 'fatal',
    });
  }
  return { rows, errors: imp.issues.filter((i) => i.level !== 'note') };
}

/** A file's bytes as a stream of chunks (ReadableStream is not async-iterable in every browser). */
export async function* fileChunks(file: Blob): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the read when the importer gives up early (not JSON, not HAR).
    await reader.cancel().catch(() => {});
  }
}

const calls = (n: number) => `${n} ${n === 1 ? 'call' : 'calls'}`;

/** The message for an import with errors or no calls; null when it went well. */
export function importProblem(name: string, { rows, errors }: HarImportResult): string | null {
  const first = errors.find((i) => i.level === 'fatal') ?? errors[0];
  if (!first) return rows.length ? null : `${name}: no calls in this file.`;
  const where = first.entry !== null && first.level !== 'fatal' ? `entry ${first.entry}: ` : '';
  const more =
    errors.length > 1 ? ` (${errors.length - 1} more ${errors.length > 2 ? 'problems' : 'problem'})` : '';
  const read = rows.length ? `${calls(rows.length)} could be read` : 'No call could be read';
  return `${name}: ${where}${first.message}${more}. ${read}.`;
}
