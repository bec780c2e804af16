// `corscope probe URL --origin ORIGIN`: asks the live server the question the browser would ask, and explains
// the answer as the panel does.
import type { CredentialsMode, Header } from '../cors';
import { forbiddenMethod } from '../cors/safelist';
import { visible } from '../report/inert';
import {
  commandArgs,
  NET_OPTIONS,
  netSettings,
  onePositional,
  type ProbeFormat,
  parseOrigin,
  parseTarget,
  UsageError,
  usageExit,
} from './args';
import { browserSetHeader, firstHop, needsPreflight, type PageCall } from './browser';
import { browserFetch, type FetchResult } from './fetch';
import { sendHttp } from './http';
import { type Io, jsonLine, write } from './io';
import { type CallNotes, explainMarkdown, explainText } from './render';
import { PROBE_USAGE } from './usage';

export const CREDENTIALS: readonly CredentialsMode[] = ['omit', 'same-origin', 'include'];

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** -H "Name: value", as a script would set it; the browser's own headers are refused, Cookie goes to the jar. */
function parseHeader(raw: string): Header {
  const colon = raw.indexOf(':');
  const name = colon > 0 ? raw.slice(0, colon).trim() : '';
  if (!TOKEN.test(name)) throw new UsageError(`-H "${raw}": expected "Name: value" with a header name`);
  const value = raw.slice(colon + 1).trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL, CR and LF are what no header value may hold
  if (/[\x00\r\n]/.test(value)) throw new UsageError(`-H ${name}: a header value cannot hold NUL, CR or LF`);
  return [name, value];
}

/** The call a page would make, from probe's arguments. */
function pageCall(v: {
  origin: string;
  url: string;
  method?: string;
  header?: string[];
  data?: string;
  credentials?: string;
}): PageCall {
  const credentials = v.credentials ?? 'same-origin';
  if (!(CREDENTIALS as readonly string[]).includes(credentials))
    throw new UsageError(`--credentials takes ${CREDENTIALS.join(', ')}, not "${credentials}"`);
  const method = v.method ?? (v.data !== undefined ? 'POST' : 'GET');
  if (!TOKEN.test(method)) throw new UsageError(`--method "${method}" is not a method name`);
  if (forbiddenMethod(method))
    throw new UsageError(`--method ${method}: fetch() refuses this method (a forbidden method)`);
  if (v.data !== undefined && /^(get|head)$/i.test(method))
    throw new UsageError(`--data with ${method}: fetch() refuses a body on GET and HEAD`);
  const headers: Header[] = [];
  let cookie: string | null = null;
  for (const raw of v.header ?? []) {
    const [name, value] = parseHeader(raw);
    if (name.toLowerCase() === 'cookie') {
      if (credentials !== 'include')
        throw new UsageError(
          '-H Cookie: the browser sends cookies from its jar only with --credentials include (a script cannot set Cookie)',
        );
      cookie = cookie === null ? value : `${cookie}; ${value}`;
    } else if (browserSetHeader(name)) {
      throw new UsageError(`-H ${name}: the browser sets this header itself; a script cannot`);
    } else headers.push([name, value]);
  }
  return {
    origin: parseOrigin(v.origin),
    method,
    url: parseTarget(v.url),
    headers,
    body: v.data ?? null,
    credentials: credentials as CredentialsMode,
    cookie,
  };
}

/** What became of a probed call, in a word: its verdict, "preflight passed" when the request was held back, "no answer". */
export function outcomeOf(r: FetchResult): string {
  if (r.failure) return 'no answer';
  if (r.notSent && r.verdict.verdict !== 'blocked') return 'preflight passed';
  return r.verdict.verdict;
}

/** Exit status for one probed call: 0 the page may read it, 2 it may not, 1 a server did not answer. */
function exitFor(r: FetchResult): number {
  if (r.failure) return 1;
  if (r.verdict.verdict === 'blocked') return 2;
  if (r.notSent) return 0;
  return r.verdict.verdict === 'network-error' ? 2 : 0;
}

/** The JSON form of one probed call. */
export function probeJson(r: FetchResult): Record<string, unknown> {
  return {
    exchange: r.exchange,
    verdict: r.verdict,
    notSent: r.notSent,
    failure: r.failure?.message ?? null,
    refusedRedirect: r.refusedRedirect,
  };
}

/** What the explanation says besides the verdict: a request held back, a server that did not answer. */
export function notesOf(r: FetchResult): CallNotes {
  return { notSent: r.notSent, failure: r.failure?.message ?? null, refusedRedirect: r.refusedRedirect };
}

function renderCall(r: FetchResult, format: ProbeFormat): string {
  const notes = notesOf(r);
  if (format === 'json') return `${jsonLine(probeJson(r))}\n`;
  if (format === 'markdown') return explainMarkdown(r.exchange, r.verdict, notes);
  return explainText(r.exchange, r.verdict, notes);
}

export async function runProbe(args: string[], io: Io): Promise<number> {
  let call: PageCall;
  let net: ReturnType<typeof netSettings>;
  let send: boolean;
  try {
    const { values, positionals } = commandArgs(args, {
      ...NET_OPTIONS,
      origin: { type: 'string' },
      method: { type: 'string', short: 'X' },
      header: { type: 'string', short: 'H', multiple: true },
      data: { type: 'string', short: 'd' },
      credentials: { type: 'string' },
      send: { type: 'boolean' },
    });
    const url = onePositional(positionals, 'URL');
    if (values.origin === undefined)
      throw new UsageError('--origin is needed: the origin of the page that calls');
    net = netSettings(values, io);
    call = pageCall({ ...values, origin: values.origin, url });
    send = values.send ?? false;
    const method = call.method.toUpperCase();
    if (!send && method !== 'GET' && method !== 'HEAD' && !needsPreflight(firstHop(call)))
      throw new UsageError(
        `${call.method} needs no preflight, so without --send there is nothing to ask the server: add --send to send it`,
      );
  } catch (e) {
    return usageExit(e, 'probe', PROBE_USAGE, io);
  }
  const r = await browserFetch(call, {
    send: (req) => sendHttp(req, net.http),
    engine: net.engine,
    sendUnsafe: send,
  });
  await write(io.stdout, renderCall(r, net.format));
  if (r.failure) await write(io.stderr, `corscope probe: ${visible(r.failure.message)}\n`);
  return exitFor(r);
}
