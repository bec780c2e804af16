// `corscope check RECORDING --against BASE_URL`: the CORS calls of a recording made again against another server
// (the recorded API's origin replaced by BASE_URL, the page's origin kept), each as the browser would make it,
// and judged: a deployment gate that fails when a call that worked in the recording would be blocked.
import { Evaluator, type Header, originOf } from '../cors';
import { visible } from '../report/inert';
import { code, tableCode, text } from '../report/markdown';
import { credentialsOf, type RecordedCall, scriptHeaders } from '../report/recorded-call';
import {
  commandArgs,
  NET_OPTIONS,
  netSettings,
  onePositional,
  parseOrigin,
  parseTarget,
  UsageError,
  usageExit,
  wholeNumber,
} from './args';
import { firstHop, needsPreflight, type PageCall } from './browser';
import { reasonOf } from './evaluate';
import { browserFetch, type FetchResult } from './fetch';
import { sendHttp } from './http';
import { type Io, jsonLine, openInput, write } from './io';
import { inPool, rateLimited } from './limit';
import { notesOf, outcomeOf, probeJson } from './probe';
import { readRecording } from './recording';
import { explainMarkdown, explainText } from './render';
import { formatTable } from './table';
import { CHECK_USAGE } from './usage';

/** One recorded call and what happened when it was made again. */
interface Replayed {
  call: RecordedCall;
  /** The URL it was made to. */
  url: string;
  now: FetchResult | null;
  skipped: string | null;
}

/** The page would now fail a call that worked in the recording. */
function isRegression(r: Replayed): boolean {
  if (!r.now || r.now.failure || r.call.recorded.verdict !== 'allowed') return false;
  return r.now.verdict.verdict === 'blocked' || (r.now.verdict.verdict === 'network-error' && !r.now.notSent);
}

const nowWord = (r: Replayed): string => (r.skipped ? 'skipped' : outcomeOf(r.now!));

function reason(r: Replayed): string {
  if (r.skipped) return r.skipped;
  const now = r.now!;
  if (now.failure) return now.failure.message;
  if (now.notSent && now.verdict.verdict !== 'blocked')
    return `${now.notSent.method} not sent (--send sends it)`;
  return reasonOf(now.verdict);
}

/** A URL moved to `base`: its origin replaced, the base's path put in front of its path. */
function mover(base: URL): (url: string) => string {
  const prefix = base.pathname.replace(/\/$/, '');
  return (url) => {
    const u = new URL(url);
    return `${base.origin}${prefix}${u.pathname}${u.search}`;
  };
}

/** The origin most calls went to (the first such in the recording on a tie). */
function mostCommonOrigin(calls: RecordedCall[]): string | null {
  const counts = new Map<string, number>();
  for (const c of calls) {
    const o = originOf(c.exchange.request.url);
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [o, n] of counts) if (best === null || n > counts.get(best)!) best = o;
  return best;
}

/** The call a page would make now: the recorded one, on the new server. */
function pageCallOf(recorded: RecordedCall, url: string, origin: string | null): PageCall {
  const ex = recorded.exchange;
  const headers: Header[] = scriptHeaders(ex);
  return {
    origin: origin ?? ex.initiator,
    method: ex.request.method,
    url,
    headers,
    body: null,
    credentials: credentialsOf(recorded),
    // Recorded cookies are redacted: the replay sends none.
    cookie: null,
    ...(ex.api ? { api: ex.api } : {}),
  };
}

export async function runCheck(args: string[], io: Io): Promise<number> {
  let opts: {
    file: string;
    base: URL;
    from: string | null;
    origin: string | null;
    send: boolean;
    concurrency: number;
    rate: number;
  };
  let net: ReturnType<typeof netSettings>;
  let engineGiven: boolean;
  try {
    const { values, positionals } = commandArgs(args, {
      ...NET_OPTIONS,
      against: { type: 'string' },
      from: { type: 'string' },
      origin: { type: 'string' },
      send: { type: 'boolean' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
    });
    const file = onePositional(positionals, 'RECORDING');
    if (values.against === undefined)
      throw new UsageError('--against is needed: the base URL to check against');
    net = netSettings(values, io);
    engineGiven = values.engine !== undefined;
    const base = new URL(parseTarget(values.against, '--against'));
    if (base.search || base.hash)
      throw new UsageError('--against takes a base URL without query or fragment');
    opts = {
      file,
      base,
      from: values.from !== undefined ? parseOrigin(values.from, '--from') : null,
      origin: values.origin !== undefined ? parseOrigin(values.origin) : null,
      send: values.send ?? false,
      concurrency: wholeNumber('concurrency', values.concurrency, 4, 64),
      rate: wholeNumber('rate', values.rate, 10, 1000),
    };
  } catch (e) {
    return usageExit(e, 'check', CHECK_USAGE, io);
  }
  const input = await openInput(opts.file, io);
  if (input instanceof Error) {
    await write(io.stderr, `corscope check: cannot read ${opts.file}: ${input.message}\n`);
    return 66;
  }
  const recording = await readRecording(input as AsyncIterable<Uint8Array>, engineGiven ? net.engine : null);
  for (const e of recording.errors) await write(io.stderr, `corscope check: ${visible(e)}\n`);
  const engine = engineGiven ? net.engine : recording.engine;
  const cors = recording.calls.filter(
    (c) => c.recorded.verdict === 'allowed' || c.recorded.verdict === 'blocked',
  );
  const from = opts.from ?? mostCommonOrigin(cors);
  const move = mover(opts.base);
  const send = rateLimited((req) => sendHttp(req, net.http), opts.rate);
  const ev = new Evaluator({ engine });

  const replayed: Replayed[] = recording.calls.map((call) => ({
    call,
    url: call.exchange.request.url,
    now: null,
    skipped: null,
  }));
  // Calls to one URL go one after another, in the recording's order: the preflight cache sees the browser's order.
  const chains = new Map<string, Replayed[]>();
  for (const r of replayed) {
    const { exchange: ex, recorded } = r.call;
    if (recorded.verdict !== 'allowed' && recorded.verdict !== 'blocked') {
      r.skipped = `not a CORS call (${recorded.verdict} in the recording)`;
      continue;
    }
    if (originOf(ex.request.url) !== from) {
      r.skipped = `to ${originOf(ex.request.url)}, not ${from} (--from)`;
      continue;
    }
    r.url = move(ex.request.url);
    const call = pageCallOf(r.call, r.url, opts.origin);
    if (!opts.send && !/^(GET|HEAD)$/i.test(call.method) && !needsPreflight(firstHop(call))) {
      r.skipped = `${call.method} needs no preflight: not sent without --send`;
      continue;
    }
    const chain = chains.get(r.url) ?? [];
    chain.push(r);
    chains.set(r.url, chain);
  }
  await inPool(
    [...chains.values()].map((chain) => async () => {
      for (const r of chain) {
        const call = pageCallOf(r.call, r.url, opts.origin);
        r.now = await browserFetch(call, {
          send,
          engine,
          sendUnsafe: opts.send,
          evaluator: ev,
          id: r.call.exchange.id,
        });
      }
    }),
    opts.concurrency,
  );

  const regressions = replayed.filter(isRegression);
  const failures = replayed.filter((r) => r.now?.failure);
  const target = `${opts.base.origin}${opts.base.pathname.replace(/\/$/, '')}`;
  await write(io.stdout, render(replayed, regressions, target, net.format, recording.errors));
  if (regressions.length) return 2;
  return failures.length || recording.errors.length ? 1 : 0;
}

function headline(regressions: Replayed[], target: string): string {
  const n = regressions.length;
  return n === 0
    ? `No call that worked in the recording would be blocked by ${target}.`
    : `${n} ${n === 1 ? 'call' : 'calls'} that worked in the recording would be blocked by ${target}:`;
}

function counts(replayed: Replayed[]): string {
  const m = new Map<string, number>();
  for (const r of replayed) m.set(nowWord(r), (m.get(nowWord(r)) ?? 0) + 1);
  return [...m].map(([k, n]) => `${n} ${k}`).join(', ');
}

function render(
  replayed: Replayed[],
  regressions: Replayed[],
  target: string,
  format: string,
  errors: string[],
): string {
  if (format === 'json') {
    return `${jsonLine({
      against: target,
      calls: replayed.map((r) => ({
        id: r.call.exchange.id,
        method: r.call.exchange.request.method,
        recordedUrl: r.call.exchange.request.url,
        url: r.url,
        recorded: r.call.recorded.verdict,
        now: r.now ? probeJson(r.now) : null,
        skipped: r.skipped,
        regression: isRegression(r),
      })),
      regressions: regressions.length,
      errors,
    })}\n`;
  }
  const rows = replayed.map((r) => [
    r.call.exchange.id,
    r.call.exchange.request.method,
    r.url,
    r.call.recorded.verdict,
    nowWord(r),
    reason(r),
  ]);
  if (format === 'markdown') {
    const out = [`# CORScope check against ${code(target)}`, '', text(headline(regressions, target)), ''];
    for (const r of regressions) out.push(explainMarkdown(r.now!.exchange, r.now!.verdict, notesOf(r.now!)));
    out.push(
      '## Every call',
      '',
      '| Call | Method | URL | Recorded | Now | Why |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const row of rows)
      out.push(
        `| ${tableCode(row[0]!)} | ${text(row[1]!)} | ${tableCode(row[2]!)} | ${row[3]} | ${row[4]} | ${text(row[5]!)} |`,
      );
    out.push('', `${replayed.length} calls in the recording: ${counts(replayed)}.`);
    return `${out.join('\n')}\n`;
  }
  const out = [
    formatTable(
      ['ID', 'METHOD', 'URL', 'RECORDED', 'NOW', 'WHY'],
      rows.map((r) => r.map(visible)),
      [24, 8, 64, 10, 16],
    ),
    '',
    `${replayed.length} calls in the recording: ${counts(replayed)}.`,
    visible(headline(regressions, target)),
  ];
  for (const r of regressions)
    out.push('', explainText(r.now!.exchange, r.now!.verdict, notesOf(r.now!)).trimEnd());
  return `${out.join('\n')}\n`;
}
