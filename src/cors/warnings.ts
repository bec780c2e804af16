// Warnings: calls that work (or not) but show a risky policy.
import { getCombined } from './headers';
import { privateNetworkAccessHeaders } from './local-network';
import { firefoxAuthorizationWildcardWarning } from './messages';
import { originOf } from './origin';
import { ENGINE_NAME, MAX_AGE_CAP } from './preflight';
import type { Engine, Exchange, Warning } from './types';
import type { Walk } from './walk';

export interface WarningState {
  /** Per server origin, the request origins it echoed in ACAO with credentials allowed (this stream). */
  echoed: Map<string, Set<string>>;
  /** Whose rules the verdict follows: the caps it warns about are that engine's. */
  engine: Engine;
}

export function warnings(ex: Exchange, w: Walk, state: WarningState): Warning[] {
  const out: Warning[] = [];
  const wire = ex.wire ?? [];
  let nullWarned = false;
  let varyWarned = false;
  const last = w.hop >= 0 ? w.hop : wire.length - 1;
  for (let i = 0; i <= last && i < wire.length; i++) {
    const e = wire[i]!;
    const res = e.response;
    if (!res) continue;
    const sent = getCombined(e.request.headers, 'origin') ?? w.originByHop[i]!;
    const acao = getCombined(res.headers, 'access-control-allow-origin');
    const acac = getCombined(res.headers, 'access-control-allow-credentials') === 'true';
    if (acao === 'null' && !nullWarned) {
      nullWarned = true;
      out.push({
        code: 'null-origin-allowed',
        hop: i,
        message: `${originOf(e.request.url)} allows the origin "null". Sandboxed iframes, data: URLs and local files all send "null", so any site can make a page that passes this check.`,
      });
    }
    if (acao !== null && acao !== '*' && acac && acao === sent) {
      const server = originOf(e.request.url);
      let set = state.echoed.get(server);
      if (!set) {
        set = new Set();
        state.echoed.set(server, set);
      }
      set.add(acao);
      if (acao === 'null' || set.size > 1) {
        out.push({
          code: 'origin-reflected-with-credentials',
          hop: i,
          message: `${server} echoes the request's Origin (${[...set].slice(0, 3).join(', ')}${set.size > 3 ? ', …' : ''}) with Access-Control-Allow-Credentials: true. If it reflects any origin, every site can read this user's data: check Origin against an allowlist.`,
        });
      }
    }
    if (e.type === 'request' && acao !== null && acao !== '*' && !varyWarned) {
      const vary = (getCombined(res.headers, 'vary') ?? '').toLowerCase();
      if (!/(^|,)\s*(origin|\*)\s*(,|$)/.test(vary)) {
        varyWarned = true;
        out.push({
          code: 'missing-vary-origin',
          hop: i,
          message: `${originOf(e.request.url)} names one origin in Access-Control-Allow-Origin without "Vary: Origin". If the value depends on the request's Origin, a cache can serve one site's answer to another: add "Vary: Origin".`,
        });
      }
    }
    if (acao === '*' && res.headers.some((h) => h[0].toLowerCase() === 'set-cookie')) {
      out.push({
        code: 'wildcard-with-set-cookie',
        hop: i,
        message: `${originOf(e.request.url)} answers with Access-Control-Allow-Origin: * and sets a cookie. A cookie meant for this API should not ride on a response that every site may read.`,
      });
    }
    if (e.type === 'preflight') {
      if (w.authorizationByWildcard.includes(i)) {
        out.push({
          code: 'authorization-covered-by-wildcard',
          hop: i,
          message: `Access-Control-Allow-Headers: * lets Authorization through only by a deprecated Firefox exception; the Fetch Standard says * never covers Authorization. List Authorization by name. Firefox's console: ${firefoxAuthorizationWildcardWarning(e.request.url)}`,
        });
      }
      if (w.include) {
        for (const name of ['Access-Control-Allow-Methods', 'Access-Control-Allow-Headers']) {
          const v = getCombined(res.headers, name.toLowerCase());
          if (v?.split(',').some((t) => t.trim() === '*')) {
            out.push({
              code: 'wildcard-ignored-with-credentials',
              hop: i,
              message: `${name}: * means the literal name "*" when credentials are included; browsers do not treat it as a wildcard. List the names.`,
            });
          }
        }
      }
      const maxAge = getCombined(res.headers, 'access-control-max-age');
      const cap = MAX_AGE_CAP[state.engine];
      if (maxAge !== null && /^\d+$/.test(maxAge) && Number(maxAge) > cap) {
        const name = ENGINE_NAME[state.engine];
        const other = state.engine === 'firefox' ? 'chromium' : 'firefox';
        out.push({
          code: 'max-age-above-cap',
          hop: i,
          message: `Access-Control-Max-Age: ${maxAge} is above ${name}'s cap of ${cap} s (${cap / 3600} h); ${name} caches the preflight for ${cap} s, ${ENGINE_NAME[other]} for at most ${MAX_AGE_CAP[other]} s.`,
        });
      }
    }
  }
  // Private Network Access's answer to its preflight: obsolete since Local Network Access replaced it.
  const pna = privateNetworkAccessHeaders(ex)[0];
  if (pna !== undefined)
    out.push({
      code: 'private-network-access-obsolete',
      hop: pna,
      message: `${originOf(wire[pna]!.request.url)} sends Access-Control-Allow-Private-Network, a header of Private Network Access, which browsers no longer read: Local Network Access replaced it with a permission the user grants, and no response header can grant it. It does no harm, and it does nothing.`,
    });
  return out;
}
