import { Fragment } from 'preact';
import { folderHref } from './route';

/** The workspace root and each folder of `path`, every crumb a link. */
export function Breadcrumbs({ ws, path, current = true }: { ws: string; path: string; current?: boolean }) {
  const parts = path ? path.split('/') : [];
  return (
    <nav class="crumbs" data-testid="breadcrumbs" aria-label="Folder path">
      <a href={folderHref(ws, '')} data-testid="crumb" aria-current={current && parts.length === 0 ? 'page' : undefined}>
        {ws}
      </a>
      {parts.map((p, i) => (
        <Fragment key={i}>
          <span class="crumb-sep" aria-hidden="true">
            /
          </span>
          <a
            href={folderHref(ws, parts.slice(0, i + 1).join('/'))}
            data-testid="crumb"
            aria-current={current && i === parts.length - 1 ? 'page' : undefined}
          >
            {p}
          </a>
        </Fragment>
      ))}
    </nav>
  );
}
