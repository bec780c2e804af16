// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { type RowSummary, summarize } from '../../../src/ui/model';
import { PanelApp } from '../../../src/ui/panel/PanelApp';
import { VirtualList } from '../../../src/ui/VirtualList';
import { manyRows } from './rows';

afterEach(cleanup);

const selectedSeq = () =>
  screen
    .getAllByTestId('row')
    .filter((r) => r.getAttribute('aria-selected') === 'true')
    .map((r) => Number(r.dataset.seq));

describe('VirtualList', () => {
  const items = manyRows(50_000).map(summarize);
  const columns = [{ title: 'URL', cell: (r: RowSummary) => r.url }];

  it('renders only a window of 50,000 rows', () => {
    render(
      <VirtualList
        items={items}
        rowHeight={20}
        height={400}
        selected={null}
        onSelect={() => {}}
        onOpen={() => {}}
        columns={columns}
      />,
    );
    const rows = screen.getAllByTestId('row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(50);
    // Scrolled to the newest rows, like the Network panel.
    expect(rows.at(-1)?.dataset.seq).toBe('50000');
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('50001');
  });

  it('renders the rows a scroll brings into view', () => {
    render(
      <VirtualList
        items={items}
        rowHeight={20}
        height={400}
        selected={null}
        onSelect={() => {}}
        onOpen={() => {}}
        columns={columns}
      />,
    );
    const list = screen.getByTestId('list');
    list.scrollTop = 20 * 25_000;
    fireEvent.scroll(list);
    const seqs = screen.getAllByTestId('row').map((r) => Number(r.dataset.seq));
    expect(seqs).toContain(25_001);
    expect(seqs.length).toBeLessThan(50);
  });
});

describe('the panel list', () => {
  const source = memorySource(manyRows(50_000));
  const commands = memoryCommands(source);

  it('moves the selection with the keyboard and opens details with Enter', async () => {
    render(<PanelApp tabId={1} source={source} commands={commands} theme="light" />);
    const grid = screen.getByRole('grid');
    expect(screen.getAllByTestId('row').length).toBeLessThan(60);

    fireEvent.keyDown(grid, { key: 'Home' });
    expect(selectedSeq()).toEqual([1]);
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(selectedSeq()).toEqual([3]);
    fireEvent.keyDown(grid, { key: 'ArrowUp' });
    expect(selectedSeq()).toEqual([2]);
    expect(grid.getAttribute('aria-activedescendant')).toBe('row-2');
    expect(screen.queryByTestId('details')).toBeNull();

    fireEvent.keyDown(grid, { key: 'End' });
    expect(selectedSeq()).toEqual([50_000]);
    fireEvent.keyDown(grid, { key: 'Home' });
    // Row 40 is below the window: ArrowDown scrolls it into view.
    for (let i = 0; i < 39; i++) fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(selectedSeq()).toEqual([40]);

    fireEvent.keyDown(grid, { key: 'Enter' });
    const details = await screen.findByTestId('details');
    // Row 40 is sample s040 (the samples repeat every 66 rows).
    expect(details.textContent).toContain('/p/s040');
  });

  it('opens details on a click', async () => {
    render(<PanelApp tabId={1} source={source} commands={commands} theme="dark" />);
    const row = screen.getAllByTestId('row')[0]!;
    fireEvent.click(row);
    expect(row.getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(screen.queryByTestId('details')).not.toBeNull());
    expect(screen.getByTestId('panel').className).toContain('theme-dark');
  });
});
