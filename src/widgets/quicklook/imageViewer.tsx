import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IImagePixel } from '../../api/models';
import { baseName } from '../../components/format';
import { StretchSelect } from '../../components/StretchSelect';
import { ImageViewModel } from '../../models/imageViewModel';
import { useModel } from '../../models/useModel';
import {
  imageToScreen,
  IPoint,
  ISize,
  IView,
  regionRect,
  screenToImage,
  sexagesimal
} from './viewTransform';

/** Props of {@link ImageViewer}. */
export interface IImageViewerProps {
  model: ImageViewModel;
  trans: TranslationBundle;
  /** Open the catalog beside the image as a table (shown when it has one). */
  onOpenCatalog?: (path: string) => void;
}

/** Screen pixels a drag must cover before it pans (below that it is a click). */
const DRAG_THRESHOLD = 3;
/** Screen pixels a key press pans by. */
const KEY_PAN = 60;
/** Radius of a source marker (screen pixels). */
const MARKER_RADIUS = 7;

/**
 * A pannable, zoomable quick look of a 2-D image with a pixel readout (RA/Dec
 * from the server) and the image3 source catalog drawn over it.
 */
export function ImageViewer({
  model: viewModel,
  trans,
  onOpenCatalog
}: IImageViewerProps): JSX.Element {
  const model = useModel(viewModel);
  const { path, stretch, view, viewport } = model;
  const info = model.info;
  const stage = React.useRef<HTMLDivElement>(null);
  const drag = React.useRef<{
    x: number;
    y: number;
    moved: boolean;
  } | null>(null);
  const id = `jp-JwstLab-stretch-${path.replace(/[^\w-]/g, '-')}`;

  React.useEffect(() => {
    const element = stage.current;
    if (!element) {
      return;
    }
    const measure = () =>
      model.setViewport({
        width: element.clientWidth,
        height: element.clientHeight
      });
    measure();
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [model, info.status]);

  // React's onWheel is passive: preventDefault (no page scroll) needs a listener of our own.
  React.useEffect(() => {
    const element = stage.current;
    if (!element) {
      return;
    }
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const box = element.getBoundingClientRect();
      model.zoom(event.deltaY < 0 ? 1 : -1, {
        x: event.clientX - box.left,
        y: event.clientY - box.top
      });
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [model, info.status]);

  const local = (event: React.PointerEvent | React.MouseEvent): IPoint => {
    const box = stage.current!.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };

  const onPointerDown = (event: React.PointerEvent) => {
    if (event.button !== 0) {
      return;
    }
    drag.current = { x: event.clientX, y: event.clientY, moved: false };
    (event.target as Element).setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: React.PointerEvent) => {
    const current = drag.current;
    if (current) {
      const dx = event.clientX - current.x;
      const dy = event.clientY - current.y;
      if (current.moved || Math.hypot(dx, dy) >= DRAG_THRESHOLD) {
        current.moved = true;
        current.x = event.clientX;
        current.y = event.clientY;
        model.pan(dx, dy);
      }
      return;
    }
    if (view && viewport) {
      model.hover(screenToImage(view, viewport, local(event)));
    }
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const actions: Record<string, () => void> = {
      '+': () => model.zoom(1),
      '=': () => model.zoom(1),
      '-': () => model.zoom(-1),
      '0': () => model.fit(),
      '1': () => model.actualSize(),
      ArrowLeft: () => model.pan(KEY_PAN, 0),
      ArrowRight: () => model.pan(-KEY_PAN, 0),
      ArrowUp: () => model.pan(0, KEY_PAN),
      ArrowDown: () => model.pan(0, -KEY_PAN)
    };
    const action = actions[event.key];
    if (action && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      action();
    }
  };

  const catalogPath = info.value?.catalog ?? null;
  const catalog = model.catalog;
  const shown = model.showCatalog ? model.markers : [];
  return (
    <figure
      className="jp-JwstLab-quickLook jp-JwstLab-imageViewer"
      data-path={path}
    >
      <div
        className="jp-JwstLab-quickLookToolbar"
        role="toolbar"
        aria-label={trans.__('Quick look')}
      >
        <StretchSelect
          id={id}
          value={stretch}
          onChange={next => model.setStretch(next)}
          trans={trans}
        />
        <span className="jp-JwstLab-quickLookZoom">
          <button
            type="button"
            className="jp-mod-styled"
            onClick={() => model.fit()}
            title={trans.__('Show the whole image (0)')}
          >
            {trans.__('Fit')}
          </button>
          <button
            type="button"
            className="jp-mod-styled"
            onClick={() => model.actualSize()}
            title={trans.__('One screen pixel per image pixel (1)')}
          >
            1:1
          </button>
          <button
            type="button"
            className="jp-mod-styled"
            onClick={() => model.zoom(-1)}
            aria-label={trans.__('Zoom out')}
            title={trans.__('Zoom out (−)')}
          >
            −
          </button>
          <button
            type="button"
            className="jp-mod-styled"
            onClick={() => model.zoom(1)}
            aria-label={trans.__('Zoom in')}
            title={trans.__('Zoom in (+)')}
          >
            +
          </button>
          <output className="jp-JwstLab-quickLookScale" aria-live="off">
            {view ? `${formatScale(view.scale)}` : ''}
          </output>
        </span>
        {catalogPath && (
          <span className="jp-JwstLab-quickLookCatalog">
            <label>
              <input
                type="checkbox"
                checked={model.showCatalog}
                onChange={event => model.setShowCatalog(event.target.checked)}
              />
              {trans.__('Sources')}
            </label>
            {model.showCatalog && catalog.status === 'ready' && (
              <span className="jp-JwstLab-quickLookCount">
                {trans._n('%1 source', '%1 sources', model.markers.length)}
              </span>
            )}
            {onOpenCatalog && (
              <button
                type="button"
                className="jp-mod-styled"
                onClick={() => onOpenCatalog(catalogPath)}
                title={trans.__('Open %1 as a table', baseName(catalogPath))}
              >
                {trans.__('Table')}
              </button>
            )}
          </span>
        )}
      </div>
      {info.status === 'error' && (
        <p className="jp-JwstLab-fieldError" role="alert">
          {trans.__('No quick look: %1', info.error?.message ?? '')}
        </p>
      )}
      {model.overview.status === 'error' && info.status !== 'error' && (
        <p className="jp-JwstLab-fieldError" role="alert">
          {trans.__('No quick look: %1', model.overview.error?.message ?? '')}
        </p>
      )}
      {catalog.status === 'error' && (
        <p className="jp-JwstLab-fieldError" role="alert">
          {trans.__('No catalog: %1', catalog.error?.message ?? '')}
        </p>
      )}
      {info.status !== 'error' && (
        <div
          ref={stage}
          className="jp-JwstLab-quickLookStage"
          tabIndex={0}
          role="application"
          aria-roledescription={trans.__('image viewer')}
          aria-label={trans.__(
            'Quick look of %1: drag to pan, wheel or +/− to zoom, 0 to fit, arrows to move',
            baseName(path)
          )}
          data-scale={view ? view.scale.toFixed(6) : undefined}
          data-cx={view ? view.cx.toFixed(3) : undefined}
          data-cy={view ? view.cy.toFixed(3) : undefined}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
          onPointerLeave={() => model.hover(null)}
          onKeyDown={onKeyDown}
        >
          {(model.overview.status === 'loading' || !view) && (
            <p
              role="status"
              aria-busy="true"
              className="jp-JwstLab-quickLookBusy"
            >
              {trans.__('Rendering the quick look…')}
            </p>
          )}
          {view && viewport && info.value && model.overview.value && (
            <img
              className="jp-JwstLab-quickLookImage"
              src={model.overview.value}
              draggable={false}
              alt={trans.__(
                'Quick look of %1 (%2 stretch)',
                baseName(path),
                stretch
              )}
              style={placeWhole(
                view,
                viewport,
                info.value,
                model.overviewFactor
              )}
            />
          )}
          {view && viewport && model.detail && (
            <img
              className="jp-JwstLab-quickLookDetail"
              src={model.detail.url}
              draggable={false}
              alt=""
              data-region={model.detail.region.join(',')}
              style={{
                ...rectStyle(
                  regionRect(
                    view,
                    viewport,
                    model.detail.region,
                    model.detail.factor,
                    model.detail.png
                  )
                ),
                imageRendering: view.scale >= 2 ? 'pixelated' : 'auto'
              }}
            />
          )}
          {view && viewport && shown.length > 0 && (
            <svg
              className="jp-JwstLab-quickLookOverlay"
              width={viewport.width}
              height={viewport.height}
            >
              {shown.map(marker => {
                const at = imageToScreen(view, viewport, marker);
                if (
                  at.x < -MARKER_RADIUS ||
                  at.y < -MARKER_RADIUS ||
                  at.x > viewport.width + MARKER_RADIUS ||
                  at.y > viewport.height + MARKER_RADIUS
                ) {
                  return null;
                }
                const selected = marker.index === model.selectedSource;
                return (
                  <circle
                    key={marker.index}
                    className={`jp-JwstLab-sourceMarker${selected ? ' jp-mod-selected' : ''}`}
                    data-index={marker.index}
                    cx={at.x}
                    cy={at.y}
                    r={selected ? MARKER_RADIUS + 3 : MARKER_RADIUS}
                    onPointerDown={event => event.stopPropagation()}
                    onClick={() => model.selectSource(marker.index)}
                  >
                    <title>
                      {trans.__(
                        'Source %1 at x %2, y %3',
                        marker.index + 1,
                        (marker.x + 1).toFixed(2),
                        (marker.y + 1).toFixed(2)
                      )}
                    </title>
                  </circle>
                );
              })}
            </svg>
          )}
        </div>
      )}
      <Readout pixel={model.pixel.value} trans={trans} wcs={info.value?.wcs} />
      <figcaption>{baseName(path)}</figcaption>
    </figure>
  );
}

/** The pixel under the pointer: FITS (1-based) position, value, DQ, RA/Dec. */
function Readout({
  pixel,
  wcs,
  trans
}: {
  pixel: IImagePixel | null;
  wcs: string | null | undefined;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <div className="jp-JwstLab-quickLookReadout" aria-live="polite">
      {pixel === null ? (
        <span className="jp-JwstLab-muted">
          {wcs === null
            ? trans.__(
                'Point at the image to read a pixel (no WCS: no RA/Dec).'
              )
            : trans.__('Point at the image to read a pixel and its RA/Dec.')}
        </span>
      ) : (
        <>
          <span
            className="jp-JwstLab-readoutPixel"
            title={trans.__(
              'FITS pixel numbers (1-based); 0-based x, y are one less'
            )}
          >
            {trans.__(
              'x %1, y %2 (FITS, 1-based)',
              pixel.column + 1,
              pixel.row + 1
            )}
          </span>
          <span className="jp-JwstLab-readoutValue">
            {pixel.value === null
              ? trans.__('NaN')
              : `${formatValue(pixel.value)}${pixel.unit ? ` ${pixel.unit}` : ''}`}
          </span>
          {pixel.dq !== null && (
            <span className="jp-JwstLab-readoutDq">DQ {pixel.dq}</span>
          )}
          {pixel.ra !== null && pixel.dec !== null ? (
            <span className="jp-JwstLab-readoutSky" data-wcs={pixel.wcs ?? ''}>
              {`RA ${sexagesimal(pixel.ra, true)} Dec ${sexagesimal(pixel.dec, false)} (${pixel.ra.toFixed(6)}°, ${pixel.dec >= 0 ? '+' : ''}${pixel.dec.toFixed(6)}°)`}
            </span>
          ) : (
            <span className="jp-JwstLab-muted">
              {trans.__('no WCS: no RA/Dec')}
            </span>
          )}
        </>
      )}
    </div>
  );
}

function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)
    ? value.toExponential(4)
    : value.toPrecision(6);
}

function formatScale(scale: number): string {
  return scale >= 1
    ? `${Math.round(scale * 100)}%`
    : `${(scale * 100).toPrecision(2)}%`;
}

function rectStyle(rect: {
  left: number;
  top: number;
  width: number;
  height: number;
}): React.CSSProperties {
  return {
    left: `${rect.left}px`,
    top: `${rect.top}px`,
    width: `${rect.width}px`,
    height: `${rect.height}px`
  };
}

/**
 * Where the whole-image picture goes: block-averaged by `factor`, it covers
 * the whole blocks from pixel (0, 0), i.e. pixels -0.5 .. floor(width / factor)
 * * factor - 0.5 (and the same in y); a remainder narrower than a block is left out.
 */
function placeWhole(
  view: IView,
  viewport: ISize,
  image: ISize,
  factor: number
): React.CSSProperties {
  const width = Math.floor(image.width / factor) * factor;
  const height = Math.floor(image.height / factor) * factor;
  const topLeft = imageToScreen(view, viewport, { x: -0.5, y: height - 0.5 });
  return rectStyle({
    left: topLeft.x,
    top: topLeft.y,
    width: width * view.scale,
    height: height * view.scale
  });
}
