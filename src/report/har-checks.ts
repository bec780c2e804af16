// What a HAR entry must hold before the importer rebuilds a call from it, beyond the fields it requires:
// CORScope's `_cors` checked in full (a HAR is anyone's file), and the wire rules of src/cors/validate.ts
// (a method is a token, a header name is a token, a status is 100-599). readEntry calls checkEntry once;
// a problem skips the entry with an issue naming the field, like any other bad entry.

import { isSerializedOrigin } from '../cors/origin';
import { VERDICT_KINDS } from '../cors/types';
import { headerNameProblem, isHttpStatus, methodProblem } from '../cors/validate';
import type { HarCors } from './har-types';

/** A rule: null when `v` fits, else the problem, prefixed with the path of the field at fault. */
type Rule = (v: unknown, path: string) => string | null;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const must =
  (test: (v: unknown) => boolean, what: string): Rule =>
  (v, path) =>
    test(v) ? null : `${path}: must be ${what}`;

const str = must((v) => typeof v === 'string', 'a string');
const nonEmpty = must((v) => typeof v === 'string' && v !== '', 'a non-empty string');
const int = must((v) => typeof v === 'number' && Number.isInteger(v), 'an integer');
const hopIndex = must((v) => typeof v === 'number' && Number.isInteger(v) && v >= -1, 'an integer from -1');
const finite = must((v) => typeof v === 'number' && Number.isFinite(v), 'a number');
const oneOf = (...values: string[]): Rule =>
  must((v) => values.includes(v as string), `one of ${values.map((x) => `"${x}"`).join(', ')}`);
const nullable =
  (rule: Rule): Rule =>
  (v, path) =>
    v === null ? null : rule(v, path);

const arrayOf =
  (rule: Rule): Rule =>
  (v, path) => {
    if (!Array.isArray(v)) return `${path}: must be an array`;
    for (let i = 0; i < v.length; i++) {
      const p = rule(v[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  };

/** An object with these fields (`?` after a name: optional); other fields are left alone. */
const object =
  (fields: Record<string, Rule>): Rule =>
  (v, path) => {
    if (!isObj(v)) return `${path}: must be an object`;
    for (const [key, rule] of Object.entries(fields)) {
      const optional = key.endsWith('?');
      const name = optional ? key.slice(0, -1) : key;
      const value = Object.hasOwn(v, name) ? v[name] : undefined;
      if (value === undefined) {
        if (optional) continue;
        return `${path}.${name}: required`;
      }
      const p = rule(value, `${path}.${name}`);
      if (p) return p;
    }
    return null;
  };

const method: Rule = (v, path) => {
  const p = methodProblem(v);
  return p ? `${path}: ${p}` : null;
};

/** [name, value] pairs of strings, each name a token. */
const headerPairs: Rule = arrayOf((v, path) => {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string')
    return `${path}: must be a [name, value] pair of strings`;
  const p = headerNameProblem(v[0]);
  return p ? `${path}: ${p}` : null;
});

const PREFLIGHT = ['none', 'sent', 'cached'];

const SPACE = oneOf('public', 'local', 'loopback');
const PERMISSION = oneOf('granted', 'denied');

const ref = {
  pair: nonEmpty,
  hop: must((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0, 'an integer from 0'),
  role: oneOf('request', 'preflight', 'unsent'),
  verdict: oneOf(...VERDICT_KINDS),
  preflight: oneOf(...PREFLIGHT),
  'addressSpace?': SPACE,
  // Older exports' per-entry error (read as the call's netError).
  'netError?': str,
};

/** "granted", "denied", or one per address space. */
const localNetworkAccess: Rule = (v, path) =>
  typeof v === 'string'
    ? PERMISSION(v, path)
    : object({ 'local?': PERMISSION, 'loopback?': PERMISSION })(v, path);

const call = object({
  initiator: must(
    (v) => typeof v === 'string' && isSerializedOrigin(v),
    'the serialized origin of the page (scheme://host[:port]), or "null"',
  ),
  'api?': oneOf('fetch', 'xhr', 'image', 'font', 'script', 'stylesheet', 'other'),
  'mode?': oneOf('cors', 'no-cors', 'same-origin', 'navigate'),
  'credentials?': oneOf('omit', 'same-origin', 'include'),
  'outcome?': oneOf('success', 'error'),
  request: object({ method, url: nonEmpty, 'headers?': headerPairs, 'targetAddressSpace?': str }),
  'time?': finite,
  'tabId?': int,
  'netError?': nullable(str),
  'addressSpace?': SPACE,
  'localNetworkAccess?': localNetworkAccess,
  'headersJoined?': must((v) => typeof v === 'boolean', 'true or false'),
});

const corsError = object({
  stage: oneOf('preflight', 'request', 'redirect'),
  chromium: nullable(str),
  'firefox?': nullable(str),
  console: nullable(str),
  'firefoxConsole?': nullable(str),
  failedParameter: nullable(str),
  url: str,
  hop: hopIndex,
});

const check = object({
  rule: str,
  title: str,
  spec: str,
  hop: hopIndex,
  required: str,
  seen: str,
  result: oneOf('pass', 'fail', 'info'),
  'servedBy?': object({ id: str, expires: nullable(finite) }),
});

const fix = object({
  on: oneOf('preflight', 'request'),
  hop: int,
  url: str,
  method: str,
  action: oneOf('set', 'remove', 'status'),
  header: str,
  value: nullable(str),
  why: str,
});

const warning = object({ code: str, message: str, hop: hopIndex });

/** `_cors` on the entry that carries its call's verdict: the whole of it, as har.ts writes it. */
const corsVerdict = object({
  ...ref,
  summary: str,
  error: nullable(corsError),
  checks: arrayOf(check),
  fixes: arrayOf(fix),
  advice: arrayOf(str),
  warnings: arrayOf(warning),
  'exposed?': arrayOf(str),
  'localNetwork?': object({
    initiator: nullable(SPACE),
    resource: nullable(SPACE),
    target: nullable(SPACE),
    secureContext: must((v) => typeof v === 'boolean', 'true or false'),
    permission: nullable(oneOf('local-network', 'loopback-network')),
    permissionState: nullable(PERMISSION),
    hop: int,
    blocked: must((v) => typeof v === 'boolean', 'true or false'),
    basis: str,
  }),
  call,
});

/** `_cors` read from an entry: null when absent; the field at fault when present and not what har.ts writes. */
export function readCors(value: unknown): HarCors | null | { field: string; message: string } {
  if (value === undefined || value === null) return null;
  const rule = isObj(value) && Object.hasOwn(value, 'call') ? corsVerdict : object(ref);
  const problem = rule(value, '_cors');
  if (!problem) return value as unknown as HarCors;
  const at = problem.indexOf(': ');
  return { field: problem.slice(0, at), message: problem.slice(at + 2) };
}

/** The wire rules for one entry's request and response: its method, its status and its header names. */
export function checkEntry(entry: {
  method: string;
  status: number;
  headers: { field: string; headers: readonly (readonly [string, string])[] }[];
}): { field: string; message: string } | null {
  const m = methodProblem(entry.method);
  if (m) return { field: 'request.method', message: m };
  // DevTools writes 0 for a call that failed, Playwright -1: no response.
  if (!isHttpStatus(entry.status) && entry.status !== 0 && entry.status !== -1)
    return { field: 'response.status', message: 'must be an integer from 100 to 599 (0 or -1: no response)' };
  for (const { field, headers } of entry.headers) {
    for (const [name] of headers) {
      const p = headerNameProblem(name);
      if (p) return { field, message: `${JSON.stringify(name.slice(0, 40))}: ${p}` };
    }
  }
  return null;
}
