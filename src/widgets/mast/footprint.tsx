import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { MastRow } from '../../api/models';
import {
  circlePoints,
  formatTick,
  ICone,
  IFootprint,
  ISkyPoint,
  parseSRegion,
  project,
  skyFrame
} from '../../mast/footprint';
import { formatDec, formatRa } from '../../mast/targetQuery';
import { observationKey } from './results';

/** Size of the drawing in SVG units, and the room its axis labels take. */
const SIZE = 360;
const MARGIN = { left: 58, right: 10, top: 10, bottom: 40 };
const PLOT = SIZE - MARGIN.left - MARGIN.right;

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
  const clipId = React.useId();
  if (!frame) {
    return (
      <p className="jp-JwstLab-mastStatus jp-JwstLab-footprintEmpty">
        {trans.__('No sky position to draw.')}
      </p>
    );
  }
  const scale = PLOT / (2 * frame.half);
  // Plane (ξ east, η north) to SVG: east to the left, north up.
  const toSvg = (point: ISkyPoint): [number, number] | null => {
    const plane = project(point, frame.centre);
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
  const decLow = frame.centre.dec - frame.half * 1.5;
  const decHigh = frame.centre.dec + frame.half * 1.5;
  const meridians = frame.raTicks.map(ra => {
    const points: ISkyPoint[] = [];
    for (let i = 0; i <= samples; i++) {
      const dec = decLow + ((decHigh - decLow) * i) / samples;
      points.push({ ra, dec: Math.max(-90, Math.min(90, dec)) });
    }
    return { ra, d: path(points, false) };
  });
  const raSpan =
    (frame.half * 1.5) /
    Math.max(0.05, Math.cos((frame.centre.dec * Math.PI) / 180));
  const parallels = frame.decTicks.map(dec => {
    const points: ISkyPoint[] = [];
    for (let i = 0; i <= samples; i++) {
      points.push({
        ra: frame.centre.ra - raSpan + (2 * raSpan * i) / samples,
        dec
      });
    }
    return { dec, d: path(points, false) };
  });
  // Tick labels where the lines cross the bottom and left edges.
  const raLabels = meridians
    .map(({ ra }) => {
      const xy = toSvg({ ra, dec: frame.centre.dec - frame.half });
      return xy && xy[0] >= MARGIN.left && xy[0] <= MARGIN.left + PLOT
        ? { ra, x: xy[0] }
        : null;
    })
    .filter((label): label is { ra: number; x: number } => label !== null);
  const decLabels = parallels
    .map(({ dec }) => {
      const xy = toSvg({ ra: frame.centre.ra, dec });
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
    formatRa(frame.centre.ra),
    formatDec(frame.centre.dec)
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
      <svg
        className="jp-JwstLab-footprints"
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        role="img"
        aria-label={describe}
        data-centre-ra={frame.centre.ra.toFixed(6)}
        data-centre-dec={frame.centre.dec.toFixed(6)}
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
                {formatTick(ra, frame.raStep)}
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
                {formatTick(dec, frame.decStep)}
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
                onClick={() => onSelect(row)}
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
    </>
  );
}
