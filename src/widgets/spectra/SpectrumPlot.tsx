import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  bandPath,
  dragRange,
  extent,
  formatTick,
  formatValue,
  invertLinear,
  IRange,
  linePath,
  MaybeNumber,
  nearestIndex,
  niceTicks,
  padRange,
  scaleLinear,
  unitLabel,
  withUnit,
  zoomRange
} from './plotMath';

/** Props of {@link SpectrumPlot}. */
export interface ISpectrumPlotProps {
  wavelength: readonly MaybeNumber[];
  flux: readonly MaybeNumber[];
  /** 1-sigma errors drawn as a band around the line; null: no band. */
  error: readonly MaybeNumber[] | null;
  wavelengthUnit: string | null;
  fluxUnit: string | null;
  /** The y axis title (Flux, Surface brightness, …). */
  fluxLabel: string;
  /** A vertical marker at this wavelength (a cube's current plane). */
  marker?: number | null;
  /** Called with the wavelength clicked (without dragging). */
  onPick?: (wavelength: number) => void;
  trans: TranslationBundle;
  /** Plot height in pixels. */
  height?: number;
}

const MARGIN = { left: 68, right: 14, top: 10, bottom: 42 };
/** Pointer travel (px) below which a press is a click, not a drag. */
const DRAG_PIXELS = 4;

/** The laid-out width of the element `ref` holds, followed as it resizes (0 in jsdom). */
function useElementWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = React.useState(0);
  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    setWidth(Math.round(node.clientWidth));
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() =>
      setWidth(Math.round(node.clientWidth))
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * A flux-versus-wavelength plot drawn as SVG: axes with ticks and units, the
 * error band (flux ± error), the line (gaps stay gaps), a readout of the
 * point under the pointer, zoom by dragging a wavelength range or with the
 * wheel (around the pointer), and reset. The y axis fits what is in view.
 * Give it a `key` per spectrum: another spectrum starts unzoomed.
 */
export function SpectrumPlot(props: ISpectrumPlotProps): JSX.Element {
  const { wavelength, flux, error, trans, marker, onPick } = props;
  const height = props.height ?? 300;
  const box = React.useRef<HTMLDivElement>(null);
  const svg = React.useRef<SVGSVGElement>(null);
  const width = Math.max(240, useElementWidth(box) || 600);
  const full = React.useMemo(() => extent(wavelength), [wavelength]);
  const [zoom, setZoom] = React.useState<IRange | null>(null);
  const [hover, setHover] = React.useState<number>(-1);
  const [drag, setDrag] = React.useState<{ from: number; to: number } | null>(
    null
  );

  const plotX = { min: MARGIN.left, max: width - MARGIN.right };
  const plotY = { min: height - MARGIN.bottom, max: MARGIN.top };
  const xRange = zoom ?? (full ? padRange(full, 0.01) : { min: 0, max: 1 });
  const visible = React.useMemo(() => {
    const inView = (i: number) => {
      const x = wavelength[i];
      return x !== null && x >= xRange.min && x <= xRange.max;
    };
    const ys = flux.map((y, i) => (inView(i) ? y : null));
    const es = error ? error.map((e, i) => (inView(i) ? e : null)) : null;
    return extent(ys, es);
  }, [wavelength, flux, error, xRange.min, xRange.max]);
  const yRange = visible ? padRange(visible) : { min: 0, max: 1 };
  const sx = scaleLinear(xRange, plotX);
  const sy = scaleLinear(yRange, plotY);
  const toX = invertLinear(xRange, plotX);
  const xTicks = niceTicks(xRange, Math.max(2, Math.floor(width / 90)));
  const yTicks = niceTicks(yRange, Math.max(2, Math.floor(height / 50)));
  const minSpan = full ? (full.max - full.min) / 1e4 : 0;
  const limits = full ? padRange(full, 0.01) : xRange;

  // The wheel zooms; a passive React listener could not stop the page scrolling.
  React.useEffect(() => {
    const node = svg.current;
    if (!node || !full) {
      return;
    }
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = node.getBoundingClientRect();
      const centre = toX(event.clientX - rect.left);
      const factor = event.deltaY < 0 ? 0.8 : 1.25;
      setZoom(current =>
        zoomRange(current ?? limits, centre, factor, limits, minSpan)
      );
    };
    node.addEventListener('wheel', onWheel, { passive: false });
    return () => node.removeEventListener('wheel', onWheel);
  });

  const pointerX = (event: React.PointerEvent<SVGSVGElement>) =>
    event.clientX - event.currentTarget.getBoundingClientRect().left;
  const clampX = (px: number) => Math.max(plotX.min, Math.min(plotX.max, px));

  const onPointerDown = (event: React.PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) {
      return;
    }
    const px = clampX(pointerX(event));
    setDrag({ from: px, to: px });
    event.currentTarget.setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: React.PointerEvent<SVGSVGElement>) => {
    const px = clampX(pointerX(event));
    if (drag) {
      setDrag({ ...drag, to: px });
    }
    setHover(nearestIndex(wavelength, flux, toX(px)));
  };
  const onPointerUp = () => {
    if (!drag) {
      return;
    }
    if (Math.abs(drag.to - drag.from) >= DRAG_PIXELS) {
      const range = dragRange(toX(drag.from), toX(drag.to), minSpan);
      if (range) {
        setZoom(range);
      }
    } else if (onPick) {
      onPick(toX(drag.from));
    }
    setDrag(null);
  };
  const zoomBy = (factor: number) =>
    setZoom(current => {
      const range = current ?? limits;
      return zoomRange(
        range,
        (range.min + range.max) / 2,
        factor,
        limits,
        minSpan
      );
    });

  const hovered =
    hover >= 0 &&
    hover < flux.length &&
    wavelength[hover] !== null &&
    flux[hover] !== null
      ? hover
      : -1;
  const unitX = unitLabel(props.wavelengthUnit);
  const unitY = unitLabel(props.fluxUnit);
  const clipId = React.useId().replace(/:/g, '');
  const plotWidth = plotX.max - plotX.min;
  const plotHeight = plotY.min - plotY.max;

  return (
    <div className="jp-JwstLab-spectrumPlot" ref={box}>
      <div className="jp-JwstLab-spectrumToolbar">
        <button
          type="button"
          className="jp-mod-styled jp-JwstLab-spectrumZoomIn"
          onClick={() => zoomBy(0.5)}
          disabled={!full}
          title={trans.__('Zoom in on the middle of the wavelength range')}
        >
          +
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-JwstLab-spectrumZoomOut"
          onClick={() => zoomBy(2)}
          disabled={!full || zoom === null}
          title={trans.__('Zoom out')}
        >
          −
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-JwstLab-spectrumReset"
          onClick={() => setZoom(null)}
          disabled={zoom === null}
        >
          {trans.__('Reset zoom')}
        </button>
        <span className="jp-JwstLab-spectrumReadout" aria-live="polite">
          {hovered >= 0
            ? trans.__(
                'λ %1 · %2 %3',
                withUnit(wavelength[hovered], props.wavelengthUnit),
                props.fluxLabel,
                error && error[hovered] !== null
                  ? `${formatValue(flux[hovered])} ± ${withUnit(error[hovered], props.fluxUnit)}`
                  : withUnit(flux[hovered], props.fluxUnit)
              )
            : trans.__('Drag across a range or use the wheel to zoom')}
        </span>
      </div>
      <svg
        ref={svg}
        className="jp-JwstLab-spectrumSvg"
        width={width}
        height={height}
        role="img"
        aria-label={trans.__(
          '%1 against wavelength, %2 points',
          props.fluxLabel,
          flux.length
        )}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => setHover(-1)}
      >
        <defs>
          <clipPath id={clipId}>
            <rect
              x={plotX.min}
              y={plotY.max}
              width={plotWidth}
              height={plotHeight}
            />
          </clipPath>
        </defs>
        <rect
          className="jp-JwstLab-spectrumFrame"
          x={plotX.min}
          y={plotY.max}
          width={plotWidth}
          height={plotHeight}
        />
        <g className="jp-JwstLab-spectrumAxis" data-axis="x">
          {xTicks.ticks.map(tick => (
            <g key={tick} transform={`translate(${sx(tick)},0)`}>
              <line y1={plotY.min} y2={plotY.min + 5} />
              <text y={plotY.min + 17} textAnchor="middle">
                {formatTick(tick, xTicks.step)}
              </text>
            </g>
          ))}
          <text
            className="jp-JwstLab-spectrumAxisTitle"
            x={(plotX.min + plotX.max) / 2}
            y={height - 6}
            textAnchor="middle"
          >
            {trans.__('Wavelength%1', unitX)}
          </text>
        </g>
        <g className="jp-JwstLab-spectrumAxis" data-axis="y">
          {yTicks.ticks.map(tick => (
            <g key={tick} transform={`translate(0,${sy(tick)})`}>
              <line x1={plotX.min - 5} x2={plotX.min} />
              <line
                className="jp-JwstLab-spectrumGrid"
                x1={plotX.min}
                x2={plotX.max}
              />
              <text x={plotX.min - 8} dy="0.32em" textAnchor="end">
                {formatTick(tick, yTicks.step)}
              </text>
            </g>
          ))}
          <text
            className="jp-JwstLab-spectrumAxisTitle"
            transform={`translate(12,${(plotY.min + plotY.max) / 2}) rotate(-90)`}
            textAnchor="middle"
          >
            {`${props.fluxLabel}${unitY}`}
          </text>
        </g>
        <g clipPath={`url(#${clipId})`}>
          {error && (
            <path
              className="jp-JwstLab-spectrumBand"
              d={bandPath(wavelength, flux, error, sx, sy)}
            />
          )}
          <path
            className="jp-JwstLab-spectrumLine"
            d={linePath(wavelength, flux, sx, sy)}
          />
          {typeof marker === 'number' && (
            <line
              className="jp-JwstLab-spectrumMarker"
              x1={sx(marker)}
              x2={sx(marker)}
              y1={plotY.max}
              y2={plotY.min}
            />
          )}
          {hovered >= 0 && (
            <circle
              className="jp-JwstLab-spectrumHover"
              cx={sx(wavelength[hovered] as number)}
              cy={sy(flux[hovered] as number)}
              r={4}
            />
          )}
        </g>
        {drag && Math.abs(drag.to - drag.from) >= DRAG_PIXELS && (
          <rect
            className="jp-JwstLab-spectrumSelection"
            x={Math.min(drag.from, drag.to)}
            y={plotY.max}
            width={Math.abs(drag.to - drag.from)}
            height={plotHeight}
          />
        )}
      </svg>
    </div>
  );
}
