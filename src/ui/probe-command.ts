// "Copy as corscope probe": the command line that asks the live server the same question a stored call asked,
// from the page's origin, with the script's headers and credentials mode. Values CORScope redacted stay a
// placeholder for the user to fill in; every word is quoted for bash (./shell.ts). Without --send, a request
// whose method is not GET or HEAD is not sent: probe judges its preflight.
import type { Engine, Exchange, Verdict } from '../cors/types';
import { credentialsOf, scriptHeaders } from '../report/recorded-call';
import { isRedacted, REDACTED_PLACEHOLDER } from './curl';
import { bashQuote } from './shell';

export function probeCommand(ex: Exchange, recorded: Verdict, engine: Engine = recorded.engine): string {
  const words = ['corscope', 'probe', bashQuote(ex.request.url), '--origin', bashQuote(ex.initiator)];
  const method = ex.request.method;
  if (method !== 'GET') words.push('--method', bashQuote(method));
  for (const [name, value] of scriptHeaders(ex))
    words.push('-H', bashQuote(`${name}: ${isRedacted(value) ? REDACTED_PLACEHOLDER : value}`));
  const credentials = credentialsOf({ exchange: ex, recorded });
  if (credentials !== 'same-origin') words.push('--credentials', credentials);
  if (engine !== 'chromium') words.push('--engine', engine);
  return words.join(' ');
}
