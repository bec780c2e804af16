// Opening a call in the panel the way a user does with the keyboard.
import { fireEvent, screen } from '@testing-library/preact';
import type { StoredExchange } from '../../../src/store/row';

/** Opens the call `id` of `rows` (the panel's list, in order): Home, ArrowDown to its row, Enter. */
export async function openCall(rows: readonly StoredExchange[], id: string): Promise<HTMLElement> {
  const grid = screen.getByRole('grid');
  fireEvent.keyDown(grid, { key: 'Home' });
  const index = rows.findIndex((r) => r.exchange.id === id);
  for (let i = 0; i < index; i++) fireEvent.keyDown(grid, { key: 'ArrowDown' });
  fireEvent.keyDown(grid, { key: 'Enter' });
  return screen.findByTestId('details');
}
