// A HAR file → rows the panel shows as it shows live traffic: each call rebuilt by the streaming importer
// (src/report), put in its class, and each CORS call evaluated in file order by one evaluator, so the
// preflight cache carries over. The other classes are counted, as `corscope har` counts them.
import type { RedactionPolicy } from '../capture/redact';
import type { CapturedExchange } from '../capture/types';
import { type ClassCounts, countCall, countsLine, emptyCounts, HarJudge, plural } from '../report/har-judge';
import { HarImport, type HarIssue, harEngine } from '../report/index';
import { type StoredExchange, toRow } from '../store/row';

/** The tab id of imported rows: no browser tab. */
export const IMPORTED_TAB = -1;

export interface HarImportResult {
  /** seq 1..N in call order. */
  rows: StoredExchange[];
  /** What kept the file from being read whole, and the entries skipped (notes left out). */
  errors: HarIssue[];
  /** The file's calls by class: only the CORS calls are rows. */
  counts: ClassCounts;
}

/**
 * Reads a HAR (chunks of text, or bytes: UTF-8, or UTF-16 with its byte order mark) into evaluated rows. Never
 * rejects: failures are errors.
 */
export async function importHar(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  /** The settings' redaction list: an imported call is redacted as a captured one is. */
  redact?: RedactionPolicy,
): Promise<HarImportResult> {
  const imp = new HarImport(redact ? { redact } : {});
  // A HAR Firefox wrote is judged by its rules (known once the HAR's creator has been read).
  const judge = new HarJudge(() => harEngine(imp.meta) ?? 'chromium');
  const rows: StoredExchange[] = [];
  const counts = emptyCounts();
  try {
    for await (const call of imp.calls(chunks)) {
      const j = judge.judge(call);
      countCall(counts, j);
      if (!j.verdict) continue;
      const { exchange } = call;
      const ex: CapturedExchange = {
        ...exchange,
        time: exchange.time ?? 0,
        capture: {
          tabId: IMPORTED_TAB,
          frameId: 0,
          documentId: null,
          requestId: exchange.id,
          resourceType: 'xmlhttprequest',
          engine: j.verdict.engine,
          ambiguous: false,
          recovered: false,
          missing: null,
          headersLost: false,
          netError: null,
        },
      };
      rows.push({ ...toRow(ex, j.verdict), seq: rows.length + 1 });
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
  return { rows, errors: imp.issues.filter((i) => i.level !== 'note'), counts };
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

/** What an import holds, by class: "312 HAR entries, 297 calls: 41 CORS calls (3 blocked), ...". */
export function importSummary(result: HarImportResult): string {
  return countsLine(result.counts);
}

/** The message for an import with errors or no CORS calls; null when it went well. */
export function importProblem(name: string, { rows, errors, counts }: HarImportResult): string | null {
  const first = errors.find((i) => i.level === 'fatal') ?? errors[0];
  if (!first)
    return rows.length
      ? null
      : counts.calls
        ? `${name}: no CORS calls in this file (${countsLine(counts)}).`
        : `${name}: no calls in this file.`;
  const where = first.entry !== null && first.level !== 'fatal' ? `entry ${first.entry}: ` : '';
  const more =
    errors.length > 1 ? ` (${errors.length - 1} more ${errors.length > 2 ? 'problems' : 'problem'})` : '';
  const read = rows.length ? `${plural(rows.length, 'call')} could be read` : 'No call could be read';
  return `${name}: ${where}${first.message}${more}. ${read}.`;
}
