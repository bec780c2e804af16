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
  firefoxNetworkReason,
  firefoxReasonOf,
  isLocalNetworkKey,
  NETWORK_ERRORS,
  type NetworkErrorEntry,
} from './catalog';
import { withCredentialsMode } from './credentials';
import { splitJoinedLines } from './joined-lines';
import { firefoxLocalNetworkReason, localNetworkAdvice } from './local-network';
import { exposedOf, mainFetch } from './main-fetch';
import { chromiumConsoleLine, firefoxConsoleLine } from './messages';
import { normalizeOrigin } from './origin';
import { recordedOutcomeWins } from './recorded-outcome';
import { summarySentence } from './sentence';
import type { CorsErrorInfo, Engine, EvaluatorOptions, Exchange, Fix, Reading, Verdict } from './types';
import type { Walk, WalkContext } from './walk';
import { warnings } from './warnings';

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

  evaluate(recorded: Exchange): Verdict {
    const ctx: WalkContext = { cache: this.cache, engine: this.engine };
    // Only Firefox counts Access-Control-Allow-Origin lines; Chromium reads the joined value as they are.
    const { ex, note: joined } =
      this.engine === 'firefox' ? splitJoinedLines(recorded) : { ex: recorded, note: null };
    const { walk: chosen, note, readings } = withCredentialsMode(ex, ctx);
    for (const o of chosen.cacheOps) {
      if (o.op === 'store') this.cache.store(o.origin, o.url, ex.id, o.policy, o.time);
      else this.cache.read(o.origin, o.url, o.include);
    }
    // Firefox drops its cached preflights for a URL whose CORS request failed (the cache ignores this for
    // Chromium): after a blocked call, or a network error its CORS listener saw.
    if (chosen.verdict === 'blocked' || (chosen.verdict === 'network-error' && chosen.corsHop))
      this.cache.evict(normalizeOrigin(ex.initiator), chosen.url);
    const repaired = chosen.verdict === 'blocked' ? repair(ex, chosen, { walk: mainFetch, ctx }) : null;
    const own = this.reading(ex, chosen, ctx, repaired?.fixes);
    const verdict: Verdict = {
      id: ex.id,
      engine: this.engine,
      verdict: own.verdict,
      preflight: own.preflight,
      error: own.error,
      summary: own.summary,
      reason: own.reason,
      checks: [...(note ? [note] : []), ...(joined ? [joined] : []), ...chosen.checks],
      fixes: own.fixes,
      advice: repaired?.advice ?? [],
      warnings: warnings(ex, chosen, { echoed: this.echoed, engine: this.engine }),
    };
    if (own.exposed) verdict.exposed = own.exposed;
    if (readings) {
      const reading = (w: Walk) => (w === chosen ? own : this.reading(ex, w, ctx));
      verdict.dependsOn = {
        input: 'credentials',
        readings: { omit: reading(readings.omit), include: reading(readings.include) },
        assumed: chosen.include ? 'include' : 'omit',
        basis: readings.basis,
      };
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
    return recordedOutcomeWins(ex, verdict);
  }

  /**
   * What a walk concludes: the verdict's fields under its assumption about the credentials mode (`fixes`: its
   * repair's, when already found).
   */
  private reading(ex: Exchange, w: Walk, ctx: WalkContext, fixes?: Fix[]): Reading {
    return {
      when: w.include ? INCLUDE : OMIT,
      verdict: w.verdict,
      preflight: w.preflight,
      error: this.error(ex, w),
      summary: summarySentence(ex, w),
      reason: w.reason,
      fixes: fixes ?? (w.verdict === 'blocked' ? repair(ex, w, { walk: mainFetch, ctx }).fixes : []),
      ...(w.verdict === 'allowed' && w.finalResponse ? { exposed: exposedOf(w) } : {}),
    };
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
    // Firefox logs a line when its CORS listener sees the request fail (nsCORSListenerProxy::CheckRequestApproved):
    // "CORS request did not succeed" (Status code: (null)), or what its error string makes of it.
    const ff = firefox && w.corsHop ? firefoxNetworkReason(ex.netError, !!ex.wire[w.hop]?.response) : null;
    const ffLine = ff ? firefoxConsoleLine(ff.key, null, w.url, ff.status) : null;
    const entry: NetworkErrorEntry = NETWORK_ERRORS[w.reason!.key as keyof typeof NETWORK_ERRORS];
    return {
      stage: w.failure
        ? w.stage
        : w.hop >= 0 && ex.wire[w.hop]?.type === 'preflight'
          ? 'preflight'
          : 'request',
      chromium: null,
      firefox: ff?.key ?? null,
      console: firefox ? ffLine : (entry.chromiumLine?.({ url: w.url, origin }) ?? null),
      firefoxConsole: ffLine,
      failedParameter: null,
      url: w.url,
      hop: w.hop,
    };
  }
}

const OMIT = "if the request did not include credentials (fetch's default)";
const INCLUDE = "if the request included credentials (credentials: 'include', XHR's withCredentials)";

/** Evaluates every exchange of a stream, in order. */
export function evaluateAll(exchanges: Iterable<Exchange>, options: EvaluatorOptions = {}): Verdict[] {
  const out: Verdict[] = [];
  const ev = new Evaluator(options);
  for (const ex of exchanges) out.push(ev.evaluate(ex));
  return out;
}

export { exposedHeaders } from './main-fetch';
