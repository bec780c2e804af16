// A recorded call as a page would make it again: the headers its script set and its credentials mode, read from
// what the recording holds. Used to replay a recording (corscope check) and to copy a call as a probe command.
import { type CredentialsMode, Evaluator, type Exchange, type Header, type Verdict } from '../cors';
import { browserAddedHeaderName } from '../cors/safelist';

export interface RecordedCall {
  exchange: Exchange;
  /** The verdict on the call as recorded. */
  recorded: Verdict;
}

const hasCookie = (ex: Exchange) =>
  ex.wire.some((w) => (w.request.headers ?? []).some(([n]) => n.toLowerCase() === 'cookie'));

/**
 * The credentials mode of a recorded call: as recorded, else the mode under which the call's verdict is the one
 * the recording got (where the outcome the browser reported decided it), else "include" when a Cookie went.
 */
export function credentialsOf({ exchange: ex, recorded }: RecordedCall): CredentialsMode {
  if (ex.credentials) return ex.credentials;
  const under = (credentials: CredentialsMode) =>
    new Evaluator({ engine: recorded.engine }).evaluate({ ...ex, credentials });
  const same = (v: Verdict) =>
    v.verdict === recorded.verdict && v.error?.chromium === recorded.error?.chromium;
  const include = same(under('include'));
  const notIncluded = same(under('same-origin'));
  if (include !== notIncluded) return include ? 'include' : 'same-origin';
  return hasCookie(ex) ? 'include' : 'same-origin';
}

/**
 * The headers the script set: as recorded, or read off the first request on the wire without the browser's own
 * (from a preflight: the names it asked for, with a value outside every safelist, as they were).
 */
export function scriptHeaders(ex: Exchange): Header[] {
  if (ex.request.headers) return ex.request.headers.filter(([n]) => !browserAddedHeaderName(n.toLowerCase()));
  const first = ex.wire[0];
  if (!first) return [];
  if (first.type === 'request')
    return (first.request.headers ?? []).filter(([n]) => !browserAddedHeaderName(n.toLowerCase()));
  const acrh = (first.request.headers ?? []).find(
    ([n]) => n.toLowerCase() === 'access-control-request-headers',
  );
  return (acrh?.[1] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((n): Header => [n, '(unknown)']);
}
