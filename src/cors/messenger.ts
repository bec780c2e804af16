// When CORS is only the messenger. Many "CORS errors" are another failure that reaches the page as one; a pass
// over a tab's or a file's calls finds them and says what really failed, before the CORS part:
// - an error response without CORS headers (a 500 from the application, a 502-504 from a gateway or CDN, a 413
//   from a proxy): the error is the problem, and its response skips the CORS layer. The evidence: the status,
//   who answered (Server, Via, a CDN's own header), and the same server's answers with CORS headers, in this
//   call (its preflight) and in the others;
// - a preflight refused with 401, 403, 404 or 405: authentication or routing runs before CORS handling, or
//   nothing answers OPTIONS at that path; the fix is the order, the path or an OPTIONS route, not another header;
// - a preflight whose CORS headers are there but whose status is not 2xx (a 500, a 401 after the CORS
//   handling ran): the status is the problem;
// - a request the browser stopped for a reason that is not CORS (an extension's block, a certificate, mixed
//   content): not a CORS verdict at all.
// Calls are seen one by one (`see`), so a stream can be judged with what came before, and a whole tab or file
// with everything (`causesOf`).
import { NETWORK_ERRORS, type NetworkErrorEntry, networkClause } from './catalog';
import { getCombined } from './headers';
import { originOf } from './origin';
import type { Cause, CauseKind, Exchange, HttpResponse, Verdict } from './types';

/** Statuses a preflight gets when authentication or routing answers it before CORS handling. */
const REFUSED_PREFLIGHT = new Set([401, 403, 404, 405]);

const PHRASES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** What an error status says happened. */
function statusWords(status: number): string {
  switch (status) {
    case 401:
      return 'the request is not authenticated';
    case 403:
      return 'the request is refused (forbidden)';
    case 404:
      return 'nothing answers this URL';
    case 405:
      return 'the method is not allowed here';
    case 413:
      return 'the request body is too large for the server or a proxy in front of it';
    case 429:
      return 'a rate limit refused the request';
    case 500:
      return 'the application failed on this request';
    case 502:
      return 'a gateway or proxy got no valid answer from the application behind it';
    case 503:
      return 'the service is unavailable (down, overloaded or in maintenance)';
    case 504:
      return 'a gateway timed out waiting for the application behind it';
    default:
      return status >= 500 ? 'the server failed' : 'the server refused the request';
  }
}

// Headers that name a CDN or edge in front of the server.
const EDGES: [header: string, name: string][] = [
  ['cf-ray', 'Cloudflare'],
  ['x-amz-cf-id', 'Amazon CloudFront'],
  ['x-azure-ref', 'Azure Front Door'],
  ['x-vercel-id', 'Vercel'],
  ['fly-request-id', 'Fly.io'],
  ['x-fastly-request-id', 'Fastly'],
];

/** Who answered, as the response's own headers say: "Server: nginx; Via: 1.1 proxy; Cloudflare (cf-ray)". */
export function answeredBy(res: HttpResponse): string | null {
  const parts: string[] = [];
  for (const name of ['Server', 'Via']) {
    const v = getCombined(res.headers, name.toLowerCase());
    if (v) parts.push(`${name}: ${v}`);
  }
  for (const [header, edge] of EDGES)
    if (getCombined(res.headers, header) !== null) parts.push(`${edge} (${header})`);
  return parts.length ? parts.join('; ') : null;
}

/** The URL's path, or the URL itself when it does not parse. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

const hasAcao = (res: HttpResponse | null) =>
  !!res && getCombined(res.headers, 'access-control-allow-origin') !== null;

interface ServerNotes {
  calls: number;
  /** The first ids seen (one more than shown, so a call can leave itself out). */
  ids: string[];
  servers: Set<string>;
}

const SHOWN_IDS = 3;

/**
 * What a call's cause rests on, without the other calls' evidence: a few fields, so a stream can hold it until
 * it has seen them all.
 */
export interface PendingCause {
  id: string;
  kind: CauseKind;
  status: number | null;
  hop: number;
  answeredBy: string | null;
  /** The failed response's Server header. */
  serverHeader: string | null;
  /** The origin of the server that answered. */
  server: string;
  /** "The preflight (OPTIONS URL)" or "METHOD URL". */
  what: string;
  path: string;
  /** This call's other hops the same server answered with Access-Control-Allow-Origin. */
  hops: number[];
  /** Whether any of its hops (the failed one too) carried it from that server: the call is in its notes. */
  noted: boolean;
  /** Whether the failed response itself carries Access-Control-Allow-Origin (a preflight failing on its status). */
  carriesCors: boolean;
  /** For a request stopped for a reason that is not CORS: its words and what to do. */
  notCors: { summary: string; fix: string } | null;
}

/** The cause a call may have, from the call alone; null when the CORS verdict is the story. */
export function pendingCause(ex: Exchange, v: Verdict): PendingCause | null {
  if (v.verdict === 'network-error') return notCors(ex, v);
  if (v.verdict !== 'blocked' || !v.reason) return null;
  const hop = v.reason.hop;
  const entry = ex.wire[hop];
  const res = entry?.response;
  if (!entry || !res || res.status < 400) return null;
  const preflight = entry.type === 'preflight';
  const refused = preflight && REFUSED_PREFLIGHT.has(res.status);
  // An error response: the CORS check found no Access-Control-Allow-Origin on it (or, on a preflight, only
  // the status failed). Anything else wrong with its CORS headers is a CORS matter of its own.
  const skipped =
    v.reason.key === 'MissingAllowOriginHeader' || (preflight && v.reason.key === 'PreflightInvalidStatus');
  if (!refused && !skipped) return null;
  const server = originOf(entry.request.url);
  const hops: number[] = [];
  ex.wire.forEach((w, i) => {
    if (i !== hop && hasAcao(w.response) && originOf(w.request.url) === server) hops.push(i);
  });
  return {
    id: ex.id,
    kind: refused ? 'preflight-refused' : 'error-response',
    status: res.status,
    hop,
    answeredBy: answeredBy(res),
    serverHeader: getCombined(res.headers, 'server'),
    server,
    what: preflight
      ? `The preflight (OPTIONS ${entry.request.url})`
      : `${entry.request.method} ${entry.request.url}`,
    path: pathOf(entry.request.url),
    hops,
    noted: hops.length > 0 || hasAcao(res),
    carriesCors: hasAcao(res),
    notCors: null,
  };
}

function notCors(ex: Exchange, v: Verdict): PendingCause | null {
  const key = v.reason?.key;
  const entry: NetworkErrorEntry | undefined =
    key && Object.hasOwn(NETWORK_ERRORS, key)
      ? NETWORK_ERRORS[key as keyof typeof NETWORK_ERRORS]
      : undefined;
  if (!entry?.notCors || !v.reason) return null;
  const url = ex.wire[v.reason.hop]?.request.url ?? ex.request.url;
  return {
    id: ex.id,
    kind: 'not-cors',
    status: null,
    hop: v.reason.hop,
    answeredBy: null,
    serverHeader: null,
    server: originOf(url),
    what: `${ex.request.method} ${url}`,
    path: '',
    hops: [],
    noted: false,
    carriesCors: false,
    notCors: {
      summary: `Not a CORS failure: ${networkClause({ reason: v.reason, onPreflight: v.error?.stage === 'preflight' })}.`,
      fix: entry.advice ?? '',
    },
  };
}

/** The pass: which servers answered with CORS headers, then each call's cause with that evidence. */
export class Messenger {
  private readonly servers = new Map<string, ServerNotes>();

  /**
   * `where` says where the other calls are, for the sentences: "in this tab", "in this file". `streamed`: each
   * cause is told when its call comes, with only the calls before it seen, and says so ("Nothing before this
   * call in this file shows…").
   */
  constructor(
    private readonly where = 'here',
    private readonly streamed = false,
  ) {}

  /** Notes the servers that answered this call with Access-Control-Allow-Origin (each call once, before its cause). */
  see(ex: Exchange): void {
    const done = new Set<string>();
    for (const w of ex.wire) {
      if (!hasAcao(w.response)) continue;
      const origin = originOf(w.request.url);
      if (done.has(origin)) continue;
      done.add(origin);
      this.note(origin, ex.id, getCombined(w.response!.headers, 'server'));
    }
  }

  /** Notes a call listed as allowed (the panel's rows), by its URL's origin: its server answered it with CORS headers. */
  seeAllowed(id: string, origin: string): void {
    this.note(origin, id, null);
  }

  private note(origin: string, id: string, server: string | null): void {
    let n = this.servers.get(origin);
    if (!n) {
      n = { calls: 0, ids: [], servers: new Set() };
      this.servers.set(origin, n);
    }
    n.calls++;
    if (n.ids.length <= SHOWN_IDS) n.ids.push(id);
    if (server && n.servers.size < 4) n.servers.add(server);
  }

  /** The call's cause, when CORS only reported another failure, with the evidence seen so far. */
  causeOf(ex: Exchange, v: Verdict): Cause | null {
    const p = pendingCause(ex, v);
    return p ? this.explain(p) : null;
  }

  /** A pending cause, with the evidence seen so far. */
  explain(p: PendingCause): Cause {
    const base = { status: p.status, hop: p.hop, answeredBy: p.answeredBy };
    if (p.notCors)
      return {
        kind: 'not-cors',
        ...base,
        summary: p.notCors.summary,
        fix: p.notCors.fix,
        corsElsewhere: { calls: 0, ids: [], hops: [], servers: [] },
      };
    const status = p.status!;
    const notes = this.servers.get(p.server);
    // A call seen counts among its server's notes when one of its hops carried the header: leave it out.
    const self = p.noted && !!notes;
    const elsewhere: Cause['corsElsewhere'] = {
      calls: Math.max(0, (notes?.calls ?? 0) - (self ? 1 : 0)),
      ids: (notes?.ids ?? []).filter((id) => id !== p.id).slice(0, SHOWN_IDS),
      hops: p.hops,
      servers: [...(notes?.servers ?? [])],
    };
    const phrase = PHRASES[status] ? ` ${PHRASES[status]}` : '';
    const by = p.answeredBy ? ` (${p.answeredBy})` : '';
    // CORS handling answered the preflight, and the status failed it: the headers are not the problem.
    const ok = 'Its CORS headers are there, but a preflight passes only with a 2xx (ok) status';
    const noPath = `nothing answers OPTIONS at ${p.path} (the path may be wrong, or OPTIONS has no route there)`;
    if (p.kind === 'preflight-refused') {
      const auth = status === 401 || status === 403;
      const authWhy =
        'a browser never sends cookies or an Authorization header with a preflight, so it fails there whatever the page sends.';
      const noHelp = 'Another CORS header will not help.';
      if (p.carriesCors)
        return {
          kind: 'preflight-refused',
          ...base,
          corsElsewhere: elsewhere,
          summary: auth
            ? `${p.what} was refused with ${status}${phrase}${by}. ${ok}: authentication or authorization refused it, and ${authWhy}`
            : `${p.what} got ${status}${phrase}${by}. ${ok}: ${status === 404 ? noPath : `the server does not allow OPTIONS at ${p.path}`}.`,
          fix: auth
            ? `Exempt OPTIONS from the authentication check, so the preflight gets a 2xx status (204 or 200). ${noHelp}`
            : status === 404
              ? `Check the path first. If it is right, answer OPTIONS there with a 2xx status (204 or 200). ${noHelp}`
              : `Answer OPTIONS at this path with a 2xx status (204 or 200). ${noHelp}`,
        };
      const route =
        'to the CORS handling: CORS middleware answers preflights itself when it runs first, for every method.';
      return {
        kind: 'preflight-refused',
        ...base,
        corsElsewhere: elsewhere,
        summary: auth
          ? `${p.what} was refused with ${status}${phrase}${by}: authentication or authorization runs before the server's CORS handling, and ${authWhy}`
          : status === 404
            ? `${p.what} got ${status}${phrase}${by}: ${noPath}, so the server's CORS handling does not answer the preflight.`
            : `${p.what} got ${status}${phrase}${by}: the server has no route for OPTIONS at ${p.path}, so its CORS handling never runs.`,
        fix: auth
          ? `Answer preflights before authentication: put the CORS handling first (or exempt OPTIONS from the authentication check). ${noHelp}`
          : status === 404
            ? `Check the path first. If it is right, route OPTIONS for it ${route} ${noHelp}`
            : `Route OPTIONS for this path ${route} ${noHelp}`,
      };
    }
    if (p.carriesCors)
      return {
        kind: 'error-response',
        ...base,
        corsElsewhere: elsewhere,
        summary: `${p.what} was answered ${status}${phrase}${by}: ${statusWords(status)}. ${ok}, so the browser reports a CORS failure; the real failure is the ${status}.`,
        fix: `Fix the ${status}: a preflight needs a 2xx status (204 or 200), and its CORS headers are already there.`,
      };
    return {
      kind: 'error-response',
      ...base,
      corsElsewhere: elsewhere,
      summary: `${p.what} was answered ${status}${phrase}${by}: ${statusWords(status)}. The error response carries no CORS headers, so the browser reports a CORS failure; the real failure is the ${status}. ${this.evidence(p, elsewhere)}`,
      fix: `Fix the ${status} first: it is why the call failed. Then have error responses carry the same CORS headers as the others (in the error handler, or at the gateway: nginx adds headers to an error only with "always"), so the page can read the error instead of a CORS failure.`,
    };
  }

  private evidence(p: PendingCause, e: Cause['corsElsewhere']): string {
    const out: string[] = [];
    if (e.calls > 0)
      out.push(
        `${p.server} answers other calls ${this.where} with CORS headers (${e.calls} call${e.calls === 1 ? '' : 's'}: ${e.ids.join(', ')}${e.calls > e.ids.length ? ', …' : ''}), so its CORS setup works; this error response skips it (an error handler, a gateway or a CDN error page answered without it).`,
      );
    else if (e.hops.length)
      out.push(
        `${p.server} answered this call's ${e.hops.length === 1 ? 'earlier step' : 'earlier steps'} with CORS headers, so its CORS setup works; this error response skips it.`,
      );
    else
      out.push(
        `Nothing ${this.streamed ? 'before this call' : 'else'} ${this.where} shows whether ${p.server}'s CORS setup works: fix the ${p.status} first, then look at CORS again.`,
      );
    const own = p.serverHeader;
    if (own && e.servers.length && !e.servers.includes(own))
      out.push(
        `Its other answers came from Server: ${e.servers.join(', ')}, this one from Server: ${own}: a different layer answered it.`,
      );
    return out.join(' ');
  }
}

/** The pass over a tab's or a file's calls: each call's cause, with the evidence of all of them. */
export function causesOf(
  calls: Iterable<{ exchange: Exchange; verdict: Verdict }>,
  where: string,
): Map<string, Cause> {
  const list = [...calls];
  const m = new Messenger(where);
  for (const c of list) m.see(c.exchange);
  const out = new Map<string, Cause>();
  for (const c of list) {
    const cause = m.causeOf(c.exchange, c.verdict);
    if (cause) out.set(c.exchange.id, cause);
  }
  return out;
}
