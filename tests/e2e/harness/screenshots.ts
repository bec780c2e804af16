// Where the demo tests put their screenshots: a temporary folder, removed afterwards, so that `npm test` leaves
// the work tree as it found it; docs/screenshots, the README's pictures, only when CORSCOPE_SCREENSHOTS names a
// folder (`npm run screenshots` refreshes them on purpose).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Screenshots {
  /** The file a screenshot named `name` ("panel.png") goes to. */
  path(name: string): string;
  /** Removes the temporary folder (a folder CORSCOPE_SCREENSHOTS named stays). */
  done(): void;
}

export function screenshots(): Screenshots {
  const chosen = process.env.CORSCOPE_SCREENSHOTS;
  const dir = chosen ? resolve(chosen) : mkdtempSync(join(tmpdir(), 'corscope-screenshots-'));
  mkdirSync(dir, { recursive: true });
  return {
    path: (name) => join(dir, name),
    done: () => {
      if (!chosen) rmSync(dir, { recursive: true, force: true });
    },
  };
}
