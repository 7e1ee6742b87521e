import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { MastRow } from '../../api/models';
import {
  circlePoints,
  formatTick,
  frameAt,
  ICone,
  IFootprint,
  IPlanePoint,
  ISkyFrame,
  ISkyPoint,
  ISkyView,
  MAX_HALF,
  MIN_HALF,
  panView,
  parseSRegion,
  project,
  skyFrame,
  zoomView
} from '../../mast/footprint';
import { formatDec, formatRa } from '../../mast/targetQuery';
import { observationKey } from './results';

/** Size of the drawing in SVG units, and the room its axis labels take. */
const SIZE = 360;
const MARGIN = { left: 58, right: 10, top: 10, bottom: 40 };
const PLOT = SIZE - MARGIN.left - MARGIN.right;

/** Zoom factor of one button press or key stroke. */
export const ZOOM_STEP = 2;

/** Part of the window's width an arrow key moves the view by. */
export const PAN_STEP = 0.25;

/** Pointer travel (px) after which a press on the plot is a drag, not a click. */
const DRAG_THRESHOLD = 3;

/** Footprints drawn at most (the first rows in the grid's order, and the selected one). */
export const MAX_FOOTPRINTS = 2000;

/** Props of {@link SkyFootprints}. */
export interface ISkyFootprintsProps {
  rows: readonly MastRow[];
  /** The search cone, when the search was one. */
  cone: ICone | null;
  /** The selected observation's key. */
  selected: string | null;
  onSelect: (row: MastRow) => void;
  trans: TranslationBundle;
}

/** A pointer position in the SVG's own units. */
function svgPoint(
  node: SVGSVGElement,
  clientX: number,
  clientY: number
): [number, number] {
  const box = node.getBoundingClientRect();
  return [
    box.width > 0 ? ((clientX - box.left) * SIZE) / box.width : SIZE / 2,
    box.height > 0 ? ((clientY - box.top) * SIZE) / box.height : SIZE / 2
  ];
}

/** SVG units per pixel of the drawn SVG. */
function unitsPerPixel(node: SVGSVGElement): number {
  const width = node.getBoundingClientRect().width;
  return width > 0 ? SIZE / width : 1;
}

/** The tangent-plane point (degrees; `x` east, `y` north) under a pointer. */
function planeAt(
  node: SVGSVGElement,
  view: ISkyView,
  clientX: number,
  clientY: number
): IPlanePoint {
  const [x, y] = svgPoint(node, clientX, clientY);
  const scale = PLOT / (2 * view.half);
  // East is to the left, north up.
  return {
    x: (MARGIN.left + PLOT / 2 - x) / scale,
    y: (MARGIN.top + PLOT / 2 - y) / scale
  };
}

/** An angle on the sky as people say it: 12.5″, 3.2′ or 1.25°. */
export function formatAngle(degrees: number): string {
  if (degrees < 1 / 60) {
    return `${Number((degrees * 3600).toPrecision(3))}″`;
  }
  if (degrees < 1) {
    return `${Number((degrees * 60).toPrecision(3))}′`;
  }
  return `${Number(degrees.toPrecision(3))}°`;
}

/** The footprints of rows: `s_region` polygons, else a point at `s_ra`/`s_dec`. */
export function footprintsOf(rows: readonly MastRow[]): IFootprint[] {
  return rows.map((row, index) => {
    const polygons = parseSRegion(row.s_region);
    if (polygons.length === 0) {
      const ra = Number(row.s_ra);
      const dec = Number(row.s_dec);
      if (
        row.s_ra !== null &&
        row.s_dec !== null &&
        Number.isFinite(ra) &&
        Number.isFinite(dec)
      ) {
        // A position only: a tiny circle (3″) stands for it.
        polygons.push(circlePoints({ ra, dec, radius: 3 / 3600 }, 12));
      }
    }
    return { key: observationKey(row, index), polygons };
  });
}

/**
 * The sky footprint view: every result's `s_region` on a tangent-plane
 * projection (north up, east left: RA grows to the left, as on the sky), with
 * RA/Dec grid lines and ticks, and the search cone. The selected
 * observation's footprint is highlighted and drawn on top; clicking a
 * footprint selects its observation. Drawn here from the rows: no network.
 */
export function SkyFootprints({
  rows,
  cone,
  selected,
  onSelect,
  trans
}: ISkyFootprintsProps): JSX.Element {
  const drawn = React.useMemo(() => {
    if (rows.length <= MAX_FOOTPRINTS) {
      return rows;
    }
    const first = rows.slice(0, MAX_FOOTPRINTS);
    const chosen = rows.find(
      (row, index) => observationKey(row, index) === selected
    );
    return chosen && !first.includes(chosen) ? [...first, chosen] : first;
  }, [rows, selected]);
  const footprints = React.useMemo(() => footprintsOf(drawn), [drawn]);
  const frame = React.useMemo(
    () =>
      skyFrame(
        footprints.filter(f => f.polygons.length > 0),
        cone
      ),
    [footprints, cone]
  );
  const fitKey = frame
    ? `${frame.centre.ra},${frame.centre.dec},${frame.half}`
    : '';
  // The user's zoom and pan, for the window it was made on: results that need
  // another window (another search, a filter) show everything again; with a
  // search cone the window is the cone's, so a filter keeps the zoom.
  const [zoomed, setZoomed] = React.useState<{
    key: string;
    view: ISkyView;
  } | null>(null);
  const shown: ISkyFrame | null = React.useMemo(
    () =>
      frame && zoomed && zoomed.key === fitKey ? frameAt(zoomed.view) : frame,
    [frame, zoomed, fitKey]
  );
  const selectedFootprint = footprints.find(
    f => f.key === selected && f.polygons.length > 0
  );
  const setView = (view: ISkyView | null) =>
    setZoomed(view ? { key: fitKey, view } : null);
  const svg = React.useRef<SVGSVGElement>(null);
  const drag = React.useRef<{
    x: number;
    y: number;
    view: ISkyView;
    moved: boolean;
    pointer: number;
  } | null>(null);
  // A drag ends with a click on what is under the pointer: not a selection.
  const dragged = React.useRef(false);

  // Wheel zoom about the pointer. A native listener: React's is passive and
  // could not keep the page from scrolling.
  React.useEffect(() => {
    const node = svg.current;
    if (!node) {
      return;
    }
    const onWheel = (event: WheelEvent) => {
      const view = shown;
      if (!view || event.deltaY === 0) {
        return;
      }
      event.preventDefault();
      const lines =
        event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
      const factor = Math.exp(
        Math.max(-1, Math.min(1, (-event.deltaY * lines) / 300))
      );
      const anchor = planeAt(node, view, event.clientX, event.clientY);
      setZoomed({ key: fitKey, view: zoomView(view, factor, anchor) });
    };
    node.addEventListener('wheel', onWheel, { passive: false });
    return () => node.removeEventListener('wheel', onWheel);
  }, [fitKey, shown]);

  const clipId = React.useId();
  const keysId = React.useId();
  if (!frame || !shown) {
    return (
      <p className="jp-JwstLab-mastStatus jp-JwstLab-footprintEmpty">
        {trans.__('No sky position to draw.')}
      </p>
    );
  }
  const view = shown;
  const scale = PLOT / (2 * view.half);
  const zoom = frame.half / view.half;

  const zoomBy = (factor: number) => setView(zoomView(view, factor));
  const fitAll = () => setView(null);
  const fitSelection = () => {
    const fitted = selectedFootprint
      ? skyFrame([selectedFootprint], null)
      : null;
    if (fitted) {
      setView({ centre: fitted.centre, half: fitted.half });
    }
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const step = PAN_STEP * 2 * view.half;
    // The offset of the new centre: left on the screen is east (+x).
    const pans: Record<string, IPlanePoint> = {
      ArrowLeft: { x: step, y: 0 },
      ArrowRight: { x: -step, y: 0 },
      ArrowUp: { x: 0, y: step },
      ArrowDown: { x: 0, y: -step }
    };
    if (event.key in pans) {
      setView(panView(view, pans[event.key]));
    } else if (event.key === '+' || event.key === '=') {
      zoomBy(ZOOM_STEP);
    } else if (event.key === '-' || event.key === '_') {
      zoomBy(1 / ZOOM_STEP);
    } else if (event.key === '0' || event.key === 'Home') {
      fitAll();
    } else if (event.key === 's' || event.key === 'S') {
      fitSelection();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  };
  const onPointerDown = (event: React.PointerEvent<SVGSVGElement>) => {
    dragged.current = false;
    if (event.button !== 0) {
      return;
    }
    drag.current = {
      x: event.clientX,
      y: event.clientY,
      view: { centre: view.centre, half: view.half },
      moved: false,
      pointer: event.pointerId
    };
  };
  const onPointerMove = (event: React.PointerEvent<SVGSVGElement>) => {
    const start = drag.current;
    if (!start || event.pointerId !== start.pointer) {
      return;
    }
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (!start.moved) {
      if (Math.hypot(dx, dy) < DRAG_THRESHOLD) {
        return;
      }
      start.moved = true;
      event.currentTarget.setPointerCapture?.(event.pointerId);
    }
    // The sky under the pointer follows it.
    const degrees =
      (unitsPerPixel(event.currentTarget) * 2 * start.view.half) / PLOT;
    setView(panView(start.view, { x: dx * degrees, y: dy * degrees }));
  };
  const onPointerUp = (event: React.PointerEvent<SVGSVGElement>) => {
    const start = drag.current;
    if (!start || event.pointerId !== start.pointer) {
      return;
    }
    dragged.current = start.moved;
    drag.current = null;
    if (start.moved) {
      event.currentTarget.releasePointerCapture?.(event.pointerId);
    }
  };
  const select = (row: MastRow) => {
    if (dragged.current) {
      dragged.current = false;
      return;
    }
    onSelect(row);
  };
  // Plane (ξ east, η north) to SVG: east to the left, north up.
  const toSvg = (point: ISkyPoint): [number, number] | null => {
    const plane = project(point, view.centre);
    if (!plane) {
      return null;
    }
    return [
      MARGIN.left + PLOT / 2 - plane.x * scale,
      MARGIN.top + PLOT / 2 - plane.y * scale
    ];
  };
  const path = (points: readonly ISkyPoint[], close: boolean): string => {
    const parts: string[] = [];
    for (const point of points) {
      const xy = toSvg(point);
      if (xy) {
        parts.push(
          `${parts.length ? 'L' : 'M'}${xy[0].toFixed(1)},${xy[1].toFixed(1)}`
        );
      }
    }
    return parts.length > 1 ? parts.join('') + (close ? 'Z' : '') : '';
  };
  const bottom = MARGIN.top + PLOT;
  // Grid lines, sampled along their length (meridians bend away from the equator).
  const samples = 24;
  const decLow = view.centre.dec - view.half * 1.5;
  const decHigh = view.centre.dec + view.half * 1.5;
  const meridians = view.raTicks.map(ra => {
    const points: ISkyPoint[] = [];
    for (let i = 0; i <= samples; i++) {
      const dec = decLow + ((decHigh - decLow) * i) / samples;
      points.push({ ra, dec: Math.max(-90, Math.min(90, dec)) });
    }
    return { ra, d: path(points, false) };
  });
  const raSpan =
    (view.half * 1.5) /
    Math.max(0.05, Math.cos((view.centre.dec * Math.PI) / 180));
  const parallels = view.decTicks.map(dec => {
    const points: ISkyPoint[] = [];
    for (let i = 0; i <= samples; i++) {
      points.push({
        ra: view.centre.ra - raSpan + (2 * raSpan * i) / samples,
        dec
      });
    }
    return { dec, d: path(points, false) };
  });
  // Tick labels where the lines cross the bottom and left edges.
  const raLabels = meridians
    .map(({ ra }) => {
      const xy = toSvg({ ra, dec: view.centre.dec - view.half });
      return xy && xy[0] >= MARGIN.left && xy[0] <= MARGIN.left + PLOT
        ? { ra, x: xy[0] }
        : null;
    })
    .filter((label): label is { ra: number; x: number } => label !== null);
  const decLabels = parallels
    .map(({ dec }) => {
      const xy = toSvg({ ra: view.centre.ra, dec });
      return xy && xy[1] >= MARGIN.top && xy[1] <= bottom
        ? { dec, y: xy[1] }
        : null;
    })
    .filter((label): label is { dec: number; y: number } => label !== null);

  const byKey = new Map(
    drawn.map((row, index) => [observationKey(row, index), row])
  );
  const ordered = [
    ...footprints.filter(f => f.key !== selected),
    ...footprints.filter(f => f.key === selected)
  ];
  const describe = trans.__(
    'Sky footprints of %1 observations around RA %2, Dec %3; east is to the left',
    footprints.length,
    formatRa(view.centre.ra),
    formatDec(view.centre.dec)
  );

  return (
    <>
      {rows.length > drawn.length ? (
        <p className="jp-JwstLab-mastStatus">
          {trans.__(
            'Footprints of the first %1 of %2 rows (filter the grid to see others).',
            MAX_FOOTPRINTS,
            rows.length
          )}
        </p>
      ) : null}
      <div
        className="jp-JwstLab-footprintTools"
        role="toolbar"
        aria-label={trans.__('Footprint view')}
      >
        <button
          type="button"
          className="jp-JwstLab-footprintZoomIn jp-mod-styled"
          aria-label={trans.__('Zoom in')}
          title={trans.__('Zoom in (+, or the mouse wheel)')}
          disabled={view.half <= MIN_HALF}
          onClick={() => zoomBy(ZOOM_STEP)}
        >
          +
        </button>
        <button
          type="button"
          className="jp-JwstLab-footprintZoomOut jp-mod-styled"
          aria-label={trans.__('Zoom out')}
          title={trans.__('Zoom out (−, or the mouse wheel)')}
          disabled={view.half >= MAX_HALF}
          onClick={() => zoomBy(1 / ZOOM_STEP)}
        >
          −
        </button>
        <button
          type="button"
          className="jp-JwstLab-footprintFitAll jp-mod-styled"
          title={trans.__('Show every footprint and the search cone (0)')}
          onClick={fitAll}
        >
          {trans.__('Fit to all')}
        </button>
        <button
          type="button"
          className="jp-JwstLab-footprintFitSelection jp-mod-styled"
          title={trans.__('Show the selected observation’s footprint (S)')}
          disabled={!selectedFootprint}
          onClick={fitSelection}
        >
          {trans.__('Fit to selection')}
        </button>
        <span
          className="jp-JwstLab-footprintScale"
          data-zoom={zoom.toPrecision(4)}
          title={trans.__(
            'Width of the window on the sky; drag to pan, arrow keys too'
          )}
        >
          {trans.__(
            '%1 across · ×%2',
            formatAngle(2 * view.half),
            Number(zoom.toPrecision(zoom < 10 ? 2 : 3))
          )}
        </span>
      </div>
      <svg
        ref={svg}
        className="jp-JwstLab-footprints"
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        role="img"
        tabIndex={0}
        aria-label={describe}
        aria-keyshortcuts="ArrowLeft ArrowRight ArrowUp ArrowDown + - 0 S"
        aria-describedby={keysId}
        data-centre-ra={view.centre.ra.toFixed(6)}
        data-centre-dec={view.centre.dec.toFixed(6)}
        data-half={view.half.toPrecision(6)}
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onClick={() => {
          // After the footprints' own handlers: the click that ends a drag is spent.
          dragged.current = false;
        }}
      >
        <defs>
          <clipPath id={clipId}>
            <rect x={MARGIN.left} y={MARGIN.top} width={PLOT} height={PLOT} />
          </clipPath>
        </defs>
        <rect
          className="jp-JwstLab-footprintPlot"
          x={MARGIN.left}
          y={MARGIN.top}
          width={PLOT}
          height={PLOT}
        />
        <g className="jp-JwstLab-footprintGrid" clipPath={`url(#${clipId})`}>
          {meridians.map(({ ra, d }) =>
            d ? <path key={`ra${ra}`} d={d} /> : null
          )}
          {parallels.map(({ dec, d }) =>
            d ? <path key={`dec${dec}`} d={d} /> : null
          )}
        </g>
        <g className="jp-JwstLab-footprintAxes">
          {raLabels.map(({ ra, x }) => (
            <g
              key={`ra${ra}`}
              className="jp-JwstLab-footprintTick"
              data-axis="ra"
            >
              <line x1={x} x2={x} y1={bottom} y2={bottom + 4} />
              <text
                x={x}
                y={bottom + 15}
                textAnchor={
                  x > SIZE - 24
                    ? 'end'
                    : x < MARGIN.left + 18
                      ? 'start'
                      : 'middle'
                }
              >
                {formatTick(ra, view.raStep)}
              </text>
            </g>
          ))}
          {decLabels.map(({ dec, y }) => (
            <g
              key={`dec${dec}`}
              className="jp-JwstLab-footprintTick"
              data-axis="dec"
            >
              <line x1={MARGIN.left - 4} x2={MARGIN.left} y1={y} y2={y} />
              <text x={MARGIN.left - 6} y={y + 3} textAnchor="end">
                {formatTick(dec, view.decStep)}
              </text>
            </g>
          ))}
          <text
            className="jp-JwstLab-footprintAxisLabel"
            x={MARGIN.left + PLOT / 2}
            y={SIZE - 6}
            textAnchor="middle"
          >
            {trans.__('RA (ICRS) — east ←')}
          </text>
          <text
            className="jp-JwstLab-footprintAxisLabel"
            transform={`translate(12 ${MARGIN.top + PLOT / 2}) rotate(-90)`}
            textAnchor="middle"
          >
            {trans.__('Dec (ICRS)')}
          </text>
        </g>
        <g clipPath={`url(#${clipId})`}>
          {cone ? (
            <path
              className="jp-JwstLab-footprintCone"
              d={path(circlePoints(cone, 96), true)}
            >
              <title>
                {trans.__(
                  'Search cone: radius %1′ around RA %2, Dec %3',
                  Number((cone.radius * 60).toPrecision(4)),
                  formatRa(cone.ra),
                  formatDec(cone.dec)
                )}
              </title>
            </path>
          ) : null}
          {ordered.map(footprint => {
            const row = byKey.get(footprint.key);
            const isSelected = footprint.key === selected;
            const d = footprint.polygons
              .map(polygon => path(polygon, true))
              .join('');
            if (!d || !row) {
              return null;
            }
            return (
              <path
                key={footprint.key}
                className={
                  'jp-JwstLab-footprint' +
                  (isSelected ? ' jp-mod-selected' : '')
                }
                data-key={footprint.key}
                data-selected={isSelected ? 'true' : 'false'}
                fillRule="evenodd"
                d={d}
                onClick={() => select(row)}
              >
                <title>
                  {[row.obs_id, row.instrument_name, row.filters]
                    .filter(
                      part => part !== null && part !== undefined && part !== ''
                    )
                    .join(' · ')}
                </title>
              </path>
            );
          })}
        </g>
      </svg>
      <p id={keysId} className="jp-JwstLab-footprintKeys">
        {trans.__(
          'Wheel or + and − zoom, drag or the arrow keys pan, 0 fits all, S fits the selection.'
        )}
      </p>
    </>
  );
}
