import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { visibleRange } from '../../components/VirtualTable';
import {
  ILogLine,
  LOG_LEVELS,
  LogLevel,
  LogModel,
  lineAtRow,
  wrapRows
} from '../../models/logModel';
import { useModel } from '../../models/useModel';

/** Height of one log row in px (the CSS gives rows this height). */
export const LOG_ROW_HEIGHT = 18;

/** Rows rendered above and below the visible ones. */
const OVERSCAN = 20;

/** Viewport height assumed before the element is laid out (and in tests). */
const FALLBACK_HEIGHT = 400;

/** Characters per wrapped row assumed before the element is laid out (and in tests). */
const FALLBACK_COLUMNS = 120;

/** Horizontal padding of a log line in px (`.jp-JwstLab-logLine`). */
const LINE_PADDING = 12;

/** What the viewer needs of its viewport's size. */
interface IViewportBox {
  /** The outer (border-box) height: the same with or without a horizontal scrollbar. */
  height: number;
  /** Monospace characters that fit on one row, 0 when not known. */
  columns: number;
}

/** The width of one character of `node`'s (monospace) font, 0 if it cannot be measured. */
function charWidth(node: HTMLElement): number {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) {
    return 0;
  }
  const style = getComputedStyle(node);
  context.font = `${style.fontSize} ${style.fontFamily}`;
  return context.measureText('0'.repeat(100)).width / 100;
}

/**
 * The viewport's size as the viewer uses it, followed with a ResizeObserver.
 * Neither number depends on what the rows hold: the height is the border box
 * (a horizontal scrollbar coming or going does not change it) and the width
 * is measured inside an always-present vertical scrollbar. So rendering
 * other rows can never change the size, and the size never has to be set
 * again from a render: sizing converges in one step.
 */
function useViewportBox(ref: React.RefObject<HTMLElement>): IViewportBox {
  const [box, setBox] = React.useState<IViewportBox>({
    height: 0,
    columns: 0
  });
  React.useEffect(() => {
    const node = ref.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    let width = 0;
    const measure = () => {
      width = width || charWidth(node);
      const height = node.offsetHeight;
      // One pixel less: never promise a row more characters than the browser fits.
      const columns =
        width > 0
          ? Math.floor((node.clientWidth - LINE_PADDING - 1) / width)
          : 0;
      setBox(previous =>
        previous.height === height && previous.columns === columns
          ? previous
          : { height, columns }
      );
    };
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, [ref]);
  return box;
}

/** Props of {@link LogViewer}. */
export interface ILogViewerProps {
  model: LogModel;
  trans: TranslationBundle;
}

/**
 * A job's live log: virtualised (only the rows in view are in the DOM),
 * following the tail unless the user scrolled up, filtered by level and by a
 * search text whose matches are highlighted; long lines scroll sideways or
 * wrap ("Wrap lines", remembered).
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
  const box = useViewportBox(viewport);

  const lines = model.shownLines;
  const wrap = model.wrap;
  const columns = box.columns > 0 ? box.columns : FALLBACK_COLUMNS;
  // Wrapped, a line takes as many rows as its length needs at this width.
  const starts = React.useMemo(
    () => (wrap ? wrapRows(lines, columns).starts : null),
    [wrap, lines, columns]
  );
  const rows = starts ? starts[lines.length] : lines.length;
  const total = rows * LOG_ROW_HEIGHT;
  const viewHeight = box.height > 0 ? box.height : FALLBACK_HEIGHT;
  // Following: the window is the tail, whatever the last scroll position was.
  const top = follow ? Math.max(0, total - viewHeight) : scrollTop;
  const range = visibleRange(top, viewHeight, LOG_ROW_HEIGHT, rows, OVERSCAN);
  const start = starts ? lineAtRow(starts, range.start) : range.start;
  const end = starts
    ? Math.min(lines.length, lineAtRow(starts, Math.max(0, range.end - 1)) + 1)
    : range.end;

  // Stick to the end while following (the DOM's scroll position, no state).
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
  const rowOf = (line: ILogLine, index: number) => {
    const first = starts ? starts[index] : index;
    const count = starts ? starts[index + 1] - starts[index] : 1;
    return (
      <div
        key={line.index}
        className="jp-JwstLab-logLine"
        data-level={line.level}
        style={{
          position: 'absolute',
          top: first * LOG_ROW_HEIGHT,
          height: count * LOG_ROW_HEIGHT
        }}
      >
        <Highlighted text={line.text} query={query} />
      </div>
    );
  };

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
        <label
          className="jp-JwstLab-logWrap"
          title={trans.__(
            'Break long lines (such as S_REGION polygons) to the width of the log; remembered for every job'
          )}
        >
          <input
            type="checkbox"
            checked={wrap}
            onChange={event => model.setWrap(event.target.checked)}
          />
          {trans.__('Wrap lines')}
        </label>
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
        data-wrap={wrap}
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
            style={{
              height: total,
              position: 'relative',
              // Unwrapped: as wide as the longest line shown, in view or not.
              minWidth: wrap
                ? undefined
                : `calc(${model.longestShown}ch + ${LINE_PADDING}px)`
            }}
          >
            {lines
              .slice(start, end)
              .map((line, offset) => rowOf(line, start + offset))}
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
