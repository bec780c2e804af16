// @vitest-environment happy-dom
// Every string a page or a HAR controls, set to markup and script, renders as text in the panel (list,
// details, the what-if's editor and its outcome, scope, statuses) and the popup (counts, top lists, other calls, statuses): no element, no
// handler, no javascript: link comes out of it.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredExchange } from '../../../src/store/row';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { PanelApp } from '../../../src/ui/panel/PanelApp';
import { PopupApp } from '../../../src/ui/popup/PopupApp';
import { sampleRows } from './rows';

afterEach(cleanup);

const PAYLOAD =
  '<img src=x onerror="globalThis.__xss=1"><script>globalThis.__xss=2</script>javascript:alert(1)';
// Fields the apps switch on (a class name, a label): the rest, every string, becomes the payload.
const KEEP = new Set(['verdict', 'preflight', 'type', 'result', 'action', 'on', 'engine', 'stage', 'rule']);

function poison(v: unknown, key = ''): unknown {
  if (typeof v === 'string') return KEEP.has(key) ? v : `${PAYLOAD}${key}`;
  if (Array.isArray(v)) return v.map((x) => poison(x, key));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poison(x, k)]));
  return v;
}

/** Blocked and allowed calls of tab 1, of no tab and of a closed tab, every string poisoned. */
const rows: StoredExchange[] = [1, -1, 9].flatMap((tabId, t) =>
  sampleRows(tabId)
    .filter((r) => ['s003', 's026', 's043', 's053'].includes(r.exchange.id))
    .map((r, i) => ({ ...(poison(r) as StoredExchange), tabId, seq: 100 * t + i + 1 })),
);

/** The poisoned rows, and a store whose status reports an error made of the payload. */
async function poisoned() {
  const source = memorySource(rows);
  const commands = memoryCommands(source);
  vi.spyOn(commands, 'status').mockResolvedValue({
    captureStartedAt: null,
    ok: false,
    lastError: PAYLOAD,
    droppedRows: 3,
    pending: 0,
    stored: rows.length,
    settings: await commands.getSettings(),
  });
  return { source, commands };
}

function expectInert(root: Element): void {
  expect(root.querySelectorAll('img, script, iframe, object, embed')).toHaveLength(0);
  for (const el of root.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames())
      expect(attr.startsWith('on'), `${el.tagName} ${attr}`).toBe(false);
    expect(el.getAttribute('href') ?? '').not.toMatch(/^\s*javascript:/i);
  }
  expect((globalThis as { __xss?: number }).__xss).toBeUndefined();
  expect(root.textContent).toContain('<img src=x onerror=');
}

describe('hostile strings stay text', () => {
  it('the panel: list, every details section, the "no tab" scope, the statuses', async () => {
    const { source, commands } = await poisoned();
    vi.spyOn(commands, 'exportFile').mockRejectedValue(new Error(PAYLOAD));
    const { container } = render(
      <PanelApp
        tabId={1}
        source={source}
        commands={commands}
        theme="light"
        download={vi.fn()}
        copy={vi.fn()}
      />,
    );
    await screen.findByTestId('store-status');
    let hostileValues = 0;
    for (const row of screen.getAllByTestId('row')) {
      fireEvent.click(row);
      fireEvent.keyDown(screen.getByRole('grid'), { key: 'Enter' });
      const details = await screen.findByTestId('details');
      for (const d of within(details).queryAllByRole('group')) d.setAttribute('open', '');
      expectInert(container);
      // The what-if's editor: the hostile method and script headers make fetch() throw (said as text); with a
      // plain GET and no script headers, every hop's fields hold the hostile names and values as values.
      fireEvent.click(within(details).getByTestId('try-fix'));
      expect(screen.getByTestId('whatif-problem').textContent).toContain('<img src=x onerror=');
      expectInert(container);
      fireEvent.input(screen.getByTestId('whatif-method'), { target: { value: 'GET' } });
      const request = screen.getByTestId('whatif-request');
      while (within(request).queryAllByTestId('whatif-header-remove').length)
        fireEvent.click(within(request).getAllByTestId('whatif-header-remove')[0]!);
      const hops = screen.getAllByTestId('whatif-hop');
      expect(hops.length).toBeGreaterThan(0);
      const values = hops.flatMap((h) => [...h.querySelectorAll('input')].map((i) => i.value));
      if (values.some((v) => v.startsWith(PAYLOAD))) hostileValues++;
      expect(hops[0]!.querySelector('legend')!.textContent).toContain('<img src=x onerror=');
      // Typed or pasted into the editor, the payload stays a value too.
      fireEvent.click(within(hops[0]!).getByTestId('whatif-header-add'));
      const names = within(hops[0]!).getAllByTestId('whatif-header-name');
      fireEvent.input(names.at(-1)!, { target: { value: PAYLOAD } });
      for (const d of within(details).queryAllByRole('group')) d.setAttribute('open', '');
      expectInert(container);
    }
    // The recorded responses (s003, s043, s053; s026's request was never answered) are in the editor.
    expect(hostileValues).toBe(3);
    fireEvent.click(screen.getByTestId('export-har'));
    await screen.findByTestId('export-error');
    fireEvent.change(screen.getByTestId('scope'), { target: { value: 'other' } });
    expect(await screen.findAllByTestId('row')).toHaveLength(4);
    expectInert(container);
  });

  it('the popup: counts, top lists, other calls, the statuses', async () => {
    const { source, commands } = await poisoned();
    const { container } = render(
      <PopupApp tabId={1} source={source} commands={commands} download={vi.fn()} openTabs={[1]} />,
    );
    await screen.findByTestId('store-status');
    expect((await screen.findByTestId('other-calls')).querySelectorAll('li')).toHaveLength(2);
    expectInert(container);
  });
});
