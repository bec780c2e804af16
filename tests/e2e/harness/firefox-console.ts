// Firefox's CORS console lines, as the oracle for stored verdicts. Firefox logs "Cross-Origin Request
// Blocked: ... (Reason: ...)" per failed call, often followed by "(Reason: CORS request did not succeed)";
// the line that names the failed check is the call's (../shared/exchange/README.md, Firefox). A call whose
// only line is "did not succeed" (a refused connection) is a network error, and that line is its own.

const DID_NOT_SUCCEED = '(Reason: CORS request did not succeed)';

/** The URL a Firefox CORS line names (quoted ‘…’ in some reasons, bare in others). */
export function urlOfFirefoxLine(line: string): string | null {
  return /remote resource at ‘?(\S+?)’?\. \(Reason/.exec(line)?.[1] ?? null;
}

/** One line per failed call: per URL, the line naming the failed check, else its "did not succeed". */
export function firefoxCorsLines(texts: readonly string[]): string[] {
  const byUrl = new Map<string, string[]>();
  for (const t of texts) {
    if (!t.startsWith('Cross-Origin Request Blocked')) continue;
    const url = urlOfFirefoxLine(t) ?? t;
    byUrl.set(url, [...(byUrl.get(url) ?? []), t]);
  }
  return [...byUrl.values()].map((ls) => ls.find((l) => !l.includes(DID_NOT_SUCCEED)) ?? ls[0]!);
}
