import { StateDB } from '@jupyterlab/statedb';

import { JwstLabApiError } from '../api/client';
import type { IDownloadRequest, IMastSearchParams } from '../api/models';
import {
  BASKET_KEY,
  LAST_SEARCH_KEY,
  trackBasket,
  trackLastSearch
} from '../mast/lastSearch';
import { MastPanel } from '../widgets/mast/panel';
import {
  attach,
  changeValue,
  click,
  failing,
  FakeEvents,
  fill,
  makeClient,
  makeJob,
  query,
  queryAll,
  waitFor
} from './fixtures';
import {
  makeObservation,
  makeProduct,
  makeProductsResult,
  makeSearchResult,
  mastClient,
  OBSERVATION_ROWS,
  openPanel,
  PRODUCT_ROWS,
  rowsShown,
  search,
  searchReady,
  submitForm,
  withResults
} from './mastFixtures';
import { makeRun } from './runsFixtures';

function searchCalls(client: ReturnType<typeof mastClient>) {
  return client.mastCalls
    .filter(call => call[0] === 'searchObservations')
    .map(call => call[1] as IMastSearchParams);
}

function rowTexts(panel: MastPanel, column: number): string[] {
  return queryAll(panel, OBSERVATION_ROWS).map(
    row => row.querySelectorAll('td')[column].textContent ?? ''
  );
}

/** Open the first observation found by `proposal_id` and select its recommended products. */
async function selectRecommendedOf(
  panel: MastPanel,
  proposalId: string
): Promise<void> {
  search(panel, 'input.jp-JwstLab-mastProgram', proposalId);
  await rowsShown(panel);
  click(panel, OBSERVATION_ROWS);
  await waitFor(() => query(panel, 'button.jp-JwstLab-selectRecommended'));
  click(panel, 'button.jp-JwstLab-selectRecommended');
}

/** Click Download once the selection enables it. */
async function download(panel: MastPanel): Promise<void> {
  await waitFor(() =>
    expect(
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-downloadButton')
        .disabled
    ).toBe(false)
  );
  click(panel, 'button.jp-JwstLab-downloadButton');
}

describe('MAST panel search', () => {
  it('searches the form with Enter and shows the rows, the total and the snippet', async () => {
    const client = mastClient();
    client.searchAnswer = async params =>
      makeSearchResult(
        [
          makeObservation(1, { target_name: 'DEMO-FIELD' }),
          makeObservation(2, {
            target_name: 'DEMO-FIELD',
            dataRights: 'EXCLUSIVE_ACCESS'
          })
        ],
        { total: 2, page: params.page, page_size: params.page_size }
      );
    const copied: string[] = [];
    const panel = await openPanel({ client, copy: text => copied.push(text) });

    fill(panel, 'input.jp-JwstLab-mastQuery', 'DEMO-FIELD');
    fill(panel, 'select.jp-JwstLab-mastInstrument', 'MIRI');
    fill(panel, 'input.jp-JwstLab-mastFilters', 'f770w, f1800w');
    fill(panel, 'select.jp-JwstLab-mastCalibLevel', '3');
    fill(panel, 'input.jp-JwstLab-mastTMin', '2023-01-01');
    submitForm(panel);

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastCount').textContent).toBe(
        '1–2 of 2 observations'
      )
    );
    expect(searchCalls(client)).toEqual([
      {
        target: 'DEMO-FIELD',
        radius: 0.05,
        sort: 'obs_id',
        instrument: 'MIRI',
        filters: 'F770W,F1800W',
        calib_level: '3',
        t_min: '2023-01-01',
        page: 1,
        page_size: 1000
      }
    ]);
    const rows = queryAll(panel, OBSERVATION_ROWS);
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('jw01234-o001_t001_miri_f770w');
    // exclusive-access rows are marked
    expect(rows[0].classList.contains('jp-mod-exclusive')).toBe(false);
    expect(rows[1].classList.contains('jp-mod-exclusive')).toBe(true);
    expect(
      rows[1].querySelector('.jp-JwstLab-exclusiveMark')?.getAttribute('title')
    ).toContain('Exclusive access');
    // MJD start times are shown as UTC dates
    expect(rows[0].textContent).toContain('2023-02-26 12:00');

    click(panel, '.jp-JwstLab-mastResultsToolbar button.jp-JwstLab-copyPython');
    expect(copied).toEqual([
      'from astroquery.mast import Observations\nObservations.query_criteria(target_name="DEMO-FIELD")'
    ]);
  });

  it('checks the form before asking the server', async () => {
    const client = mastClient();
    const panel = await openPanel({ client });
    const button = () =>
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-mastSearch');

    // nothing to search for
    expect(button().disabled).toBe(true);
    expect(query(panel, '.jp-JwstLab-mastFormHint').textContent).toContain(
      'at least one criterion'
    );

    fill(panel, 'input.jp-JwstLab-mastProgram', 'abc');
    await waitFor(() =>
      expect(
        query(panel, '.jp-JwstLab-fieldError[data-field="proposal_id"]')
          .textContent
      ).toContain('up to 6 digits')
    );
    fill(panel, 'input.jp-JwstLab-mastProgram', '2733');
    fill(panel, 'input.jp-JwstLab-mastTMin', '2024-05-01');
    fill(panel, 'input.jp-JwstLab-mastTMax', '2024-01-01');
    await waitFor(() =>
      expect(
        query(panel, '.jp-JwstLab-fieldError[data-field="t_max"]').textContent
      ).toBe('The end date is before the start date.')
    );
    expect(button().disabled).toBe(true);
    submitForm(panel);
    expect(searchCalls(client)).toEqual([]);
  });

  it('puts a 400 next to the field it names, else as the form error, and a 502 in a banner', async () => {
    const client = mastClient();
    let answer: Error = new JwstLabApiError(
      'must be more than 0 and at most 3 degrees, not 5',
      { status: 400, reason: 'bad_request', field: 'radius' }
    );
    client.searchAnswer = () => Promise.reject(answer);
    const panel = await openPanel({ client });
    search(panel, 'input.jp-JwstLab-mastQuery', '83.82 -5.39');

    await waitFor(() =>
      expect(
        query(panel, '.jp-JwstLab-fieldError[data-field="radius"]').textContent
      ).toBe('must be more than 0 and at most 3 degrees, not 5')
    );
    expect(
      query<HTMLInputElement>(
        panel,
        'input.jp-JwstLab-mastRadius'
      ).getAttribute('aria-invalid')
    ).toBe('true');
    expect(panel.node.querySelectorAll('.jp-JwstLab-fieldError')).toHaveLength(
      1
    );
    expect(panel.node.querySelector('.jp-JwstLab-banner')).toBeNull();

    // typing in the field clears what the server said about it
    fill(panel, 'input.jp-JwstLab-mastRadius', '2');
    await waitFor(() =>
      expect(
        panel.node.querySelector('.jp-JwstLab-fieldError[data-field="radius"]')
      ).toBeNull()
    );

    // the field decides, not the message: this one names radius but is about the instrument
    answer = new JwstLabApiError('unknown instrument FOO for radius search', {
      status: 400,
      reason: 'bad_request',
      field: 'instrument'
    });
    submitForm(panel);
    await waitFor(() =>
      expect(
        query(panel, '.jp-JwstLab-fieldError[data-field="instrument"]')
          .textContent
      ).toBe('unknown instrument FOO for radius search')
    );
    expect(
      panel.node.querySelector('.jp-JwstLab-fieldError[data-field="radius"]')
    ).toBeNull();

    // a field the form does not have, or none: the form's general error
    for (const field of ['page_size', undefined]) {
      answer = new JwstLabApiError(`bad request (${field})`, {
        status: 400,
        reason: 'bad_request',
        field
      });
      submitForm(panel);
      await waitFor(() =>
        expect(
          query(panel, '.jp-JwstLab-fieldError[data-field="form"]').textContent
        ).toBe(`bad request (${field})`)
      );
      expect(
        panel.node.querySelectorAll('.jp-JwstLab-fieldError')
      ).toHaveLength(1);
    }

    answer = new JwstLabApiError('MAST answered 503 Service Unavailable', {
      status: 502,
      reason: 'upstream_error'
    });
    submitForm(panel);
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-banner').textContent).toBe(
        'MAST did not answer as expected: MAST answered 503 Service Unavailable'
      )
    );
    expect(query(panel, '.jp-JwstLab-banner').getAttribute('role')).toBe(
      'alert'
    );
  });

  it('says at the target field when the name resolver does not know it', async () => {
    const client = mastClient();
    client.searchAnswer = failing(
      'Could not resolve "NO SUCH THING" to a position',
      {
        status: 404,
        reason: 'not_found',
        field: 'target'
      }
    );
    const panel = await openPanel({ client });
    search(panel, 'input.jp-JwstLab-mastQuery', 'NO SUCH THING');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastQueryHint').textContent).toBe(
        'Could not resolve "NO SUCH THING" to a position'
      )
    );

    // A 404 is placed by its field, not by its status: naming none, it is the banner's.
    client.searchAnswer = failing('No such route', {
      status: 404,
      reason: 'not_found'
    });
    submitForm(panel);
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-banner').textContent).toContain(
        'No such route'
      )
    );
    expect(panel.node.querySelector('.jp-JwstLab-fieldError')).toBeNull();
    expect(query(panel, '.jp-JwstLab-mastQueryHint').textContent).not.toContain(
      'Could not resolve'
    );
  });

  it('clears stale results and products for an unknown target and keeps the details behind a disclosure', async () => {
    const client = mastClient();
    client.searchAnswer = async () =>
      makeSearchResult([makeObservation(1), makeObservation(2)]);
    client.productsAnswer = async () =>
      makeProductsResult([makeProduct('a_cal.fits', { recommended: true })]);
    const panel = await openPanel({ client });
    search(panel, 'input.jp-JwstLab-mastQuery', 'DEMO-FIELD');
    await rowsShown(panel, 2);
    expect(query(panel, '.jp-JwstLab-mastSummaryCount').textContent).toBe(
      '2 results'
    );
    click(panel, OBSERVATION_ROWS);
    await rowsShown(panel, 1, PRODUCT_ROWS);
    expect(queryAll(panel, 'path.jp-JwstLab-footprint')).toHaveLength(2);

    client.searchAnswer = failing(
      "MAST's name resolver does not know 'NOWHERE 9'",
      {
        status: 404,
        reason: 'unknown_target',
        field: 'target',
        detail:
          'http://resolver.example/Santa-war/query answered with no position'
      }
    );
    search(panel, 'input.jp-JwstLab-mastQuery', 'NOWHERE 9');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastQueryHint').textContent).toBe(
        "MAST's name resolver does not know 'NOWHERE 9'"
      )
    );
    expect(query(panel, '.jp-JwstLab-mastQueryDetail p').textContent).toContain(
      'resolver.example'
    );
    expect(panel.node.querySelector('.jp-JwstLab-banner')).toBeNull();
    expect(queryAll(panel, OBSERVATION_ROWS)).toHaveLength(0);
    expect(queryAll(panel, PRODUCT_ROWS)).toHaveLength(0);
    expect(panel.products.observation).toBeNull();
    expect(queryAll(panel, 'path.jp-JwstLab-footprint')).toHaveLength(0);
    expect(panel.node.querySelector('.jp-JwstLab-mastSummaryCount')).toBeNull();
  });

  it('pages through the server total and keeps the page size', async () => {
    const client = mastClient();
    client.searchAnswer = async params =>
      makeSearchResult(
        Array.from({ length: params.page === 3 ? 500 : 1000 }, (_, index) =>
          makeObservation(((params.page ?? 1) - 1) * 1000 + index)
        ),
        { total: 2500, page: params.page, page_size: params.page_size }
      );
    const panel = await openPanel({ client });
    search(panel, 'input.jp-JwstLab-mastProgram', '1234');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastPage').textContent).toBe(
        'Page 1 of 3'
      )
    );
    expect(
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-mastPrev').disabled
    ).toBe(true);

    click(panel, 'button.jp-JwstLab-mastNext');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastCount').textContent).toBe(
        '1001–2000 of 2500 observations'
      )
    );
    click(panel, 'button.jp-JwstLab-mastNext');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastCount').textContent).toBe(
        '2001–2500 of 2500 observations'
      )
    );
    expect(
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-mastNext').disabled
    ).toBe(true);
    expect(searchCalls(client).map(call => call.page)).toEqual([1, 2, 3]);
    expect(searchCalls(client)[2]).toEqual({
      proposal_id: '1234',
      page: 3,
      page_size: 1000,
      sort: 'obs_id'
    });

    fill(panel, 'select.jp-JwstLab-mastPageSize', '500');
    await waitFor(() => expect(searchCalls(client)).toHaveLength(4));
    expect(searchCalls(client)[3]).toEqual({
      proposal_id: '1234',
      page: 1,
      page_size: 500,
      sort: 'obs_id'
    });
  });

  it('sorts by a column header and chooses the columns shown', async () => {
    const client = mastClient();
    client.searchAnswer = async () =>
      makeSearchResult([
        makeObservation(1, { target_name: 'NGC 3132' }),
        makeObservation(2, { target_name: null }),
        makeObservation(3, { target_name: 'M 16' }),
        makeObservation(4, { target_name: 'NGC 628' })
      ]);
    const panel = await openPanel({ client });
    search(panel, 'input.jp-JwstLab-mastProgram', '1234');
    await rowsShown(panel, 4);
    // column 0 is the access mark, 1 obs_id, 2 target_name
    const header = () =>
      query(panel, '.jp-JwstLab-mastTable th[data-column="target_name"]');
    header().querySelector('button')!.click();
    await waitFor(() =>
      expect(rowTexts(panel, 2)).toEqual(['M 16', 'NGC 628', 'NGC 3132', ''])
    );
    expect(header().getAttribute('aria-sort')).toBe('ascending');
    header().querySelector('button')!.click();
    await waitFor(() =>
      expect(rowTexts(panel, 2)).toEqual(['NGC 3132', 'NGC 628', 'M 16', ''])
    );
    expect(header().getAttribute('aria-sort')).toBe('descending');

    // the column chooser lists the server's columns and adds RA
    const ra = queryAll<HTMLInputElement>(
      panel,
      '.jp-JwstLab-mastColumns input[type="checkbox"]'
    ).find(input => input.parentElement?.textContent === 'RA (°)')!;
    expect(ra.checked).toBe(false);
    ra.click();
    await waitFor(() =>
      expect(
        panel.node.querySelector('.jp-JwstLab-mastTable [data-column="s_ra"]')
      ).not.toBeNull()
    );
    expect(panel.search.columns).toContain('s_ra');
  });
});

describe('MAST panel server sort', () => {
  it('sorts the page here when the server cannot sort by the column', async () => {
    const client = mastClient();
    client.searchAnswer = async params => {
      if (params.sort) {
        throw new JwstLabApiError(
          `sort must be an observation column (optionally with -), not '${params.sort}'`,
          { status: 400, reason: 'bad_request', field: 'sort' }
        );
      }
      return makeSearchResult(
        [
          makeObservation(1, { target_name: 'B' }),
          makeObservation(2, { target_name: 'A' })
        ],
        { total: 5000 }
      );
    };
    const panel = await openPanel({ client });
    search(panel, 'input.jp-JwstLab-mastProgram', '1234');
    await waitFor(() => expect(rowTexts(panel, 2)).toEqual(['B', 'A']));
    click(panel, '.jp-JwstLab-mastTable [data-column="target_name"] button');
    await waitFor(() => expect(rowTexts(panel, 2)).toEqual(['A', 'B']));
    // obs_id (the default order) is refused, then the page is sorted here
    expect(searchCalls(client).map(call => call.sort)).toEqual([
      'obs_id',
      undefined
    ]);
    expect(panel.node.querySelector('.jp-JwstLab-fieldError')).toBeNull();
    expect(panel.node.querySelector('.jp-JwstLab-banner')).toBeNull();
  });
});

describe('MAST panel without live events', () => {
  it('follows the download by asking for the jobs', async () => {
    const client = mastClient();
    client.searchAnswer = async () => makeSearchResult([makeObservation(1)]);
    client.productsAnswer = async () =>
      makeProductsResult([
        makeProduct('a_cal.fits', { recommended: true, size: 10 })
      ]);
    const events = new FakeEvents('reconnecting');
    const panel = await openPanel({ client, events });
    await selectRecommendedOf(panel, '1234');
    client.jobsApi.getJob = async id =>
      makeJob({
        id,
        kind: 'download',
        status: 'succeeded',
        progress: {
          bytes_done: 10,
          bytes_total: 10,
          files_done: 1,
          files_total: 1
        } as never
      });
    await download(panel);
    await waitFor(
      () =>
        expect(query(panel, '.jp-JwstLab-downloadStatus').dataset.status).toBe(
          'succeeded'
        ),
      5000
    );
    expect(client.jobsCalls).toContainEqual(['getJob', 'download-1']);
    expect(query(panel, '.jp-JwstLab-downloadText').textContent).toMatch(
      /Downloaded: 1 of 1 files?/
    );
  });
});

describe('MAST panel products and download', () => {
  async function openObservation(
    options: { events?: FakeEvents; openFolder?: (path: string) => void } = {}
  ) {
    const client = mastClient();
    client.searchAnswer = async () =>
      makeSearchResult([makeObservation(1), makeObservation(2)]);
    const products = [
      makeProduct('jw01234-o001_t001_miri_f770w_i2d.fits', {
        level: 3,
        size: 2_000_000,
        recommended: true,
        subgroup: 'I2D'
      }),
      makeProduct('jw01234001001_02101_00001_mirimage_cal.fits', {
        level: 2,
        size: 500_000,
        recommended: true
      }),
      makeProduct('jw01234001001_02101_00001_mirimage_uncal.fits', {
        level: 1,
        size: 7_000_000,
        subgroup: 'UNCAL'
      }),
      makeProduct('jw01234-o001_t001_miri_f770w_i2d.jpg', {
        type: 'PREVIEW',
        level: 3,
        size: 30_000
      })
    ];
    client.productsAnswer = async (_obsid, params) =>
      makeProductsResult(
        products.filter(
          row =>
            (!params.product_type || row.productType === params.product_type) &&
            (params.calib_level === undefined ||
              String(row.calib_level) === params.calib_level)
        ),
        {
          total: products.length,
          python: 'Observations.get_product_list("90000001")'
        }
      );
    const copied: string[] = [];
    const panel = await openPanel({
      client,
      events: options.events,
      copy: text => copied.push(text),
      openFolder: options.openFolder,
      defaultFolder: () => 'notebooks/data'
    });
    search(panel, 'input.jp-JwstLab-mastQuery', 'DEMO-FIELD');
    await rowsShown(panel, 2);
    click(panel, OBSERVATION_ROWS);
    await rowsShown(panel, 4, PRODUCT_ROWS);
    return { client, panel, copied };
  }

  it('lists the products of the clicked observation, ticks the recommended ones and sums their size', async () => {
    const { client, panel, copied } = await openObservation();
    expect(client.mastCalls.find(call => call[0] === 'listProducts')).toEqual([
      'listProducts',
      '90000001',
      { product_type: undefined, calib_level: undefined }
    ]);
    expect(query(panel, '.jp-JwstLab-sectionTitle').textContent).toBe(
      'Products of jw01234-o001_t001_miri_f770w'
    );
    expect(query(panel, OBSERVATION_ROWS).getAttribute('aria-selected')).toBe(
      'true'
    );

    click(panel, 'button.jp-JwstLab-selectRecommended');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-selectionSummary').textContent).toBe(
        '2 selected (2 of them listed here) · 2.5 MB'
      )
    );
    const checks = queryAll<HTMLInputElement>(
      panel,
      '.jp-JwstLab-productTable input.jp-JwstLab-productCheck'
    );
    expect(checks.map(check => check.checked)).toEqual([
      true,
      true,
      false,
      false
    ]);
    expect(query(panel, 'button.jp-JwstLab-downloadButton').textContent).toBe(
      'Download 2 files'
    );

    // a checkbox adds one product
    checks[2].click();
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-selectionSummary').textContent).toBe(
        '3 selected (3 of them listed here) · 9.5 MB'
      )
    );

    // filtering asks the server again and keeps the selection
    fill(panel, 'select.jp-JwstLab-productLevel', '3');
    await rowsShown(panel, 2, PRODUCT_ROWS);
    expect(
      client.mastCalls.filter(call => call[0] === 'listProducts')
    ).toContainEqual([
      'listProducts',
      '90000001',
      { product_type: undefined, calib_level: '3' }
    ]);
    expect(query(panel, '.jp-JwstLab-selectionSummary').textContent).toBe(
      '3 selected (1 of them listed here) · 9.5 MB'
    );
    fill(panel, 'select.jp-JwstLab-productType', 'PREVIEW');
    await rowsShown(panel, 1, PRODUCT_ROWS);
    // "Recommended" selects exactly the recommended products listed: none here
    expect(
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-selectRecommended')
        .disabled
    ).toBe(true);

    click(panel, '.jp-JwstLab-mastProducts button.jp-JwstLab-copyPython');
    expect(copied).toEqual(['Observations.get_product_list("90000001")']);
  });

  it('downloads the selection into the chosen folder and follows the job to "Open folder"', async () => {
    const events = new FakeEvents();
    const opened: string[] = [];
    const { client, panel, copied } = await openObservation({
      events,
      openFolder: path => opened.push(path)
    });
    client.downloadAnswer = async (request: IDownloadRequest) => ({
      ...makeJob({
        id: 'dl-7',
        kind: 'download',
        status: 'queued',
        input: '2 products',
        pipeline: null,
        output_dir: request.dest ?? '',
        progress: {
          steps_total: 2,
          steps_done: 0,
          current_step: null,
          skipped_steps: []
        }
      }),
      python: 'Observations.download_products(["mast:JWST/product/a.fits"])'
    });
    const folder = query<HTMLInputElement>(
      panel,
      'input.jp-JwstLab-downloadFolder'
    );
    // the default folder (settings or the file browser's) fills the field
    expect(folder.value).toBe('notebooks/data');
    changeValue(folder, '/data/mast/');
    click(panel, 'button.jp-JwstLab-selectRecommended');
    await download(panel);

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-downloadStatus').dataset.status).toBe(
        'queued'
      )
    );
    expect(client.mastCalls.find(call => call[0] === 'createDownload')).toEqual(
      [
        'createDownload',
        {
          products: [
            'mast:JWST/product/jw01234-o001_t001_miri_f770w_i2d.fits',
            'mast:JWST/product/jw01234001001_02101_00001_mirimage_cal.fits'
          ],
          // the archive that listed the products
          source: 'local',
          dest: 'data/mast'
        }
      ]
    );
    expect(query(panel, '.jp-JwstLab-downloadText').textContent).toContain(
      'job dl-7 in the Jobs panel'
    );

    // progress from job events moves the bar
    events.emit({
      type: 'job.progress',
      job_id: 'other-job',
      progress: {
        bytes_done: 9,
        bytes_total: 10,
        files_done: 1,
        files_total: 1
      }
    });
    events.emit({
      type: 'job.progress',
      job_id: 'dl-7',
      progress: {
        bytes_done: 1_250_000,
        bytes_total: 2_500_000,
        files_done: 1,
        files_total: 2
      }
    });
    await waitFor(() =>
      expect(
        query<HTMLProgressElement>(
          panel,
          'progress.jp-JwstLab-downloadProgress'
        ).value
      ).toBeCloseTo(0.5)
    );
    expect(query(panel, '.jp-JwstLab-downloadText').textContent).toContain(
      'Downloading: 1 of 2 files, 1.3 MB of 2.5 MB'
    );
    expect(panel.node.querySelector('button.jp-JwstLab-openFolder')).toBeNull();

    events.emit({
      type: 'job.updated',
      job_id: 'dl-7',
      job: makeJob({
        id: 'dl-7',
        kind: 'download',
        status: 'succeeded',
        pipeline: null,
        output_dir: 'data/mast',
        outputs: [
          'data/mast/JWST/jw01234-o001_t001_miri_f770w/jw01234-o001_t001_miri_f770w_i2d.fits',
          'data/mast/JWST/jw01234-o001_t001_miri_f770w/jw01234001001_02101_00001_mirimage_cal.fits'
        ],
        progress: {
          bytes_done: 2_500_000,
          bytes_total: 2_500_000,
          files_done: 2,
          files_total: 2
        } as never
      })
    });
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-downloadStatus').dataset.status).toBe(
        'succeeded'
      )
    );
    expect(query(panel, '.jp-JwstLab-downloadText').textContent).toContain(
      'Downloaded: 2 of 2 files, 2.5 MB of 2.5 MB'
    );
    click(panel, 'button.jp-JwstLab-openFolder');
    expect(opened).toEqual(['data/mast/JWST/jw01234-o001_t001_miri_f770w']);

    click(panel, '.jp-JwstLab-downloadStatus button.jp-JwstLab-copyPython');
    expect(copied).toContain(
      'Observations.download_products(["mast:JWST/product/a.fits"])'
    );
  });

  it('shows why a download was refused', async () => {
    const { client, panel } = await openObservation();
    client.downloadAnswer = failing('dest: must be inside the server root', {
      status: 400,
      reason: 'bad_request'
    });
    click(panel, 'button.jp-JwstLab-selectAll');
    await waitFor(() =>
      expect(query(panel, 'button.jp-JwstLab-downloadButton').textContent).toBe(
        'Download 4 files'
      )
    );
    click(panel, 'button.jp-JwstLab-downloadButton');
    await waitFor(() =>
      expect(
        query(panel, '.jp-JwstLab-downloadStatus .jp-JwstLab-fieldError')
          .textContent
      ).toBe('dest: must be inside the server root')
    );
    expect(query(panel, '.jp-JwstLab-downloadStatus').dataset.status).toBe(
      'failed'
    );
  });

  it('cancels the running download', async () => {
    const events = new FakeEvents();
    const { client, panel } = await openObservation({ events });
    client.jobsApi.cancelJob = async id =>
      makeJob({
        id,
        kind: 'download',
        status: 'cancelled',
        error: 'cancelled by the user'
      });
    click(panel, 'button.jp-JwstLab-selectAll');
    await download(panel);
    await waitFor(() => query(panel, 'button.jp-JwstLab-cancelDownload'));
    click(panel, 'button.jp-JwstLab-cancelDownload');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-downloadStatus').dataset.status).toBe(
        'cancelled'
      )
    );
    expect(client.jobsCalls).toContainEqual(['cancelJob', 'download-1']);
    expect(
      panel.node.querySelector('button.jp-JwstLab-cancelDownload')
    ).toBeNull();
    // a new download can start
    expect(
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-downloadButton')
        .disabled
    ).toBe(false);
  });

  it('keeps the download button off when the server has no downloads', async () => {
    const client = makeClient({ features: ['info', 'mast'] });
    await client.getInfo();
    client.searchAnswer = async () => makeSearchResult([makeObservation(1)]);
    client.productsAnswer = async () =>
      makeProductsResult([makeProduct('a_cal.fits', { recommended: true })]);
    const panel = await openPanel({ client });
    await selectRecommendedOf(panel, '1');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastDownload').textContent).toContain(
        'does not provide downloads'
      )
    );
    expect(
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-downloadButton')
        .disabled
    ).toBe(true);
  });

  it('downloads and reduces: the run to Level 3 on the folder the files arrived in', async () => {
    const events = new FakeEvents();
    const { client, panel } = await openObservation({ events });
    client.downloadAnswer = async () => ({
      ...makeJob({
        id: 'dl-9',
        kind: 'download',
        status: 'queued',
        input: '2 products',
        pipeline: null,
        output_dir: 'data/mast'
      }),
      python: ''
    });
    client.runsApi.createRun = async request => ({
      ...makeRun(),
      inputs: request.inputs
    });
    const opened: string[] = [];
    panel.download.runCreated.connect((_, run) => opened.push(run.id));
    click(panel, 'button.jp-JwstLab-selectRecommended');
    await waitFor(() =>
      expect(
        query<HTMLButtonElement>(
          panel,
          'button.jp-JwstLab-downloadReduceButton'
        ).disabled
      ).toBe(false)
    );
    click(panel, 'button.jp-JwstLab-downloadReduceButton');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-downloadReduce').textContent).toContain(
        'When the download succeeds'
      )
    );
    // Nothing is reduced before the download ends.
    expect(client.runsCalls).toEqual([]);
    events.emit({
      type: 'job.updated',
      job_id: 'dl-9',
      job: makeJob({
        id: 'dl-9',
        kind: 'download',
        status: 'succeeded',
        pipeline: null,
        updated: '2030-01-01T00:00:00Z',
        output_dir: 'data/mast',
        outputs: [
          'data/mast/jw01234/a_cal.fits',
          'data/mast/jw01234/b_i2d.fits'
        ]
      })
    });
    await waitFor(() => expect(opened).toEqual(['r1a2b3c4d5e6']));
    expect(client.runsCalls).toEqual([
      ['createRun', { inputs: ['data/mast/jw01234'], target_level: 3 }]
    ]);
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-downloadReduce').textContent).toContain(
        'started: see its tab'
      )
    );
  });
});

describe('MAST download and reduce of ticked observations', () => {
  it('downloads the uncal files of the ticked observations, then reduces their folders as one run', async () => {
    const events = new FakeEvents();
    const client = mastClient();
    client.searchAnswer = async () =>
      makeSearchResult([makeObservation(1), makeObservation(2)]);
    client.downloadAnswer = async () => ({
      ...makeJob({
        id: 'dl-3',
        kind: 'download',
        status: 'queued',
        input: '90000001, 90000002',
        pipeline: null,
        output_dir: 'data'
      }),
      python: ''
    });
    client.runsApi.createRun = async () => makeRun();
    const panel = await openPanel({
      client,
      events,
      defaultFolder: () => 'data'
    });
    search(panel, 'input.jp-JwstLab-mastQuery', 'DEMO-FIELD');
    await rowsShown(panel, 2);
    const ticks = queryAll<HTMLInputElement>(
      panel,
      'input.jp-JwstLab-observationTick'
    );
    expect(ticks).toHaveLength(2);
    ticks.forEach(tick => tick.click());
    await waitFor(() =>
      expect(
        query(panel, '.jp-JwstLab-observationsToReduce').textContent
      ).toContain('2 observations ticked')
    );
    // Ticking does not open an observation.
    expect(client.mastCalls.some(call => call[0] === 'listProducts')).toBe(
      false
    );
    click(panel, 'button.jp-JwstLab-reduceObservations');
    await waitFor(() =>
      expect(
        client.mastCalls.find(call => call[0] === 'createDownload')
      ).toEqual([
        'createDownload',
        {
          obsids: ['90000001', '90000002'],
          product_filters: { subgroup: ['UNCAL'] },
          source: 'local'
        }
      ])
    );
    events.emit({
      type: 'job.updated',
      job_id: 'dl-3',
      job: makeJob({
        id: 'dl-3',
        kind: 'download',
        status: 'succeeded',
        pipeline: null,
        updated: '2030-01-01T00:00:00Z',
        output_dir: 'data',
        outputs: [
          'data/jw01234001001/jw01234001001_02101_00001_mirimage_uncal.fits',
          'data/jw01234002001/jw01234002001_02101_00001_mirimage_uncal.fits',
          'data/jw01234002001/manifest.txt'
        ]
      })
    });
    await waitFor(() =>
      expect(client.runsCalls).toEqual([
        [
          'createRun',
          {
            inputs: ['data/jw01234001001', 'data/jw01234002001'],
            target_level: 3
          }
        ]
      ])
    );
  });
});

describe('MAST token', () => {
  it('sends the token only to the server and keeps it nowhere in the browser', async () => {
    const setItem = jest.spyOn(Storage.prototype, 'setItem');
    const client = mastClient();
    const state = new StateDB();
    const panel = attach(new MastPanel({ client }));
    const saved: string[] = [];
    panel.search.saved.connect((_, value) => saved.push(JSON.stringify(value)));
    await trackLastSearch(panel, state);
    await searchReady(panel);
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-tokenStatus').textContent).toBe(
        'No MAST token: exclusive-access data cannot be downloaded.'
      )
    );
    const secret = 'a1b2c3d4e5f6-secret-token';
    const input = query<HTMLInputElement>(panel, 'input.jp-JwstLab-tokenInput');
    expect(input.type).toBe('password');
    changeValue(input, secret);
    input.form!.dispatchEvent(
      new Event('submit', { bubbles: true, cancelable: true })
    );
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-tokenStatus').textContent).toBe(
        'A MAST token is set.'
      )
    );
    expect(client.mastCalls).toContainEqual(['setMastToken', secret]);
    // the field is emptied once the server has it
    expect(
      query<HTMLInputElement>(panel, 'input.jp-JwstLab-tokenInput').value
    ).toBe('');

    // a search afterwards is saved without the token
    search(panel, 'input.jp-JwstLab-mastQuery', 'DEMO-FIELD');
    await waitFor(() => expect(saved.length).toBeGreaterThan(0));
    await waitFor(async () =>
      expect(await state.fetch(LAST_SEARCH_KEY)).toBeDefined()
    );
    const everything = JSON.stringify(await state.toJSON());
    expect(everything).toContain('DEMO-FIELD');
    expect(everything).not.toContain(secret);
    expect(saved.join('')).not.toContain(secret);
    for (const call of setItem.mock.calls) {
      expect(JSON.stringify(call)).not.toContain(secret);
    }
    for (let index = 0; index < localStorage.length; index++) {
      const key = localStorage.key(index)!;
      expect(localStorage.getItem(key) ?? '').not.toContain(secret);
    }
    expect(panel.node.innerHTML).not.toContain(secret);

    click(panel, 'button.jp-JwstLab-tokenForget');
    await waitFor(() =>
      expect(client.mastCalls).toContainEqual(['deleteMastToken'])
    );
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-tokenState').textContent).toBe(
        '(not set)'
      )
    );
    setItem.mockRestore();
  });
});

describe('MAST basket across reloads', () => {
  it('comes back from the state database with its products', async () => {
    const state = new StateDB();
    const first = await openPanel({ client: mastClient() });
    await trackBasket(first, state);
    first.basket.add([makeProduct('a_cal.fits', { size: 7 })], {
      obsid: '1',
      source: 'local'
    });
    await waitFor(async () =>
      expect(await state.fetch(BASKET_KEY)).toHaveLength(1)
    );
    first.dispose();
    const second = await openPanel({ client: mastClient() });
    await trackBasket(second, state);
    expect(second.basket.items.map(item => item.filename)).toEqual([
      'a_cal.fits'
    ]);
    await waitFor(() =>
      expect(query(second, '.jp-JwstLab-basketTotals').textContent).toContain(
        '1 file from 1 observation'
      )
    );
  });
});

describe('MAST last search', () => {
  it('comes back after a reload with its page, sort and columns', async () => {
    const state = new StateDB();
    const client = mastClient();
    client.searchAnswer = async params =>
      makeSearchResult(
        Array.from({ length: 100 }, (_, index) => makeObservation(index)),
        { total: 250, page: params.page, page_size: params.page_size }
      );
    const first = withResults(attach(new MastPanel({ client })));
    await trackLastSearch(first, state);
    await searchReady(first);
    fill(first, 'input.jp-JwstLab-mastQuery', '269.7275 66.045');
    fill(first, 'input.jp-JwstLab-mastRadius', '6');
    fill(first, 'select.jp-JwstLab-mastDataRights', 'PUBLIC');
    submitForm(first);
    await waitFor(() => query(first, '.jp-JwstLab-mastPageSize'));
    fill(first, 'select.jp-JwstLab-mastPageSize', '100');
    await waitFor(() =>
      expect(query(first, '.jp-JwstLab-mastPage').textContent).toBe(
        'Page 1 of 3'
      )
    );
    // more rows than the page: the server sorts, from the first page
    first.search.setSort({ column: 'target_name', direction: 'descending' });
    await waitFor(() =>
      expect(searchCalls(client).slice(-1)[0]).toEqual({
        ra: 269.7275,
        dec: 66.045,
        radius: 0.1,
        data_rights: 'PUBLIC',
        page: 1,
        page_size: 100,
        sort: '-target_name'
      })
    );
    await waitFor(() =>
      expect(
        query<HTMLButtonElement>(first, 'button.jp-JwstLab-mastNext').disabled
      ).toBe(false)
    );
    click(first, 'button.jp-JwstLab-mastNext');
    await waitFor(() =>
      expect(query(first, '.jp-JwstLab-mastPage').textContent).toBe(
        'Page 2 of 3'
      )
    );
    await waitFor(async () =>
      expect(await state.fetch(LAST_SEARCH_KEY)).toMatchObject({
        page: 2,
        page_size: 100,
        sort: { column: 'target_name', direction: 'descending' }
      })
    );
    first.dispose();

    // "reload": a new panel on the same state database
    const client2 = mastClient();
    client2.searchAnswer = client.searchAnswer;
    const second = withResults(attach(new MastPanel({ client: client2 })));
    await trackLastSearch(second, state);
    await waitFor(() =>
      expect(query(second, '.jp-JwstLab-mastPage').textContent).toBe(
        'Page 2 of 3'
      )
    );
    expect(
      query<HTMLInputElement>(second, 'input.jp-JwstLab-mastQuery').value
    ).toBe('269.7275 66.045');
    expect(
      query<HTMLInputElement>(second, 'input.jp-JwstLab-mastRadius').value
    ).toBe('6');
    expect(
      query<HTMLSelectElement>(second, 'select.jp-JwstLab-mastDataRights').value
    ).toBe('PUBLIC');
    expect(searchCalls(client2)).toEqual([
      {
        ra: 269.7275,
        dec: 66.045,
        radius: 0.1,
        data_rights: 'PUBLIC',
        page: 2,
        page_size: 100,
        sort: '-target_name'
      }
    ]);
    expect(second.search.sort).toEqual({
      column: 'target_name',
      direction: 'descending'
    });
    expect(
      query(
        second,
        '.jp-JwstLab-mastTable [data-column="target_name"]'
      ).getAttribute('aria-sort')
    ).toBe('descending');
  });

  it('restores the form but does not search when the server lacks MAST', async () => {
    const state = new StateDB();
    await state.save(LAST_SEARCH_KEY, {
      form: {
        target: 'DEMO-FIELD',
        radius: '3',
        instrument: '',
        filters: '',
        proposal_id: '',
        calib_level: '',
        data_rights: '',
        t_min: '',
        t_max: ''
      },
      page: 1,
      page_size: 1000,
      sort: null,
      columns: ['obs_id']
    });
    const client = makeClient({ features: ['info'] });
    await client.getInfo();
    const panel = attach(new MastPanel({ client }));
    await trackLastSearch(panel, state);
    await waitFor(() =>
      expect(
        query<HTMLInputElement>(panel, 'input.jp-JwstLab-mastQuery').value
      ).toBe('DEMO-FIELD')
    );
    expect(searchCalls(client)).toEqual([]);
    expect(query(panel, '.jp-JwstLab-capabilityNote').textContent).toContain(
      'does not provide MAST search'
    );
  });
});
