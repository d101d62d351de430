// The admin and team pages' tables and the error said beside a form.
import type { ComponentChildren } from 'preact';

/** A column title; `num`: a column of numbers, aligned right. */
export type Head = ComponentChildren | { label: ComponentChildren; num: true };

const isNum = (h: Head): h is { label: ComponentChildren; num: true } =>
  typeof h === 'object' && h !== null && 'num' in h;

/** A scrolling table: `heads` are the column titles (false: a column not shown). */
export function PlainTable({ heads, children }: { heads: (Head | false)[]; children: ComponentChildren }) {
  return (
    <div class="table-scroll">
      <table class="plain-table">
        <thead>
          <tr>
            {heads.map((h, i) =>
              h === false ? null : isNum(h) ? (
                <th key={i} class="num">
                  {h.label}
                </th>
              ) : (
                <th key={i}>{h}</th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Why a change or a read failed, announced to screen readers; nothing when there is no error. */
export function FormError({ error, testId, id }: { error: string | null | undefined; testId?: string; id?: string }) {
  if (!error) return null;
  return (
    <p class="form-error" role="alert" data-testid={testId} id={id}>
      {error}
    </p>
  );
}
