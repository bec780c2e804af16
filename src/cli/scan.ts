// `corscope scan URL`: the misconfiguration checks CORS scanners make, each made as a page on the attacker's
// origin would make it (a GET with and without credentials, and the preflight of a credentialed PUT: only GET and
// OPTIONS go out), judged by the evaluator, and reported with a severity, the evidence and the fix.
import { getDomain } from 'tldts';
import { Evaluator, type Exchange, type Header, type Verdict } from '../cors';
import { visible } from '../report/inert';
import { code, tableCode, text } from '../report/markdown';
import { fixText } from '../ui/format';
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
import type { PageCall } from './browser';
import { browserFetch, type FetchResult } from './fetch';
import { sendHttp } from './http';
import { type Io, jsonLine, write } from './io';
import { rateLimited } from './limit';
import { outcomeOf } from './probe';
import { formatTable } from './table';
import { SCAN_USAGE } from './usage';

export type Severity = 'high' | 'medium' | 'low' | 'info';

/** Who can be the origin a check sends: anyone (a name any attacker registers), a network attacker, a subdomain. */
type Reach = 'anyone' | 'network' | 'subdomain';

export interface OriginCheck {
  /** Stable identifier of the check. */
  kind: string;
  title: string;
  origin: string;
  reach: Reach;
}

/** Hosting services where anyone gets a subdomain of a shared name. */
export const HOSTING = ['github.io', 'gitlab.io', 'herokuapp.com', 'netlify.app', 'vercel.app', 'pages.dev'];

const ATTACKER = 'attacker.example';

/**
 * The origins to send, built from the API's URL and, when given, the page origin the API trusts (tricks on an
 * allowlist are tricks on its names): at most 8 + HOSTING.length origins.
 */
export function originChecks(target: string, trusted: string | null): OriginCheck[] {
  const api = new URL(target);
  const base = trusted ? new URL(trusted) : api;
  const scheme = base.protocol;
  const host = base.hostname;
  const site = getDomain(host, { allowPrivateDomains: true });
  const out: OriginCheck[] = [
    {
      kind: 'arbitrary',
      title: 'An arbitrary origin is trusted',
      origin: `https://${ATTACKER}`,
      reach: 'anyone',
    },
    { kind: 'null', title: 'The "null" origin is trusted', origin: 'null', reach: 'anyone' },
    {
      kind: 'prefix',
      title: `An origin that starts with ${host} is trusted`,
      origin: `${scheme}//${host}.${ATTACKER}`,
      reach: 'anyone',
    },
  ];
  if (site) {
    out.push({
      kind: 'suffix',
      title: `An origin that ends with ${site} is trusted`,
      origin: `${scheme}//attacker${site}`,
      reach: 'anyone',
    });
  }
  if (site && host.includes('.')) {
    out.push({
      kind: 'unescaped-dot',
      title: `An origin with a letter in place of a dot of ${host} is trusted (an unescaped "." in a pattern)`,
      origin: `${scheme}//${host.replace('.', 'x')}`,
      reach: 'anyone',
    });
  }
  if (api.protocol === 'https:') {
    out.push({
      kind: 'http-origin',
      title: 'An http: origin is trusted by an https: API',
      origin: `http://${host}${base.port ? `:${base.port}` : ''}`,
      reach: 'network',
    });
  }
  if (site) {
    out.push({
      kind: 'subdomain',
      title: `Any subdomain of ${site} is trusted`,
      origin: `${scheme}//attacker.${site}`,
      reach: 'subdomain',
    });
  }
  for (const h of HOSTING) {
    out.push({
      kind: `hosting:${h}`,
      title: `Any site on ${h}, where anyone can publish, is trusted`,
      origin: `https://attacker.${h}`,
      reach: 'anyone',
    });
  }
  return out;
}

/** The three calls made from each origin: only GET and OPTIONS reach the server. */
const CALLS = [
  { name: 'read', method: 'GET', headers: [] as Header[], credentials: 'omit' as const },
  { name: 'read with credentials', method: 'GET', headers: [] as Header[], credentials: 'include' as const },
  {
    name: 'write with credentials (preflight only)',
    method: 'PUT',
    headers: [['Content-Type', 'application/json']] as Header[],
    credentials: 'include' as const,
  },
];

/** One call as sent, and what the evaluator said. */
export interface Probe {
  kind: string;
  origin: string;
  call: string;
  credentials: 'omit' | 'include';
  method: string;
  result: FetchResult;
  /** The page on that origin could read the response (a GET), or send the request (the preflight passed). */
  passed: boolean;
}

export interface Finding {
  kind: string;
  severity: Severity;
  title: string;
  origin: string;
  /** The calls from that origin that passed. */
  passed: string[];
  /** The deciding responses' CORS headers, with the request that got them. */
  evidence: string[];
  /** The evaluator's warnings on those calls. */
  warnings: string[];
  fix: string[];
}

const RANK: Severity[] = ['info', 'low', 'medium', 'high'];

/** How bad it is that a page on this origin passes: with credentials it reads the user's data. */
function severityOf(reach: Reach, credentials: boolean, wildcard: boolean): Severity {
  if (!credentials) return wildcard ? 'info' : 'low';
  return reach === 'anyone' ? 'high' : 'medium';
}

const passed = (r: FetchResult) => ['allowed', 'preflight passed'].includes(outcomeOf(r));

/** The response that decided a call: the last one on the wire. */
function decidingResponse(ex: Exchange): { request: string; headers: Header[] } | null {
  const w = ex.wire[ex.wire.length - 1];
  if (!w?.response) return null;
  return { request: `${w.request.method} ${w.request.url}`, headers: w.response.headers };
}

const CORS_HEADERS = /^(access-control-|vary$)/i;

function evidenceOf(p: Probe): string {
  const origin = p.origin;
  const res = decidingResponse(p.result.exchange);
  const sent = `${p.call}: ${res?.request ?? p.method} with Origin: ${origin}`;
  const got = (res?.headers ?? []).filter(([n]) => CORS_HEADERS.test(n)).map(([n, v]) => `${n}: ${v}`);
  return `${sent} → ${got.join('; ') || 'no CORS headers'}`;
}

/**
 * The fix, from the evaluator's own repair: the allowed page's call made again with the attacker's origin taken
 * out of the answer, so the fixes it proposes name the trusted origin alone (or, without --origin, what to do).
 */
function fixFor(p: Probe, trusted: string | null): string[] {
  const lines = [
    `Answer ${p.origin} without Access-Control-Allow-Origin: check Origin against an exact list of the origins you trust, and send "Vary: Origin".`,
  ];
  if (!trusted) {
    lines.push("Give --origin with your page's origin for the exact headers to send it.");
    return lines;
  }
  const ex = p.result.exchange;
  const stripped: Exchange = {
    ...ex,
    id: `${ex.id}-fix`,
    initiator: trusted,
    wire: ex.wire.map((w) => ({
      ...w,
      response: w.response
        ? {
            ...w.response,
            headers: w.response.headers.filter(
              ([n]) => !/^access-control-allow-(origin|credentials)$/i.test(n),
            ),
          }
        : null,
    })),
  };
  const v: Verdict = new Evaluator({ engine: p.result.verdict.engine }).evaluate(stripped);
  const fixes = v.fixes.filter((f) => f.header.startsWith('Access-Control-Allow-'));
  if (fixes.length) lines.push(`For ${trusted}: ${[...new Set(fixes.map(fixText))].join('; ')}.`);
  return lines;
}

/** The evaluator's warnings on some calls, one of each kind: the last (a reflection warning grows its list). */
function warningsOf(probes: Probe[]): string[] {
  const byCode = new Map<string, string>();
  for (const p of probes) for (const w of p.result.verdict.warnings) byCode.set(w.code, w.message);
  return [...byCode.values()];
}

function findingsOf(checks: OriginCheck[], probes: Probe[], trusted: string | null): Finding[] {
  const out: Finding[] = [];
  let arbitrary: { finding: Finding; calls: string; probes: Probe[] } | null = null;
  for (const c of checks) {
    const mine = probes.filter((p) => p.kind === c.kind && p.passed);
    if (!mine.length) continue;
    // When any origin at all passes, the tricks that pass the same calls say nothing more: one line each.
    const calls = mine.map((p) => p.call).join(',');
    if (arbitrary && arbitrary.calls === calls && c.kind !== 'null') {
      const f = arbitrary.finding;
      f.evidence.push(`The same for ${c.origin} (${c.kind}).`);
      f.warnings = warningsOf([...arbitrary.probes, ...mine]);
      arbitrary.probes.push(...mine);
      continue;
    }
    const credentials = mine.some((p) => p.credentials === 'include');
    const wildcard = mine.every((p) => {
      const res = decidingResponse(p.result.exchange);
      return res?.headers.some(
        ([n, v]) => n.toLowerCase() === 'access-control-allow-origin' && v.trim() === '*',
      );
    });
    // A public API (Access-Control-Allow-Origin: * without credentials) is said once, not once per origin.
    if (!credentials && wildcard && out.some((f) => f.severity === 'info')) continue;
    const finding: Finding = {
      kind: wildcard && !credentials ? 'public' : c.kind,
      severity: severityOf(c.reach, credentials, wildcard),
      title:
        wildcard && !credentials
          ? 'Any origin may read responses sent without credentials (Access-Control-Allow-Origin: *)'
          : `${c.title}${credentials ? ', with credentials' : ''}`,
      origin: c.origin,
      passed: mine.map((p) => p.call),
      evidence: mine.map(evidenceOf),
      warnings: warningsOf(mine),
      fix:
        wildcard && !credentials
          ? ['None needed if the API is public; otherwise name the origins you trust.']
          : fixFor(
              mine.find((p) => p.method === 'GET' && p.credentials === 'include') ??
                mine.find((p) => p.credentials === 'include') ??
                mine[0]!,
              trusted,
            ),
    };
    out.push(finding);
    if (c.kind === 'arbitrary') arbitrary = { finding, calls, probes: [...mine] };
  }
  return out.sort((a, b) => RANK.indexOf(b.severity) - RANK.indexOf(a.severity));
}

export async function runScan(args: string[], io: Io): Promise<number> {
  let target: string;
  let trusted: string | null;
  let rate: number;
  let net: ReturnType<typeof netSettings>;
  try {
    const { values, positionals } = commandArgs(args, {
      ...NET_OPTIONS,
      origin: { type: 'string' },
      rate: { type: 'string' },
    });
    net = netSettings(values, io);
    target = parseTarget(onePositional(positionals, 'URL'));
    trusted = values.origin !== undefined ? parseOrigin(values.origin) : null;
    if (trusted === 'null') throw new UsageError('--origin null: a page the API trusts has a real origin');
    rate = wholeNumber('rate', values.rate, 10, 1000);
  } catch (e) {
    return usageExit(e, 'scan', SCAN_USAGE, io);
  }
  const send = rateLimited((req) => sendHttp(req, net.http), rate);
  // One stream: what the server echoed to one origin is seen when it echoes another (a reflection).
  const ev = new Evaluator({ engine: net.engine });
  const checks = originChecks(target, trusted);
  const probes: Probe[] = [];
  let failure: string | null = null;
  for (const c of checks) {
    for (const k of CALLS) {
      const call: PageCall = {
        origin: c.origin,
        method: k.method,
        url: target,
        headers: k.headers,
        body: null,
        credentials: k.credentials,
        cookie: null,
      };
      const result = await browserFetch(call, {
        send,
        engine: net.engine,
        sendUnsafe: false,
        evaluator: ev,
        id: `${c.kind} ${k.name}`,
      });
      failure ??= result.failure?.message ?? null;
      probes.push({
        kind: c.kind,
        origin: c.origin,
        call: k.name,
        credentials: k.credentials,
        method: k.method,
        result,
        passed: passed(result),
      });
      if (failure) break;
    }
    if (failure) break;
  }
  const findings = failure ? [] : findingsOf(checks, probes, trusted);
  await write(io.stdout, render(target, probes, findings, net.format, failure));
  if (failure) {
    await write(io.stderr, `corscope scan: ${visible(failure)}\n`);
    return 1;
  }
  return findings.some((f) => f.severity !== 'info') ? 2 : 0;
}

function render(
  target: string,
  probes: Probe[],
  findings: Finding[],
  format: string,
  failure: string | null,
): string {
  const requests = probes.reduce((n, p) => n + p.result.exchange.wire.length, 0);
  const tally = `${probes.length} calls from ${new Set(probes.map((p) => p.origin)).size} origins, ${requests} requests`;
  if (format === 'json') {
    return `${jsonLine({
      target,
      findings,
      probes: probes.map((p) => ({
        kind: p.kind,
        origin: p.origin,
        call: p.call,
        method: p.method,
        credentials: p.credentials,
        passed: p.passed,
        outcome: outcomeOf(p.result),
        preflight: p.result.verdict.preflight,
        console: p.result.verdict.error?.console ?? null,
        exchange: p.result.exchange,
      })),
      failure,
    })}\n`;
  }
  const headline = failure
    ? `Scan stopped: ${failure}`
    : findings.length
      ? `${findings.length} ${findings.length === 1 ? 'finding' : 'findings'} for ${target} (${tally}):`
      : `No finding for ${target} (${tally}).`;
  if (format === 'markdown') {
    const out = [`# CORScope scan of ${code(target)}`, '', text(headline), ''];
    if (findings.length) {
      out.push('| Severity | Finding | Origin |', '| --- | --- | --- |');
      for (const f of findings) out.push(`| ${f.severity} | ${text(f.title)} | ${tableCode(f.origin)} |`);
      out.push('');
    }
    for (const f of findings) {
      out.push(`## ${f.severity}: ${text(f.title)}`, '', 'Evidence:', '');
      for (const e of f.evidence) out.push(`- ${code(e)}`);
      out.push('');
      for (const w of f.warnings) out.push(`> ${text(w)}`, '');
      out.push('Fix:', '');
      for (const x of f.fix) out.push(`- ${text(x)}`);
      out.push('');
    }
    return `${out.join('\n').trimEnd()}\n`;
  }
  const out = [visible(headline)];
  if (findings.length) {
    out.push(
      '',
      formatTable(
        ['SEVERITY', 'FINDING', 'ORIGIN'],
        findings.map((f) => [f.severity, f.title, f.origin].map(visible)),
        [8, 90],
      ),
    );
  }
  for (const f of findings) {
    out.push('', visible(`${f.severity.toUpperCase()}: ${f.title}`));
    for (const e of f.evidence) out.push(visible(`  ${e}`));
    for (const w of f.warnings) out.push(visible(`  Warning: ${w}`));
    for (const x of f.fix) out.push(visible(`  Fix: ${x}`));
  }
  return `${out.join('\n')}\n`;
}
