// The commands that call servers (probe, check, scan), loaded by main.ts only when one of them runs: their
// code, and the public-suffix list they read, are not started for evaluate and har. The npm package builds
// this file on its own (dist/net.js, bin/build-cli.js).
export { runCheck } from './check';
export { runProbe } from './probe';
export { runScan } from './scan';
