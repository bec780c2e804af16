// "Try a fix": each hop's response (preflight and actual, redirects included) and the request as editable lists,
// prefilled with the proposed fix; every edit is evaluated at once (src/ui/whatif.ts) and shown against what was
// recorded; the edited policy copies as any server snippet, the edited call as a `corscope probe` command.
// Every value is an input's value or text: nothing from the page or a HAR becomes markup.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CredentialsMode, Exchange, Header, Verdict } from '../../cors/types';
import { entryLabel, fixText } from '../format';
import { probeCommand } from '../probe-command';
import {
  type Draft,
  evaluateDraft,
  initialDraft,
  isRecorded,
  type ResponseDraft,
  recordedSteps,
  recordingDraft,
  responseAt,
  type Slot,
  type SlotKind,
  type StepDraft,
  type WhatIfResult,
  withProposedFix,
  withResponse,
} from '../whatif';
import { ChecksTable, CopyButton, MarkTag, PolicySnippets, pure, Section } from './parts';

const CREDENTIALS: readonly CredentialsMode[] = ['omit', 'same-origin', 'include'];

const START_NOTE =
  'Starts from the recording, with the proposed fix applied where the call needs one. It is evaluated as the first ' +
  'call of a fresh browser profile: no preflight is cached, so a preflight goes out whenever the call needs one. ' +
  'Every edit is evaluated at once.';
const CACHED_NOTE =
  "In the recording this call's preflight was served from the preflight cache: here it is sent, and its response " +
  'starts as what the call needs.';

/** Whether a header line is in a recorded list: the same name (any case) with the same value. */
const inList = (list: readonly Header[], [n, v]: Header) =>
  list.some(([m, w]) => m.toLowerCase() === n.toLowerCase() && w === v);

/** An editable list of headers: a name and a value per line, remove, add. */
function HeaderList(props: {
  headers: readonly Header[];
  /** The recorded lines: a line not among them is marked as edited. Absent: nothing was recorded. */
  recorded?: readonly Header[];
  onChange: (headers: Header[]) => void;
  /** What a line is, for its labels: "Preflight 1 header" → "Preflight 1 header 2: value". */
  label: string;
  testid: string;
}) {
  const { headers, onChange, label } = props;
  const list = useRef<HTMLUListElement>(null);
  const added = useRef(false);
  // At the commit, before the next paint: keys typed right after the click go to the new line.
  useLayoutEffect(() => {
    if (!added.current) return;
    added.current = false;
    list.current?.querySelector<HTMLInputElement>('li:last-child input')?.focus();
  }, [headers.length]);
  const set = (i: number, h: Header) => onChange(headers.map((x, k) => (k === i ? h : x)));
  return (
    <div class="header-list" data-testid={props.testid}>
      <ul ref={list}>
        {headers.map(([name, value], i) => {
          const edited = props.recorded !== undefined && !inList(props.recorded, [name, value]);
          return (
            <li key={i} class={edited ? 'edited' : ''} data-testid="whatif-header">
              <input
                class="mono name"
                aria-label={`${label} ${i + 1}: name`}
                data-testid="whatif-header-name"
                value={name}
                spellcheck={false}
                onInput={(e) => set(i, [e.currentTarget.value, value])}
              />
              <input
                class="mono value"
                aria-label={`${label} ${i + 1}: value`}
                data-testid="whatif-header-value"
                value={value}
                spellcheck={false}
                onInput={(e) => set(i, [name, e.currentTarget.value])}
              />
              <button
                type="button"
                aria-label={`Remove ${label} ${i + 1}`}
                data-testid="whatif-header-remove"
                onClick={() => onChange(headers.filter((_, k) => k !== i))}
              >
                ×
              </button>
              {props.recorded !== undefined && (
                <span class="tag-slot">{edited && <span class="tag mark-changed">edited</span>}</span>
              )}
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        data-testid="whatif-header-add"
        aria-label={`Add ${label} ${headers.length + 1}`}
        onClick={() => {
          added.current = true;
          onChange([...headers, ['', '']]);
        }}
      >
        Add a header
      </button>
    </div>
  );
}

/** A status code: kept as typed; the draft takes it once it is a number from 100 to 999. */
function StatusInput(props: { status: number; label: string; onChange: (s: number) => void }) {
  const [text, setText] = useState(String(props.status));
  useEffect(() => {
    if (Number(text) !== props.status) setText(String(props.status));
  }, [props.status]);
  const valid = /^[1-9]\d\d$/.test(text);
  return (
    <label class="status">
      Status{' '}
      <input
        class="mono"
        inputMode="numeric"
        size={4}
        aria-label={props.label}
        aria-invalid={!valid}
        data-testid="whatif-status"
        value={text}
        onInput={(e) => {
          const t = e.currentTarget.value.trim();
          setText(t);
          if (/^[1-9]\d\d$/.test(t)) props.onChange(Number(t));
        }}
      />
    </label>
  );
}

const RequestEditor = pure(function RequestEditor(props: {
  method: string;
  headers: Header[];
  credentials: CredentialsMode;
  /** The script's headers as recorded. */
  recorded: readonly Header[];
  /** The script's header names the browser ignores, joined with ", "; "" for none. */
  ignored: string;
  onChange: (patch: Partial<Draft>) => void;
}) {
  const { onChange } = props;
  return (
    <fieldset class="hop" data-testid="whatif-request">
      <legend>Request, as the script makes it</legend>
      <div class="fields">
        <label>
          Method{' '}
          <input
            class="mono"
            size={8}
            data-testid="whatif-method"
            value={props.method}
            spellcheck={false}
            onInput={(e) => onChange({ method: e.currentTarget.value })}
          />
        </label>
        <label>
          Credentials{' '}
          <select
            data-testid="whatif-credentials"
            value={props.credentials}
            onChange={(e) => onChange({ credentials: e.currentTarget.value as CredentialsMode })}
          >
            {CREDENTIALS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="muted">Headers the script sets</div>
      <HeaderList
        headers={props.headers}
        recorded={props.recorded}
        label="Script header"
        testid="whatif-request-headers"
        onChange={(headers) => onChange({ headers })}
      />
      {props.ignored && (
        <p class="note" data-testid="whatif-ignored">
          The browser sets {props.ignored} itself: a script cannot, so{' '}
          {props.ignored.includes(',') ? 'they are' : 'it is'} ignored.
        </p>
      )}
    </fieldset>
  );
});

/** One hop's response, editable; the preflight's request (what the server is asked) above it. Props are plain
 * values or unchanged objects, so a keystroke re-renders only the hop it edits (and those whose state changed). */
const HopEditor = pure(function HopEditor(props: {
  step: number;
  kind: SlotKind;
  /** "Preflight", "Request", "Redirected request". */
  label: string;
  method: string;
  url: string;
  /** The preflight's request headers, as one line; "" for a request. */
  asked: string;
  res: ResponseDraft | null;
  /** The recorded response's headers: null when none arrived, undefined when the recording does not hold it. */
  recorded: readonly Header[] | null | undefined;
  unreached: boolean;
  decides: boolean;
  onChange: (slot: Slot, res: ResponseDraft | null) => void;
}) {
  const { res, onChange } = props;
  const slot: Slot = { step: props.step, kind: props.kind };
  // "Preflight 1", "Request 1", "Redirected request 2": the hop, for the labels of its fields.
  const hopName = `${props.label} ${props.step + 1}`;
  return (
    <fieldset class={`hop${props.unreached ? ' unreached' : ''}`} data-testid="whatif-hop">
      <legend>
        {props.label}: <span class="mono">{props.method}</span> <span class="url">{props.url}</span>
        {props.recorded === undefined && <span class="tag">not recorded</span>}
        {props.unreached && <span class="tag">not reached</span>}
        {props.decides && <span class="tag mark-changed">decides the verdict</span>}
      </legend>
      {props.asked && (
        <div class="asked mono muted" data-testid="whatif-asked">
          {props.asked}
        </div>
      )}
      {res === null ? (
        <p class="note">
          No response arrived (the connection failed).{' '}
          <button
            type="button"
            data-testid="whatif-answer"
            onClick={() => onChange(slot, { status: 200, headers: [] })}
          >
            Answer it
          </button>
        </p>
      ) : (
        <>
          <StatusInput
            status={res.status}
            label={`${hopName} status`}
            onChange={(status) => onChange(slot, { ...res, status })}
          />
          <HeaderList
            headers={res.headers}
            recorded={props.recorded ?? undefined}
            label={`${hopName} header`}
            testid="whatif-response-headers"
            onChange={(headers) => onChange(slot, { ...res, headers })}
          />
        </>
      )}
    </fieldset>
  );
});

/** Each hop of the what-if's wire, editable, with a note where a recorded preflight is no longer sent. */
function Hops(props: {
  result: WhatIfResult;
  draft: Draft;
  steps: readonly StepDraft[];
  onChange: (slot: Slot, res: ResponseDraft | null) => void;
}) {
  const { result, draft, steps } = props;
  const { exchange, slots } = result.built;
  const failed = result.verdict.verdict !== 'allowed';
  return (
    <>
      {exchange.wire.map((e, i) => {
        const slot = slots[i]!;
        // A recorded preflight the request no longer needs: said where its step is.
        const unsent =
          slot.kind === 'response' &&
          'preflight' in (steps[slot.step] ?? {}) &&
          slots[i - 1]?.kind !== 'preflight';
        return (
          <div key={`${slot.step} ${slot.kind}`}>
            {unsent && (
              <p class="note" data-testid="whatif-unsent">
                The recorded preflight is not sent now: this request needs none.
              </p>
            )}
            <HopEditor
              step={slot.step}
              kind={slot.kind}
              label={entryLabel(exchange.wire, i)}
              method={e.request.method}
              url={e.request.url}
              asked={
                e.type === 'preflight'
                  ? (e.request.headers ?? []).map(([n, v]) => `${n}: ${v}`).join(' · ')
                  : ''
              }
              res={responseAt(draft, slot)}
              recorded={
                isRecorded(steps, slot) ? (steps[slot.step]?.[slot.kind]?.headers ?? null) : undefined
              }
              unreached={i > result.stoppedAt}
              decides={failed && i === result.stoppedAt}
              onChange={props.onChange}
            />
          </div>
        );
      })}
    </>
  );
}

/** The what-if's verdict, console line, checks, warnings and remaining fix, each against the recording. */
function Outcome({
  result,
  recorded,
  copy,
}: {
  result: WhatIfResult;
  recorded: Verdict;
  copy: (t: string) => void;
}) {
  const { verdict: v, diff } = result;
  return (
    <div class="whatif-outcome" data-testid="whatif-outcome">
      <div class="label">Console</div>
      {v.error?.console ? (
        <pre class={`mono${diff.console ? ' changed' : ''}`} data-testid="whatif-console">
          {v.error.console}
        </pre>
      ) : (
        <p class="muted" data-testid="whatif-console-none">
          No CORS line in the console.
        </p>
      )}
      {diff.console && recorded.error?.console && (
        <p class="muted">
          Recorded: <del class="mono">{recorded.error.console}</del>
        </p>
      )}
      <div class="label">Checks</div>
      <ChecksTable checks={v.checks} marks={diff.checks} />
      {diff.goneChecks.length > 0 && (
        <ul class="gone" data-testid="whatif-gone-checks">
          {diff.goneChecks.map((c, i) => (
            <li key={i}>
              No longer checked: <del>{c.title}</del> <span class="muted">({c.seen})</span>
            </li>
          ))}
        </ul>
      )}
      {(v.warnings.length > 0 || diff.goneWarnings.length > 0) && (
        <>
          <div class="label">Warnings</div>
          <ul>
            {v.warnings.map((w, i) => (
              <li key={i} class="warning" data-testid="whatif-warning">
                {w.message} <MarkTag mark={diff.warnings[i]} />
              </li>
            ))}
            {diff.goneWarnings.map((w, i) => (
              <li key={`gone-${i}`} class="gone" data-testid="whatif-gone-warning">
                Gone: <del>{w.message}</del>
              </li>
            ))}
          </ul>
        </>
      )}
      {v.fixes.length > 0 && (
        <>
          <div class="label">Still needed</div>
          <ul class="fixes">
            {v.fixes.map((f, i) => (
              <li key={i} data-testid="whatif-fix-item">
                On the {f.on === 'preflight' ? 'preflight' : 'actual'} response ({f.method} {f.url}):{' '}
                <b class="mono">{fixText(f)}</b>
              </li>
            ))}
          </ul>
        </>
      )}
      <div class="label">Server configuration for these responses</div>
      {result.edits.length === 0 ? (
        <p class="muted" data-testid="whatif-no-edits">
          No CORS header differs from the recording yet: edit a response to get its server configuration.
        </p>
      ) : (
        <>
          {v.verdict !== 'allowed' && (
            <p class="note" data-testid="whatif-still">
              With these responses the call is still {v.verdict}: this configuration is not enough yet.
            </p>
          )}
          <PolicySnippets policies={result.policies} copy={copy} prefix="whatif-snippet" />
        </>
      )}
    </div>
  );
}

export function WhatIf({
  ex,
  recorded,
  copy,
}: {
  ex: Exchange;
  recorded: Verdict;
  copy: (t: string) => void;
}) {
  const engine = recorded.engine ?? 'chromium';
  const steps = useMemo(() => recordedSteps(ex), [ex]);
  const asRecorded = useMemo(() => recordingDraft(ex, recorded), [ex, recorded]);
  const [draft, setDraft] = useState(() => initialDraft(ex, recorded));
  const result = useMemo(() => evaluateDraft(ex, recorded, draft), [ex, recorded, draft]);
  // Stable across renders, so the hops a keystroke does not touch are not rendered again.
  const setResponse = useCallback(
    (slot: Slot, res: ResponseDraft | null) => setDraft((d) => withResponse(d, slot, res)),
    [],
  );
  const setRequest = useCallback((patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch })), []);
  const ok = 'built' in result ? result : null;
  const problem = 'problem' in result ? result.problem : null;
  const cached = recorded.preflight === 'cached' && ok?.verdict.preflight === 'sent';
  return (
    <Section title="What if" testid="whatif">
      <div class="whatif-bar" data-testid="whatif-bar">
        {ok ? (
          <p aria-live="polite" data-testid="whatif-verdict">
            Recorded <span class={`badge v-${recorded.verdict}`}>{recorded.verdict}</span> → now{' '}
            <span
              class={`badge v-${ok.verdict.verdict}${ok.diff.verdict ? ' changed' : ''}`}
              data-testid="whatif-verdict-now"
            >
              {ok.verdict.verdict}
            </span>
            {ok.diff.preflight && (
              <span class="muted">
                {' '}
                (preflight {recorded.preflight} → {ok.verdict.preflight})
              </span>
            )}
          </p>
        ) : (
          <p role="alert" data-testid="whatif-problem">
            {problem}
          </p>
        )}
        {ok && (
          <p class={`summary${ok.diff.summary ? ' changed' : ''}`} data-testid="whatif-summary">
            {ok.verdict.summary}
          </p>
        )}
      </div>
      <p class="note" data-testid="whatif-start">
        {START_NOTE}
        {cached && ` ${CACHED_NOTE}`}
      </p>
      <div class="actions">
        <button
          type="button"
          data-testid="whatif-apply-fix"
          disabled={!ok || ok.verdict.verdict === 'allowed' || !ok.verdict.fixes.length}
          onClick={() => setDraft((d) => withProposedFix(ex, d, engine))}
        >
          Apply the proposed fix
        </button>
        <button type="button" data-testid="whatif-recording" onClick={() => setDraft(asRecorded)}>
          Back to the recording
        </button>
        <button type="button" data-testid="whatif-reset" onClick={() => setDraft(initialDraft(ex, recorded))}>
          Reset
        </button>
        {ok && (
          <CopyButton
            text={probeCommand(ok.built.exchange, ok.verdict, engine)}
            copy={copy}
            label="Copy as corscope probe"
            testid="whatif-copy-probe"
          />
        )}
      </div>
      <RequestEditor
        method={draft.method}
        headers={draft.headers}
        credentials={draft.credentials}
        recorded={asRecorded.headers}
        ignored={ok?.ignored.join(', ') ?? ''}
        onChange={setRequest}
      />
      {ok && <Hops result={ok} draft={draft} steps={steps} onChange={setResponse} />}
      {ok && <Outcome result={ok} recorded={recorded} copy={copy} />}
    </Section>
  );
}
