// @vitest-environment happy-dom
// The panel's details say what really failed first when CORS only reported it (judged with the tab's calls),
// with the snippet that puts CORS handling first for a refused preflight, and both readings of a verdict that
// depends on a credentials mode nothing recorded shows. The calls: recorded in Chromium 156
// (tests/fixtures/webrequest/error-responses.json, preflight-refused.json), as capture stores them.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/index';
import type { StoredExchange } from '../../../src/store/row';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { PanelApp } from '../../../src/ui/panel/PanelApp';
import { readFixtures, replay } from '../capture/replay';

afterEach(cleanup);

// By path from the project root (import.meta.url is not a file: URL under happy-dom).
const fixtures = readFixtures(new URL(`file://${process.cwd()}/tests/fixtures/webrequest/`));
const replayed = (name: string) =>
  replay(fixtures.find((f) => f.scenario === name)!.events, {
    self: 'chrome-extension://self',
    preflightEnds: false,
  }).rows;

/** A call answered Access-Control-Allow-Origin: *, credentials mode and outcome unknown: it depends. */
function dependingRow(): StoredExchange {
  const [base] = replayed('simple-allowed');
  const { outcome: _o, ...unknown } = base!.exchange;
  const ex = {
    ...unknown,
    id: 'star',
    wire: [
      {
        ...unknown.wire[0]!,
        response: { status: 200, headers: [['Access-Control-Allow-Origin', '*']] as [string, string][] },
      },
    ],
  };
  return { ...base!, exchange: ex, evaluation: new Evaluator().evaluate(ex) };
}

const rows: StoredExchange[] = [
  ...replayed('error-responses'),
  ...replayed('preflight-refused'),
  dependingRow(),
].map((r, i) => ({ ...r, seq: i + 1, tabId: 1 }));
const API = new URL(rows[0]!.url).origin;

function setup() {
  const source = memorySource(rows);
  render(<PanelApp tabId={1} source={source} commands={memoryCommands(source)} theme="light" />);
}

/** Opens the call at `index` with the keyboard. */
async function open(index: number) {
  const grid = screen.getByRole('grid');
  fireEvent.keyDown(grid, { key: 'Home' });
  for (let i = 0; i < index; i++) fireEvent.keyDown(grid, { key: 'ArrowDown' });
  fireEvent.keyDown(grid, { key: 'Enter' });
  return screen.findByTestId('details');
}

describe('when CORS is only the messenger, the details say what really failed first', () => {
  it('a 500 without CORS headers from a server whose other answers carry them', async () => {
    setup();
    const details = await open(1);
    const cause = within(details).getByTestId('cause');
    // Before the CORS verdict.
    expect(
      cause.compareDocumentPosition(within(details).getByTestId('verdict')) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(within(cause).getByRole('heading').textContent).toBe('What really failed: an error response');
    expect(within(cause).getByTestId('cause-summary').textContent).toBe(
      `GET ${API}/s/error-responses/boom was answered 500 Internal Server Error (Server: gunicorn): the application failed on this request. The error response carries no CORS headers, so the browser reports a CORS failure; the real failure is the 500. ${API} answers other calls in this tab with CORS headers (1 call: ${rows[0]!.exchange.id}), so its CORS setup works; this error response skips it (an error handler, a gateway or a CDN error page answered without it).`,
    );
    expect(within(cause).getByTestId('cause-fix').textContent).toBe(
      'First: Fix the 500 first: it is why the call failed. Then have error responses carry the same CORS headers as the others (in the error handler, or at the gateway: nginx adds headers to an error only with "always"), so the page can read the error instead of a CORS failure.',
    );
  });

  it('a preflight refused with 401: the cause, and snippets that put CORS handling before authentication', async () => {
    setup();
    const details = await open(4);
    expect(within(details).getByTestId('cause-summary').textContent).toBe(
      `The preflight (OPTIONS ${API}/s/preflight-refused/auth) was refused with 401 Unauthorized: authentication or authorization runs before the server's CORS handling, and a browser never sends cookies or an Authorization header with a preflight, so it fails there whatever the page sends.`,
    );
    const snippet = (server: string) =>
      within(details).getByTestId(`snippet-${server}`).querySelector('pre')!.textContent!;
    expect(snippet('express').split('\n').slice(-3)).toEqual([
      '// First, before the authentication middleware: cors answers the preflight (OPTIONS → 204) itself, and a preflight carries no credentials.',
      "app.use('/s/preflight-refused/auth', cors(corsOptions));",
      '// ... then the authentication middleware and the routes, as before',
    ]);
    expect(snippet('aspnet').split('\n').slice(-5)).toEqual([
      '// Before UseAuthentication() and UseAuthorization(): the CORS middleware answers the preflight itself,',
      '// so OPTIONS needs no endpoint and is never refused by authentication.',
      'app.UseCors("CorsFix");',
      'app.UseAuthentication();',
      'app.UseAuthorization();',
    ]);
  });

  it('a preflight with no OPTIONS route (405): the routing variant', async () => {
    setup();
    const details = await open(6);
    expect(within(details).getByTestId('cause').querySelector('h3')!.textContent).toBe(
      'What really failed: the preflight was refused',
    );
    const go = within(details).getByTestId('snippet-go').querySelector('pre')!.textContent!;
    expect(go.split('\n').slice(-2)).toEqual([
      '// rs/cors answers the preflight itself: the mux needs no OPTIONS route.',
      `http.ListenAndServe(":${new URL(API).port}", c.Handler(mux))`,
    ]);
  });

  it('a call with no cause shows none', async () => {
    setup();
    expect(within(await open(0)).queryByTestId('cause')).toBeNull();
  });
});

describe('a verdict that depends on a credentials mode nothing shows', () => {
  it('shows both readings, each with its console line, the assumed one first', async () => {
    setup();
    const details = await open(8);
    const readings = within(details).getByTestId('readings');
    expect(readings.querySelector('p')!.textContent).toBe(
      'It depends on the credentials mode, which the recording does not show (no Cookie header was sent, and nothing recorded shows whether credentials were included). The verdict above assumes the first; each reading:',
    );
    const omit = within(readings).getByTestId('reading-omit');
    const include = within(readings).getByTestId('reading-include');
    expect(omit.compareDocumentPosition(include) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(omit.textContent).toBe(
      `if the request did not include credentials (fetch's default): allowed Allowed: ${new URL(rows[8]!.url).origin} answered GET with Access-Control-Allow-Origin: *.`,
    );
    expect(include.querySelector('pre')!.textContent).toBe(
      `Access to fetch at '${rows[8]!.url}' from origin '${rows[8]!.initiator}' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.`,
    );
  });
  it('marks the reading that applies once the user says how the call was made', async () => {
    setup();
    const details = await open(8);
    const readings = within(details).getByTestId('readings');
    const [omit, include] = ['omit', 'include'].map((k) => within(readings).getByTestId(`reading-${k}`));
    expect([omit!.dataset.applies, include!.dataset.applies]).toEqual([undefined, undefined]);
    const say = within(readings).getByTestId('say-include');
    expect(say.textContent).toBe("with credentials (credentials: 'include', withCredentials)");
    fireEvent.click(say);
    expect([omit!.dataset.applies, include!.dataset.applies]).toEqual(['no', 'yes']);
    expect(include!.textContent).toMatch(/^Applies \(as you said\): if the request included credentials/);
    expect(say.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(within(readings).getByTestId('say-omit'));
    expect([omit!.dataset.applies, include!.dataset.applies]).toEqual(['yes', 'no']);
  });
});
