// The request's credentials mode (https://fetch.spec.whatwg.org/#concept-request-credentials-mode) when the
// recording does not say it: webRequest cannot see it. The wire is walked as sent; where the answer would
// change with the other mode, the evidence decides: the outcome the browser reported (its error string
// included), else what was sent (a Cookie or Sec-Fetch-Storage-Access header, or an Authorization header the
// page could not have set, means "include": see credentialsShown). Where the outcome was reported and nothing
// sent shows the mode, the wire comes first: it rules out a mode that stops at a preflight the browser went past
// (see stopsAtPassedPreflight), unless the outcome points the other way. Where nothing settles it, the verdict
// gives both readings, its own fields following the default (not included), and a check says it is assumed.
import { netErrorKey } from './catalog';
import { getCombined, requestedHeaderNames } from './headers';
import { exposedOf, mainFetch } from './main-fetch';
import { SPEC } from './spec';
import type { Check, Exchange, WireEntry } from './types';
import type { Walk, WalkContext } from './walk';

/** Both readings of a call whose verdict depends on the credentials mode, which nothing recorded shows. */
export interface CredentialsReadings {
  omit: Walk;
  include: Walk;
  /** Why the verdict's own fields follow the reading they follow. */
  basis: string;
}

/**
 * The walk under the credentials mode the call had (given, or inferred), the note on an inferred one, and,
 * when the verdict depends on the mode and nothing recorded shows it, both readings.
 */
export function withCredentialsMode(
  ex: Exchange,
  ctx: WalkContext,
): { walk: Walk; note: Check | null; readings: CredentialsReadings | null } {
  if (ex.credentials)
    return { walk: mainFetch(ex, ex.credentials === 'include', ctx), note: null, readings: null };
  const shown = credentialsShown(ex);
  const sent = shown !== null;
  const first = mainFetch(ex, sent, ctx);
  if (!first.credentialsMattered) return { walk: first, note: null, readings: null };
  const other = mainFetch(ex, !sent, ctx);
  if (sameAnswer(first, other)) return { walk: first, note: null, readings: null };
  // How much better the other mode explains what the browser reported (0: it does not tell them apart).
  const byReport = explains(ex, other) - explains(ex, first);
  // Where the browser reported the outcome and nothing sent shows the mode, the wire rules out a mode that
  // stops at a preflight the browser went past: what it reported is of the request it sent after it. Where the
  // report points the other way, neither settles the mode.
  const byWire =
    ex.outcome !== undefined && !sent
      ? Number(stopsAtPassedPreflight(ex, first)) - Number(stopsAtPassedPreflight(ex, other))
      : 0;
  const better = byWire && byReport && Math.sign(byWire) !== Math.sign(byReport) ? 0 : byWire || byReport;
  const chosen = better > 0 ? other : first;
  const basis = !better
    ? shown !== null
      ? shown
      : 'no Cookie header was sent, and nothing recorded shows whether credentials were included'
    : byWire
      ? `the request after the preflight (OPTIONS) was sent and answered, which ${chosen.include ? '"same-origin"' : '"include"'} would have stopped at the preflight`
      : netErrorKey(ex.netError)
        ? `the browser reported ${ex.netError}, not a CORS failure`
        : `the page saw ${ex.outcome === 'success' ? 'success' : 'an error'}`;
  const known = better !== 0 || sent;
  return {
    walk: chosen,
    note: {
      rule: 'credentials-mode',
      title: 'Credentials mode (not recorded)',
      spec: SPEC.credentials,
      hop: -1,
      required: 'the verdict depends on whether credentials are included',
      seen: `${known ? '' : 'assumed '}${chosen.include ? '"include"' : '"same-origin" (not included cross-origin)'} because ${basis}`,
      result: 'info',
    },
    readings: known ? null : { omit: first, include: other, basis },
  };
}

function sameAnswer(a: Walk, b: Walk): boolean {
  return (
    a.verdict === b.verdict &&
    a.failure?.error === b.failure?.error &&
    (a.verdict !== 'allowed' || exposedOf(a).join() === exposedOf(b).join())
  );
}

/**
 * How well a walk explains what the browser reported: a CORS failure explains an error best, unless the
 * browser's error string names a failure that is not CORS.
 */
function explains(ex: Exchange, w: Walk): number {
  const ok = w.verdict === 'allowed' || w.verdict === 'opaque' || w.verdict === 'same-origin';
  if (netErrorKey(ex.netError)) return w.verdict === 'network-error' ? 2 : 0;
  const outcome = ex.outcome;
  if (!outcome) return 0;
  if (outcome === 'success') return ok ? 2 : 0;
  return w.verdict === 'blocked' ? 2 : w.verdict === 'network-error' ? 1 : 0;
}

/**
 * Whether walk `w` stops at a preflight on the wire that the browser went past: the request after it was sent
 * and answered. A CORS-preflight fetch that fails ends the call before its request is sent
 * (https://fetch.spec.whatwg.org/#http-fetch: "If preflightResponse is a network error, then return
 * preflightResponse"), so the wire shows that the preflight passed under the mode the browser used.
 */
function stopsAtPassedPreflight(ex: Exchange, w: Walk): boolean {
  if (w.verdict !== 'blocked' || w.stage !== 'preflight') return false;
  const preflight = ex.wire[w.hop];
  const next = ex.wire[w.hop + 1];
  return (
    preflight?.type === 'preflight' &&
    next?.type === 'request' &&
    next.response !== null &&
    next.request.url === preflight.request.url
  );
}

/**
 * What was sent that the browser sends only when credentials are included, if anything, as the verdict says
 * it: a `Cookie` header, a `Sec-Fetch-Storage-Access` header (https://privacycg.github.io/storage-access-headers/:
 * on a credentialed cross-site request; recorded from Chromium 156 on the request and from Firefox ESR 153 on
 * its preflight, never on the same call made without credentials), or an `Authorization` header the page could
 * not have set: HTTP authentication entries are credentials
 * (https://fetch.spec.whatwg.org/#concept-http-network-or-cache-fetch), which the browser adds from its cache only
 * with credentials included, and a page sets Authorization on a cross-origin call only through a preflight
 * asking for it (it is never CORS-safelisted). So it shows "include" on a hop whose own preflight is on the
 * wire without authorization in Access-Control-Request-Headers, the page's request listing none; never on a
 * hop without a preflight on the wire, which a cached preflight may have let the page's own header through.
 * Recorded with a Basic identity cached for the API: Firefox ESR 153's webRequest lists the added
 * Authorization in onSendHeaders of the credentialed calls only ('include'; not 'omit' nor 'same-origin');
 * Chromium 156 sends it as well (DevTools' Network.requestWillBeSentExtraInfo shows it), but its webRequest
 * lists it neither in onBeforeSendHeaders nor in onSendHeaders, with extraHeaders. Nothing else webRequest
 * gives tells the mode: Firefox's details (thirdParty, cookieStoreId, urlClassification, frameAncestors, ...)
 * are alike with and without credentials.
 */
function credentialsShown(ex: Exchange): string | null {
  const wire = ex.wire ?? [];
  for (const [i, w] of wire.entries()) {
    if (getCombined(w.request.headers, 'cookie') !== null) return 'a Cookie header was sent';
    if (getCombined(w.request.headers, 'sec-fetch-storage-access') !== null)
      return 'a Sec-Fetch-Storage-Access header was sent';
    if (browserAddedAuthorization(ex, w, wire[i - 1]))
      return 'an Authorization header was sent that its preflight did not ask for: the browser added it from its HTTP authentication cache';
  }
  return null;
}

/** True when request `w` carries Authorization, its own preflight `before` did not ask for it, nor did the page. */
function browserAddedAuthorization(ex: Exchange, w: WireEntry, before: WireEntry | undefined): boolean {
  return (
    w.type === 'request' &&
    getCombined(w.request.headers, 'authorization') !== null &&
    before?.type === 'preflight' &&
    before.request.url === w.request.url &&
    !requestedHeaderNames(before.request.headers).includes('authorization') &&
    getCombined(ex.request.headers, 'authorization') === null
  );
}
