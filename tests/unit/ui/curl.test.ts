import { describe, expect, it } from 'vitest';
import { curlFor, shellQuote } from '../../../src/ui/curl';

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
    expect(cmd).toContain(`'http://x.test/a?b=1&c='\\''$(rm -rf ~)'\\'''`);
    expect(cmd).toContain(`-H 'X-Evil: it'\\''s \`whoami\` $HOME'`);
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

  it('shellQuote', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });
});
