// CORS policies as servers get them wrong (and one done right), for `corscope scan`'s tests: each answers a
// request by its Origin, the same for GET, for a preflight (which it allows for PUT with Content-Type) and for
// the PUT after it.
import type { Reply } from './server';

export type Policy = (origin: string | undefined, preflight: boolean) => Reply;

/** Answers with Access-Control-Allow-Origin: the origin, when `allows` says so; credentials allowed or not. */
function allowing(allows: (origin: string) => boolean, credentials = true): Policy {
  return (origin, preflight) => {
    const headers: [string, string][] = [['Vary', 'Origin']];
    if (origin !== undefined && allows(origin)) {
      headers.push(['Access-Control-Allow-Origin', origin]);
      if (credentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
      if (preflight)
        headers.push(
          ['Access-Control-Allow-Methods', 'GET, PUT'],
          ['Access-Control-Allow-Headers', 'Content-Type'],
        );
    }
    return {
      status: preflight ? 204 : 200,
      headers: [...headers, ['Content-Type', 'application/json']],
      body: preflight ? '' : '{"user":"u1"}',
    };
  };
}

/** The policies by name, around the page origin the API is meant to trust (https://app.example.com and the like). */
export function policies(trusted: string): Record<string, Policy> {
  const host = new URL(trusted).hostname; // app.example.com
  const site = host.split('.').slice(-2).join('.'); // example.com
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    'reflect-credentials': allowing(() => true),
    reflect: allowing(() => true, false),
    // /^https:\/\/app\.example\.com/ with no end anchor.
    prefix: allowing((o) => new RegExp(`^${escaped(trusted)}`).test(o)),
    // /example\.com$/ with no dot before it.
    suffix: allowing((o) => new RegExp(`${escaped(site)}$`).test(o)),
    // /^https:\/\/app.example.com$/: the dots unescaped.
    'unescaped-dot': allowing((o) => new RegExp(`^${trusted}$`).test(o)),
    null: allowing((o) => o === trusted || o === 'null'),
    // Any subdomain, over http or https.
    subdomains: allowing((o) => new RegExp(`^https?://([a-z0-9-]+\\.)*${escaped(site)}$`).test(o)),
    'github-pages': allowing((o) => o === trusted || /^https:\/\/[a-z0-9-]+\.github\.io$/.test(o)),
    allowlist: allowing((o) => o === trusted),
    star: (_origin, preflight) => ({
      status: preflight ? 204 : 200,
      headers: [
        ['Access-Control-Allow-Origin', '*'],
        ['Content-Type', 'application/json'],
      ],
      body: preflight ? '' : '{"public":true}',
    }),
  };
}
