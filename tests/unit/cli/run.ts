// Runs the command line in-process with in-memory streams: exit status, stdout and stderr.
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main';

export async function run(
  args: string[],
  stdin = '',
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env };
  let out = '';
  let err = '';
  io.stdout.on('data', (d) => (out += d));
  io.stderr.on('data', (d) => (err += d));
  io.stdin.end(stdin);
  const code = await main(args, io);
  return { code, out, err };
}
