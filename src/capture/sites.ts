// Sites as the user lists them in the settings ("Capture on: only these sites", "Sites where capture is
// off"): one host per line, which also covers its subdomains and every port. The same reading serves the
// webRequest filters (match patterns), capture's own checks and the pages that say whether a tab is covered.

const HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** The host of a URL or a serialized origin: after the scheme and any user info, up to the port or path. */
const HOST_OF_URL = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i;

/**
 * A site as listed → its host: lower case, without a scheme, user info, port, path or a leading "*."; null
 * when what is left is not a host name, an IPv4 address or a bracketed IPv6 address.
 */
export function siteHost(entry: string): string | null {
  let s = entry.trim().toLowerCase();
  const url = HOST_OF_URL.exec(s);
  if (url) s = url[1]!;
  else s = s.replace(/[/?#].*$/, '');
  s = s.startsWith('[') ? s.replace(/^(\[[^\]]*\]):\d*$/, '$1') : s.replace(/:\d*$/, '');
  s = s.replace(/^\*\./, '').replace(/\.$/, '');
  return HOST.test(s) || IPV6.test(s) ? s : null;
}

/** The distinct hosts of a list of sites, in order; what is not a host is left out. */
export function siteHosts(sites: readonly string[]): string[] {
  return [...new Set(sites.flatMap((s) => siteHost(s) ?? []))];
}

/** The host of a URL or serialized origin ("null" stays "null"); "" when it has none. */
export function hostOf(urlOrOrigin: string): string {
  const m = HOST_OF_URL.exec(urlOrOrigin);
  return m ? m[1]!.toLowerCase() : urlOrOrigin.toLowerCase();
}

/** Whether a URL's (or origin's) host is one of the sites or below one. */
export function siteMatcher(sites: readonly string[]): (urlOrOrigin: string) => boolean {
  const hosts = siteHosts(sites);
  if (!hosts.length) return () => false;
  return (urlOrOrigin) => {
    const host = hostOf(urlOrOrigin);
    return hosts.some((h) => host === h || host.endsWith(`.${h}`));
  };
}

/**
 * The webRequest URL filter (match patterns, https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns)
 * for the sites: each host on any scheme and port, with its subdomains ("*.example.com" is example.com and
 * every name below it). Chromium and Firefox match a pattern without a port on every port.
 */
export function sitePatterns(sites: readonly string[]): string[] {
  return siteHosts(sites).map((h) => (IPV6.test(h) || IPV4.test(h) ? `*://${h}/*` : `*://*.${h}/*`));
}
