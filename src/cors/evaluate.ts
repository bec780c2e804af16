// The evaluator: one exchange as it crossed the wire → what the browser decided, and why. A stream of exchanges
// is evaluated in order, carrying the preflight cache from one to the next, as in one browser profile. The
// wire is walked by the fetch steps (main-fetch.ts), under the credentials mode the call had
// (credentials.ts); the verdict says it in the engine's words (catalog.ts, messages.ts), with the fixes
// (advice.ts) and the risky policies (warnings.ts).
import { repair } from './advice';
import { PreflightCache } from './cache';
import {
  corsErrorOf,
  type FirefoxReason,
  firefoxReasonOf,
  isLocalNetworkKey,
  NETWORK_ERRORS,
  type NetworkErrorEntry,
} from './catalog';
import { withCredentialsMode } from './credentials';
import { getCombined, parseTokenList } from './headers';
import { firefoxLocalNetworkReason, localNetworkAdvice } from './local-network';
import { mainFetch } from './main-fetch';
import { chromiumConsoleLine, firefoxConsoleLine } from './messages';
import { normalizeOrigin } from './origin';
import { corsSafelistedResponseHeaderName, forbiddenResponseHeaderName } from './safelist';
import { summarySentence } from './sentence';
import type { CorsErrorInfo, Engine, EvaluatorOptions, Exchange, HttpResponse, Verdict } from './types';
import type { Walk, WalkContext } from './walk';
import { warnings } from './warnings';

/** https://fetch.spec.whatwg.org/#cors-filtered-response: the header names script can read. */
export function exposedHeaders(res: HttpResponse, include: boolean): string[] {
  const aceh = parseTokenList(getCombined(res.headers, 'access-control-expose-headers'));
  // A value that does not parse exposes nothing extra (Blink's HTTPHeaderNameListParser clears the list).
  const listed = new Set('items' in aceh ? aceh.items.map((n) => n.toLowerCase()) : []);
  const all = !include && listed.has('*');
  const out = new Set<string>();
  for (const [name] of res.headers) {
    const lower = name.toLowerCase();
    if (forbiddenResponseHeaderName(lower)) continue;
    if (all || corsSafelistedResponseHeaderName(lower) || listed.has(lower)) out.add(lower);
  }
  return [...out].sort();
}

/** Evaluates a stream of exchanges in order, carrying the preflight cache from one to the next. */
export class Evaluator {
  readonly engine: Engine;
  readonly cache: PreflightCache;
  /** Per server origin, the request origins it echoed in ACAO with credentials allowed. */
  private readonly echoed = new Map<string, Set<string>>();

  constructor(options: EvaluatorOptions = {}) {
    this.engine = options.engine ?? 'chromium';
    this.cache = new PreflightCache(this.engine);
  }

  evaluate(ex: Exchange): Verdict {
    const ctx: WalkContext = { cache: this.cache, engine: this.engine };
    const { walk: chosen, note } = withCredentialsMode(ex, ctx);
    for (const o of chosen.cacheOps) {
      if (o.op === 'store') this.cache.store(o.origin, o.url, ex.id, o.policy, o.time);
      else this.cache.read(o.origin, o.url, o.include);
    }
    // Firefox drops its cached preflights for a URL whose CORS request failed (the cache ignores this for
    // Chromium): after a blocked call, or a network error its CORS listener saw.
    if (chosen.verdict === 'blocked' || (chosen.verdict === 'network-error' && chosen.corsHop))
      this.cache.evict(normalizeOrigin(ex.initiator), chosen.url);
    const verdict: Verdict = {
      id: ex.id,
      engine: this.engine,
      verdict: chosen.verdict,
      preflight: chosen.preflight,
      error: this.error(ex, chosen),
      summary: summarySentence(ex, chosen),
      reason: chosen.reason,
      checks: note ? [note, ...chosen.checks] : chosen.checks,
      fixes: [],
      advice: [],
      warnings: warnings(ex, chosen, { echoed: this.echoed, engine: this.engine }),
    };
    if (chosen.verdict === 'allowed' && chosen.finalResponse)
      verdict.exposed = exposedHeaders(chosen.finalResponse, chosen.include);
    if (chosen.verdict === 'blocked') {
      const { fixes, advice } = repair(ex, chosen, { walk: mainFetch, ctx });
      verdict.fixes = fixes;
      verdict.advice = advice;
    }
    if (chosen.localNetwork) {
      verdict.localNetwork = chosen.localNetwork;
      // Stopped before it was sent: no header helps; the advice is the check's.
      if (chosen.localNetwork.blocked && chosen.reason && isLocalNetworkKey(chosen.reason.key)) {
        verdict.advice = localNetworkAdvice(
          ex,
          chosen.localNetwork,
          chosen.failure?.error ?? chosen.reason.key,
          {
            engine: this.engine,
            url: chosen.url,
            method: chosen.method,
            originSent: chosen.originSent,
            corsRequest: chosen.corsHop,
            preflighted: chosen.preflight !== 'none',
          },
        );
      }
    }
    return verdict;
  }

  /**
   * The error, in the engine's words: Chromium's line for a Chromium verdict; for a Firefox verdict, Firefox's
   * line as `console` (and `firefoxConsole`) and the name Chromium gives the same check as `chromium`.
   */
  private error(ex: Exchange, w: Walk): CorsErrorInfo | null {
    const origin = normalizeOrigin(ex.initiator);
    const firefox = this.engine === 'firefox';
    if (w.verdict === 'blocked' && w.failure) {
      const { error: name, param, addressSpace } = w.failure;
      const response = w.hop >= 0 ? (ex.wire[w.hop]?.response ?? null) : null;
      const lna = isLocalNetworkKey(name) ? w.localNetwork : null;
      const ff: FirefoxReason | null = lna
        ? (() => {
            const key = firefoxLocalNetworkReason(lna, w.corsHop);
            return key ? { key, status: null } : null;
          })()
        : firefoxReasonOf(corsErrorOf(name)!.key, response);
      const ffLine = ff ? firefoxConsoleLine(ff.key, param, w.url, ff.status) : null;
      // A Local Network Access line names the server's address space: none when it is not known.
      const line =
        lna && !addressSpace?.resource
          ? null
          : chromiumConsoleLine(name, param, {
              api: ex.api,
              url: w.url,
              firstUrl: w.firstUrl,
              origin,
              ...(addressSpace ? { addressSpace } : {}),
            });
      return {
        stage: w.stage,
        chromium: name,
        firefox: ff?.key ?? null,
        console: firefox ? ffLine : line,
        firefoxConsole: ffLine,
        failedParameter: param,
        url: w.url,
        hop: w.hop,
      };
    }
    if (w.verdict !== 'network-error') return null;
    // Firefox logs "CORS request did not succeed" (Status code: (null)) when its CORS listener sees the
    // request fail (nsCORSListenerProxy::CheckRequestApproved, CORSDidNotSucceed2).
    const didNotSucceed = firefox && w.corsHop;
    const ffLine = didNotSucceed ? firefoxConsoleLine('CORSDidNotSucceed', null, w.url, null) : null;
    const entry: NetworkErrorEntry = NETWORK_ERRORS[w.reason!.key as keyof typeof NETWORK_ERRORS];
    return {
      stage: w.failure
        ? w.stage
        : w.hop >= 0 && ex.wire[w.hop]?.type === 'preflight'
          ? 'preflight'
          : 'request',
      chromium: null,
      firefox: didNotSucceed ? 'CORSDidNotSucceed' : null,
      console: firefox ? ffLine : (entry.chromiumLine?.({ url: w.url, origin }) ?? null),
      firefoxConsole: ffLine,
      failedParameter: null,
      url: w.url,
      hop: w.hop,
    };
  }
}

/** Evaluates every exchange of a stream, in order. */
export function evaluateAll(exchanges: Iterable<Exchange>, options: EvaluatorOptions = {}): Verdict[] {
  const out: Verdict[] = [];
  const ev = new Evaluator(options);
  for (const ex of exchanges) out.push(ev.evaluate(ex));
  return out;
}
