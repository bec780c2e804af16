// The browsers' console lines around a failure's own words (which live in catalog.ts). Chromium:
// third_party/blink/renderer/platform/loader/cors/cors_error_string.cc as Chromium 156 prints it (the recorded
// lines win over the source). Firefox: dom/locales/en-US/chrome/security/security.properties.
import {
  type ChromiumErrorName,
  CORS_ERRORS,
  corsErrorOf,
  FIREFOX_REASONS,
  type FirefoxKey,
  hasPreflightPrefix,
} from './catalog';
import type { Api } from './types';

// The resource kind that opens Chromium's line. webRequest cannot tell fetch() from XHR: an unknown API
// gets fetch's wording, and the panel says the words may differ for XMLHttpRequest.
const KIND: Record<Api, string> = {
  fetch: 'fetch',
  xhr: 'XMLHttpRequest',
  image: 'image',
  font: 'font',
  script: 'script',
  stylesheet: 'CSS stylesheet',
  // Resource::ResourceTypeToString for the rest; an unknown kind is the least certain wording we print.
  other: 'resource',
};

const PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: ";

export interface ConsoleContext {
  api: Api | undefined;
  /** The URL whose response failed. */
  url: string;
  /** The URL the page asked for, when a redirect came between. */
  firstUrl: string;
  /** The page's origin as Chromium prints it (the real one, even after a tainting redirect). */
  origin: string;
  /** A Local Network Access failure: the address spaces its words name. */
  addressSpace?: { resource: string | null; target: string | null };
}

/** Chromium's whole console line for a CORS failure. */
export function chromiumConsoleLine(
  name: ChromiumErrorName,
  param: string | null,
  ctx: ConsoleContext,
): string {
  const kind = KIND[ctx.api ?? 'fetch'];
  const redirected = ctx.firstUrl !== ctx.url ? `(redirected from '${ctx.firstUrl}') ` : '';
  const prefix = hasPreflightPrefix(name) ? PREFLIGHT_PREFIX : '';
  const words = CORS_ERRORS[corsErrorOf(name)!.key].chromium({
    param: param ?? '',
    api: ctx.api,
    ...(ctx.addressSpace?.resource ? { resourceAddressSpace: ctx.addressSpace.resource } : {}),
    ...(ctx.addressSpace?.target ? { targetAddressSpace: ctx.addressSpace.target } : {}),
  });
  return `Access to ${kind} at '${ctx.url}' ${redirected}from origin '${ctx.origin}' has been blocked by CORS policy: ${prefix}${words}`;
}

/**
 * The warning Firefox ESR 153 logs when `*` in Access-Control-Allow-Headers lets Authorization through
 * (security.properties CORSAllowHeaderFromPreflightDeprecation; recorded verbatim, a warning, not an error).
 */
export function firefoxAuthorizationWildcardWarning(url: string): string {
  return `Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at ${url} soon. (Reason: When the \`Access-Control-Allow-Headers\` is \`*\`, the \`Authorization\` header is not covered. To include the \`Authorization\` header, it must be explicitly listed in CORS header \`Access-Control-Allow-Headers\`).`;
}

/** Firefox's console line: "Cross-Origin Request Blocked: ... (Reason: ...)." */
export function firefoxConsoleLine(
  key: FirefoxKey,
  param: string | null,
  url: string,
  status: number | null,
): string {
  const reason: { text: string; status?: true; quotesUrl?: true } = FIREFOX_REASONS[key];
  const where = reason.quotesUrl ? `‘${url}’` : url;
  const tail = reason.status ? ` Status code: ${status ?? '(null)'}.` : '';
  return `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${where}. (Reason: ${reason.text.replace('{v}', param ?? '')}).${tail}`;
}
