// The DevTools "CORS" panel for the inspected tab. Glue: the UI is src/ui/panel.
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { CorscopeDB } from '../../src/store/db';
import { pageCommands } from '../../src/store/export';
import { dexieSource } from '../../src/store/source';
import { PanelApp } from '../../src/ui';
import '../../src/ui/styles.css';

// Opened as a page in a tab (tests, screenshots), ?tabId= says which tab to show and ?theme= which theme.
const params = new URLSearchParams(location.search);
const inDevtools = !!browser.devtools?.inspectedWindow;
const tabId = inDevtools ? browser.devtools.inspectedWindow.tabId : Number(params.get('tabId'));
const theme =
  (inDevtools ? browser.devtools.panels.themeName : params.get('theme')) === 'dark' ? 'dark' : 'light';
document.documentElement.style.colorScheme = theme;
const db = new CorscopeDB();
const commands = pageCommands(db, (m) => browser.runtime.sendMessage(m));
const source = dexieSource(db);

// When the inspected page began loading: a page older than capture made calls it never saw.
async function pageStartedAt(): Promise<number | null> {
  if (!inDevtools) return null;
  try {
    const [value] = (await browser.devtools.inspectedWindow.eval('performance.timeOrigin')) as unknown as [
      unknown,
    ];
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}

/** The inspected page's URL: the panel says when capture is not on for its site. */
async function pageUrl(): Promise<string | null> {
  try {
    if (!inDevtools) return (await browser.tabs.get(tabId)).url ?? null;
    const [value] = (await browser.devtools.inspectedWindow.eval('location.href')) as unknown as [unknown];
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

async function draw(): Promise<void> {
  const [startedAt, url] = await Promise.all([pageStartedAt(), pageUrl()]);
  render(
    <PanelApp
      tabId={tabId}
      source={source}
      commands={commands}
      theme={theme}
      pageStartedAt={startedAt}
      pageUrl={url}
    />,
    document.getElementById('app')!,
  );
}
void draw();
if (inDevtools) browser.devtools.network.onNavigated.addListener(() => void draw());
