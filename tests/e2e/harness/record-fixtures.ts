// The run both fixture recorders share (record-events.ts in Chromium, record-firefox-events.ts in Firefox):
// pick the scenarios, record each, write it out.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Scenario } from '../scenarios';
import { type ScenarioServer, startScenarioServer } from './server';

/** One scenario's fixture: these fields and whatever else the browser's recorder keeps. */
export interface Fixture {
  scenario: string;
  events: unknown[];
  page: unknown;
  [field: string]: unknown;
}

/**
 * Records the scenarios named on the command line (all of `runnable` when none) into <dir>/<scenario>.json.
 * `launch` starts the browser; `prepare` readies it and returns how to record one scenario (the server is
 * reset before each). Closes the browser and the server at the end; an error fails the process.
 */
export function recordFixtures<B extends { close(): Promise<void> }>(o: {
  dir: string;
  runnable: Scenario[];
  /** The error's words for a name not in `runnable`. */
  unknownLabel: string;
  launch(): Promise<B>;
  prepare(browser: B, server: ScenarioServer): Promise<(s: Scenario) => Promise<Fixture>>;
}): void {
  const main = async (): Promise<void> => {
    const only = process.argv.slice(2);
    const scenarios = only.length ? o.runnable.filter((s) => only.includes(s.name)) : o.runnable;
    const unknown = only.filter((n) => !o.runnable.some((s) => s.name === n));
    if (unknown.length) throw new Error(`${o.unknownLabel}: ${unknown.join(', ')}`);

    await mkdir(o.dir, { recursive: true });
    const server = await startScenarioServer();
    const browser = await o.launch();
    try {
      const record = await o.prepare(browser, server);
      for (const s of scenarios) {
        server.reset();
        const fixture = await record(s);
        await writeFile(resolve(o.dir, `${s.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
        console.log(
          `${s.name}: ${fixture.events.length} events, page ${JSON.stringify(fixture.page).slice(0, 100)}`,
        );
      }
    } finally {
      await browser.close();
      await server.close();
    }
  };
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
