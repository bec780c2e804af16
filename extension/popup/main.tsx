// The toolbar popup: the active tab's summary and the settings. Glue: the UI is src/ui/popup.
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { commandsOver } from '../../src/messaging/protocol';
import { dexieSource } from '../../src/store/source';
import { PopupApp } from '../../src/ui';
import '../../src/ui/styles.css';

const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
render(
  <PopupApp
    tabId={tab?.id ?? null}
    source={dexieSource()}
    commands={commandsOver((m) => browser.runtime.sendMessage(m))}
  />,
  document.getElementById('app')!,
);
