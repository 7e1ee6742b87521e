import * as React from 'react';

import type {
  ICubeInfo,
  ISpectraResponse,
  ISpectrumData,
  ISpectrumInfo
} from '../api/models';
import {
  CubeModel,
  spectralKind,
  SpectrumFileModel
} from '../models/spectraModels';
import {
  bandPath,
  extent,
  formatTick,
  invertLinear,
  linePath,
  nearestIndex,
  niceTicks,
  scaleLinear,
  wavelengthTicks,
  zoomRange
} from '../widgets/spectra/plotMath';
import { JobDetailModel } from '../models/jobDetailModel';
import { IJobDetailActions, JobDetailView } from '../widgets/jobs/detail';
import { X1dView } from '../widgets/spectra/views';
import {
  cleanUp,
  FakeClient,
  FakeEvents,
  makeJob,
  own,
  query as $,
  queryAll,
  render,
  trans,
  waitFor
} from './fixtures';

const identity = (value: number) => value;

describe('plot maths', () => {
  it('finds the extent of values and of their error band, ignoring gaps', () => {
    expect(extent([1, null, 3, 2])).toEqual({ min: 1, max: 3 });
    expect(extent([1, null, 3], [0.5, 9, 1])).toEqual({ min: 0.5, max: 4 });
    expect(extent([null, null])).toBeNull();
    expect(extent([])).toBeNull();
  });

  it('places nice ticks on a wavelength range and labels them with the decimals they need', () => {
    expect(niceTicks({ min: 2.9, max: 5.1 }, 5)).toEqual({
      ticks: [3, 3.5, 4, 4.5, 5],
      step: 0.5
    });
    const small = niceTicks({ min: 0.00091, max: 0.00112 }, 4);
    expect(small.step).toBeCloseTo(5e-5);
    expect(small.ticks[0]).toBeCloseTo(0.00095);
    expect(formatTick(3.5, 0.5)).toBe('3.5');
    expect(formatTick(4, 0.5)).toBe('4.0');
    expect(formatTick(0.00095, 5e-5)).toBe('9.5e-4');
    expect(niceTicks({ min: 2, max: 2 }).ticks).toEqual([2]);
  });

  it('maps data onto pixels and back, with the y axis upside down', () => {
    const sy = scaleLinear({ min: 0, max: 10 }, { min: 300, max: 10 });
    expect(sy(0)).toBe(300);
    expect(sy(10)).toBe(10);
    const back = invertLinear({ min: 0, max: 10 }, { min: 300, max: 10 });
    expect(back(sy(7.5))).toBeCloseTo(7.5);
  });

  it('breaks the line at missing points', () => {
    expect(
      linePath([0, 1, 2, 3, 4], [0, 1, null, 3, 4], identity, identity)
    ).toBe('M0,0L1,1M3,3L4,4');
    expect(linePath([0, null], [1, 1], identity, identity)).toBe('M0,1');
  });

  it('draws the error band as one closed polygon per run of known errors', () => {
    expect(
      bandPath([0, 1, 2, 3], [5, 5, 5, 5], [1, 2, null, 1], identity, identity)
    ).toBe('M0,6L1,7L1,3L0,4ZM3,6L3,4Z');
    expect(bandPath([0, 1], [1, 1], [null, null], identity, identity)).toBe('');
  });

  it('reads out the nearest point that has a value', () => {
    const xs = [1, 2, 3, 4];
    expect(nearestIndex(xs, [1, null, 1, 1], 2.1)).toBe(2);
    expect(nearestIndex(xs, [null, null, null, null], 2)).toBe(-1);
  });

  it('zooms around a point, inside the limits, never below the smallest span', () => {
    const limits = { min: 0, max: 100 };
    expect(zoomRange(limits, 50, 0.5, limits)).toEqual({ min: 25, max: 75 });
    expect(zoomRange({ min: 0, max: 20 }, 0, 0.5, limits)).toEqual({
      min: 0,
      max: 10
    });
    expect(zoomRange({ min: 80, max: 100 }, 95, 2, limits)).toEqual({
      min: 60,
      max: 100
    });
    expect(zoomRange({ min: 40, max: 60 }, 50, 0.001, limits, 5)).toEqual({
      min: 47.5,
      max: 52.5
    });
    expect(zoomRange({ min: 40, max: 60 }, 50, 100, limits)).toEqual(limits);
  });

  it('puts wavelength ticks at the columns that have those wavelengths', () => {
    // Column i spans [i, i+1); its wavelength belongs to its centre.
    const increasing = [null, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, null];
    const ticks = wavelengthTicks(increasing, 3);
    expect(ticks.map(t => t.label)).toEqual(['1.0', '1.2', '1.4']);
    expect(ticks[0].column).toBeCloseTo(1.5);
    expect(ticks[1].column).toBeCloseTo(3.5);
    const decreasing = [2.0, 1.5, 1.0];
    const down = wavelengthTicks(decreasing, 2);
    expect(down.map(t => [t.value, t.column])).toEqual([
      [1, 2.5],
      [1.5, 1.5],
      [2, 0.5]
    ]);
    expect(wavelengthTicks([null, 3])).toEqual([]);
  });

  it('recognises spectral products by their JWST suffix', () => {
    expect(spectralKind('a/jw01_x1d.fits')).toBe('x1d');
    expect(spectralKind('jw01-seg001_nis_x1dints.fits')).toBe('x1d');
    expect(spectralKind('jw01_s2d.fits')).toBe('s2d');
    expect(spectralKind('jw01_s3d.fits')).toBe('s3d');
    expect(spectralKind('jw01_i2d.fits')).toBeNull();
  });
});

// --- models and views -------------------------------------------------------------------

function info(index: number, order: number): ISpectrumInfo {
  return {
    index,
    extension: index + 1,
    row: null,
    name: `S200A${index + 1}`,
    source_id: index + 1,
    source_name: null,
    spectral_order: order,
    integration: null,
    segment: null
  };
}

function data(index: number, offset: number): ISpectrumData {
  return {
    index,
    flux_column: 'FLUX',
    wavelength_unit: 'um',
    flux_unit: 'Jy',
    points: 4,
    shown: 4,
    downsampled: false,
    note: null,
    wavelength: [1, 2, 3, 4],
    flux: [offset, offset + 1, null, offset + 2],
    error: [0.1, 0.1, null, 0.1]
  };
}

function spectraClient(): FakeClient {
  const client = new FakeClient(() => Promise.reject(new Error('no info')));
  client.jobsApi.getSpectra = async (path, options) => {
    const index = options?.index ?? 0;
    const answer: ISpectraResponse = {
      path,
      kind: 'x1d',
      total_spectra: 2,
      spectra: [info(0, 1), info(1, 2)],
      spectrum: data(index, index * 10)
    };
    return answer;
  };
  return client;
}

describe('spectra models and views', () => {
  afterEach(cleanUp);

  it('fetches a spectrum once and switches back from the cache', async () => {
    const client = spectraClient();
    const model = own(new SpectrumFileModel({ client, path: 'x_x1d.fits' }));
    await waitFor(() => expect(model.spectrum?.index).toBe(0));
    await model.select(1);
    expect(model.spectrum?.flux[0]).toBe(10);
    await model.select(0);
    expect(model.spectrum?.flux[0]).toBe(0);
    expect(client.jobsCalls.map(call => call[0])).toEqual([
      'getSpectra',
      'getSpectra'
    ]);
  });

  it('renders the plot with a line, an error band and a selector per spectrum', async () => {
    const client = spectraClient();
    const model = own(new SpectrumFileModel({ client, path: 'x_x1d.fits' }));
    const node = render(<X1dView model={model} trans={trans} />);
    await waitFor(() =>
      expect(queryAll(node, '.jp-JwstLab-spectrumLine')).toHaveLength(1)
    );
    const line = $(node, '.jp-JwstLab-spectrumLine').getAttribute('d') ?? '';
    expect(line.match(/M/g)).toHaveLength(2); // the gap splits the line
    const band = $(node, '.jp-JwstLab-spectrumBand').getAttribute('d') ?? '';
    expect(band.match(/Z/g)).toHaveLength(2);
    const options = queryAll<HTMLOptionElement>(
      node,
      '.jp-JwstLab-spectrumSelect option'
    );
    expect(options.map(o => o.textContent)).toEqual([
      'S200A1 · source 1 · order 1',
      'S200A2 · source 2 · order 2'
    ]);
    expect(node.textContent).toContain('Wavelength [µm]');
    expect(node.textContent).toContain('Flux [Jy]');
  });

  it('asks for one cube plane at a time, then the latest one the slider reached', async () => {
    const client = new FakeClient(() => Promise.reject(new Error('no info')));
    const cube: ICubeInfo = {
      path: 'c_s3d.fits',
      shape: [10, 4, 5],
      unit: 'MJy/sr',
      wavelength: Array.from({ length: 10 }, (_, i) => 5 + i * 0.01),
      wavelength_unit: 'um',
      wavelength_source: 'WAVE',
      has_error: true,
      instrument: 'MIRI',
      channel: '1',
      band: 'SHORT',
      grating: null,
      filter: null
    };
    const pending: (() => void)[] = [];
    client.jobsApi.getCube = async () => cube;
    client.jobsApi.getCubeSlice = () =>
      new Promise<Blob>(resolve =>
        pending.push(() => resolve(new Blob(['png'])))
      );
    (
      URL as unknown as { createObjectURL: (b: Blob) => string }
    ).createObjectURL = () => `blob:${pending.length}`;
    (
      URL as unknown as { revokeObjectURL: (u: string) => void }
    ).revokeObjectURL = () => undefined;
    const model = own(new CubeModel({ client, path: 'c_s3d.fits' }));
    await waitFor(() => expect(pending).toHaveLength(1)); // the middle plane
    expect(model.plane).toBe(5);
    model.setPlane(6);
    model.setPlane(7);
    model.setPlane(8);
    expect(pending).toHaveLength(1);
    pending[0]();
    await waitFor(() => expect(pending).toHaveLength(2));
    pending[1]();
    await waitFor(() => expect(model.shownPlane).toBe(8));
    const planes = client.jobsCalls
      .filter(call => call[0] === 'getCubeSlice')
      .map(call => (call[2] as { index: number }).index);
    expect(planes).toEqual([5, 8]);
    model.setPlane(99);
    expect(model.plane).toBe(9);
    await waitFor(() => expect(pending).toHaveLength(3));
    pending[2]();
    await waitFor(() => expect(model.shownPlane).toBe(9));
    // A wavelength range collapsed: the planes from the current one on, averaged.
    model.setCollapse(5);
    await waitFor(() => expect(pending).toHaveLength(4));
    const slices = client.jobsCalls.filter(call => call[0] === 'getCubeSlice');
    expect(slices[slices.length - 1][2]).toEqual({
      index: 9,
      stretch: 'asinh',
      collapse: 5
    });
  });
});

describe('spectral outputs of a job', () => {
  afterEach(cleanUp);

  it('offer a plot (x1d, s2d) or a cube (s3d), and nothing for other files', async () => {
    const outputs = [
      'spec/jw01-o001_t001_nirspec_g395h_x1d.fits',
      'spec/jw01-o001_t001_nirspec_g395h_s2d.fits',
      'spec/jw01-o001_t001_miri_ch1-short_s3d.fits',
      'spec/jw01-o001_t001_miri_ch1-short_cal.fits'
    ];
    const client = new FakeClient(() => Promise.reject(new Error('no info')));
    client.jobsApi.getJob = async () =>
      makeJob({ status: 'succeeded', outputs });
    client.jobsApi.getJobLog = async () => ({
      text: '',
      next_offset: 0,
      done: true
    });
    const opened: string[] = [];
    const actions: IJobDetailActions = {
      openFile: () => undefined,
      showInFileBrowser: () => undefined,
      copy: () => undefined,
      confirm: async () => true,
      openJob: () => undefined,
      openSpectrum: path => opened.push(path)
    };
    const model = own(
      new JobDetailModel({
        client,
        events: new FakeEvents(),
        jobId: 'job-1',
        logPollInterval: 0
      })
    );
    const host = render(
      <JobDetailView model={model} trans={trans} actions={actions} />
    );
    await waitFor(() =>
      expect(queryAll(host, '.jp-JwstLab-output')).toHaveLength(4)
    );
    const buttons = queryAll<HTMLButtonElement>(
      host,
      '.jp-JwstLab-spectrumButton'
    );
    expect(buttons.map(b => b.textContent)).toEqual([
      'Plot spectrum',
      'Plot spectrum',
      'Open cube'
    ]);
    buttons.forEach(b => b.click());
    expect(opened).toEqual(outputs.slice(0, 3));
  });
});
