// Stored rows with real evaluations, built from the recorded samples.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRedactor } from '../../../src/capture/redact';
import type { CapturedExchange } from '../../../src/capture/types';
import { Evaluator, type Exchange } from '../../../src/cors/index';
import type { StoredExchange } from '../../../src/store/row';

// By path from the project root (import.meta.url is not a file: URL under happy-dom).
const SAMPLES = join(process.cwd(), 'tests/fixtures/exchange/samples.jsonl');

export function sampleExchanges(): Exchange[] {
  return readFileSync(SAMPLES, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Exchange);
}

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/**
 * Wraps exchanges as stored rows, as capture stores them: redacted with the default list, then evaluated in
 * order by one evaluator (so the preflight cache carries over).
 */
export function storedRows(exchanges: Exchange[], tabId = 1): StoredExchange[] {
  const ev = new Evaluator();
  const redact = makeRedactor();
  return exchanges.map((raw, i) => {
    const x = redact.exchange(raw);
    const time = T0 + i * 10;
    const exchange: CapturedExchange = {
      ...x,
      time,
      capture: {
        tabId,
        frameId: 0,
        documentId: null,
        requestId: 'r',
        resourceType: 'xmlhttprequest',
        netError: null,
        headersLost: false,
        engine: 'chromium',
        ambiguous: false,
        recovered: false,
        missing: null,
      },
    };
    const evaluation = ev.evaluate(exchange);
    const last = [...x.wire].reverse().find((w) => w.response);
    return {
      seq: i + 1,
      tabId,
      time,
      verdict: evaluation.verdict,
      preflight: evaluation.preflight,
      method: x.request.method,
      url: x.request.url,
      initiator: x.initiator,
      status: last?.response?.status ?? null,
      exchange,
      evaluation,
    };
  });
}

export function sampleRows(tabId = 1): StoredExchange[] {
  return storedRows(sampleExchanges(), tabId);
}

/** n rows cycling through the samples, with distinct seqs. */
export function manyRows(n: number): StoredExchange[] {
  const base = sampleRows();
  return Array.from({ length: n }, (_, i) => ({ ...base[i % base.length]!, seq: i + 1 }));
}
