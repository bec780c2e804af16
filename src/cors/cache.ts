// The CORS-preflight cache: https://fetch.spec.whatwg.org/#cors-preflight-cache
// Chromium keys one entry per (origin, URL, network isolation key) and a new preflight replaces it
// (services/network/cors/preflight_cache.cc), so a DELETE preflight evicts an earlier PUT's entry for the
// same URL. We key by (origin, URL) within one stream: one stream is one browser profile and one tab.
import { headersNotAllowed, methodAllowed, type PreflightPolicy } from './preflight';

export interface CacheEntry {
  /** The exchange whose preflight filled the entry. */
  id: string;
  policy: PreflightPolicy;
  /** When it expires, ms since the epoch; null when the stream carries no times. */
  expires: number | null;
}

export class PreflightCache {
  private readonly entries = new Map<string, CacheEntry>();

  private static key(origin: string, url: string): string {
    return `${origin} ${url}`;
  }

  /** Stores a successful preflight's policy. max-age 0 (or negative) stores nothing. */
  store(origin: string, url: string, id: string, policy: PreflightPolicy, time: number | undefined): void {
    const key = PreflightCache.key(origin, url);
    if (policy.maxAge <= 0) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, { id, policy, expires: time === undefined ? null : time + policy.maxAge * 1000 });
    if (this.entries.size > 10_000) {
      // Bound memory on endless streams: drop the oldest insertion.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /**
   * The entry that lets a request skip its preflight (Chromium's CheckIfRequestCanSkipPreflight):
   * not expired, made with credentials if this request includes them, allowing the method and every
   * unsafe header name.
   */
  lookup(
    origin: string,
    url: string,
    method: string,
    unsafeNames: readonly string[],
    include: boolean,
    time: number | undefined,
  ): CacheEntry | null {
    const entry = this.entries.get(PreflightCache.key(origin, url));
    if (!entry) return null;
    if (entry.expires !== null && time !== undefined && time >= entry.expires) return null;
    if (include && !entry.policy.include) return null;
    if (!methodAllowed(entry.policy, method)) return null;
    if (headersNotAllowed(entry.policy, unsafeNames).length > 0) return null;
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}
