export { applyFixes, fixTarget } from './advice';
export { PreflightCache } from './cache';
export { Evaluator, evaluateAll, exposedHeaders } from './evaluate';
export { originOf, sameOrigin } from './origin';
export { corsSafelistedMethod, corsSafelistedRequestHeader, corsUnsafeRequestHeaderNames } from './safelist';
export * from './types';
