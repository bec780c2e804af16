// The baseline for capture_vs_bare: exactly the listeners extension/background.ts registers in Chromium
// (LISTENED.chromium in src/capture/events.ts: same events, filter and extraInfoSpec, 'extraHeaders'
// feature-detected the same way), each doing nothing.
const filter = { urls: ['<all_urls>'] };
const extra = chrome.webRequest.OnSendHeadersOptions?.EXTRA_HEADERS ? ['extraHeaders'] : [];
chrome.webRequest.onSendHeaders.addListener(() => undefined, filter, ['requestHeaders', ...extra]);
chrome.webRequest.onHeadersReceived.addListener(() => undefined, filter, ['responseHeaders', ...extra]);
chrome.webRequest.onErrorOccurred.addListener(() => undefined, filter);
