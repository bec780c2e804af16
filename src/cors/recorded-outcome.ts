// The recording of what the browser did wins over the headers: a call the browser recorded as successful
// (the page read the response) was not blocked, whatever the recorded headers say. Where the headers would
// block it, the recording and the headers disagree: the recording lacks something the browser saw (a header
// webRequest or the HAR's writer did not show, a response served from the cache), so the verdict is
// "cannot tell", never "blocked". tests/fixtures/exchange/FORMAT.md, "When the recording and the headers disagree".
//
// The same holds where the recording shows the browser read a response it does not hold: a 304 Not Modified
// answering the revalidation the browser's HTTP cache made. The browser's CORS check read its stored response,
// updated with the 304's headers (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch: "If the
// revalidatingFlag is set and forwardResponse's status is 304, then: update storedResponse's header list using
// forwardResponse's header list ... Set response to storedResponse"), so a header absent from the 304 may well
// have been in what the check read.
import { getCombined, requestedHeaderNames } from './headers';
import { CACHE_REVALIDATION_HEADERS } from './safelist';
import type { Exchange, Verdict } from './types';

/** Why a blocked verdict cannot be told, as a HAR's call classes name it. */
type CannotTellReason = NonNullable<Verdict['cannotTell']>['reason'];

/** The browser recorded success where the headers would block the call. */
function outcomeDisagrees(ex: Exchange, v: Pick<Verdict, 'verdict'>): boolean {
  return ex.outcome === 'success' && v.verdict === 'blocked';
}

/** Why such a call cannot be told, in plain words, naming the check the headers fail. */
function disagreementText(v: Pick<Verdict, 'error'>): string {
  return `The browser recorded this call as successful (the page read the response), but the recorded headers would have blocked it (${v.error?.chromium ?? 'CORS'}): the recording does not show everything the browser saw (a header webRequest or the HAR did not show, a response from the cache).`;
}

/**
 * A blocked verdict decided by a header absent from a 304 that answered the browser's own revalidation: a
 * request carrying If-None-Match or If-Modified-Since that the page did not set (its preflight did not ask for
 * it, nor does the page's request list it), with no error recorded. A page that sets one itself gets the 304 as
 * it is (its request's cache mode becomes "no-store"), so that verdict stands.
 */
function revalidated(ex: Exchange, v: Verdict): boolean {
  const r = v.reason;
  if (
    v.verdict !== 'blocked' ||
    ex.outcome === 'error' ||
    v.error?.stage !== 'request' ||
    !r ||
    r.seen !== null
  )
    return false;
  const hop = ex.wire[r.hop];
  if (hop?.type !== 'request' || hop.response?.status !== 304) return false;
  const before = ex.wire[r.hop - 1];
  const asked = before?.type === 'preflight' ? requestedHeaderNames(before.request.headers) : [];
  const sent = CACHE_REVALIDATION_HEADERS.filter((n) => getCombined(hop.request.headers, n) !== null);
  return (
    sent.length > 0 &&
    !sent.some((n) => asked.includes(n) || getCombined(ex.request.headers ?? [], n) !== null)
  );
}

/** Why a revalidated call cannot be told, naming the header the recorded 304 lacks. */
function revalidatedText(v: Verdict): string {
  const header = v.reason?.header ?? 'the CORS headers';
  return `The browser revalidated its cached response and the server answered 304 Not Modified without ${header}: the browser's CORS check read its cached response, updated with the 304's headers, and the recording does not hold the cached response's headers.`;
}

/**
 * The recorded outcome applied to a verdict: a blocked verdict of a call the browser recorded as successful, or
 * one decided by a header absent from a 304 answering the browser's revalidation, becomes "cannot tell", with no
 * error, fix or advice (the headers' reading is not what happened); its checks stay, to show what the recorded
 * headers say. Any other verdict is returned as it is.
 */
export function recordedOutcomeWins(ex: Exchange, v: Verdict): Verdict {
  const reason: CannotTellReason | null = outcomeDisagrees(ex, v)
    ? 'outcome-disagrees'
    : revalidated(ex, v)
      ? 'revalidated'
      : null;
  if (!reason) return v;
  const { dependsOn: _readings, cause: _cause, exposed: _exposed, ...rest } = v;
  return {
    ...rest,
    verdict: 'cannot-tell',
    error: null,
    summary: `Cannot tell: ${reason === 'outcome-disagrees' ? disagreementText(v) : revalidatedText(v)}`,
    reason: null,
    fixes: [],
    advice: [],
    cannotTell: { reason },
  };
}
