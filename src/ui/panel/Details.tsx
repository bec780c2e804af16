// The details of one call: timeline, what really failed (when CORS only reported it), verdict, Local Network
// Access, "Try a fix" (the what-if), checks, fix, warnings, raw headers with copy as curl and as
// `corscope probe`, cache and capture notes. Everything from the network is rendered as text.
import { useState } from 'preact/hooks';
import type { CapturedExchange } from '../../capture/types';
import type { Cause, Check, Exchange, Header, Verdict } from '../../cors/types';
import type { StoredExchange } from '../../store/row';
import { curlFor, isRedacted } from '../curl';
import { clock, entryLabel, fixText, MDN_CORS_ERRORS, redirectLocation } from '../format';
import type { RowSummary } from '../model';
import { probeCommand } from '../probe-command';
import { policiesFor } from '../snippets';
import { LocalNetworkSection } from './LocalNetwork';
import { CauseSection, causeInTab, ReadingsSection } from './Messenger';
import { ChecksTable, CopyButton, PolicySnippets, Section } from './parts';
import { WhatIf } from './WhatIf';

export interface DetailsProps {
  row: StoredExchange;
  /** The list's rows: to find the call whose preflight filled the cache. */
  rows: readonly RowSummary[];
  onSelect: (seq: number) => void;
  copy: (text: string) => void;
}

const API_NOTE =
  "webRequest cannot tell fetch() from XMLHttpRequest: for XHR the line starts 'Access to XMLHttpRequest at' and the hint may differ";

/**
 * Said when the browser reported no outcome for a call, so the verdict rests on the headers alone. Firefox
 * never reports one for a call it answered: its webRequest ends a CORS-blocked call in onCompleted, as an
 * allowed one.
 */
function outcomeNote(ex: Exchange): string | null {
  const cap = (ex as Partial<CapturedExchange>).capture;
  if (ex.outcome || cap?.headersLost) return null;
  return cap?.engine === 'firefox'
    ? 'Firefox did not report whether the page could read this response (its webRequest ends a call CORS blocked in onCompleted, like one it allowed): this verdict comes from the headers alone, not from what the page saw.'
    : 'The browser did not report an outcome for this call: this verdict comes from the headers alone, not from what the page saw.';
}

/** "Copy as curl", when the request has a command (an http(s) URL). */
function CurlButton(props: {
  command: string | null;
  label: string;
  copy: (t: string) => void;
  testid: string;
}) {
  return props.command === null ? null : (
    <CopyButton text={props.command} copy={props.copy} label={props.label} testid={props.testid} />
  );
}

function Timeline({ ex, ev }: { ex: Exchange; ev: Verdict }) {
  const base = ex.time ?? ex.wire.find((w) => w.time !== undefined)?.time;
  const at = (t: number | undefined) =>
    t !== undefined && base !== undefined ? `+${Math.max(0, Math.round(t - base))} ms` : '';
  const cached = ev.checks.find((c) => c.rule === 'preflight-cache');
  return (
    <ol class="timeline">
      {cached && (
        <li data-testid="timeline-item">
          <span class="step">Preflight</span> served from the preflight cache
        </li>
      )}
      {ex.wire.map((w, i) => {
        const loc = redirectLocation(w);
        return (
          <li key={i} data-testid="timeline-item" class={ev.error?.hop === i ? 'failed' : ''}>
            <span class="step">{entryLabel(ex.wire, i)}</span> <span class="mono">{w.request.method}</span>{' '}
            <span class="url">{w.request.url}</span> → <b>{w.response ? w.response.status : 'no response'}</b>
            {loc && <span class="url"> to {loc}</span>} <span class="muted">{at(w.time)}</span>
          </li>
        );
      })}
      {!ex.wire.some((w) => w.type === 'request') && (
        <li data-testid="timeline-item">
          <span class="step">Request</span> <span class="mono">{ex.request.method}</span>{' '}
          <span class="url">{ex.request.url}</span> → never sent
        </li>
      )}
      <li data-testid="timeline-item">
        <span class="step">Outcome</span> <span class={`badge v-${ev.verdict}`}>{ev.verdict}</span>
        {ex.outcome ? (
          <span class="muted"> (the page saw {ex.outcome === 'success' ? 'success' : 'an error'})</span>
        ) : (
          <span class="muted"> (not reported by the browser)</span>
        )}
      </li>
    </ol>
  );
}

/** The engine whose rules gave the verdict: the one the call ran in. */
const engineOf = (ex: Exchange, ev: Verdict) =>
  ev.engine ?? (ex as Partial<CapturedExchange>).capture?.engine ?? 'chromium';

function VerdictSection({ ex, ev, copy }: { ex: Exchange; ev: Verdict; copy: (t: string) => void }) {
  const err = ev.error;
  // The engine whose rules gave the verdict (the one the call ran in): error.console is that browser's line,
  // the one the page's console showed.
  const engine = engineOf(ex, ev);
  const line = err?.console && (
    <div key="console" class="console-line">
      <div class="label">{engine === 'firefox' ? 'Firefox console' : 'Chromium console'}</div>
      <pre class="mono" data-testid="console">
        {err.console}
      </pre>
      <CopyButton text={err.console} copy={copy} testid="copy-console" />
      {engine === 'chromium' && !ex.api && (
        <p class="note" data-testid="api-note">
          {API_NOTE}
        </p>
      )}
    </div>
  );
  const firefox = err?.firefox && (
    <div key="firefox" class="console-line" data-testid="firefox">
      <div class="label">
        Firefox: <span class="mono">{err.firefox}</span>{' '}
        <a href={MDN_CORS_ERRORS + encodeURIComponent(err.firefox)} target="_blank" rel="noreferrer">
          MDN
        </a>
      </div>
      {err.firefoxConsole && err.firefoxConsole !== err.console && (
        <pre class="mono">{err.firefoxConsole}</pre>
      )}
    </div>
  );
  const unreported = outcomeNote(ex);
  return (
    <Section title="Verdict" testid="verdict">
      <p class="summary" data-testid="summary">
        {ev.summary}
      </p>
      {unreported && (
        <p class="note" data-testid="outcome-note">
          {unreported}
        </p>
      )}
      {line}
      {firefox}
      <ReadingsSection v={ev} />
    </Section>
  );
}

function Checks({ checks }: { checks: Check[] }) {
  return (
    <Section title="Checks" testid="checks">
      <ChecksTable checks={checks} />
    </Section>
  );
}

function FixSection({
  ex,
  ev,
  cause,
  copy,
}: {
  ex: Exchange;
  ev: Verdict;
  cause: Cause | null;
  copy: (t: string) => void;
}) {
  if (!ev.fixes.length && !ev.advice.length) return null;
  return (
    <Section title="Fix" testid="fix">
      <ul class="fixes">
        {ev.fixes.map((f, i) => (
          <li key={i} data-testid="fix-item">
            On the {f.on === 'preflight' ? 'preflight' : 'actual'} response ({f.method} {f.url}):{' '}
            <b class="mono">{fixText(f)}</b>
            <div class="muted">{f.why}</div>
          </li>
        ))}
      </ul>
      {ev.advice.map((a, i) => (
        <p key={i} class="note" data-testid="advice">
          {a}
        </p>
      ))}
      <PolicySnippets policies={policiesFor(ex, ev, cause)} copy={copy} prefix="snippet" />
    </Section>
  );
}

function HeaderTable({ headers, testid }: { headers: Header[]; testid: string }) {
  return (
    <table class="table headers" data-testid={testid}>
      <tbody>
        {headers.map(([n, v], i) => (
          <tr key={i}>
            <th>{n}</th>
            <td class={isRedacted(v) ? 'redacted' : ''} data-testid="header-value">
              {v}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RawHeaders({ ex, ev, copy }: { ex: Exchange; ev: Verdict; copy: (t: string) => void }) {
  const neverSent = !ex.wire.some((w) => w.type === 'request');
  const unsent =
    neverSent && ex.initiator !== 'null'
      ? curlFor({ ...ex.request, headers: [['Origin', ex.initiator], ...(ex.request.headers ?? [])] })
      : null;
  return (
    <Section title="Headers" testid="headers">
      <CopyButton
        text={probeCommand(ex, ev, engineOf(ex, ev))}
        copy={copy}
        label="Copy as corscope probe"
        testid="copy-probe"
      />
      {ex.wire.map((w, i) => (
        <div key={i} class="wire-entry">
          <div class="label">
            {entryLabel(ex.wire, i)}: <span class="mono">{w.request.method}</span>{' '}
            <span class="url">{w.request.url}</span>{' '}
            <CurlButton
              command={curlFor(w.request)}
              copy={copy}
              label={`Copy ${w.type === 'preflight' ? 'preflight' : 'request'} as curl`}
              testid={`curl-${w.type}`}
            />
          </div>
          <div class="muted">Request headers</div>
          <HeaderTable headers={w.request.headers ?? []} testid="request-headers" />
          <div class="muted">Response headers {w.response ? `(${w.response.status})` : '(no response)'}</div>
          {w.response && <HeaderTable headers={w.response.headers} testid="response-headers" />}
        </div>
      ))}
      <CurlButton
        command={unsent}
        copy={copy}
        label="Copy the request (never sent) as curl"
        testid="curl-request"
      />
    </Section>
  );
}

export function Details({ row, rows, onSelect, copy }: DetailsProps) {
  const ex = row.exchange;
  const ev = row.evaluation;
  const servedBy = ev.checks.find((c) => c.rule === 'preflight-cache' && c.servedBy)?.servedBy;
  const filler = servedBy && rows.find((r) => r.id === servedBy.id);
  const cap = ex.capture;
  // When CORS only reported another failure, that failure is said first (judged with the tab's calls).
  const cause = causeInTab(ex, ev, rows);
  // The what-if is open for this call (selecting another closes it).
  const callKey = row.seq ?? row.exchange.id;
  const [tryingFor, setTrying] = useState<number | string | null>(null);
  const trying = tryingFor === callKey;
  return (
    <div class="details" data-testid="details">
      <Section title="Timeline" testid="timeline">
        <Timeline ex={ex} ev={ev} />
      </Section>
      {cause && <CauseSection cause={cause} />}
      <VerdictSection ex={ex} ev={ev} copy={copy} />
      {ev.localNetwork && <LocalNetworkSection ex={ex} facts={ev.localNetwork} />}
      <div class="actions">
        <button
          type="button"
          aria-expanded={trying}
          data-testid="try-fix"
          onClick={() => setTrying(trying ? null : callKey)}
        >
          Try a fix
        </button>
      </div>
      {trying && <WhatIf key={callKey} ex={ex} recorded={ev} copy={copy} />}
      <Checks checks={ev.checks} />
      <FixSection ex={ex} ev={ev} cause={cause} copy={copy} />
      {ev.warnings.length > 0 && (
        <Section title="Warnings" testid="warnings">
          <ul>
            {ev.warnings.map((w, i) => (
              <li key={i} class="warning" data-testid="warning">
                {w.message}
              </li>
            ))}
          </ul>
        </Section>
      )}
      <RawHeaders ex={ex} ev={ev} copy={copy} />
      {servedBy && (
        <Section title="Preflight cache" testid="cache">
          <p>
            This call's preflight was served from the cache, filled by the preflight of call{' '}
            {filler ? (
              <button type="button" class="link" data-testid="served-by" onClick={() => onSelect(filler.seq)}>
                {servedBy.id} ({filler.method} {filler.url})
              </button>
            ) : (
              <span class="mono">{servedBy.id}</span>
            )}
            {servedBy.expires !== null && <>, valid until {clock(servedBy.expires)}</>}.
          </p>
        </Section>
      )}
      {cap && (cap.ambiguous || cap.recovered || cap.missing) && (
        <Section title="Capture notes" testid="capture-notes">
          <ul>
            {cap.ambiguous && <li>Identical concurrent calls: this preflight may be its twin's.</li>}
            {cap.recovered && (
              <li>Rebuilt after the service worker restarted: some events may be missing.</li>
            )}
            {cap.missing && <li>Missing from the recording: {cap.missing}</li>}
          </ul>
        </Section>
      )}
    </div>
  );
}
