// whatif_keystroke_ms and whatif_keystroke_vs_filter, in Chromium with the built extension and its real panel page.
//
// A call of 5 hops (a preflighted PUT redirected 4 times, each hop preflighted: 10 wire entries, blocked at the
// last preflight) is stored beside 100 recorded calls; the panel opens it and "Try a fix". Each keystroke types
// one more character into the last preflight's Access-Control-Allow-Headers value, and is timed from the input
// event to the panel updated and laid out (the what-if evaluated again, the DOM rendered, style and layout
// done): what has to fit in one frame (16.7 ms at 60 Hz), paint aside. whatif_keystroke_ms is the p95 of 3 rounds.
// The baseline, in the same page and run, alternated with it: the same keystrokes typed into the panel's text
// filter over the 101 calls; whatif_keystroke_vs_filter is the ratio of the medians.
import type { Page } from 'playwright-core';
import { Evaluator } from '../../src/cors/evaluate';
import type { Exchange, Header, WireEntry } from '../../src/cors/types';
import { benchBrowser, fill, rows, storedRow } from './panel';

const TAB = 900_003;
const PAGE = 'http://127.0.0.1:8101';
const HOPS = 5;
const TYPED = 'x-custom, x-request-id, x-trace-parent';
const ROUNDS = 3;

/** A PUT with a custom header, redirected (307) between two origins 4 times, each hop preflighted. */
export function fiveHopCall(): Exchange {
  const hosts = ['http://127.0.0.1:8102', 'http://localhost:8102'];
  const url = (i: number) => `${hosts[i % 2]}/p/w5hops/${i}`;
  const wire: WireEntry[] = [];
  for (let i = 0; i < HOPS; i++) {
    const origin = i === 0 ? PAGE : 'null';
    const last = i === HOPS - 1;
    const allow: Header[] = [
      ['Access-Control-Allow-Origin', i === 0 ? PAGE : '*'],
      ['Access-Control-Allow-Methods', 'PUT'],
    ];
    wire.push({
      type: 'preflight',
      request: {
        method: 'OPTIONS',
        url: url(i),
        headers: [
          ['Origin', origin],
          ['Access-Control-Request-Method', 'PUT'],
          ['Access-Control-Request-Headers', 'x-custom'],
        ],
      },
      // The last preflight does not allow the header: blocked there.
      response: {
        status: 204,
        headers: last ? allow : [...allow, ['Access-Control-Allow-Headers', 'X-Custom']],
      },
    });
    if (last) break;
    wire.push({
      type: 'request',
      request: { method: 'PUT', url: url(i), headers: [['Origin', origin]] },
      response: {
        status: 307,
        headers: [
          ['Location', url(i + 1)],
          ['Access-Control-Allow-Origin', i === 0 ? PAGE : '*'],
        ],
      },
    });
  }
  return {
    id: 'w5hops',
    initiator: PAGE,
    api: 'fetch',
    mode: 'cors',
    credentials: 'same-origin',
    request: {
      method: 'PUT',
      url: url(0),
      headers: [
        ['X-Custom', 'v1'],
        ['Content-Type', 'text/plain;charset=UTF-8'],
      ],
    },
    wire,
    outcome: 'error',
  };
}

// In the panel page: types `text` into `input` one character at a time; per keystroke, the time from the input
// event to the DOM updated (Preact renders in the microtask the event's setState queued) and laid out.
const TYPE = `window.__type = async (input, text) => {
  // Where a user types: the field focused, in view.
  input.focus();
  input.scrollIntoView({ block: 'center' });
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const times = [];
  for (let i = 1; i <= text.length; i++) {
    const t0 = performance.now();
    input.value = text.slice(0, i);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    // Preact renders in the microtask its setState queued, before this one.
    await new Promise((r) => queueMicrotask(r));
    document.body.getBoundingClientRect();
    times.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  return times;
};
window.__acahValue = () => {
  const hops = [...document.querySelectorAll('[data-testid=whatif-hop]')];
  const preflight = hops.filter((h) => h.querySelector('legend').textContent.startsWith('Preflight')).at(-1);
  const names = [...preflight.querySelectorAll('[data-testid=whatif-header-name]')];
  return names.find((n) => n.value === 'Access-Control-Allow-Headers').parentElement.querySelector('[data-testid=whatif-header-value]');
};`;

const typeInto = (page: Page, which: 'acah' | 'filter', text: string) =>
  page.evaluate(
    ([w, t]) => {
      const win = window as unknown as {
        __type(i: Element, t: string): Promise<number[]>;
        __acahValue(): Element;
      };
      const input = w === 'acah' ? win.__acahValue() : document.querySelector('[data-testid=filter-text]')!;
      return win.__type(input, t);
    },
    [which, text] as const,
  );

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;

export async function benchWhatIf(): Promise<Record<string, number>> {
  const { browser, ext } = await benchBrowser();
  try {
    const call = fiveHopCall();
    const evaluation = new Evaluator().evaluate(call);
    if (evaluation.verdict !== 'blocked' || call.wire.length !== 2 * HOPS - 1)
      throw new Error(`the 5-hop call: ${evaluation.verdict}, ${call.wire.length} wire entries`);
    await fill(ext, [storedRow(call, evaluation, TAB, 3_000_000, 0), ...rows(TAB, 100, 3_000_001)]);
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.addInitScript(TYPE);
    await page.goto(`chrome-extension://${browser.extensionId}/devtools-panel.html?tabId=${TAB}`);
    await page.getByTestId('filter-text').fill('w5hops');
    await page.getByTestId('row').filter({ hasText: '/p/w5hops/0' }).click();
    await page.getByTestId('filter-text').fill('');
    await page.getByTestId('try-fix').click();
    const verdict = page.getByTestId('whatif-verdict-now');
    if ((await verdict.textContent()) !== 'allowed')
      throw new Error('the proposed fix did not allow the call');
    if ((await page.getByTestId('whatif-hop').count()) !== 2 * HOPS)
      throw new Error('not 10 hops in the editor');
    const whatif: number[] = [];
    const filter: number[] = [];
    await typeInto(page, 'acah', TYPED); // warm-up
    await typeInto(page, 'filter', TYPED);
    await page.getByTestId('filter-text').fill('');
    for (let r = 0; r < ROUNDS; r++) {
      whatif.push(...(await typeInto(page, 'acah', TYPED)));
      if ((await verdict.textContent()) !== 'allowed')
        throw new Error('typing x-custom did not allow the call');
      filter.push(...(await typeInto(page, 'filter', TYPED)));
      await page.getByTestId('filter-text').fill('');
    }
    const w = p95(whatif);
    const f = p95(filter);
    console.log(
      `whatif: ${whatif.length} keystrokes into a 5-hop call's what-if, median ${median(whatif).toFixed(2)} ms, p95 ${w.toFixed(2)} ms (max ${Math.max(...whatif).toFixed(2)}); ${filter.length} into the filter, median ${median(filter).toFixed(2)} ms, p95 ${f.toFixed(2)} ms`,
    );
    return {
      whatif_keystroke_ms: Number(w.toFixed(2)),
      // Medians: the p95 of either is mostly the machine's noise.
      whatif_keystroke_vs_filter: Number((median(whatif) / median(filter)).toFixed(2)),
    };
  } finally {
    await browser.close();
  }
}
