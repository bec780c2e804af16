// What the details say before and beside the CORS verdict: what really failed when CORS only reported another
// failure (src/cors/messenger.ts, judged with the tab's other calls), and both readings of a verdict that
// depends on what the recording does not show, the one that applies marked once the user says which. Everything
// from the network is rendered as text.
import { useState } from 'preact/hooks';
import { Messenger, pendingCause } from '../../cors/messenger';
import type { Cause, Exchange, Verdict } from '../../cors/types';
import type { RowSummary } from '../model';

/** The call's cause, judged with the tab's rows: its server's allowed calls answered with CORS headers. */
export function causeInTab(ex: Exchange, v: Verdict, rows: readonly RowSummary[]): Cause | null {
  const pending = pendingCause(ex, v);
  if (!pending) return null;
  const m = new Messenger('in this tab');
  for (const r of rows)
    if (r.verdict === 'allowed' && r.id !== ex.id && r.origin === pending.server)
      m.seeAllowed(r.id, r.origin);
  m.see(ex);
  return m.explain(pending);
}

const HEADINGS: Record<Cause['kind'], string> = {
  'error-response': 'What really failed: an error response',
  'preflight-refused': 'What really failed: the preflight was refused',
  'not-cors': 'Not a CORS failure',
};

/** Said first: what really failed, and what to do about it, before the CORS part. */
export function CauseSection({ cause }: { cause: Cause }) {
  return (
    <section class="section cause" data-testid="cause">
      <h3>{HEADINGS[cause.kind]}</h3>
      <p class="summary" data-testid="cause-summary">
        {cause.summary}
      </p>
      {cause.fix && (
        <p data-testid="cause-fix">
          <b>First:</b> {cause.fix}
        </p>
      )}
      {cause.kind !== 'not-cors' && (
        <p class="muted">
          The CORS part follows: it is what the browser reported, not what went wrong first.
        </p>
      )}
    </section>
  );
}

/** What the user can say of how the call was made, per reading of the credentials mode. */
const SAY: Record<string, string> = {
  omit: 'without credentials',
  include: "with credentials (credentials: 'include', withCredentials)",
};

/**
 * A verdict that depends on an input the recording does not give: each reading with its console line, and
 * the one that applies once the user says how the call was made (kept for this call while it is open).
 */
export function ReadingsSection({ v }: { v: Verdict }) {
  const [said, setSaid] = useState<{ id: string; value: string } | null>(null);
  const d = v.dependsOn;
  if (!d) return null;
  const chosen = said?.id === v.id ? said.value : null;
  const readings = Object.entries(d.readings).sort(([a], [b]) =>
    a === d.assumed ? -1 : b === d.assumed ? 1 : 0,
  );
  return (
    <div class="readings" data-testid="readings">
      <p class="note">
        It depends on the {d.input} mode, which the recording does not show ({d.basis}). The verdict above
        assumes the first; each reading:
      </p>
      <p class="say">
        The page made the call:{' '}
        {readings.map(([value]) => (
          <button
            key={value}
            type="button"
            aria-pressed={chosen === value}
            data-testid={`say-${value}`}
            onClick={() => setSaid({ id: v.id, value })}
          >
            {SAY[value] ?? value}
          </button>
        ))}
      </p>
      <ul>
        {readings.map(([value, r]) => (
          <li
            key={value}
            data-testid={`reading-${value}`}
            data-applies={chosen === null ? undefined : chosen === value ? 'yes' : 'no'}
          >
            {chosen === value && <b>Applies (as you said): </b>}
            <span class="muted">{r.when}:</span> <span class={`badge v-${r.verdict}`}>{r.verdict}</span>{' '}
            {r.summary}
            {r.error?.console && <pre class="mono">{r.error.console}</pre>}
          </li>
        ))}
      </ul>
    </div>
  );
}
