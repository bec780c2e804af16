// The recording of what the browser did wins over the headers: a call the browser recorded as successful
// (the page read the response) was not blocked, whatever the recorded headers say. Where the headers would
// block it, the recording and the headers disagree: the recording lacks something the browser saw (a header
// webRequest or the HAR's writer did not show, a response served from the cache), so the verdict is
// "cannot tell", never "blocked". tests/fixtures/exchange/FORMAT.md, "When the recording and the headers disagree".
import type { Exchange, Verdict } from './types';

/** The reason a disagreeing call cannot be told, as a HAR's call classes name it. */
const OUTCOME_DISAGREES = 'outcome-disagrees';

/** The browser recorded success where the headers would block the call. */
function outcomeDisagrees(ex: Exchange, v: Pick<Verdict, 'verdict'>): boolean {
  return ex.outcome === 'success' && v.verdict === 'blocked';
}

/** Why such a call cannot be told, in plain words, naming the check the headers fail. */
function disagreementText(v: Pick<Verdict, 'error'>): string {
  return `The browser recorded this call as successful (the page read the response), but the recorded headers would have blocked it (${v.error?.chromium ?? 'CORS'}): the recording does not show everything the browser saw (a header webRequest or the HAR did not show, a response from the cache).`;
}

/**
 * The recorded outcome applied to a verdict: a blocked verdict of a call the browser recorded as successful
 * becomes "cannot tell", with no error, fix or advice (the headers' reading is not what happened); its checks
 * stay, to show what the recorded headers say. Any other verdict is returned as it is.
 */
export function recordedOutcomeWins(ex: Exchange, v: Verdict): Verdict {
  if (!outcomeDisagrees(ex, v)) return v;
  const { dependsOn: _readings, cause: _cause, exposed: _exposed, ...rest } = v;
  return {
    ...rest,
    verdict: 'cannot-tell',
    error: null,
    summary: `Cannot tell: ${disagreementText(v)}`,
    reason: null,
    fixes: [],
    advice: [],
    cannotTell: { reason: OUTCOME_DISAGREES },
  };
}
