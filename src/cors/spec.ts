// Links into the Fetch Standard, one per section the evaluator cites.
const FETCH = 'https://fetch.spec.whatwg.org/';

export const SPEC = {
  corsCheck: `${FETCH}#cors-check`,
  corsPreflightFetch: `${FETCH}#cors-preflight-fetch`,
  corsPreflightCache: `${FETCH}#cors-preflight-cache`,
  okStatus: `${FETCH}#ok-status`,
  acao: `${FETCH}#http-access-control-allow-origin`,
  acac: `${FETCH}#http-access-control-allow-credentials`,
  acam: `${FETCH}#http-access-control-allow-methods`,
  acah: `${FETCH}#http-access-control-allow-headers`,
  aceh: `${FETCH}#http-access-control-expose-headers`,
  maxAge: `${FETCH}#http-access-control-max-age`,
  safelistedMethod: `${FETCH}#cors-safelisted-method`,
  unsafeHeaderNames: `${FETCH}#cors-unsafe-request-header-names`,
  safelistedRequestHeader: `${FETCH}#cors-safelisted-request-header`,
  safelistedResponseHeader: `${FETCH}#cors-safelisted-response-header-name`,
  mainFetch: `${FETCH}#main-fetch`,
  httpRedirectFetch: `${FETCH}#http-redirect-fetch`,
  httpFetch: `${FETCH}#http-fetch`,
  credentials: `${FETCH}#concept-request-credentials-mode`,
  origin: `${FETCH}#origin-header`,
  /** Main fetch step 7 refers here: https://w3c.github.io/webappsec-mixed-content/#should-block-fetch */
  mixedContent: 'https://w3c.github.io/webappsec-mixed-content/#should-block-fetch',
} as const;

// Links into the Local Network Access draft (WICG), one per section the evaluator cites.
const LNA = 'https://wicg.github.io/local-network-access/';

export const LNA_SPEC = {
  check: `${LNA}#local-network-access-check`,
  addressSpace: `${LNA}#ip-address-space-section`,
  secureContext: `${LNA}#secure-context-restriction`,
  permissions: `${LNA}#integration-with-permissions`,
} as const;
