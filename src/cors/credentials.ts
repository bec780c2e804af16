// The request's credentials mode (https://fetch.spec.whatwg.org/#concept-request-credentials-mode) when the
// recording does not say it: webRequest cannot see it. The wire is walked as sent; where the answer would
// change with the other mode, the outcome the browser reported decides, and without one what was sent does
// (a Cookie header means "include"). A check says which was assumed, and why.
import { getCombined } from './headers';
import { mainFetch } from './main-fetch';
import { SPEC } from './spec';
import type { Check, Exchange } from './types';
import type { Walk, WalkContext } from './walk';

/** The walk under the credentials mode the call had (given, or inferred), and the note on an inferred one. */
export function withCredentialsMode(ex: Exchange, ctx: WalkContext): { walk: Walk; note: Check | null } {
  if (ex.credentials) return { walk: mainFetch(ex, ex.credentials === 'include', ctx), note: null };
  const sent = sentCookie(ex);
  const first = mainFetch(ex, sent, ctx);
  if (!first.credentialsMattered) return { walk: first, note: null };
  const other = mainFetch(ex, !sent, ctx);
  if (other.verdict === first.verdict && other.failure?.error === first.failure?.error)
    return { walk: first, note: null };
  const outcome = ex.outcome;
  // How much better the other mode explains what the page saw (0: the outcome does not tell them apart).
  const better = outcome ? explains(other, outcome) - explains(first, outcome) : 0;
  const chosen = better > 0 ? other : first;
  const basis = better
    ? `the page saw ${outcome === 'success' ? 'success' : 'an error'}`
    : sent
      ? 'a Cookie header was sent'
      : 'no Cookie header was sent';
  return {
    walk: chosen,
    note: {
      rule: 'credentials-mode',
      title: 'Credentials mode (not recorded)',
      spec: SPEC.credentials,
      hop: -1,
      required: 'the verdict depends on whether credentials are included',
      seen: `assumed ${chosen.include ? '"include"' : '"same-origin" (not included cross-origin)'} because ${basis}`,
      result: 'info',
    },
  };
}

/** How well a walk explains what the browser reported: a CORS failure explains an error best. */
function explains(w: Walk, outcome: 'success' | 'error'): number {
  const ok = w.verdict === 'allowed' || w.verdict === 'opaque' || w.verdict === 'same-origin';
  if (outcome === 'success') return ok ? 2 : 0;
  return w.verdict === 'blocked' ? 2 : w.verdict === 'network-error' ? 1 : 0;
}

function sentCookie(ex: Exchange): boolean {
  for (const w of ex.wire ?? []) if (getCombined(w.request.headers, 'cookie') !== null) return true;
  return false;
}
