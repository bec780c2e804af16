// The Local Network Access section of a call's details: the check that runs before CORS, what it saw of the page
// and the server, and why it let the call through or stopped it. The fixes are in the verdict's advice.
import type { Exchange, LocalNetworkFacts } from '../../cors/types';

const SPACE_WORDS: Record<string, string> = {
  public: 'public (the internet)',
  local: 'local (the local network)',
  loopback: 'loopback (this device)',
};

function space(s: string | null, unknown: string): string {
  return s ? (SPACE_WORDS[s] ?? s) : unknown;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

export function LocalNetworkSection({ ex, facts }: { ex: Exchange; facts: LocalNetworkFacts }) {
  const hop = ex.wire[facts.hop];
  const server = hop ? origin(hop.request.url) : origin(ex.request.url);
  return (
    <section class="section" data-testid="local-network">
      <h3>Local Network Access</h3>
      <p data-testid="lna-lead">
        {facts.blocked
          ? 'The browser stopped this request before sending it, so the server never saw it and CORS never ran: no response header can change this. Local Network Access lets a page on the public internet reach a server on the local network or on this device only with the user’s permission, and only from a secure context.'
          : 'The browser let this request reach a more private address space; CORS then applied to it as to any other call.'}
      </p>
      <table class="table lna-facts" data-testid="lna-facts">
        <tbody>
          <tr>
            <th>Page</th>
            <td>
              <span class="url">{ex.initiator}</span>: {space(facts.initiator, 'address space not known')}
              {facts.secureContext
                ? ', a secure context'
                : ', not a secure context (not HTTPS, not localhost)'}
            </td>
          </tr>
          <tr>
            <th>Server</th>
            <td>
              <span class="url">{server}</span>:{' '}
              {space(facts.resource, 'local or loopback (which one, the recording does not say)')}
            </td>
          </tr>
          {facts.target && (
            <tr>
              <th>targetAddressSpace</th>
              <td class="mono">{facts.target}</td>
            </tr>
          )}
          <tr>
            <th>Permission</th>
            <td>
              {facts.permission ? (
                <span class="mono">{facts.permission}</span>
              ) : (
                'local-network or loopback-network'
              )}
              {': '}
              {facts.permissionState === 'granted'
                ? 'granted'
                : facts.permissionState === 'denied'
                  ? 'not granted'
                  : 'not known'}
            </td>
          </tr>
          <tr>
            <th>From</th>
            <td class="muted">{facts.basis}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
