// Pieces the details and the what-if share: copy buttons, sections, the checks table, the server snippets.
// Everything from the network or a HAR is rendered as text.
import { Component, type ComponentChildren, type ComponentType, type FunctionComponent, h } from 'preact';
import type { Check } from '../../cors/types';
import { safeHref, specAnchor } from '../format';
import { type PolicyResult, snippets } from '../snippets';
import type { Mark } from '../whatif';

export function CopyButton(props: {
  text: string;
  label?: string;
  copy: (t: string) => void;
  testid?: string;
}) {
  return (
    <button
      type="button"
      class="copy"
      data-testid={props.testid ?? 'copy'}
      onClick={() => props.copy(props.text)}
    >
      {props.label ?? 'Copy'}
    </button>
  );
}

export function Section(props: { title: string; testid: string; children: ComponentChildren }) {
  return (
    <section class="section" data-testid={props.testid}>
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}

const MARK_TEXT: Record<Mark, string> = { same: '', changed: 'changed', new: 'new' };

/** A short tag beside what changed from the recording ("new", "changed"), in words as well as in colour. */
export function MarkTag({ mark }: { mark: Mark | undefined }) {
  return mark && mark !== 'same' ? <span class={`tag mark-${mark}`}>{MARK_TEXT[mark]}</span> : null;
}

/** One check: a row of plain values, rendered again only when one of them changed. */
const CheckRow = pure(function CheckRow(c: {
  title: string;
  required: string;
  seen: string;
  result: Check['result'];
  spec: string;
  mark: Mark | undefined;
}) {
  return (
    <tr
      class={`check ${c.result}${c.mark && c.mark !== 'same' ? ` mark-${c.mark}` : ''}`}
      data-testid={c.result === 'fail' ? 'check-fail' : 'check'}
    >
      <td>
        {c.title} <MarkTag mark={c.mark} />
      </td>
      <td>{c.required}</td>
      <td>{c.seen}</td>
      <td class={`result ${c.result}`}>{c.result}</td>
      <td>
        <a href={safeHref(c.spec)} target="_blank" rel="noreferrer">
          {specAnchor(c.spec)}
        </a>
      </td>
    </tr>
  );
});

/** Every check with what it required and saw; `marks` say how each stands against the recording. */
export function ChecksTable({ checks, marks }: { checks: readonly Check[]; marks?: readonly Mark[] }) {
  return (
    <table class="table">
      <thead>
        <tr>
          <th>Check</th>
          <th>Required</th>
          <th>Seen</th>
          <th class="result">Result</th>
          <th>Spec</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((c, i) => (
          <CheckRow
            key={i}
            title={c.title}
            required={c.required}
            seen={c.seen}
            result={c.result}
            spec={c.spec}
            mark={marks?.[i]}
          />
        ))}
      </tbody>
    </table>
  );
}

/** The server configuration for each URL a policy names, as a copy-ready snippet per server. */
export function PolicySnippets(props: {
  policies: readonly PolicyResult[];
  copy: (t: string) => void;
  /** data-testid of each snippet: `${prefix}-${server}`; its note: `${prefix}-note`. */
  prefix: string;
}) {
  return (
    <>
      {props.policies.map(({ url, policy, note }) => (
        <div key={url} class="snippets">
          <div class="label">
            Server configuration for <span class="url">{url}</span>
          </div>
          {note && (
            <p class="note" data-testid={`${props.prefix}-note`}>
              {note}
            </p>
          )}
          {policy &&
            snippets(policy).map((s) => (
              <details key={s.server} data-testid={`${props.prefix}-${s.server}`}>
                <summary>{s.label}</summary>
                <pre class="mono">{s.code}</pre>
                <CopyButton text={s.code} copy={props.copy} testid={`copy-${props.prefix}-${s.server}`} />
              </details>
            ))}
        </div>
      ))}
    </>
  );
}

/**
 * The component, rendered again only when a prop changed (by identity): what React calls memo, without
 * preact/compat (whose event and <select> handling the panel does not want).
 */
export function pure<P extends object>(inner: FunctionComponent<P>): ComponentType<P> {
  return class Pure extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const prev = this.props as Record<string, unknown>;
      const props = next as Record<string, unknown>;
      for (const k in props) if (props[k] !== prev[k]) return true;
      for (const k in prev) if (!(k in props)) return true;
      return false;
    }
    override render(props: P) {
      return h(inner, props);
    }
  };
}
