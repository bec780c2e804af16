// What `corscope --help` says, command by command: apart from the commands' code, so that `corscope evaluate`
// and `corscope har` do not load the code of the commands that call servers (probe, check, scan).
import { version } from '../../package.json';

export const VERSION = version;

export const EVALUATE_USAGE = `  corscope evaluate [FILE|-] [--format json|text] [--engine chromium|firefox]
      Reads exchanges as JSON Lines and writes one verdict per line, in the same order. "-" or no FILE
      reads standard input. The format: tests/fixtures/exchange/FORMAT.md in the corscope package.
      --format text prints a table: id, method, URL, verdict, reason.
      --engine firefox judges by Firefox ESR 153's rules and words (its console line, reason key, 24 h
      preflight cache); the default, chromium, by Chromium 156's.
      Exit status: 0 when every line was evaluated, 1 when a line could not be read, 64 on bad usage.
`;

export const HAR_USAGE = `  corscope har FILE|- [--format table|json|jsonl|markdown] [--fail-on blocked|warning] [--all]
                      [--engine chromium|firefox]
      Reads a HAR file (from Chrome DevTools, chrome-har, WebPagetest, Firefox, Safari, Playwright, Charles,
      Fiddler, mitmproxy, HTTP Toolkit, BrowserMob Proxy or CORScope) as a stream, rebuilds each call with its
      preflights and redirect hops, and puts it in one class: a CORS call (judged allowed or blocked),
      same-origin, not governed by CORS (a navigation, a no-cors load, a WebSocket, a data: URL, a service
      worker's answer), or cannot tell (the recording does not say; the reason names what is missing).
      --format table (the default): the counts by class, then id, method, URL, verdict, reason of each CORS
      call (--all: every call, with its class and reason). jsonl: one line per call with its class, the
      verdict of a CORS call, its method, url and HAR entry indexes. json: {"calls": [...], "entries": N,
      "counts": {...}, "errors": [...]}. markdown: a report with the counts by class, counts by verdict and
      reason, then each blocked call's console line and fix (--all: and every call not judged).
      Input errors (not JSON, not HAR, truncated, entries missing fields) are printed to standard error
      with the entry's index; the calls that could be read are still evaluated and printed.
      --fail-on warning fails on risky policies (warnings) too, not only on blocked calls.
      --engine as for evaluate; without it, Firefox's rules for a HAR that Firefox wrote (its log.creator
      or log.browser names Firefox), else Chromium's.
      Exit status: 2 when a CORS call is blocked (with --fail-on warning: or has a warning), else 1 when the
      input had errors, else 0; 66 when FILE cannot be read, 64 on bad usage. Calls of the other classes,
      "cannot tell" included, never fail it.
`;

export const PROBE_USAGE = `  corscope probe URL --origin ORIGIN [--method METHOD] [-H "Name: value"]... [--data BODY]
                 [--credentials omit|same-origin|include] [--send] [--engine chromium|firefox]
                 [--format table|json|markdown] [--timeout SECONDS] [--insecure]
      Makes the call a page on ORIGIN would make with fetch(), as Chromium 156 makes it: a preflight when
      one is needed, with the headers Chromium sends (Origin, Access-Control-Request-*, Sec-Fetch-*), the
      request, and each redirect followed by the Fetch rules (Origin becomes "null" after a cross-origin
      redirect, with a new preflight where the browser sends one). Then explains the answer: the verdict,
      the browser's console line, every check, the fix and the warnings.
      -H sets a header as a script would (repeatable); Cookie, only with --credentials include, stands for
      the browser's cookie jar. --data sends a body (the method is then POST unless --method says).
      Safe by default: a request whose method is not GET or HEAD is sent only with --send; without it the
      preflight is sent and judged, and the output says the request was not sent.
      --engine firefox judges by Firefox ESR 153's rules (what is sent stays Chromium's).
      --timeout: seconds per request (default 10). --insecure: accept any TLS certificate.
      Proxies: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case forms).
      Exit status: 0 allowed, 2 blocked (or any failure the page would see), 1 when a server did not
      answer (DNS, refused, timeout, TLS), 64 on bad usage.
`;

export const CHECK_USAGE = `  corscope check RECORDING --against BASE_URL [--from ORIGIN] [--origin ORIGIN] [--send]
                 [--concurrency N] [--rate N] [--engine chromium|firefox] [--format table|json|markdown]
                 [--timeout SECONDS] [--insecure]
      Makes the CORS calls of a recording (a HAR file or JSON Lines of exchanges) again against another
      server, as probe makes one call: each recorded URL on the API's origin (--from; by default the origin
      most of the recorded calls went to) moved to BASE_URL (its path, if any, put in front), from the
      recorded page's origin (or --origin). Prints each call's verdict then and now, and explains every call
      that worked in the recording and would be blocked now.
      Same safety rule as probe: without --send only GET and HEAD requests are sent; a preflighted call is
      judged on its preflight, and a POST that needs none is skipped. Calls to other origins, and calls CORS
      did not govern (same-origin, no-cors, network errors), are skipped and counted.
      --concurrency: calls at once (default 4; calls to one URL go one after another, so the preflight
      cache works as in the browser). --rate: requests per second at most (default 10).
      Exit status: 2 when a call that worked in the recording would be blocked (or fail), else 1 when a
      server did not answer or the recording had errors, else 0; 66 when RECORDING cannot be read, 64 on
      bad usage.
`;

export const SCAN_USAGE = `  corscope scan URL [--origin TRUSTED] [--rate N] [--engine chromium|firefox]
                [--format table|json|markdown] [--timeout SECONDS] [--insecure]
      Checks a CORS policy for the misconfigurations scanners look for: an arbitrary origin trusted, "null",
      an origin that starts or ends with a trusted name, an unescaped dot, an http: origin trusted by an
      https: API, any subdomain, and sites on common hosting services where anyone can publish. From each
      origin it makes the calls a page there would make: a GET without and with credentials, and the
      preflight of a credentialed PUT (only GET and OPTIONS are sent: 3 calls per origin, at most
      13 origins). Each is judged by the evaluator; a call that passes is a finding, with its
      severity (with credentials from an origin anyone can have: high; from an http: origin or any subdomain: medium;
      without credentials: low; "*" without credentials: info), the evidence and the fix.
      --origin: the page origin the API is meant to trust, to build the tricks on its name and give the
      exact fix. --rate: requests per second at most (default 10).
      Exit status: 2 when there is a finding above info, 1 when the server did not answer, else 0; 64 on
      bad usage.
`;

/** What `corscope --help` prints: every command. */
export const USAGE = `corscope ${VERSION}: explains cross-origin calls (CORS) as the browser judges them, with the fix.

Usage:
${EVALUATE_USAGE}${HAR_USAGE}${PROBE_USAGE}${CHECK_USAGE}${SCAN_USAGE}  corscope [COMMAND] --help
      This help, or one command's.
  corscope --version
`;

/** Each command's own usage, for `corscope COMMAND --help` and its usage errors. */
export const COMMAND_USAGE: Record<string, string> = {
  evaluate: EVALUATE_USAGE,
  har: HAR_USAGE,
  probe: PROBE_USAGE,
  check: CHECK_USAGE,
  scan: SCAN_USAGE,
};
