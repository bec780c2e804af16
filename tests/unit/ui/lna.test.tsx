// @vitest-environment happy-dom
// Local Network Access in the panel and the popup: a category of its own in the list, a filter, the popup's
// count and top reasons, and the details' section, on the recorded samples (tests/fixtures/exchange/lna).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/cors/types';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { summarize } from '../../../src/ui/model';
import { PanelApp } from '../../../src/ui/panel/PanelApp';
import { PopupApp, tabStats } from '../../../src/ui/popup/PopupApp';
import { readJsonl } from '../../factories';
import { openCall } from './open-call';
import { storedRows } from './rows';

afterEach(cleanup);

const rows = storedRows(
  readJsonl<Exchange>(readFileSync(join(process.cwd(), 'tests/fixtures/exchange/lna/samples.jsonl'), 'utf8')),
);
const STOPPED = ['l001', 'l003', 'l004', 'l005', 'l010', 'l014', 'l015', 'l016', 'l017'];

function panel() {
  const source = memorySource(rows);
  render(
    <PanelApp tabId={1} source={source} commands={memoryCommands(source)} theme="light" copy={() => {}} />,
  );
}

const open = (id: string) => openCall(rows, id);

describe('the list', () => {
  it('marks the calls Local Network Access stopped, and filters them', () => {
    panel();
    expect(screen.getByTestId('count').textContent).toBe('17 calls');
    expect(screen.getAllByTestId('badge-lna')).toHaveLength(STOPPED.length);
    fireEvent.click(screen.getByTestId('filter-lna'));
    expect(screen.getByTestId('count').textContent).toBe(`${STOPPED.length} of 17 calls`);
    expect(screen.getAllByTestId('row').map((r) => rows[Number(r.dataset.seq) - 1]!.exchange.id)).toEqual(
      STOPPED,
    );
    expect(summarize(rows[3]!).reason).toBe('Local Network Access: no permission');
    expect(summarize(rows[9]!).reason).toBe('Local Network Access: page not a secure context');
    expect(summarize(rows[15]!).reason).toBe('Local Network Access: wrong targetAddressSpace');
  });
});

describe('the details', () => {
  it('say what the check saw and that the server never saw the request, and offer no header', async () => {
    panel();
    const details = await open('l004');
    const section = within(details).getByTestId('local-network');
    expect(within(section).getByTestId('lna-lead').textContent).toMatch(
      /^The browser stopped this request before sending it, so the server never saw it and CORS never ran/,
    );
    expect(
      [...within(section).getByTestId('lna-facts').querySelectorAll('tr')].map((tr) => tr.textContent),
    ).toEqual([
      'Pagehttp://127.0.0.1:8501: public (the internet), a secure context',
      'Serverhttp://127.0.0.1:8506: local (the local network)',
      'Permissionlocal-network: not granted',
      'Fromthe address spaces as recorded',
    ]);
    expect(within(details).queryAllByTestId('fix-item')).toEqual([]);
    expect(within(details).queryByTestId('snippet-express')).toBeNull();
    expect(within(details).getAllByTestId('advice')[0]!.textContent).toMatch(
      /^The user grants the permission/,
    );
    expect(within(details).getByTestId('console').textContent).toBe(
      "Access to fetch at 'http://127.0.0.1:8506/lna/l004' from origin 'http://127.0.0.1:8501' has been blocked by CORS policy: Permission was denied for this request to access the `local` address space.",
    );
  });

  it('show the check passing, then the CORS failure and its fix, for a call the permission let through', async () => {
    panel();
    const details = await open('l008');
    expect(within(details).getByTestId('lna-lead').textContent).toMatch(
      /^The browser let this request reach/,
    );
    expect(within(details).getAllByTestId('fix-item')[0]!.textContent).toContain(
      'set Access-Control-Allow-Origin: http://127.0.0.1:8501',
    );
  });
});

describe('the popup', () => {
  it('counts the calls Local Network Access stopped, and gives them their own top reasons', () => {
    const stats = tabStats(rows.map(summarize));
    expect(stats.localNetwork).toBe(STOPPED.length);
    expect(stats.reasons).toEqual([
      ['Local Network Access: no permission', 7],
      ['Local Network Access: page not a secure context', 1],
      ['Local Network Access: wrong targetAddressSpace', 1],
      ['no Access-Control-Allow-Origin', 1],
      ['preflight: no Access-Control-Allow-Origin', 1],
    ]);
    const source = memorySource(rows);
    render(<PopupApp tabId={1} source={source} commands={memoryCommands(source)} />);
    expect(screen.getByTestId('lna-count').textContent).toBe(
      'LNA 9 calls stopped by Local Network Access before CORS: no header fixes them',
    );
  });
});
