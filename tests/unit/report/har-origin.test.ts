// The page's origin a HAR gives must be an origin: a preflight's or a request's Origin that is not one
// ("*", a list, a URL with a path) leaves the page's origin unknown.
import { describe, expect, it } from 'vitest';
import { harEntry, importAndJudge } from './helpers';

const BAD = 'https://a.example, https://evil.example';

function entry(
  method: string,
  resourceType: string,
  headers: [string, string][],
  response: [string, string][],
) {
  const e = harEntry('https://api.b.example/x', headers, 204, response, {
    startedDateTime: '2026-01-01T00:00:00.000Z',
    _resourceType: resourceType,
    response: { content: { size: 0, mimeType: '' }, bodySize: 0 },
  });
  return { ...e, request: { ...e.request, method } };
}

const har = (entries: unknown[]) =>
  JSON.stringify({
    log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages: [], entries },
  });

const TEXT =
  'The Origin recorded for this call is not an origin (scheme://host[:port], or "null"), so the page\'s origin is unknown and so is whether this request left it.';

describe('HAR import: an Origin that is not an origin', () => {
  it("a preflight's: the page's origin is unknown, the call cannot be told, with the reason", async () => {
    const { calls, imp } = await importAndJudge(
      har([
        entry(
          'OPTIONS',
          'preflight',
          [
            ['Origin', BAD],
            ['Access-Control-Request-Method', 'PUT'],
          ],
          [['Access-Control-Allow-Origin', 'https://a.example']],
        ),
      ]),
    );
    expect(imp.issues).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.verdict).toBeNull();
    expect(calls[0]!.scope).toMatchObject({
      class: 'cannot-tell',
      reason: 'origin-unknown',
      text: TEXT,
      origin: null,
    });
  });

  it('a request\'s own Origin of "*": the same', async () => {
    const { calls } = await importAndJudge(
      har([entry('GET', 'fetch', [['Origin', '*']], [['Access-Control-Allow-Origin', '*']])]),
    );
    expect(calls.map((c) => [c.scope.class, c.scope.reason, c.verdict])).toEqual([
      ['cannot-tell', 'origin-unknown', null],
    ]);
  });

  it('a well-formed Origin is judged as before', async () => {
    const { calls } = await importAndJudge(
      har([
        entry(
          'GET',
          'fetch',
          [['Origin', 'https://a.example']],
          [['Access-Control-Allow-Origin', 'https://a.example']],
        ),
      ]),
    );
    expect(calls.map((c) => [c.scope.class, c.verdict?.verdict])).toEqual([['cors', 'allowed']]);
  });
});
