// A recorded sample set (tests/fixtures/exchange, and its firefox/ folder): the calls, what the browser
// decided of each, and what it printed.
import { readFileSync } from 'node:fs';
import type { Exchange } from '../../../src/cors/types';
import { readJsonl } from '../../factories';

/** What expected.jsonl says of one call. */
export interface Expected {
  id: string;
  verdict: string;
  preflight: string;
  console: string | null;
  exposed?: string[];
}

/** Reads samples.jsonl, expected.jsonl (one E per call) and catalog.jsonl from a sample set's folder. */
export function readSampleSet<E extends Expected = Expected>(dir: URL) {
  const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');
  return {
    samples: readJsonl<Exchange>(read('samples.jsonl')),
    expected: readJsonl<E>(read('expected.jsonl')),
    catalog: readJsonl<{ id: string; name: string; console: { type: string; text: string }[] }>(
      read('catalog.jsonl'),
    ),
  };
}
