#!/usr/bin/env node
// Runs the command line (bin/corscope.js) in this process and reports its peak resident memory on exit,
// as "maxrss KIB" on standard error: the bench's measure of `corscope har`.
process.on('exit', () => process.stderr.write(`\nmaxrss ${process.resourceUsage().maxRSS}\n`));
await import('../../bin/corscope.js');
