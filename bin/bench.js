#!/usr/bin/env node
// `npm run bench [suite...]`: runs tests/bench (TypeScript, through tsx).
import { register } from 'tsx/esm/api';

register();
await import('../tests/bench/index.ts');
