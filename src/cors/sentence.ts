// The verdict's one plain sentence: what happened, in the words of the catalog's entry for a failure.
import {
  CORS_ERRORS,
  type CorsErrorKey,
  isNetworkErrorKey,
  type NetworkFacts,
  networkSentence,
} from './catalog';
import { getCombined } from './headers';
import { originOf } from './origin';
import type { Exchange, Verdict, VerdictKind } from './types';
import type { Walk } from './walk';

// How a sentence opens for these verdicts: a table whose verdict column says it already leaves it out.
const OPENING: Partial<Record<VerdictKind, string>> = {
  allowed: 'Allowed: ',
  blocked: 'Blocked: ',
  'network-error': 'Network error: ',
  'cannot-tell': 'Cannot tell: ',
};

/** One plain sentence: what happened to the call. */
export function summarySentence(ex: Exchange, w: Walk): string {
  switch (w.verdict) {
    case 'allowed': {
      const method = ex.request?.method ?? ex.wire[0]?.request.method ?? 'GET';
      const acao = w.finalResponse
        ? getCombined(w.finalResponse.headers, 'access-control-allow-origin')
        : null;
      const pf =
        w.preflight === 'sent'
          ? ' after a preflight'
          : w.preflight === 'cached'
            ? ' using a cached preflight'
            : '';
      return `${OPENING.allowed}${originOf(w.url)} answered ${method}${pf} with Access-Control-Allow-Origin: ${acao}.`;
    }
    case 'blocked': {
      const what =
        w.stage === 'preflight'
          ? `the preflight (OPTIONS) response from ${originOf(w.url)}`
          : w.stage === 'redirect'
            ? `the redirect response from ${originOf(w.url)}`
            : `the response from ${originOf(w.url)}`;
      const reason = w.reason!;
      const sentence = CORS_ERRORS[reason.key as CorsErrorKey].sentence({
        what,
        param: w.failure?.param ?? '',
        reason,
        server: originOf(w.url),
        stage: w.stage,
      });
      const never = w.stage === 'preflight' ? `, so the browser never sent the ${w.method}` : '';
      return `${OPENING.blocked}${sentence}${never}.`;
    }
    case 'opaque':
      return w.ended
        ? 'The redirect was not followed: redirect mode "manual" gives the page an opaque-redirect response.'
        : 'Opaque: mode "no-cors"; the call went through but the page cannot read the response.';
    case 'same-origin':
      return 'Same-origin: CORS does not apply.';
    default:
      return `${OPENING['network-error']}${networkSentence({ reason: w.reason!, onPreflight: ex.wire[w.hop]?.type === 'preflight' })}`;
  }
}

/** The summary without the opening its verdict column already says ("Blocked: "). */
export function summaryBody(v: Pick<Verdict, 'verdict' | 'summary'>): string {
  const opening = OPENING[v.verdict];
  return opening && v.summary.startsWith(opening) ? v.summary.slice(opening.length) : v.summary;
}

/** A network error's reason and whether it failed on a preflight: what its words are built from; else null. */
export function networkFacts(v: Pick<Verdict, 'reason' | 'error'>): NetworkFacts | null {
  if (!v.reason || !isNetworkErrorKey(v.reason.key)) return null;
  return { reason: v.reason, onPreflight: v.error?.stage === 'preflight' };
}
