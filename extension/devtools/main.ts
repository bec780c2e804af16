// Registers the "CORS" panel in DevTools.
import { browser } from 'wxt/browser';

void browser.devtools.panels.create('CORS', '', '/devtools-panel.html');
