// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Har } from '../../../src/report/index';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { summarize } from '../../../src/ui/model';
import { PopupApp, tabStats } from '../../../src/ui/popup/PopupApp';
import { readJsonl } from '../../factories';
import { validateHar } from '../../har-schema';
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
      'cannot-tell': 0,
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
    expect(screen.queryByText('Open DevTools → CORS for details.')).not.toBeNull();
  });

  /** Clicks an export button; resolves to what download got. */
  async function exported(testid: string, tabId: number | null = 2): Promise<[string, string]> {
    const { download } = setup(tabId);
    fireEvent.click(screen.getByTestId(testid));
    await waitFor(() => expect(download).toHaveBeenCalledOnce());
    const [filename, blob] = download.mock.calls[0] as [string, Blob];
    return [filename, await blob.text()] as [string, string];
  }
  /** The calls in a HAR: its distinct (page, call id) pairs. */
  const pairs = (har: Har) => new Set(har.log.entries.map((e) => `${e.pageref} ${e._cors!.pair}`)).size;

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
    // The 66 samples, as tab 2 stored them (seq 1000 on), in order.
    const lines = readJsonl<{ id: string; capture: { tabId: number } }>(text);
    expect(lines).toHaveLength(66);
    expect(lines.map((l) => l.id).slice(0, 3)).toEqual(['s001', 's002', 's003']);
    expect(lines[65]!.id).toBe('s066');
    expect(new Set(lines.map((l) => l.capture.tabId))).toEqual(new Set([2]));
  });

  it('exports this tab as a Markdown report', async () => {
    const [filename, text] = await exported('export-markdown');
    expect(filename).toMatch(/^corscope-2-.*\.md$/);
    expect(text).toMatch(
      /^# CORScope report\n\n66 calls: 31 blocked, 2 network-error, 31 allowed, 1 opaque, 1 same-origin\.\n/,
    );
    expect(text).toContain('### 1. GET `http://127.0.0.1:8102/p/s003`');
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

    // 132 calls are stored: a cap of 500 deletes nothing and is saved at once.
    fireEvent.change(screen.getByTestId('setting-retention'), { target: { value: '500' } });
    expect(setSettings).toHaveBeenLastCalledWith({ retention: 500 });

    fireEvent.click(screen.getByTestId('setting-preserve-log'));
    fireEvent.change(screen.getByTestId('setting-redact'), { target: { value: 'X-Api-Key\nx-session' } });
    fireEvent.change(screen.getByTestId('setting-redact-params'), { target: { value: 'Token\nsession_id' } });
    await waitFor(async () =>
      expect(await commands.getSettings()).toEqual({
        paused: true,
        disabledSites: ['example.com', 'intranet.test'],
        captureOn: 'all',
        captureSites: [],
        retention: 500,
        preserveLog: true,
        redactHeaders: ['x-api-key', 'x-session'],
        redactParams: ['token', 'session_id'],
      }),
    );
    await waitFor(() => expect(paused.checked).toBe(true));
    expect(screen.getByTestId('redact-always').textContent).toContain(
      'cookie, set-cookie, authorization, proxy-authorization',
    );
  });

  it('capture on: all sites, or only calls to the listed hosts; a page outside them is named', async () => {
    const source = memorySource(rows);
    const commands = memoryCommands(source);
    const setSettings = vi.spyOn(commands, 'setSettings');
    render(
      <PopupApp tabId={1} source={source} commands={commands} pageUrl="https://shop.example.org/cart?id=3" />,
    );
    const all = (await screen.findByTestId('capture-on-all')) as HTMLInputElement;
    expect(all.checked).toBe(true);
    expect(screen.queryByTestId('capture-scope')).toBeNull();
    fireEvent.change(screen.getByTestId('setting-capture-sites'), {
      target: { value: 'https://API.example.com/v1\nnot a host\n127.0.0.1:8102\napi.example.com' },
    });
    expect(setSettings).toHaveBeenLastCalledWith({ captureSites: ['api.example.com', '127.0.0.1'] });
    expect(screen.getByTestId('capture-sites-error').textContent).toBe(
      'Not a host name, left out: not a host',
    );
    fireEvent.click(screen.getByTestId('capture-on-listed'));
    expect(setSettings).toHaveBeenLastCalledWith({ captureOn: 'listed' });
    await waitFor(() =>
      expect(screen.getByTestId('capture-scope').textContent).toBe(
        'This page (shop.example.org) is outside the sites capture is on (api.example.com, 127.0.0.1): only its calls to those sites are captured.',
      ),
    );
    cleanup();
    // The tab of a listed site: nothing to say.
    render(<PopupApp tabId={1} source={source} commands={commands} pageUrl="https://api.example.com/" />);
    await screen.findByTestId('capture-on-listed');
    expect(screen.queryByTestId('capture-scope')).toBeNull();
  });

  it('retention: checked in the form; out of range it says so, saves nothing, and the form stays', async () => {
    const { setSettings } = setup();
    const field = (await screen.findByTestId('setting-retention')) as HTMLInputElement;
    for (const value of ['-3', '0', '2000000', '1.5']) {
      fireEvent.input(field, { target: { value } });
      fireEvent.change(field, { target: { value } });
      expect(screen.getByTestId('retention-error').textContent).toBe('A whole number from 1 to 1,000,000.');
    }
    expect(setSettings).not.toHaveBeenCalled();
    expect(screen.queryByTestId('settings')).not.toBeNull();
  });

  it('retention below the calls stored: says what it deletes, and deletes nothing before the user agrees', async () => {
    const { setSettings } = setup();
    const field = (await screen.findByTestId('setting-retention')) as HTMLInputElement;
    await waitFor(() => expect(screen.queryByTestId('settings')).not.toBeNull());
    fireEvent.input(field, { target: { value: '100' } });
    fireEvent.change(field, { target: { value: '100' } });
    await waitFor(() =>
      expect(screen.getByTestId('retention-confirm').textContent).toContain(
        'Keeping at most 100 calls deletes the 32 oldest of the 132 calls stored, from every tab.',
      ),
    );
    expect(setSettings).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('retention-cancel'));
    expect(screen.queryByTestId('retention-confirm')).toBeNull();
    expect(setSettings).not.toHaveBeenCalled();
    fireEvent.input(field, { target: { value: '100' } });
    fireEvent.change(field, { target: { value: '100' } });
    fireEvent.click(await screen.findByTestId('retention-apply'));
    expect(setSettings).toHaveBeenCalledWith({ retention: 100 });
  });

  it('a save the background refuses: the error is shown and the form keeps the settings in force', async () => {
    const { commands } = setup();
    vi.spyOn(commands, 'setSettings').mockRejectedValue(
      new Error('CORScope: a malformed "settings" message'),
    );
    const paused = (await screen.findByTestId('setting-paused')) as HTMLInputElement;
    fireEvent.click(paused);
    await waitFor(() =>
      expect(screen.getByTestId('settings-error').textContent).toBe(
        'Not saved: CORScope: a malformed "settings" message',
      ),
    );
    expect(screen.queryByTestId('settings')).not.toBeNull();
    expect(paused.checked).toBe(false);
  });

  it('without a tab: no counts, settings still there', async () => {
    setup(null);
    expect(screen.queryByTestId('counts')).toBeNull();
    await waitFor(() => expect(screen.queryByTestId('settings')).not.toBeNull());
  });
});

describe("the store's status, calls of no tab and of closed tabs, clear all", () => {
  it('shows rows the store dropped and its last error', async () => {
    const source = memorySource(rows);
    const commands = memoryCommands(source);
    vi.spyOn(commands, 'status').mockResolvedValue({
      captureStartedAt: null,
      ok: false,
      lastError: 'QuotaExceededError: the quota has been exceeded',
      droppedRows: 1200,
      pending: 0,
      stored: 132,
      settings: await commands.getSettings(),
    });
    render(<PopupApp tabId={1} source={source} commands={commands} download={vi.fn()} />);
    expect((await screen.findByTestId('store-status')).textContent).toBe(
      'Storage: 1,200 calls could not be stored. Last error: QuotaExceededError: the quota has been exceeded',
    );
  });

  it('lists calls of no tab and of closed tabs, exports and clears them, and clears all after asking', async () => {
    const worker = sampleRows(-1)
      .slice(0, 3)
      .map((r, i) => ({ ...r, seq: 5000 + i }));
    const closed = sampleRows(9)
      .slice(0, 4)
      .map((r, i) => ({ ...r, seq: 6000 + i }));
    const source = memorySource([...rows, ...worker, ...closed]);
    const commands = memoryCommands(source);
    const clear = vi.spyOn(commands, 'clear');
    const download = vi.fn();
    render(<PopupApp tabId={1} source={source} commands={commands} download={download} openTabs={[1, 2]} />);
    const other = await screen.findByTestId('other-calls');
    expect(other.querySelector('[data-testid="no-tab"]')!.textContent).toContain(
      'No tab (service workers, …): http://127.0.0.1:8101',
    );
    expect(other.querySelector('[data-testid="closed-tab"]')!.textContent).toContain('Closed tab 9');
    expect(other.querySelectorAll('li')).toHaveLength(2);
    fireEvent.click(other.querySelector('[data-testid="closed-tab"] [data-testid="other-export"]')!);
    await waitFor(() => expect(download).toHaveBeenCalledOnce());
    const [filename, blob] = download.mock.calls[0] as [string, Blob];
    expect(filename).toMatch(/^corscope-9-.*\.har$/);
    expect((JSON.parse(await blob.text()) as Har).log.pages!.map((p) => p.id)).toEqual(['tab-9']);
    fireEvent.click(other.querySelector('[data-testid="no-tab"] [data-testid="other-clear"]')!);
    expect(clear).toHaveBeenLastCalledWith(-1);
    await waitFor(() => expect(screen.queryByTestId('no-tab')).toBeNull());

    fireEvent.click(screen.getByTestId('clear-all'));
    expect(screen.getByTestId('clear-all-confirm').textContent).toContain(
      'Delete all 136 calls, of every tab?',
    );
    expect(clear).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByTestId('clear-all-yes'));
    expect(clear).toHaveBeenLastCalledWith();
    await waitFor(() => expect(screen.getByTestId('count-blocked').textContent).toBe('blocked 0'));
  });
});
