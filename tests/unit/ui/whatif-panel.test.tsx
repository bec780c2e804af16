// @vitest-environment happy-dom
// "Try a fix" in the panel's details: the what-if editor opened on a recorded call, prefilled with the proposed
// fix, every keystroke evaluated again against the recording; its copies (a server snippet, a probe command),
// and "Copy as corscope probe" on every call.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { Details } from '../../../src/ui/panel/Details';
import { PanelApp } from '../../../src/ui/panel/PanelApp';
import { openCall } from './open-call';
import { sampleRows } from './rows';

afterEach(cleanup);

const rows = sampleRows();
const PAGE = 'http://127.0.0.1:8101';

function setup() {
  const source = memorySource(rows);
  const copy = vi.fn();
  render(
    <PanelApp
      tabId={1}
      source={source}
      commands={memoryCommands(source)}
      theme="light"
      download={vi.fn()}
      copy={copy}
    />,
  );
  return { copy };
}

/** Opens a call with the keyboard: Home, ArrowDown to its row, Enter. */
const open = (id: string) => openCall(rows, id);

async function tryFix(id: string) {
  const details = await open(id);
  const button = within(details).getByTestId('try-fix');
  expect(button.getAttribute('aria-expanded')).toBe('false');
  fireEvent.click(button);
  expect(button.getAttribute('aria-expanded')).toBe('true');
  return within(details).getByTestId('whatif');
}

const now = () => screen.getByTestId('whatif-verdict-now');
const type = (label: string, value: string) =>
  fireEvent.input(screen.getByLabelText(label), { target: { value } });

describe('Try a fix', () => {
  beforeEach(() => {
    setup();
  });

  it('opens every hop prefilled with the proposed fix: the blocked call is allowed, the difference marked', async () => {
    await tryFix('s026');
    expect(screen.getByTestId('whatif-verdict').textContent).toBe('Recorded blocked → now allowed');
    expect(now().className).toContain('changed');
    expect(screen.getByTestId('whatif-console-none')).toBeTruthy();
    const hops = screen.getAllByTestId('whatif-hop');
    expect(hops.map((h) => h.querySelector('legend')!.textContent)).toEqual([
      'Preflight: OPTIONS http://127.0.0.1:8102/p/s026',
      'Request: PUT http://127.0.0.1:8102/p/s026not recorded',
    ]);
    expect(within(hops[0]!).getByTestId('whatif-asked').textContent).toBe(
      `Origin: ${PAGE} · Access-Control-Request-Method: PUT · Access-Control-Request-Headers: x-custom`,
    );
    // The fix's line is marked as edited; the recorded ones are not.
    const lines = within(hops[0]!).getAllByTestId('whatif-header');
    expect(lines.map((l) => l.className)).toEqual(['', '', '', '', 'edited']);
    expect((screen.getByLabelText('Preflight 1 header 5: value') as HTMLInputElement).value).toBe(PAGE);
    expect((screen.getByLabelText('Request 1 header 1: name') as HTMLInputElement).value).toBe(
      'Access-Control-Allow-Origin',
    );
    // Checks the recording did not reach are new.
    const checks = within(screen.getByTestId('whatif-outcome')).getAllByTestId('check');
    expect(checks.map((c) => c.className)).toEqual([
      'check info',
      'check pass mark-changed',
      'check pass mark-new',
      'check pass mark-new',
      'check pass mark-new',
      'check info mark-new',
      'check info mark-new',
      'check pass mark-new',
    ]);
  });

  it("evaluates every keystroke: a wrong origin blocks again, in the browser's words; the right one allows", async () => {
    await tryFix('s026');
    type('Preflight 1 header 5: value', 'http://127.0.0.1:810');
    expect(now().textContent).toBe('blocked');
    expect(screen.getByTestId('whatif-console').textContent).toBe(
      "Access to fetch at 'http://127.0.0.1:8102/p/s026' from origin 'http://127.0.0.1:8101' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The 'Access-Control-Allow-Origin' header has a value 'http://127.0.0.1:810' that is not equal to the supplied origin. Have the server send the header with a valid value.",
    );
    expect(screen.getByTestId('whatif-console').className).toContain('changed');
    type('Preflight 1 header 5: value', PAGE);
    expect(now().textContent).toBe('allowed');
  });

  it('a header removed: the fix still needed, and "Apply the proposed fix" puts it back', async () => {
    await tryFix('s026');
    fireEvent.click(screen.getByLabelText('Remove Request 1 header 1'));
    expect(now().textContent).toBe('blocked');
    expect(screen.getAllByTestId('whatif-fix-item').map((f) => f.textContent)).toEqual([
      `On the actual response (PUT http://127.0.0.1:8102/p/s026): set Access-Control-Allow-Origin: ${PAGE}`,
    ]);
    expect(screen.getAllByTestId('whatif-hop')[1]!.className).toBe('hop');
    expect(screen.getAllByTestId('whatif-hop')[1]!.textContent).toContain('decides the verdict');
    fireEvent.click(screen.getByTestId('whatif-apply-fix'));
    expect(now().textContent).toBe('allowed');
    expect((screen.getByTestId('whatif-apply-fix') as HTMLButtonElement).disabled).toBe(true);
  });

  it('the request side: a header added from the keyboard, the method, the credentials mode', async () => {
    await tryFix('s026');
    const request = screen.getByTestId('whatif-request');
    fireEvent.click(within(request).getByTestId('whatif-header-add'));
    expect(document.activeElement).toBe(screen.getByLabelText('Script header 3: name'));
    type('Script header 3: name', 'X-Other');
    expect(within(screen.getAllByTestId('whatif-hop')[0]!).getByTestId('whatif-asked').textContent).toContain(
      'Access-Control-Request-Headers: x-custom,x-other',
    );
    expect(screen.getByTestId('whatif-console').textContent).toBe(
      "Access to fetch at 'http://127.0.0.1:8102/p/s026' from origin 'http://127.0.0.1:8101' has been blocked by CORS policy: Request header field x-other is not allowed by Access-Control-Allow-Headers in preflight response.",
    );
    fireEvent.click(screen.getByLabelText('Remove Script header 3'));
    expect(now().textContent).toBe('allowed');
    fireEvent.input(screen.getByTestId('whatif-method'), { target: { value: 'PATCH' } });
    expect(screen.getByTestId('whatif-console').textContent).toContain(
      'Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response.',
    );
    fireEvent.input(screen.getByTestId('whatif-method'), { target: { value: 'PUT' } });
    fireEvent.change(screen.getByTestId('whatif-credentials'), { target: { value: 'include' } });
    expect(screen.getByTestId('whatif-console').textContent).toContain(
      "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
    );
  });

  it('says why fetch() would throw instead of a verdict, and ignores what the browser sets itself', async () => {
    await tryFix('s003');
    fireEvent.input(screen.getByTestId('whatif-method'), { target: { value: 'GE T' } });
    expect(screen.getByTestId('whatif-problem').textContent).toBe(
      '"GE T" is not a method name: fetch() throws a TypeError.',
    );
    expect(screen.getByTestId('whatif-problem').getAttribute('role')).toBe('alert');
    fireEvent.input(screen.getByTestId('whatif-method'), { target: { value: 'GET' } });
    fireEvent.click(within(screen.getByTestId('whatif-request')).getByTestId('whatif-header-add'));
    type('Script header 1: name', 'Cookie');
    expect(screen.getByTestId('whatif-ignored').textContent).toBe(
      'The browser sets cookie itself: a script cannot, so it is ignored.',
    );
    expect(now().textContent).toBe('allowed');
  });

  it('a status is taken once it is a status: a half-typed one is marked invalid and changes nothing', async () => {
    await tryFix('s028');
    const status = screen.getByLabelText('Preflight 1 status') as HTMLInputElement;
    expect(status.value).toBe('204');
    fireEvent.input(status, { target: { value: '5' } });
    expect(status.getAttribute('aria-invalid')).toBe('true');
    expect(now().textContent).toBe('allowed');
    fireEvent.input(status, { target: { value: '500' } });
    expect(status.getAttribute('aria-invalid')).toBe('false');
    expect(now().textContent).toBe('blocked');
    expect(screen.getByTestId('whatif-console').textContent).toContain(
      "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
    );
  });

  it('back to the recording: the recorded verdict, nothing different, nothing to configure', async () => {
    await tryFix('s026');
    fireEvent.click(screen.getByTestId('whatif-recording'));
    expect(now().textContent).toBe('blocked');
    expect(now().className).not.toContain('changed');
    expect(screen.getByTestId('whatif-console').className).not.toContain('changed');
    expect(screen.getByTestId('whatif-no-edits')).toBeTruthy();
    fireEvent.click(screen.getByTestId('whatif-reset'));
    expect(now().textContent).toBe('allowed');
  });

  it('a call served from the preflight cache: says it starts from an empty cache', async () => {
    await tryFix('s043');
    expect(screen.getByTestId('whatif-start').textContent).toContain(
      "In the recording this call's preflight was served from the preflight cache: here it is sent",
    );
    expect(screen.getByTestId('whatif-verdict').textContent).toBe(
      'Recorded allowed → now allowed (preflight cached → sent)',
    );
  });

  it('closes when another call is opened', async () => {
    await tryFix('s026');
    await open('s003');
    expect(screen.queryByTestId('whatif')).toBeNull();
    expect(screen.getByTestId('try-fix').getAttribute('aria-expanded')).toBe('false');
  });
});

describe('a call the store has not numbered', () => {
  it('opens by its id', () => {
    const { seq: _seq, ...row } = rows.find((r) => r.exchange.id === 's003')!;
    render(<Details row={row} rows={[]} onSelect={vi.fn()} copy={vi.fn()} />);
    fireEvent.click(screen.getByTestId('try-fix'));
    expect(screen.getByTestId('whatif-verdict').textContent).toBe('Recorded blocked → now allowed');
  });
});

describe('what the what-if copies', () => {
  it('the edited policy as a server snippet, and the edited call as a probe command', async () => {
    const { copy } = setup();
    await tryFix('s026');
    const express = screen.getByTestId('whatif-snippet-express');
    fireEvent.click(within(express).getByTestId('copy-whatif-snippet-express'));
    expect(copy).toHaveBeenLastCalledWith(
      [
        '// npm install cors',
        "const cors = require('cors');",
        '',
        'const corsOptions = {',
        "  origin: 'http://127.0.0.1:8101', // one exact origin: cors adds Vary: Origin",
        "  methods: ['PUT'],",
        "  allowedHeaders: ['x-custom'],",
        '};',
        '// Answers the preflight (OPTIONS → 204) and adds the headers to the response.',
        "app.use('/p/s026', cors(corsOptions));",
      ].join('\n'),
    );
    fireEvent.input(screen.getByTestId('whatif-method'), { target: { value: 'DELETE' } });
    expect(screen.getByTestId('whatif-still').textContent).toBe(
      'With these responses the call is still blocked: this configuration is not enough yet.',
    );
    fireEvent.click(screen.getByTestId('whatif-copy-probe'));
    expect(copy).toHaveBeenLastCalledWith(
      "corscope probe 'http://127.0.0.1:8102/p/s026' --origin 'http://127.0.0.1:8101' --method 'DELETE' -H 'X-Custom: v1' -H 'Content-Type: text/plain;charset=UTF-8'",
    );
  });

  it('"Copy as corscope probe" on every call, beside copy as curl', async () => {
    const { copy } = setup();
    const details = await open('s003');
    fireEvent.click(within(details).getByTestId('copy-probe'));
    expect(copy).toHaveBeenLastCalledWith(
      "corscope probe 'http://127.0.0.1:8102/p/s003' --origin 'http://127.0.0.1:8101'",
    );
    await open('s021');
    fireEvent.click(within(screen.getByTestId('details')).getByTestId('copy-probe'));
    expect(copy).toHaveBeenLastCalledWith(
      "corscope probe 'http://127.0.0.1:8102/p/s021' --origin 'http://127.0.0.1:8101' --credentials include",
    );
  });
});
