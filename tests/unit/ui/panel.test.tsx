// @vitest-environment happy-dom

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, createEvent, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Har, toHar } from '../../../src/report/index';
import type { StoredExchange } from '../../../src/store/row';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { PanelApp } from '../../../src/ui/panel/PanelApp';
import { readJsonl } from '../../factories';
import { validateHar } from '../../har-schema';
import { openCall } from './open-call';
import { sampleRows, storedRows } from './rows';

afterEach(cleanup);

const rows = sampleRows();
const row = (id: string) => rows.find((r) => r.exchange.id === id) as StoredExchange;
/** The browser's verdict on each recorded sample (tests/fixtures/exchange/expected.jsonl), s001 to s066. */
const truth = readJsonl<{ id: string; verdict: string }>(
  readFileSync(join(process.cwd(), 'tests/fixtures/exchange/expected.jsonl'), 'utf8'),
);

function setup(list: StoredExchange[] = rows) {
  const source = memorySource(list);
  const commands = memoryCommands(source);
  const download = vi.fn();
  const copy = vi.fn();
  render(
    <PanelApp tabId={1} source={source} commands={commands} theme="light" download={download} copy={copy} />,
  );
  return { source, commands, download, copy };
}

const count = () => screen.getByTestId('count').textContent;

/** What download got: [filename, the file's text], in call order. */
const texts = (download: ReturnType<typeof vi.fn>) =>
  Promise.all(
    (download.mock.calls as [string, Blob][]).map(async ([f, b]) => [f, await b.text()] as [string, string]),
  );

/** Opens a call with the keyboard: Home, ArrowDown to its row, Enter. */
const open = (id: string) => openCall(rows, id);

describe('the toolbar filters', () => {
  it('blocked only', () => {
    setup();
    expect(count()).toBe('66 calls');
    fireEvent.click(screen.getByTestId('filter-blocked'));
    expect(count()).toBe('31 of 66 calls');
  });

  it('verdict', () => {
    setup();
    fireEvent.change(screen.getByTestId('filter-verdict'), { target: { value: 'network-error' } });
    expect(count()).toBe('2 of 66 calls');
    expect(screen.getAllByTestId('row').map((r) => r.dataset.seq)).toEqual(['57', '58']);
  });

  it('text over URL and reason', () => {
    setup();
    fireEvent.input(screen.getByTestId('filter-text'), { target: { value: 'S06' } });
    expect(count()).toBe('7 of 66 calls');
    fireEvent.input(screen.getByTestId('filter-text'), {
      target: { value: 'not in access-control-allow-headers' },
    });
    expect(screen.getAllByTestId('row').map((r) => r.dataset.seq)).toEqual(['31', '34', '37', '39']);
  });

  it('method and origin, with options built from the rows', () => {
    setup();
    const origin = screen.getByTestId('filter-origin') as HTMLSelectElement;
    expect([...origin.options].map((o) => o.value)).toEqual([
      '',
      'http://127.0.0.1:8101',
      'http://127.0.0.1:8102',
      'http://127.0.0.1:8109',
      'http://localhost:8102',
    ]);
    fireEvent.change(origin, { target: { value: 'http://localhost:8102' } });
    expect(screen.getAllByTestId('row').map((r) => r.dataset.seq)).toEqual(['19']);
    fireEvent.change(origin, { target: { value: '' } });
    fireEvent.change(screen.getByTestId('filter-method'), { target: { value: 'DELETE' } });
    expect(screen.getAllByTestId('row').map((r) => r.dataset.seq)).toEqual(['44']);
  });
});

describe('the details of a blocked call', () => {
  it('shows the sentence, the console line exactly, the failing check and the fix with snippets', async () => {
    const { copy } = setup();
    const details = await open('s003');
    const ev = row('s003').evaluation;
    expect(within(details).getByTestId('summary').textContent).toBe(ev.summary);
    expect(within(details).getByTestId('console').textContent).toBe(ev.error!.console);
    expect(within(details).queryByTestId('api-note')).toBeNull(); // api is known: fetch

    const fails = within(details).getAllByTestId('check-fail');
    expect(fails).toHaveLength(1);
    expect(fails[0]!.textContent).toContain('Access-Control-Allow-Origin allows the origin');
    expect(fails[0]!.className).toContain('fail');
    expect(within(details).getAllByTestId('check')).toHaveLength(2);
    expect(within(fails[0]!).getByRole('link').getAttribute('href')).toBe(
      'https://fetch.spec.whatwg.org/#cors-check',
    );

    const fix = within(details).getByTestId('fix-item');
    expect(fix.textContent).toContain('set Access-Control-Allow-Origin: http://127.0.0.1:8101');
    expect(fix.textContent).toContain('actual response (GET http://127.0.0.1:8102/p/s003)');
    expect(within(details).getAllByTestId('advice')).toHaveLength(ev.advice.length);
    const snippet = (server: string) =>
      within(details).getByTestId(`snippet-${server}`).querySelector('pre')!.textContent;
    expect(snippet('express')).toContain("origin: 'http://127.0.0.1:8101'");
    expect(snippet('nginx')).toContain(
      'add_header Access-Control-Allow-Origin "http://127.0.0.1:8101" always;',
    );
    expect(snippet('nginx')).toContain('add_header Vary "Origin" always;');

    const firefox = within(details).getByTestId('firefox');
    expect(firefox.textContent).toContain(ev.error!.firefoxConsole!);
    expect(within(firefox).getByRole('link').getAttribute('href')).toBe(
      'https://developer.mozilla.org/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin',
    );

    fireEvent.click(within(details).getByTestId('copy-console'));
    expect(copy).toHaveBeenCalledWith(ev.error!.console);
    fireEvent.click(within(details).getByTestId('curl-request'));
    expect(copy).toHaveBeenLastCalledWith(
      expect.stringMatching(/^curl -i 'http:\/\/127\.0\.0\.1:8102\/p\/s003'/),
    );
  });

  it('a preflight failure: timeline, curl for the preflight and for the request never sent', async () => {
    const { copy } = setup();
    const details = await open('s030');
    const items = within(details)
      .getAllByTestId('timeline-item')
      .map((li) => li.textContent);
    expect(items[0]).toContain('Preflight');
    expect(items[0]).toContain('OPTIONS');
    expect(items[0]).toContain('204');
    expect(items.at(-1)).toContain('blocked');
    fireEvent.click(within(details).getByTestId('curl-preflight'));
    expect(copy).toHaveBeenLastCalledWith(expect.stringContaining("curl -i -X 'OPTIONS'"));
    fireEvent.click(within(details).getByTestId('curl-request'));
    expect(copy).toHaveBeenLastCalledWith(
      expect.stringContaining("-X 'PUT' 'http://127.0.0.1:8102/p/s030' -H 'Origin: http://127.0.0.1:8101'"),
    );
  });

  it('notes an unknown API, relative timings and capture notes', async () => {
    const base = row('s003');
    const wire = base.exchange.wire.map((w) => ({ ...w, time: base.time + 42 }));
    const capture = {
      ...base.exchange.capture,
      ambiguous: true,
      recovered: true,
      missing: 'the response headers',
    };
    const { api: _api, ...exchange } = { ...base.exchange, wire, capture };
    setup([{ ...base, exchange }]);
    const details = await open('s003');
    expect(within(details).getByTestId('api-note').textContent).toBe(
      "webRequest cannot tell fetch() from XMLHttpRequest: for XHR the line starts 'Access to XMLHttpRequest at' and the hint may differ",
    );
    expect(within(details).getByTestId('timeline').textContent).toContain('+42 ms');
    const notes = within(details).getByTestId('capture-notes').textContent;
    expect(notes).toContain(
      "identical concurrent calls: this preflight may be its twin's".replace(/^i/, 'I'),
    );
    expect(notes).toContain('the response headers');
  });

  it('names the call whose preflight filled the cache and goes to it', async () => {
    setup();
    const details = await open('s043');
    const cache = within(details).getByTestId('cache');
    expect(cache.textContent).toContain('s042');
    fireEvent.click(within(cache).getByTestId('served-by'));
    await waitFor(() => expect(screen.getByTestId('timeline').textContent).toContain('/p/s042'));
    expect(screen.queryByTestId('cache')).toBeNull();
  });
});

describe('untrusted text', () => {
  it('renders a header value as text: no element is created', async () => {
    const base = row('s003');
    const evil = '<img src=x onerror=alert(1)>';
    const wire = base.exchange.wire.map((w) => ({
      ...w,
      response: w.response && {
        ...w.response,
        headers: [...w.response.headers, ['X-Evil', evil] as [string, string]],
      },
      request: {
        ...w.request,
        headers: [...(w.request.headers ?? []), ['Cookie', '[redacted: 12 bytes]'] as [string, string]],
      },
    }));
    setup([{ ...base, url: `${base.url}?q=${evil}`, exchange: { ...base.exchange, wire } }]);
    const details = await open('s003');
    expect(document.querySelector('img')).toBeNull();
    const values = within(details).getAllByTestId('header-value');
    const cell = values.find((v) => v.textContent === evil);
    expect(cell).toBeTruthy();
    expect(cell!.children).toHaveLength(0);
    const redacted = values.find((v) => v.textContent === '[redacted: 12 bytes]');
    expect(redacted!.className).toContain('redacted');
    expect(screen.getAllByTestId('row')[0]!.textContent).toContain(evil);
  });
});

describe('the toolbar commands', () => {
  it('exports the tab as HAR, JSON Lines or Markdown through download', async () => {
    const { download } = setup();
    fireEvent.click(screen.getByTestId('export-har'));
    fireEvent.click(screen.getByTestId('export-jsonl'));
    fireEvent.click(screen.getByTestId('export-markdown'));
    await waitFor(() => expect(download).toHaveBeenCalledTimes(3));
    const [har, jsonl, md] = await texts(download);
    expect(har![0]).toMatch(/^corscope-1-.*\.har$/);
    expect(validateHar(JSON.parse(har![1]))).toEqual([]);
    expect(new Set((JSON.parse(har![1]) as Har).log.entries.map((e) => e._cors!.pair)).size).toBe(66);
    expect(jsonl![0]).toMatch(/^corscope-1-.*\.jsonl$/);
    // Every call of the tab, in capture order, with the verdict the browser gave it.
    const lines = readJsonl<{ id: string; evaluation: { verdict: string } }>(jsonl![1]);
    expect(lines.map((l) => [l.id, l.evaluation.verdict])).toEqual(truth.map((t) => [t.id, t.verdict]));
    expect(md![0]).toMatch(/^corscope-1-.*\.md$/);
    expect(md![1]).toMatch(
      /^# CORScope report\n\n66 calls: 31 blocked, 2 network-error, 31 allowed, 1 opaque, 1 same-origin\.\n/,
    );
    expect(md![1]).toContain('### 1. GET `http://127.0.0.1:8102/p/s003`');
  });

  it('clears the list and closes the details', async () => {
    setup();
    await open('s003');
    fireEvent.click(screen.getByTestId('clear'));
    await waitFor(() => expect(screen.queryAllByTestId('row')).toHaveLength(0));
    expect(screen.queryByTestId('details')).toBeNull();
  });

  it('shows rows that arrive later', async () => {
    const { source } = setup(rows.slice(0, 2));
    expect(count()).toBe('2 calls');
    source.add(row('s003'));
    await waitFor(() => expect(count()).toBe('3 calls'));
  });

  it('binds preserve log to the settings', async () => {
    const source = memorySource(rows);
    const commands = memoryCommands(source);
    const setSettings = vi.spyOn(commands, 'setSettings');
    render(<PanelApp tabId={1} source={source} commands={commands} theme="light" />);
    const box = screen.getByTestId('preserve-log') as HTMLInputElement;
    await waitFor(() => expect(box.disabled).toBe(false));
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    expect(setSettings).toHaveBeenCalledWith({ preserveLog: true });
    await waitFor(async () => expect((await commands.getSettings()).preserveLog).toBe(true));
    expect(box.checked).toBe(true);
  });
});

describe('capture on listed sites only', () => {
  it('says when the inspected page is outside them, and when none is listed', async () => {
    const source = memorySource(rows);
    const commands = memoryCommands(source);
    await commands.setSettings({ captureOn: 'listed', captureSites: ['api.test'] });
    render(
      <PanelApp
        tabId={1}
        source={source}
        commands={commands}
        theme="light"
        pageUrl="http://127.0.0.1:8101/"
      />,
    );
    await waitFor(() =>
      expect(screen.getByTestId('capture-scope').textContent).toBe(
        'This page (127.0.0.1) is outside the sites capture is on (api.test): only its calls to those sites are captured.',
      ),
    );
    cleanup();
    await commands.setSettings({ captureSites: [] });
    render(<PanelApp tabId={1} source={source} commands={commands} theme="light" pageUrl={null} />);
    await waitFor(() =>
      expect(screen.getByTestId('capture-scope').textContent).toBe(
        'Capture is on only for the sites listed in the settings, and none is listed: nothing is captured.',
      ),
    );
  });
});

describe('a page older than capture', () => {
  const started = Date.UTC(2026, 0, 2, 10, 30, 5);
  const withStart = (pageStartedAt: number | null) => {
    const source = memorySource(rows);
    const memory = memoryCommands(source);
    const commands = {
      ...memory,
      status: async () => ({ ...(await memory.status()), captureStartedAt: started }),
    };
    render(
      <PanelApp tabId={1} source={source} commands={commands} theme="light" pageStartedAt={pageStartedAt} />,
    );
  };

  it('says when capture started and that the calls before it are not shown', async () => {
    withStart(started - 2_000);
    const note = await screen.findByTestId('capture-start');
    expect(note.textContent).toMatch(
      /^Capture started at \d\d:\d\d:\d\d(\.\d+)?, after this page began loading: its earlier calls are not shown\. Reload the page to capture them all\.$/,
    );
  });

  it('says nothing for a page loaded after capture started, or when either time is unknown', async () => {
    withStart(started + 1);
    await waitFor(() => expect(count()).toBe('66 calls'));
    expect(screen.queryByTestId('capture-start')).toBeNull();
    cleanup();
    withStart(null);
    await waitFor(() => expect(count()).toBe('66 calls'));
    expect(screen.queryByTestId('capture-start')).toBeNull();
  });
});

describe('importing a HAR file', () => {
  const harText = JSON.stringify(toHar(rows));
  const harFile = (text = harText, name = 'trace.har') =>
    new File([text], name, { type: 'application/json' });
  /** Drops a file on the panel. (fireEvent.drop would fire "Drop": happy-dom elements have no ondrop.) */
  const drop = (file: File) => {
    const panel = screen.getByTestId('panel');
    fireEvent(panel, createEvent.drop(panel, { dataTransfer: { files: [file], types: ['Files'] } }));
  };
  const verdictCount = (verdict: string) => {
    fireEvent.change(screen.getByTestId('filter-verdict'), { target: { value: verdict } });
    const n = count();
    fireEvent.change(screen.getByTestId('filter-verdict'), { target: { value: '' } });
    return n;
  };

  it('a dropped HAR shows its calls in an Imported view, with the same verdicts in the same order', async () => {
    const { download } = setup(rows.slice(0, 2));
    expect(screen.queryByTestId('view-imported')).toBeNull();
    drop(harFile());
    const tab = await screen.findByTestId('view-imported');
    expect(tab.textContent).toBe('Imported: trace.har (64 calls)');
    expect(tab.getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(count()).toBe('64 calls'));
    expect(screen.getByTestId('import-summary').textContent).toBe(
      '95 HAR entries, 66 calls: 64 CORS calls (31 blocked), 1 not governed by CORS, 1 same-origin, 0 cannot tell. Only the CORS calls are listed.',
    );
    expect(screen.queryByTestId('import-error')).toBeNull();
    expect(verdictCount('allowed')).toBe('31 of 64 calls');
    expect(verdictCount('blocked')).toBe('31 of 64 calls');
    expect(verdictCount('network-error')).toBe('2 of 64 calls');
    for (const v of ['opaque', 'same-origin']) expect(verdictCount(v), v).toBe('0 of 64 calls');
    // Each row listed is its sample with the browser's verdict; the CORS calls are listed, the no-cors (s055)
    // and the same-origin (s056) sample counted: the row after s054's is s057's.
    const byId = new Map(truth.map((t) => [t.id, t.verdict]));
    for (const el of screen.getAllByTestId('row')) {
      const id = /\/p\/(s\d{3})/.exec(el.textContent!)![1]!;
      expect(el.querySelector('.badge')!.textContent, id).toBe(byId.get(id));
    }
    fireEvent.input(screen.getByTestId('filter-text'), { target: { value: '/p/s057' } });
    expect(screen.getAllByTestId('row').map((el) => el.dataset.seq)).toEqual(['55']);
    fireEvent.input(screen.getByTestId('filter-text'), { target: { value: '' } });
    // Its details open like a live call's.
    const details = await open('s003');
    expect(within(details).getByTestId('summary').textContent).toBe(row('s003').evaluation.summary);

    // Exports act on the imported calls.
    fireEvent.click(screen.getByTestId('export-har'));
    await waitFor(() => expect(download).toHaveBeenCalledOnce());
    const [filename, text] = (await texts(download))[0]!;
    expect(filename).toMatch(/^corscope-imported-.*\.har$/);
    expect(validateHar(JSON.parse(text))).toEqual([]);

    // Live is one click away; the import stays until closed.
    fireEvent.click(screen.getByTestId('view-live'));
    await waitFor(() => expect(count()).toBe('2 calls'));
    expect(screen.queryByTestId('clear')).not.toBeNull();
    fireEvent.click(screen.getByTestId('view-imported'));
    await waitFor(() => expect(count()).toBe('64 calls'));
    expect(screen.queryByTestId('clear')).toBeNull();
    fireEvent.click(screen.getByTestId('close-import'));
    await waitFor(() => expect(count()).toBe('2 calls'));
    expect(screen.queryByTestId('view-imported')).toBeNull();
  });

  it('an imported call leaves with the redaction list in force at export, not the one at import', async () => {
    const { commands, download } = setup(rows.slice(0, 2));
    const har = JSON.parse(harText) as Har;
    har.log.entries[0]!.request.headers.push({ name: 'X-Team-Token', value: 'team-secret-1234' });
    drop(harFile(JSON.stringify(har)));
    await screen.findByTestId('view-imported');
    const settings = await commands.getSettings();
    await commands.setSettings({ redactHeaders: [...settings.redactHeaders, 'x-team-token'] });
    fireEvent.click(screen.getByTestId('export-har'));
    await waitFor(() => expect(download).toHaveBeenCalledOnce());
    const [, text] = (await texts(download))[0]!;
    expect(text).not.toContain('team-secret-1234');
    const sent = (JSON.parse(text) as Har).log.entries.flatMap((e) => e.request.headers);
    expect(sent.filter((h) => h.name === 'X-Team-Token')).toEqual([
      { name: 'X-Team-Token', value: '[redacted: 16 bytes]' },
    ]);
  });

  it('"Import HAR…" opens a file picker that imports the same way', async () => {
    setup(rows.slice(0, 2));
    const input = screen.getByTestId('import-file') as HTMLInputElement;
    expect(input.type).toBe('file');
    expect(input.hidden).toBe(true);
    const click = vi.spyOn(input, 'click');
    fireEvent.click(screen.getByTestId('import'));
    expect(click).toHaveBeenCalled();
    fireEvent.change(input, { target: { files: [harFile(harText, 'picked.har')] } });
    expect((await screen.findByTestId('view-imported')).textContent).toBe('Imported: picked.har (64 calls)');
    await waitFor(() => expect(count()).toBe('64 calls'));
  });

  it.each([
    ['not JSON', 'this is not json', 'not JSON'],
    ['not HAR', '{"version": "1.2", "entries": []}', 'not a HAR file'],
    ['empty', '', 'not JSON: the file is empty'],
  ])('garbage (%s): a clear message, no import, nothing broken', async (_, text, message) => {
    setup(rows.slice(0, 2));
    drop(harFile(text, 'notes.txt'));
    const error = await screen.findByTestId('import-error');
    expect(error.parentElement!.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain(`notes.txt: ${message}`);
    expect(error.textContent).toContain('No call could be read');
    expect(screen.queryByTestId('view-imported')).toBeNull();
    expect(count()).toBe('2 calls');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('import-error')).toBeNull();
  });

  it('a truncated file: the calls read before the cut, and how many', async () => {
    setup();
    drop(harFile(harText.slice(0, Math.floor(harText.length / 2)), 'cut.har'));
    const error = await screen.findByTestId('import-error');
    expect(screen.getByTestId('view-imported').textContent).toBe('Imported: cut.har (35 calls)');
    expect(error.textContent).toMatch(/^cut\.har: truncated: the file ends inside /);
    expect(error.textContent).toContain('35 calls could be read.');
    await waitFor(() => expect(count()).toBe('35 calls'));
  });

  it('bad entries are skipped and counted; the rest is imported', async () => {
    setup();
    const har = toHar(rows);
    har.log.entries[0] = { ...har.log.entries[0]!, request: { ...har.log.entries[0]!.request, url: '' } };
    (har.log.entries as unknown[])[5] = 42;
    drop(harFile(JSON.stringify(har), 'bad.har'));
    const error = (await screen.findByTestId('import-error')).textContent!;
    expect(error).toBe(
      'bad.har: entry 0: request.url: required: a string; entry skipped (1 more problem). 62 calls could be read.',
    );
    expect(screen.getByTestId('view-imported').textContent).toBe('Imported: bad.har (62 calls)');
  });
});

describe('the browser recorded success where the headers would block', () => {
  it('the panel says cannot tell and why: no blocked badge, no console line, no fix', async () => {
    const list = storedRows([
      {
        id: 'd1',
        initiator: 'https://a.example',
        credentials: 'omit',
        outcome: 'success',
        request: { method: 'GET', url: 'https://b.example/x', headers: [] },
        wire: [
          {
            type: 'request',
            request: { method: 'GET', url: 'https://b.example/x', headers: [] },
            response: { status: 200, headers: [['Access-Control-Allow-Origin', 'https://c.example']] },
          },
        ],
      },
    ]);
    setup(list);
    const details = await openCall(list, 'd1');
    const items = within(details)
      .getAllByTestId('timeline-item')
      .map((li) => li.textContent);
    expect(items.at(-1)).toBe('Outcome cannot-tell (the page saw success)');
    expect(within(details).getByTestId('summary').textContent).toBe(
      'Cannot tell: The browser recorded this call as successful (the page read the response), but the recorded headers would have blocked it (AllowOriginMismatch): the recording does not show everything the browser saw (a header webRequest or the HAR did not show, a response from the cache).',
    );
    expect(within(details).queryByTestId('console')).toBeNull();
    expect(within(details).queryByTestId('fix')).toBeNull();
    expect(details.querySelector('.v-blocked')).toBeNull();
    expect(details.querySelector('.v-cannot-tell')?.textContent).toBe('cannot-tell');
  });
});
