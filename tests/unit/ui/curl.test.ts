import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curlFor } from '../../../src/ui/curl';
import { bashQuote } from '../../../src/ui/shell';

describe('curlFor', () => {
  it('writes a preflight as curl', () => {
    const cmd = curlFor({
      method: 'OPTIONS',
      url: 'http://127.0.0.1:8102/p/s030',
      headers: [
        ['Host', '127.0.0.1:8102'],
        ['Origin', 'http://127.0.0.1:8101'],
        ['Access-Control-Request-Method', 'PUT'],
      ],
    });
    expect(cmd).toBe(
      "curl -i -X 'OPTIONS' 'http://127.0.0.1:8102/p/s030' -H 'Origin: http://127.0.0.1:8101' -H 'Access-Control-Request-Method: PUT'",
    );
  });

  it('puts a placeholder for redacted values and quotes what the shell would read', () => {
    const cmd = curlFor({
      method: 'GET',
      url: "http://x.test/a?b=1&c='$(rm -rf ~)'",
      headers: [
        ['Cookie', '[redacted: 12 bytes]'],
        ['X-Evil', "it's `whoami` $HOME"],
      ],
    });
    expect(cmd).toContain("-H 'Cookie: <redacted>'");
    expect(cmd).toContain(`$'http://x.test/a?b=1&c=\\'$(rm -rf ~)\\''`);
    expect(cmd).toContain(`-H $'X-Evil: it\\'s \`whoami\` $HOME'`);
    expect(cmd).not.toContain('12 bytes');
  });

  it('uses --head for HEAD and --compressed when the browser asked for compression', () => {
    const cmd = curlFor({
      method: 'HEAD',
      url: 'http://x.test/',
      headers: [['Accept-Encoding', 'gzip, br']],
    });
    expect(cmd).toBe("curl -i --head 'http://x.test/' --compressed -H 'Accept-Encoding: gzip, br'");
  });

  it('escapes curl glob characters in the URL as DevTools does', () => {
    expect(curlFor({ method: 'GET', url: 'http://x.test/a[1]{b}' })).toBe(
      "curl -i 'http://x.test/a\\[1\\]\\{b\\}'",
    );
  });

  it('offers no command for a URL that is not http(s)', () => {
    expect(curlFor({ method: 'GET', url: '-o/tmp/x' })).toBeNull();
    expect(curlFor({ method: 'GET', url: 'file:///etc/passwd' })).toBeNull();
  });
});

describe('bashQuote (DevTools "Copy as cURL (bash)")', () => {
  it('single-quotes printable text', () => {
    expect(bashQuote('a b $HOME `x` "y"')).toBe(`'a b $HOME \`x\` "y"'`);
  });

  it('ANSI-C quotes a quote, a backslash, CR, LF, "!" and every control character as \\xHH', () => {
    expect(bashQuote("a'b")).toBe(`$'a\\'b'`);
    expect(bashQuote('a\\b!')).toBe(`$'a\\\\b\\x21'`);
    expect(bashQuote('a\r\nb')).toBe(`$'a\\r\\nb'`);
    expect(bashQuote('\x1b[201~\x0f\x00\x7f')).toBe(`$'\\x1b[201~\\x0f\\x00\\x7f'`);
    expect(bashQuote('\x80\x85\x9b\x9f')).toBe(`$'\\x80\\x85\\x9b\\x9f'`);
    // Printable Latin-1 and other text stay as they are.
    expect(bashQuote('é\u00a0✓')).toBe(`'é\u00a0✓'`);
  });

  it('ANSI-C quotes a tab as \\t and the bidirectional controls as their UTF-8 bytes', () => {
    expect(bashQuote('a\tb')).toBe(`$'a\\tb'`);
    expect(bashQuote('exe.\u202etxt')).toBe(`$'exe.\\xe2\\x80\\xaetxt'`);
    expect(bashQuote('\u061c\u200e\u200f\u202a\u2066\u2069')).toBe(
      `$'\\xd8\\x9c\\xe2\\x80\\x8e\\xe2\\x80\\x8f\\xe2\\x80\\xaa\\xe2\\x81\\xa6\\xe2\\x81\\xa9'`,
    );
  });
});

/** Pastes `command` into an interactive bash (bracketed paste on) in a fresh directory; returns it. */
function pasteIntoBash(command: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'corscope-paste-'));
  const run = spawnSync('python3', [join(process.cwd(), 'tests/unit/ui/bash-paste.py'), dir], {
    input: command,
    timeout: 30_000,
  });
  expect(run.status, String(run.stderr)).toBe(0);
  return dir;
}

/** The arguments the shell's `curl` function received. */
function argsIn(dir: string): string[] {
  return readFileSync(join(dir, 'args'), 'latin1').split('\0').slice(0, -1);
}

describe('pasted into a real interactive bash (pty, bracketed paste)', () => {
  // A page may send any byte but NUL, CR and LF in a header value; a HAR may hold anything.
  const cases: {
    name: string;
    url: string;
    headers: [string, string][];
    urlArg?: string;
    /** The -H arguments as bytes (latin1), where they differ from "name: value". */
    headerArgs?: string[];
  }[] = [
    {
      // Ends the bracketed paste, erases the line (Ctrl-U), types a command and runs it (Ctrl-O).
      name: 'a header value that ends the paste and runs a line',
      url: 'http://x.test/a',
      headers: [['X-Paste', 'a\x1b[201~\x15touch PWNED\x0f']],
    },
    {
      name: 'quotes, substitutions and history expansion',
      url: 'http://x.test/a',
      headers: [
        ['X-Quote', "'; touch PWNED; echo '"],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template.
        ['X-Subst', '$(touch PWNED) `touch PWNED` ${HOME} !!'],
      ],
    },
    {
      name: 'C1 controls and DEL (an 8-bit CSI among them)',
      url: 'http://x.test/a',
      headers: [['X-C1', '\x9b201~\x15touch PWNED\x0f\x85\x7f\x07']],
    },
    {
      // Shows "-H 'X-Bidi: a" and then the rest reversed; curl receives the override's UTF-8 bytes.
      name: 'a right-to-left override',
      url: 'http://x.test/a',
      headers: [['X-Bidi', "a\u202e'; touch PWNED #"]],
      headerArgs: ["X-Bidi: a\xe2\x80\xae'; touch PWNED #"],
    },
    {
      name: 'a URL that ends the paste and runs a line',
      url: "http://x.test/a?q='$(touch PWNED)'\x1b[201~\x15touch PWNED\x0f",
      // curl's glob characters arrive escaped: curl reads them literally.
      urlArg: "http://x.test/a?q='$(touch PWNED)'\x1b\\[201~\x15touch PWNED\x0f",
      headers: [],
    },
  ];

  for (const c of cases) {
    it(`${c.name}: nothing runs, and curl receives every value exactly`, () => {
      const cmd = curlFor({ method: 'PUT', url: c.url, headers: c.headers });
      expect(cmd).not.toBeNull();
      const dir = pasteIntoBash(cmd!);
      try {
        expect(readdirSync(dir).filter((f) => f.startsWith('PWNED'))).toEqual([]);
        expect(existsSync(join(dir, 'args'))).toBe(true);
        expect(argsIn(dir)).toEqual([
          '-i',
          '-X',
          'PUT',
          c.urlArg ?? c.url,
          ...(c.headerArgs ?? c.headers.map(([n, v]) => `${n}: ${v}`)).flatMap((h) => ['-H', h]),
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
