import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { useElementHeight } from '../../components/useElementHeight';
import { visibleRange } from '../../components/VirtualTable';
import { LOG_LEVELS, LogLevel, LogModel } from '../../models/logModel';
import { useModel } from '../../models/useModel';

/** Height of one log row in px (the CSS gives rows this height). */
export const LOG_ROW_HEIGHT = 18;

/** Rows rendered above and below the visible ones. */
const OVERSCAN = 20;

/** Viewport height assumed before the element is laid out (and in tests). */
const FALLBACK_HEIGHT = 400;

/** Props of {@link LogViewer}. */
export interface ILogViewerProps {
  model: LogModel;
  trans: TranslationBundle;
}

/**
 * A job's live log: virtualised (only the rows in view are in the DOM),
 * following the tail unless the user scrolled up, filtered by level and by a
 * search text whose matches are highlighted.
 */
export function LogViewer({
  model: logModel,
  trans
}: ILogViewerProps): JSX.Element {
  const model = useModel(logModel);
  // The viewport's scroll position and whether it sticks to the end: what
  // the DOM reports of the scrolling element, so it stays here.
  const [follow, setFollow] = React.useState(true);
  const [scrollTop, setScrollTop] = React.useState(0);
  const viewport = React.useRef<HTMLDivElement>(null);
  const height = useElementHeight(viewport);

  const lines = model.shownLines;
  const total = lines.length * LOG_ROW_HEIGHT;
  const viewHeight = height > 0 ? height : FALLBACK_HEIGHT;
  // Following: the window is the tail, whatever the last scroll position was.
  const top = follow ? Math.max(0, total - viewHeight) : scrollTop;
  const { start, end } = visibleRange(
    top,
    viewHeight,
    LOG_ROW_HEIGHT,
    lines.length,
    OVERSCAN
  );

  // Stick to the end while following.
  React.useLayoutEffect(() => {
    const node = viewport.current;
    if (node && follow) {
      node.scrollTop = node.scrollHeight;
    }
  }, [follow, total]);

  const onScroll = () => {
    const node = viewport.current;
    if (!node) {
      return;
    }
    setScrollTop(node.scrollTop);
    const atBottom =
      node.scrollTop + node.clientHeight >= node.scrollHeight - LOG_ROW_HEIGHT;
    setFollow(atBottom);
  };

  const labels: Record<LogLevel, string> = {
    DEBUG: trans.__('Debug'),
    INFO: trans.__('Info'),
    WARNING: trans.__('Warning'),
    ERROR: trans.__('Error'),
    EVENT: trans.__('jwst-lab')
  };
  const counts = model.counts;
  const query = model.query;

  return (
    <div className="jp-JwstLab-logViewer">
      <div className="jp-JwstLab-logToolbar">
        <div
          className="jp-JwstLab-logLevels"
          role="group"
          aria-label={trans.__('Log levels shown')}
        >
          {LOG_LEVELS.map(level => (
            <label
              key={level}
              className="jp-JwstLab-logLevel"
              data-level={level}
              title={
                level === 'EVENT'
                  ? trans.__('Machine-readable lines jwst-lab’s runner writes')
                  : undefined
              }
            >
              <input
                type="checkbox"
                checked={model.levels.has(level)}
                onChange={() => model.toggleLevel(level)}
              />
              {labels[level]}
              <span className="jp-JwstLab-logCount">{counts[level]}</span>
            </label>
          ))}
        </div>
        <input
          type="search"
          className="jp-mod-styled jp-JwstLab-logSearch"
          placeholder={trans.__('Search the log')}
          aria-label={trans.__('Search the log')}
          value={query}
          onChange={event => model.setQuery(event.target.value)}
        />
        {query.trim() !== '' && (
          <span className="jp-JwstLab-logMatches" role="status">
            {trans._n('%1 matching line', '%1 matching lines', lines.length)}
          </span>
        )}
        {!follow && (
          <button
            type="button"
            className="jp-mod-styled jp-JwstLab-logFollow"
            onClick={() => setFollow(true)}
          >
            {trans.__('Follow the end')}
          </button>
        )}
      </div>
      {model.error && (
        <p className="jp-JwstLab-fieldError" role="alert">
          {trans.__('Cannot read the log: %1', model.error)}
        </p>
      )}
      <div
        ref={viewport}
        className="jp-JwstLab-logViewport"
        data-follow={follow}
        role="log"
        aria-label={trans.__('Job log')}
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
      >
        {lines.length === 0 ? (
          <p className="jp-JwstLab-logEmpty">
            {model.lines.length === 0
              ? model.done
                ? trans.__('The log is empty.')
                : trans.__('Waiting for the log…')
              : trans.__('No lines match the filter.')}
          </p>
        ) : (
          <div
            className="jp-JwstLab-logSpacer"
            style={{ height: total, position: 'relative' }}
          >
            {lines.slice(start, end).map((line, offset) => (
              <div
                key={line.index}
                className="jp-JwstLab-logLine"
                data-level={line.level}
                style={{
                  position: 'absolute',
                  top: (start + offset) * LOG_ROW_HEIGHT,
                  height: LOG_ROW_HEIGHT
                }}
              >
                <Highlighted text={line.text} query={query} />
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

/** `text` with every occurrence of `query` (any case) in a `<mark>`. */
function Highlighted({
  text,
  query
}: {
  text: string;
  query: string;
}): JSX.Element {
  const needle = query.trim().toLowerCase();
  if (!needle) {
    return <>{text}</>;
  }
  const parts: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  let position = 0;
  for (;;) {
    const found = lower.indexOf(needle, position);
    if (found < 0) {
      parts.push(text.slice(position));
      break;
    }
    parts.push(text.slice(position, found));
    parts.push(
      <mark key={found}>{text.slice(found, found + needle.length)}</mark>
    );
    position = found + needle.length;
  }
  return <>{parts}</>;
}
