// Firefox's CORS console lines, as the oracle for stored verdicts. Firefox logs "Cross-Origin Request
// Blocked: ... (Reason: ...)" per failed call, often followed by "(Reason: CORS request did not succeed)";
// the line that names the failed check is the call's (tests/fixtures/exchange/FORMAT.md, Firefox). A call whose
// only line is "did not succeed" (a refused connection) is a network error, and that line is its own.
// Firefox's CORS warnings ("Cross-Origin Request Warning: ... soon. (Reason: ...)") never reach BiDi's
// log.entryAdded, which forwards only errors (Firefox's remote/webdriver-bidi/modules/windowglobal/log.sys.mjs
// listens to ConsoleListener "error"): firefoxCorsWarnings reads them from the console service instead.
import { callFunction } from './bidi';
import type { FirefoxBrowser } from './firefox';

const DID_NOT_SUCCEED = '(Reason: CORS request did not succeed)';

/** The URL a Firefox CORS line names (quoted ‘…’ in some reasons, bare in others; "… soon." in a warning). */
export function urlOfFirefoxLine(line: string): string | null {
  return /remote resource at ‘?(\S+?)’?(?: soon)?\. \(Reason/.exec(line)?.[1] ?? null;
}

const WARNING = 'Cross-Origin Request Warning';

/**
 * Every "Cross-Origin Request Warning" Firefox has logged since it started, read from the parent process's
 * console service (nsIScriptError with the warning flag) in a chrome context: the harness starts Firefox
 * with --remote-allow-system-access, which lets BiDi reach its chrome windows ("moz:scope": "chrome").
 */
export async function firefoxCorsWarnings(browser: FirefoxBrowser): Promise<string[]> {
  const { contexts } = await browser.bidi.send<{ contexts: { context: string }[] }>(
    'browsingContext.getTree',
    { 'moz:scope': 'chrome', maxDepth: 0 },
  );
  const chrome = contexts[0]?.context;
  if (!chrome) throw new Error('Firefox listed no chrome window');
  interface ScriptError {
    flags: number;
    errorMessage: string;
  }
  interface Chrome {
    Services: { console: { getMessageArray(): unknown[] } };
    Ci: { nsIScriptError: { new (): ScriptError; warningFlag: number } };
  }
  return callFunction(
    browser.bidi,
    chrome,
    (prefix: string) => {
      const g = globalThis as unknown as Chrome;
      const warn = g.Ci.nsIScriptError.warningFlag;
      return g.Services.console
        .getMessageArray()
        .filter((m): m is ScriptError => m instanceof g.Ci.nsIScriptError)
        .filter((m) => (m.flags & warn) === warn && m.errorMessage.startsWith(prefix))
        .map((m) => m.errorMessage);
    },
    WARNING,
  );
}

/** The Firefox warning line a stored CORScope warning quotes ("… Firefox's console: <line>"), if any. */
export function firefoxLineOfWarning(message: string): string | null {
  const at = message.indexOf(WARNING);
  return at < 0 ? null : message.slice(at);
}

/**
 * One line per failed call: per URL, the line naming the failed check, else its "did not succeed". A call
 * redirected to a URL that is not HTTP(S) gets its "did not succeed" at the URL that redirected, right after
 * the line naming the check at the other URL (recorded): that line is the same call's, not one of its own.
 */
export function firefoxCorsLines(texts: readonly string[]): string[] {
  const byUrl = new Map<string, string[]>();
  const blocked = texts.filter((t) => t.startsWith('Cross-Origin Request Blocked'));
  for (const [i, t] of blocked.entries()) {
    const before = i > 0 ? blocked[i - 1]! : null;
    const beforeUrl = before ? urlOfFirefoxLine(before) : null;
    if (t.includes(DID_NOT_SUCCEED) && beforeUrl && !/^https?:/.test(beforeUrl)) continue;
    const url = urlOfFirefoxLine(t) ?? t;
    byUrl.set(url, [...(byUrl.get(url) ?? []), t]);
  }
  return [...byUrl.values()].map((ls) => ls.find((l) => !l.includes(DID_NOT_SUCCEED)) ?? ls[0]!);
}

const ONE_LINE = 'One line holding that list looks the same, and Firefox then logs: ';

/**
 * The line a stored Firefox verdict stands for, against the line Firefox logged: its own, or, when capture
 * read a joined Access-Control-Allow-Origin as several lines, the line its note gives for one line holding
 * that list, where that is the one Firefox logged (webRequest shows the two alike).
 */
export function storedFirefoxLine(
  verdict: { error: { console: string | null } | null; checks: { rule: string; seen: string }[] },
  logged: string | null,
): { line: string | null; oneLine: boolean } {
  const note = verdict.checks.find((c) => c.rule === 'recording' && c.seen.includes(ONE_LINE));
  const alternative = note ? note.seen.slice(note.seen.indexOf(ONE_LINE) + ONE_LINE.length) : null;
  if (alternative !== null && alternative === logged) return { line: alternative, oneLine: true };
  return { line: verdict.error?.console ?? null, oneLine: false };
}
