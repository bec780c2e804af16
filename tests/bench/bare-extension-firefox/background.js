// A baseline for capture_overhead_firefox: exactly the listeners extension/background.ts registers in
// Firefox (same events, filter and extraInfoSpec; 'extraHeaders' feature-detected the same way, so absent),
// each doing nothing.
const filter = { urls: ['<all_urls>'] };
const wr = browser.webRequest;
const extra = wr.OnSendHeadersOptions?.EXTRA_HEADERS ? ['extraHeaders'] : [];
wr.onSendHeaders.addListener(() => undefined, filter, ['requestHeaders', ...extra]);
wr.onHeadersReceived.addListener(() => undefined, filter, ['responseHeaders', ...extra]);
wr.onCompleted.addListener(() => undefined, filter);
wr.onErrorOccurred.addListener(() => undefined, filter);
