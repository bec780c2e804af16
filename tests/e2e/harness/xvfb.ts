// A virtual display (Debian's Xvfb) for the tests that need Chromium with a window: DevTools itself.
import { type ChildProcess, spawn } from 'node:child_process';

export interface Display {
  /** ":N" */
  name: string;
  close(): Promise<void>;
}

/** Starts Xvfb on a free display (it picks one and says which on a pipe). */
export async function startXvfb(width = 1400, height = 1000): Promise<Display> {
  const proc: ChildProcess = spawn(
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const n = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stdio[2]!.on('data', (d: Buffer) => {
      err += d;
    });
    proc.stdio[3]!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    proc.once('error', (e) => reject(new Error(`Xvfb did not start (${e.message}); .ci/run installs it`)));
    proc.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err.trim()}`)));
  });
  return {
    name: `:${n}`,
    close: () =>
      new Promise<void>((r) => {
        if (proc.exitCode !== null) return r();
        proc.once('exit', () => r());
        proc.kill();
      }),
  };
}
