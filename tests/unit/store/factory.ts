// Typed factories for stored rows: real exchanges with verdicts from the real evaluator.
import type { CapturedExchange, CaptureInfo } from '../../../src/capture/types';
import { Evaluator } from '../../../src/cors/index';
import type { StoredExchange } from '../../../src/store/row';
import { API, PAGE, response, simpleCall } from '../../factories';

/** Which kind of call to build; the evaluator decides the verdict. */
export type FakeCall = 'allowed' | 'blocked' | 'network-error';

export interface FakeRowOverrides extends Partial<Omit<StoredExchange, 'exchange' | 'evaluation'>> {
  /** Default 'allowed': 200 with a matching Access-Control-Allow-Origin. */
  call?: FakeCall;
  /** Overrides of the exchange's id, request, wire…; `capture` fields merge. */
  exchange?: Partial<Omit<CapturedExchange, 'capture'>> & { capture?: Partial<CaptureInfo> };
}

let clock = 1_700_000_000_000;
let n = 0;

/** A stored row as capture builds it: an exchange, its evaluation, and the indexed fields. */
export function fakeStoredExchange(overrides: FakeRowOverrides = {}): StoredExchange {
  const { call = 'allowed', exchange: exOverrides = {}, ...rowOverrides } = overrides;
  n++;
  const tabId = rowOverrides.tabId ?? 1;
  const time = rowOverrides.time ?? clock++;
  const base = simpleCall({
    url: `${API}/row/${n}`,
    res:
      call === 'network-error'
        ? null
        : response(200, call === 'allowed' ? [['Access-Control-Allow-Origin', PAGE]] : []),
  });
  const { capture: captureOverrides, ...exRest } = exOverrides;
  const exchange: CapturedExchange = {
    ...base,
    id: `row${n}`,
    outcome: call === 'allowed' ? 'success' : 'error',
    time,
    ...exRest,
    capture: {
      tabId,
      frameId: 0,
      documentId: 'D1',
      requestId: `${1000 + n}`,
      resourceType: 'xmlhttprequest',
      engine: 'chromium',
      ambiguous: false,
      recovered: false,
      missing: null,
      headersLost: false,
      netError: call === 'allowed' ? null : 'net::ERR_FAILED',
      ...captureOverrides,
    },
  };
  const evaluation = new Evaluator().evaluate(exchange);
  let status: number | null = null;
  for (const w of exchange.wire) if (w.response) status = w.response.status;
  return {
    tabId,
    time,
    verdict: evaluation.verdict,
    preflight: evaluation.preflight,
    method: exchange.request.method,
    url: exchange.request.url,
    initiator: exchange.initiator,
    status,
    exchange,
    evaluation,
    ...rowOverrides,
  };
}

/** `count` rows for one tab, ids in order. */
export function fakeRows(count: number, overrides: FakeRowOverrides = {}): StoredExchange[] {
  return Array.from({ length: count }, () => fakeStoredExchange(overrides));
}
