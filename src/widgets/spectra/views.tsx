import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { ISlitInfo, ISpectrumInfo } from '../../api/models';
import { baseName } from '../../components/format';
import type { ILoadable } from '../../models/loadable';
import {
  CubeModel,
  PreviewStretch,
  SpectralImageModel,
  SpectrumFileModel
} from '../../models/spectraModels';
import { useModel } from '../../models/useModel';
import { unitLabel, wavelengthTicks, withUnit } from './plotMath';
import { SpectrumPlot } from './SpectrumPlot';

const STRETCHES: PreviewStretch[] = ['asinh', 'zscale', 'linear'];
/** Planes a cube image may average, from the current one on. */
const COLLAPSES = [1, 3, 5, 11, 25];

/** How a spectrum of an x1d is named in the selector: slit, source, order, integration. */
export function spectrumLabel(
  spectrum: ISpectrumInfo | ISlitInfo,
  trans: TranslationBundle
): string {
  const parts: string[] = [];
  if (spectrum.name) {
    parts.push(spectrum.name);
  }
  if (spectrum.source_name) {
    parts.push(spectrum.source_name);
  } else if (spectrum.source_id !== null && spectrum.source_id !== undefined) {
    parts.push(trans.__('source %1', spectrum.source_id));
  }
  if (
    spectrum.spectral_order !== null &&
    spectrum.spectral_order !== undefined
  ) {
    parts.push(trans.__('order %1', spectrum.spectral_order));
  }
  if ('integration' in spectrum && spectrum.integration !== null) {
    parts.push(trans.__('integration %1', spectrum.integration));
  }
  return parts.length > 0
    ? parts.join(' · ')
    : trans.__('Spectrum %1', spectrum.index + 1);
}

/** The loading line, the error with a Retry, or nothing once there is a value. */
function LoadStatus(props: {
  state: ILoadable<unknown>;
  loading: string;
  failed: string;
  onRetry?: () => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { state, trans } = props;
  if (state.status === 'error') {
    return (
      <div className="jp-JwstLab-spectraError" role="alert">
        <p>{`${props.failed}: ${state.error?.message ?? ''}`}</p>
        {props.onRetry && (
          <button
            type="button"
            className="jp-mod-styled"
            onClick={props.onRetry}
          >
            {trans.__('Retry')}
          </button>
        )}
      </div>
    );
  }
  if (state.status === 'loading' && state.value === null) {
    return (
      <p className="jp-JwstLab-spectraLoading" role="status" aria-busy="true">
        {props.loading}
      </p>
    );
  }
  return null;
}

/** A labelled stretch selector. */
function StretchSelect(props: {
  value: PreviewStretch;
  onChange: (stretch: PreviewStretch) => void;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <label className="jp-JwstLab-spectraField">
      {props.trans.__('Stretch')}
      <select
        className="jp-mod-styled jp-JwstLab-spectraStretch"
        value={props.value}
        onChange={event => props.onChange(event.target.value as PreviewStretch)}
      >
        {STRETCHES.map(stretch => (
          <option key={stretch} value={stretch}>
            {stretch}
          </option>
        ))}
      </select>
    </label>
  );
}

/** An x1d or x1dints: a spectrum selector and the plot of the selected spectrum. */
export function X1dView(props: {
  model: SpectrumFileModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const model = useModel(props.model);
  const answer = model.state.value;
  const spectrum = model.spectrum;
  return (
    <div className="jp-JwstLab-spectraView" data-kind="x1d">
      <header className="jp-JwstLab-spectraHeader">
        <h2 className="jp-JwstLab-spectraTitle">{baseName(model.path)}</h2>
        {answer && answer.spectra.length > 0 && (
          <label className="jp-JwstLab-spectraField">
            {trans.__('Spectrum')}
            <select
              className="jp-mod-styled jp-JwstLab-spectrumSelect"
              value={model.selected}
              onChange={event => void model.select(Number(event.target.value))}
            >
              {answer.spectra.map(item => (
                <option key={item.index} value={item.index}>
                  {spectrumLabel(item, trans)}
                </option>
              ))}
            </select>
          </label>
        )}
        {answer && answer.total_spectra > answer.spectra.length && (
          <span className="jp-JwstLab-spectraNote">
            {trans.__(
              'The first %1 of %2 spectra are listed.',
              answer.spectra.length,
              answer.total_spectra
            )}
          </span>
        )}
      </header>
      <LoadStatus
        state={model.state}
        loading={trans.__('Reading the spectra…')}
        failed={trans.__('Cannot show the spectra')}
        onRetry={() => void model.reload()}
        trans={trans}
      />
      {spectrum && (
        <>
          <SpectrumPlot
            key={spectrum.index}
            wavelength={spectrum.wavelength}
            flux={spectrum.flux}
            error={spectrum.error}
            wavelengthUnit={spectrum.wavelength_unit}
            fluxUnit={spectrum.flux_unit}
            fluxLabel={
              spectrum.flux_column === 'SURF_BRIGHT'
                ? trans.__('Surface brightness')
                : trans.__('Flux')
            }
            trans={trans}
          />
          <p className="jp-JwstLab-spectraNote" data-spectrum={spectrum.index}>
            {trans.__('%1 points', spectrum.points)}
            {spectrum.error === null && ` · ${trans.__('no error column')}`}
            {spectrum.note && ` · ${spectrum.note}`}
          </p>
        </>
      )}
    </div>
  );
}

/** An s2d: a slit selector, the slit as an image and a wavelength axis below it. */
export function S2dView(props: {
  model: SpectralImageModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const model = useModel(props.model);
  const answer = model.state.value;
  const slit = answer?.slit ?? null;
  const image = model.image;
  const ticks = React.useMemo(
    () => (slit?.wavelength ? wavelengthTicks(slit.wavelength, 7) : []),
    [slit]
  );
  return (
    <div className="jp-JwstLab-spectraView" data-kind="s2d">
      <header className="jp-JwstLab-spectraHeader">
        <h2 className="jp-JwstLab-spectraTitle">{baseName(model.path)}</h2>
        {answer && answer.slits.length > 1 && (
          <label className="jp-JwstLab-spectraField">
            {trans.__('Slit')}
            <select
              className="jp-mod-styled jp-JwstLab-slitSelect"
              value={model.slit}
              onChange={event => void model.select(Number(event.target.value))}
            >
              {answer.slits.map(item => (
                <option key={item.index} value={item.index}>
                  {spectrumLabel(item, trans)}
                </option>
              ))}
            </select>
          </label>
        )}
        <StretchSelect
          value={model.stretch}
          onChange={stretch => model.setStretch(stretch)}
          trans={trans}
        />
      </header>
      <LoadStatus
        state={model.state}
        loading={trans.__('Reading the 2-D spectrum…')}
        failed={trans.__('Cannot show the 2-D spectrum')}
        onRetry={() => void model.select(model.slit)}
        trans={trans}
      />
      <LoadStatus
        state={image}
        loading={trans.__('Drawing the slit…')}
        failed={trans.__('Cannot draw the slit')}
        trans={trans}
      />
      {slit && image.value && (
        <figure className="jp-JwstLab-s2dFigure">
          <img
            className="jp-JwstLab-s2dImage"
            src={image.value}
            alt={trans.__(
              '2-D spectrum of %1, wavelength increasing along the horizontal axis',
              spectrumLabel(slit, trans)
            )}
          />
          <svg
            className="jp-JwstLab-s2dAxis"
            viewBox={`0 0 ${slit.columns} 1`}
            preserveAspectRatio="none"
            aria-hidden="true"
          >
            {ticks.map(tick => (
              <line
                key={tick.value}
                x1={tick.column}
                x2={tick.column}
                y1={0}
                y2={1}
                vectorEffect="non-scaling-stroke"
              />
            ))}
          </svg>
          <div className="jp-JwstLab-s2dTicks">
            {ticks.map(tick => (
              <span
                key={tick.value}
                className="jp-JwstLab-s2dTick"
                style={{ left: `${(100 * tick.column) / slit.columns}%` }}
              >
                {tick.label}
              </span>
            ))}
          </div>
          <figcaption>
            {slit.wavelength
              ? trans.__(
                  'Wavelength%1 (from %2) · %3 × %4 pixels',
                  unitLabel(slit.wavelength_unit),
                  slit.wavelength_source ?? '',
                  slit.columns,
                  slit.rows
                )
              : trans.__(
                  'No wavelengths in this file (no WAVELENGTH array, gwcs or spectral WCS) · %1 × %2 pixels',
                  slit.columns,
                  slit.rows
                )}
          </figcaption>
        </figure>
      )}
    </div>
  );
}

/**
 * An s3d: a plane with a wavelength slider (arrow keys step planes), its
 * stretch, and the spectrum of the spaxel clicked, marked at the plane's λ;
 * clicking the spectrum moves to that wavelength.
 */
export function CubeView(props: {
  model: CubeModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const model = useModel(props.model);
  const cube = model.state.value;
  const image = model.image;
  const spectrum = model.spectrum.value;
  const wavelengths = cube?.wavelength ?? null;
  const lambda = wavelengths?.[model.plane] ?? null;
  const onImageClick = (event: React.MouseEvent<HTMLImageElement>) => {
    if (!cube) {
      return;
    }
    const rect = event.currentTarget.getBoundingClientRect();
    const [, rows, columns] = cube.shape;
    const x = Math.floor(((event.clientX - rect.left) / rect.width) * columns);
    // Row 0 of the cube is drawn at the bottom.
    const y =
      rows - 1 - Math.floor(((event.clientY - rect.top) / rect.height) * rows);
    if (x >= 0 && x < columns && y >= 0 && y < rows) {
      void model.pick(x, y);
    }
  };
  const pickWavelength = (value: number) => {
    if (!wavelengths) {
      return;
    }
    let best = 0;
    wavelengths.forEach((w, i) => {
      const current = wavelengths[best];
      if (
        w !== null &&
        (current === null || Math.abs(w - value) < Math.abs(current - value))
      ) {
        best = i;
      }
    });
    model.setPlane(best);
  };
  return (
    <div className="jp-JwstLab-spectraView" data-kind="s3d">
      <header className="jp-JwstLab-spectraHeader">
        <h2 className="jp-JwstLab-spectraTitle">{baseName(model.path)}</h2>
        <StretchSelect
          value={model.stretch}
          onChange={stretch => model.setStretch(stretch)}
          trans={trans}
        />
        <label className="jp-JwstLab-spectraField">
          {trans.__('Average')}
          <select
            className="jp-mod-styled jp-JwstLab-cubeCollapse"
            value={model.collapse}
            onChange={event => model.setCollapse(Number(event.target.value))}
          >
            {COLLAPSES.map(planes => (
              <option key={planes} value={planes}>
                {planes === 1
                  ? trans.__('1 plane')
                  : trans.__('%1 planes', planes)}
              </option>
            ))}
          </select>
        </label>
      </header>
      <LoadStatus
        state={model.state}
        loading={trans.__('Reading the cube…')}
        failed={trans.__('Cannot show the cube')}
        trans={trans}
      />
      {cube && (
        <div className="jp-JwstLab-cubeControls">
          <label className="jp-JwstLab-spectraField jp-JwstLab-cubeSliderLabel">
            {trans.__('Wavelength')}
            <input
              type="range"
              className="jp-JwstLab-cubeSlider"
              min={0}
              max={cube.shape[0] - 1}
              step={1}
              value={model.plane}
              aria-valuetext={
                lambda !== null
                  ? withUnit(lambda, cube.wavelength_unit, 6)
                  : trans.__('plane %1', model.plane + 1)
              }
              onChange={event => model.setPlane(Number(event.target.value))}
            />
          </label>
          <output className="jp-JwstLab-cubeLambda" data-plane={model.plane}>
            {lambda !== null
              ? trans.__(
                  'λ = %1 · plane %2 of %3%4',
                  withUnit(lambda, cube.wavelength_unit, 6),
                  model.plane + 1,
                  cube.shape[0],
                  model.collapse > 1
                    ? trans.__(' (+ %1 averaged)', model.collapse - 1)
                    : ''
                )
              : trans.__('plane %1 of %2', model.plane + 1, cube.shape[0])}
          </output>
        </div>
      )}
      <LoadStatus
        state={image}
        loading={trans.__('Drawing the plane…')}
        failed={trans.__('Cannot draw the plane')}
        trans={trans}
      />
      {cube && image.value && (
        <figure className="jp-JwstLab-cubeFigure">
          <img
            className="jp-JwstLab-cubeImage"
            src={image.value}
            data-plane={model.shownPlane ?? ''}
            style={{ aspectRatio: `${cube.shape[2]} / ${cube.shape[1]}` }}
            alt={trans.__('Plane %1 of the cube', (model.shownPlane ?? 0) + 1)}
            title={trans.__('Click a spaxel for its spectrum')}
            onClick={onImageClick}
          />
          <figcaption>
            {trans.__(
              '%1 × %2 spaxels · %3',
              cube.shape[2],
              cube.shape[1],
              cube.unit ?? trans.__('no unit')
            )}
            {model.spaxel &&
              ` · ${trans.__('spaxel x %1, y %2', model.spaxel.x, model.spaxel.y)}`}
          </figcaption>
        </figure>
      )}
      {model.spaxel === null && cube && (
        <p className="jp-JwstLab-spectraNote">
          {trans.__('Click a spaxel of the image for its spectrum.')}
        </p>
      )}
      <LoadStatus
        state={model.spectrum}
        loading={trans.__('Reading the spaxel’s spectrum…')}
        failed={trans.__('Cannot read the spectrum')}
        trans={trans}
      />
      {spectrum && (
        <SpectrumPlot
          key={`${spectrum.x},${spectrum.y}`}
          wavelength={spectrum.wavelength}
          flux={spectrum.flux}
          error={spectrum.error}
          wavelengthUnit={spectrum.wavelength_unit}
          fluxUnit={spectrum.unit}
          fluxLabel={trans.__('Surface brightness')}
          marker={lambda}
          onPick={pickWavelength}
          trans={trans}
          height={240}
        />
      )}
    </div>
  );
}
