// What probe, check and scan share on their command lines: the network and output options, a page's origin, a
// URL, counts, and the usage error that ends a command with exit status 64.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Engine } from '../cors';
import type { HttpOptions } from './http';
import { type Io, term, write } from './io';

const PROBE_FORMATS = ['table', 'json', 'markdown'] as const;
export type ProbeFormat = (typeof PROBE_FORMATS)[number];

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A command's arguments, by node:util parseArgs: its options and its positionals. An option it does not know,
 * or one without its value, throws (a usage error for usageExit).
 */
export function commandArgs<O extends Options>(args: string[], options: O) {
  return parseArgs({ args, options, allowPositionals: true as const, strict: true as const });
}

/** A usage error: the command's words for what is wrong with its arguments. */
export class UsageError extends Error {}

/** The options probe, check and scan share: how to judge and how to talk to servers. */
export const NET_OPTIONS = {
  engine: { type: 'string' },
  format: { type: 'string', short: 'f' },
  timeout: { type: 'string' },
  insecure: { type: 'boolean' },
} as const;

export interface NetSettings {
  engine: Engine;
  format: ProbeFormat;
  http: HttpOptions;
}

export function netSettings(
  values: { engine?: string; format?: string; timeout?: string; insecure?: boolean },
  io: Io,
): NetSettings {
  const engine = engineOf(values.engine);
  const format = values.format ?? 'table';
  if (!(PROBE_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`unknown format "${format}" (--format takes ${PROBE_FORMATS.join(', ')})`);
  const timeout = Number(values.timeout ?? '10');
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600)
    throw new UsageError(`--timeout takes seconds, more than 0 and at most 600, not "${values.timeout}"`);
  return {
    engine,
    format: format as ProbeFormat,
    http: { timeoutMs: timeout * 1000, insecure: values.insecure ?? false, env: io.env ?? process.env },
  };
}

export const ENGINES: readonly Engine[] = ['chromium', 'firefox'];

/** --engine: whose rules judge (default chromium). */
export function engineOf(value: string | undefined): Engine {
  const engine = value ?? 'chromium';
  if (!(ENGINES as readonly string[]).includes(engine))
    throw new UsageError(`unknown engine "${engine}" (--engine takes ${ENGINES.join(' or ')})`);
  return engine as Engine;
}

/** A page's origin as given on the command line: "null", or scheme://host[:port] (a trailing "/" is allowed). */
export function parseOrigin(value: string, option = '--origin'): string {
  if (value === 'null') return 'null';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`${option} "${value}" is not an origin (scheme://host[:port], or null)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`${option} "${value}": a page's origin here is http: or https:, or null`);
  if (
    u.username ||
    u.password ||
    u.pathname !== '/' ||
    u.search ||
    u.hash ||
    /[/?#]./.test(value.split('//')[1]!)
  )
    throw new UsageError(`${option} "${value}" is not an origin: no user, path, query or fragment`);
  return u.origin;
}

/** An http(s) URL to call. */
export function parseTarget(value: string, what = 'URL'): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`${what} "${value}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`${what} "${value}": only http: and https: URLs can be probed`);
  return u.href;
}

/** The one positional argument a command takes ("URL", "RECORDING"). */
export function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length ? `one ${what} at most` : `a ${what} is needed`);
  return positionals[0]!;
}

/** A whole number option from 1 to `max`. */
export function wholeNumber(name: string, value: string | undefined, byDefault: number, max: number): number {
  const n = Number(value ?? byDefault);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`--${name} takes a whole number from 1 to ${max}, not "${value}"`);
  return n;
}

/**
 * Ends a command on a usage error (its own, or node:util parseArgs'): the reason (the arguments' control
 * characters made visible) and the command's usage, exit 64.
 */
export async function usageExit(e: unknown, command: string, usage: string, io: Io): Promise<number> {
  if (!(e instanceof UsageError) && !(e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw e;
  await write(io.stderr, `${term(`corscope ${command}: ${(e as Error).message}`)}\n\nUsage:\n${usage}`);
  return 64;
}
