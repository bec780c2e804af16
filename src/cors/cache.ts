// The CORS-preflight cache: https://fetch.spec.whatwg.org/#cors-preflight-cache, per engine.
// Chromium keys one entry per (origin, URL, network isolation key) and a new preflight replaces it
// (services/network/cors/preflight_cache.cc), so a DELETE preflight evicts an earlier PUT's entry for the
// same URL. Firefox (nsPreflightCache in netwerk/protocol/http/nsCORSListenerProxy.cpp) keys by
// (credentials or not, the page's origin, URL) and keeps each allowed method and header name with its own
// expiry, so a later preflight adds to an entry; it holds 100 entries, least recently used out first.
// We key by origin and URL within one stream: one stream is one browser profile and one tab.
import { headersNotAllowed, methodAllowed, type PreflightPolicy } from './preflight';
import type { Engine } from './types';

export interface CacheEntry {
  /** The exchange whose preflight filled the entry (Firefox: of the grants used, the one to expire first). */
  id: string;
  /** When it expires, ms since the epoch; null when the stream carries no times. */
  expires: number | null;
}

interface ChromiumEntry extends CacheEntry {
  policy: PreflightPolicy;
}

/** One allowed token of a Firefox entry (nsPreflightCache::TokenTime), with the preflight that granted it. */
interface Token {
  id: string;
  expires: number | null;
}

interface FirefoxEntry {
  /** Methods byte-for-byte as sent; header names lower-cased (Firefox compares them case-insensitively). */
  methods: Map<string, Token>;
  headers: Map<string, Token>;
}

// Firefox's PREFLIGHT_CACHE_SIZE.
const FIREFOX_CACHE_SIZE = 100;

export class PreflightCache {
  private readonly entries = new Map<string, ChromiumEntry>();
  private readonly firefox = new Map<string, FirefoxEntry>();

  constructor(readonly engine: Engine = 'chromium') {}

  private static key(origin: string, url: string): string {
    return `${origin} ${url}`;
  }

  /** Firefox's key (BasePrincipal::GetPrefLightCacheKey): "cred" or "nocred", the page's origin, the URL. */
  private static firefoxKey(include: boolean, origin: string, url: string): string {
    return `${include ? 'cred' : 'nocred'} ${origin} ${url}`;
  }

  /** Stores a successful preflight's policy. max-age 0 (or negative) stores nothing. */
  store(origin: string, url: string, id: string, policy: PreflightPolicy, time: number | undefined): void {
    if (this.engine === 'firefox') {
      this.storeFirefox(origin, url, id, policy, time);
      return;
    }
    const key = PreflightCache.key(origin, url);
    if (policy.maxAge <= 0) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, {
      id,
      policy,
      expires: time === undefined ? null : time + policy.maxAge * 1000,
    });
    if (this.entries.size > 10_000) {
      // Bound memory on endless streams: drop the oldest insertion.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /**
   * nsCORSPreflightListener::AddResultToCache: a max-age of 0 (or one Firefox cannot read) leaves the cache as
   * it was; otherwise each method and header name of the response is added or refreshed with the new expiry.
   */
  private storeFirefox(
    origin: string,
    url: string,
    id: string,
    policy: PreflightPolicy,
    time: number | undefined,
  ): void {
    if (policy.maxAge <= 0) return;
    const key = PreflightCache.firefoxKey(policy.include, origin, url);
    let entry = this.firefox.get(key);
    if (entry) this.firefox.delete(key);
    else {
      entry = { methods: new Map(), headers: new Map() };
      if (this.firefox.size >= FIREFOX_CACHE_SIZE) this.makeRoom(time);
    }
    this.firefox.set(key, entry); // most recently used last
    const token: Token = { id, expires: time === undefined ? null : time + policy.maxAge * 1000 };
    for (const m of policy.methods) entry.methods.set(m, token);
    for (const h of policy.headers) entry.headers.set(h, token);
  }

  /** nsPreflightCache::GetEntry on a full cache: drop the entries with nothing left unexpired, else the LRU. */
  private makeRoom(time: number | undefined): void {
    if (time !== undefined) {
      for (const [key, entry] of this.firefox) {
        purgeExpired(entry, time);
        if (entry.methods.size === 0 && entry.headers.size === 0) this.firefox.delete(key);
      }
    }
    if (this.firefox.size >= FIREFOX_CACHE_SIZE) {
      const lru = this.firefox.keys().next().value;
      if (lru !== undefined) this.firefox.delete(lru);
    }
  }

  /**
   * The entry that lets a request skip its preflight. Chromium (CheckIfRequestCanSkipPreflight): not expired,
   * made with credentials if this request includes them, allowing the method and every unsafe header name.
   * Firefox (nsPreflightCache::CacheEntry::CheckRequest): the entry for this credentials mode, whose
   * unexpired tokens list the method (unless it is GET or POST: HEAD is not exempt there) and every unsafe
   * header name; a `*` stored there is only a name, never a wildcard.
   */
  lookup(
    origin: string,
    url: string,
    method: string,
    unsafeNames: readonly string[],
    include: boolean,
    time: number | undefined,
  ): CacheEntry | null {
    if (this.engine === 'firefox') return this.lookupFirefox(origin, url, method, unsafeNames, include, time);
    const entry = this.entries.get(PreflightCache.key(origin, url));
    if (!entry) return null;
    if (entry.expires !== null && time !== undefined && time >= entry.expires) return null;
    if (include && !entry.policy.include) return null;
    if (!methodAllowed(entry.policy, method)) return null;
    if (headersNotAllowed(entry.policy, unsafeNames).length > 0) return null;
    return { id: entry.id, expires: entry.expires };
  }

  private lookupFirefox(
    origin: string,
    url: string,
    method: string,
    unsafeNames: readonly string[],
    include: boolean,
    time: number | undefined,
  ): CacheEntry | null {
    const entry = this.firefox.get(PreflightCache.firefoxKey(include, origin, url));
    if (!entry) return null;
    const live = (t: Token | undefined): t is Token =>
      t !== undefined && (t.expires === null || time === undefined || time < t.expires);
    const used: Token[] = [];
    if (method !== 'GET' && method !== 'POST') {
      const t = entry.methods.get(method);
      if (!live(t)) return null;
      used.push(t);
    }
    for (const name of unsafeNames) {
      const t = entry.headers.get(name.toLowerCase());
      if (!live(t)) return null;
      used.push(t);
    }
    // The request is served until the first of the tokens it needs expires: name the preflight that granted it.
    const first = used.reduce<Token | null>(
      (a, t) => (a === null || (t.expires !== null && (a.expires === null || t.expires < a.expires)) ? t : a),
      null,
    );
    return first && { id: first.id, expires: first.expires };
  }

  /** A request looked its entry up: Firefox's nsPreflightCache::GetEntry makes it the most recently used. */
  read(origin: string, url: string, include: boolean): void {
    if (this.engine !== 'firefox') return;
    const key = PreflightCache.firefoxKey(include, origin, url);
    const entry = this.firefox.get(key);
    if (!entry) return;
    this.firefox.delete(key);
    this.firefox.set(key, entry);
  }

  /**
   * Firefox removes the entries (with and without credentials) for a URL whose CORS request failed
   * (nsCORSListenerProxy::OnStartRequest and AsyncOnChannelRedirect → nsPreflightCache::RemoveEntries).
   */
  evict(origin: string, url: string): void {
    if (this.engine !== 'firefox') return;
    this.firefox.delete(PreflightCache.firefoxKey(true, origin, url));
    this.firefox.delete(PreflightCache.firefoxKey(false, origin, url));
  }

  clear(): void {
    this.entries.clear();
    this.firefox.clear();
  }
}

/** nsPreflightCache::CacheEntry::PurgeExpired: tokens whose time has come go. */
function purgeExpired(entry: FirefoxEntry, time: number): void {
  for (const map of [entry.methods, entry.headers]) {
    for (const [k, t] of map) if (t.expires !== null && time >= t.expires) map.delete(k);
  }
}
