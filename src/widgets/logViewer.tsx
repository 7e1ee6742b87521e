import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { ILogLine, LogLevel, LogModel } from './logModel';

/** Height of one log row in px (the CSS gives rows this height). */
export const LOG_ROW_HEIGHT = 18;

/** Rows rendered above and below the visible ones. */
const OVERSCAN = 20;

/** Viewport height assumed before the element is laid out (and in tests). */
const FALLBACK_HEIGHT = 400;

/** Level filters in menu order; ERROR includes CRITICAL. */
export const LOG_LEVELS: LogLevel[] = [
  'DEBUG',
  'INFO',
  'WARNING',
  'ERROR',
  'EVENT'
];

/** Levels shown until the user changes the filter. */
export const DEFAULT_LOG_LEVELS: LogLevel[] = ['INFO', 'WARNING', 'ERROR'];

/** The lines a filter keeps: at the given levels and containing `query` (any case). */
export function filterLines(
  lines: readonly ILogLine[],
  levels: ReadonlySet<LogLevel>,
  query: string
): ILogLine[] {
  const needle = query.trim().toLowerCase();
  return lines.filter(
    line =>
      levels.has(line.level) &&
      (needle === '' || line.text.toLowerCase().includes(needle))
  );
}

/**
 * The rows to render: the window around the visible part of a list of
 * `count` rows scrolled to `scrollTop` in a viewport `height` px high.
 */
export function visibleRange(
  count: number,
  scrollTop: number,
  height: number,
  rowHeight = LOG_ROW_HEIGHT,
  overscan = OVERSCAN
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(height / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start: Math.min(start, end), end };
}

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
export function LogViewer({ model, trans }: ILogViewerProps): JSX.Element {
  const [, setVersion] = React.useState(0);
  const [levels, setLevels] = React.useState<Set<LogLevel>>(
    () => new Set(DEFAULT_LOG_LEVELS)
  );
  const [query, setQuery] = React.useState('');
  const [follow, setFollow] = React.useState(true);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [height, setHeight] = React.useState(FALLBACK_HEIGHT);
  const viewport = React.useRef<HTMLDivElement>(null);

  React.useEffect(() => {
    const onChange = () => setVersion(version => version + 1);
    model.changed.connect(onChange);
    // Lines read between the first render and this subscription.
    onChange();
    return () => {
      model.changed.disconnect(onChange);
    };
  }, [model]);

  const lines = React.useMemo(
    () => filterLines(model.lines, levels, query),
    [model.lines, levels, query]
  );
  const total = lines.length * LOG_ROW_HEIGHT;

  // Following: the window is the tail, whatever the last scroll position was.
  const viewHeight = height > 0 ? height : FALLBACK_HEIGHT;
  const top = follow ? Math.max(0, total - viewHeight) : scrollTop;
  const { start, end } = visibleRange(lines.length, top, viewHeight);

  React.useLayoutEffect(() => {
    const node = viewport.current;
    if (!node) {
      return;
    }
    if (node.clientHeight > 0 && node.clientHeight !== height) {
      setHeight(node.clientHeight);
    }
    if (follow) {
      node.scrollTop = node.scrollHeight;
    }
  });

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

  const toggleLevel = (level: LogLevel) => {
    setLevels(current => {
      const next = new Set(current);
      if (next.has(level)) {
        next.delete(level);
      } else {
        next.add(level);
      }
      return next;
    });
  };

  const labels: Record<LogLevel, string> = {
    DEBUG: trans.__('Debug'),
    INFO: trans.__('Info'),
    WARNING: trans.__('Warning'),
    ERROR: trans.__('Error'),
    EVENT: trans.__('jwst-lab')
  };
  const counts = React.useMemo(() => {
    const result: Record<LogLevel, number> = {
      DEBUG: 0,
      INFO: 0,
      WARNING: 0,
      ERROR: 0,
      EVENT: 0
    };
    model.lines.forEach(line => (result[line.level] += 1));
    return result;
  }, [model.lines]);

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
                checked={levels.has(level)}
                onChange={() => toggleLevel(level)}
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
          onChange={event => setQuery(event.target.value)}
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
