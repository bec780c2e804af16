// Opens a call in the rendered panel with the keyboard, as a user does: Home, ArrowDown to its row, Enter.
import { fireEvent, screen } from '@testing-library/preact';
import type { StoredExchange } from '../../../src/capture/types';

/** Opens the call `id` of `rows` (the list as shown, unfiltered) and returns its details. */
export function openRow(rows: readonly StoredExchange[], id: string): Promise<HTMLElement> {
  const grid = screen.getByRole('grid');
  fireEvent.keyDown(grid, { key: 'Home' });
  const index = rows.findIndex((r) => r.exchange.id === id);
  for (let i = 0; i < index; i++) fireEvent.keyDown(grid, { key: 'ArrowDown' });
  fireEvent.keyDown(grid, { key: 'Enter' });
  return screen.findByTestId('details');
}
