// The explanation printed for a terminal: what a server sent is shown as text, never acted on.
import { describe, expect, it } from 'vitest';
import { explainText } from '../../../src/cli/render';
import { Evaluator } from '../../../src/cors';
import type { Exchange } from '../../../src/cors/types';

describe('explainText', () => {
  it('writes a right-to-left override the server sent as an escape in the summary and the console line', () => {
    const ex: Exchange = {
      id: 'x',
      initiator: 'https://a.example',
      credentials: 'omit',
      request: { method: 'GET', url: 'https://b.example/x', headers: [] },
      wire: [
        {
          type: 'request',
          request: { method: 'GET', url: 'https://b.example/x', headers: [] },
          response: {
            status: 200,
            headers: [['Access-Control-Allow-Origin', 'https://a.example\u202e,evil']],
          },
        },
      ],
    };
    const out = explainText(ex, new Evaluator().evaluate(ex));
    expect(out).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain(
      'Blocked: the response from https://b.example sends several values in Access-Control-Allow-Origin ("https://a.example\\u{202e},evil"); it must be exactly one.',
    );
    expect(out).toContain("contains multiple values 'https://a.example\\u{202e},evil'");
  });
});
