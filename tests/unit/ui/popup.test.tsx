// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportJsonl } from '../../../src/messaging/protocol';
import { type Har, toMarkdown, validateHar } from '../../../src/report/index';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { summarize } from '../../../src/ui/model';
import { PopupApp, tabStats } from '../../../src/ui/popup/PopupApp';
import { sampleRows } from './rows';

afterEach(cleanup);

const rows = [...sampleRows(1), ...sampleRows(2).map((r, i) => ({ ...r, seq: 1000 + i }))];

function setup(tabId: number | null = 1) {
  const source = memorySource(rows);
  const commands = memoryCommands(source);
  const setSettings = vi.spyOn(commands, 'setSettings');
  const clear = vi.spyOn(commands, 'clear');
  const download = vi.fn();
  render(<PopupApp tabId={tabId} source={source} commands={commands} download={download} />);
  return { source, commands, setSettings, clear, download };
}

describe('tabStats', () => {
  it('counts verdicts, failing origins, reasons and cached preflights', () => {
    const stats = tabStats(sampleRows().map(summarize));
    expect(stats.counts).toEqual({
      allowed: 31,
      blocked: 31,
      opaque: 1,
      'same-origin': 1,
      'network-error': 2,
    });
    expect(stats.origins).toEqual([
      ['http://127.0.0.1:8102', 32],
      ['http://127.0.0.1:8109', 1],
    ]);
    expect(stats.reasons).toHaveLength(5);
    expect(stats.reasons.slice(0, 2)).toEqual([
      ['Access-Control-Allow-Origin names another origin', 7],
      ['no Access-Control-Allow-Origin', 5],
    ]);
    expect(stats.cached).toBe(1);
  });
});

describe('PopupApp', () => {
  it('shows the counts for the tab, the top origins and reasons, and cached preflights', () => {
    setup();
    expect(screen.getByTestId('count-blocked').textContent).toBe('blocked 31');
    expect(screen.getByTestId('count-allowed').textContent).toBe('allowed 31');
    expect(screen.getByTestId('count-network-error').textContent).toBe('network-error 2');
    const origins = screen.getByTestId('top-origins').querySelectorAll('li');
    expect(origins[0]!.textContent).toBe('32 http://127.0.0.1:8102');
    expect(screen.getByTestId('top-reasons').querySelectorAll('li')).toHaveLength(5);
    expect(screen.getByTestId('cached').textContent).toBe('1 preflight served from the cache');
    expect(screen.getByText('Open DevTools → CORS for details.')).toBeTruthy();
  });

  /** Clicks an export button; resolves to what download got. */
  async function exported(testid: string, tabId: number | null = 2): Promise<[string, string]> {
    const { download } = setup(tabId);
    fireEvent.click(screen.getByTestId(testid));
    await waitFor(() => expect(download).toHaveBeenCalledOnce());
    return download.mock.calls[0] as [string, string];
  }
  /** The calls in a HAR: its distinct (page, call id) pairs. */
  const pairs = (har: Har) => new Set(har.log.entries.map((e) => `${e.pageref} ${e._cors!.pair}`)).size;
  const tab2 = rows.filter((r) => r.tabId === 2);

  it('exports this tab as HAR (the primary action): a valid HAR 1.2 of its calls', async () => {
    const [filename, text] = await exported('export-har');
    expect(screen.getByTestId('export-har').className).toContain('primary');
    expect(filename).toMatch(/^corscope-2-\d{4}-\d\d-\d\dT[\d-]+\.har$/);
    const har = JSON.parse(text) as Har;
    expect(validateHar(har)).toEqual([]);
    expect(har.log.pages!.map((p) => p.id)).toEqual(['tab-2']);
    expect(pairs(har)).toBe(66);
  });

  it('exports this tab as JSON Lines', async () => {
    const [filename, text] = await exported('export-jsonl');
    expect(filename).toMatch(/^corscope-2-.*\.jsonl$/);
    expect(text).toBe(exportJsonl(tab2));
    expect(text.trim().split('\n')).toHaveLength(66);
  });

  it('exports this tab as a Markdown report', async () => {
    const [filename, text] = await exported('export-markdown');
    expect(filename).toMatch(/^corscope-2-.*\.md$/);
    expect(text).toBe(toMarkdown(tab2));
    expect(text).toMatch(/^# CORScope report\n/);
  });

  it('exports all tabs as HAR, with or without a tab', async () => {
    for (const tabId of [1, null]) {
      const [filename, text] = await exported('export-all', tabId);
      expect(filename).toMatch(/^corscope-all-.*\.har$/);
      const har = JSON.parse(text) as Har;
      expect(validateHar(har)).toEqual([]);
      expect(har.log.pages!.map((p) => p.id)).toEqual(['tab-1', 'tab-2']);
      expect(pairs(har)).toBe(132);
      cleanup();
    }
  });

  it('clears this tab', async () => {
    const { clear } = setup();
    fireEvent.click(screen.getByTestId('clear'));
    expect(clear).toHaveBeenCalledWith(1);
    await waitFor(() => expect(screen.getByTestId('count-blocked').textContent).toBe('blocked 0'));
  });

  it('saves the settings', async () => {
    const { setSettings, commands } = setup();
    const paused = (await screen.findByTestId('setting-paused')) as HTMLInputElement;
    fireEvent.click(paused);
    expect(setSettings).toHaveBeenLastCalledWith({ paused: true });

    fireEvent.change(screen.getByTestId('setting-disabled-sites'), {
      target: { value: 'Example.com\n\n  intranet.test  \n' },
    });
    expect(setSettings).toHaveBeenLastCalledWith({ disabledSites: ['example.com', 'intranet.test'] });

    fireEvent.change(screen.getByTestId('setting-retention'), { target: { value: '500' } });
    expect(setSettings).toHaveBeenLastCalledWith({ retention: 500 });
    fireEvent.change(screen.getByTestId('setting-retention'), { target: { value: '-3' } });
    expect(setSettings).toHaveBeenCalledTimes(3);

    fireEvent.click(screen.getByTestId('setting-preserve-log'));
    fireEvent.change(screen.getByTestId('setting-redact'), { target: { value: 'X-Api-Key\nx-session' } });
    await waitFor(async () =>
      expect(await commands.getSettings()).toEqual({
        paused: true,
        disabledSites: ['example.com', 'intranet.test'],
        retention: 500,
        preserveLog: true,
        redactHeaders: ['x-api-key', 'x-session'],
      }),
    );
    await waitFor(() => expect(paused.checked).toBe(true));
  });

  it('without a tab: no counts, settings still there', async () => {
    setup(null);
    expect(screen.queryByTestId('counts')).toBeNull();
    expect(await screen.findByTestId('settings')).toBeTruthy();
  });
});
