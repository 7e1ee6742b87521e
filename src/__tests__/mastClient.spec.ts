import { JwstLabApiError } from '../api/client';
import { fakeFetch, httpClient, json } from './fixtures';

/** A client whose server answers `responses` in order. */
function serving(...responses: (() => Response)[]) {
  const { fetch, requests } = fakeFetch(...responses);
  return { client: httpClient(fetch), requests };
}

describe('JwstLabClient MAST and downloads', () => {
  it('searches with only the given parameters and no cache-busting parameter', async () => {
    const answer = {
      rows: [],
      total: 0,
      page: 2,
      page_size: 500,
      columns: [],
      source: 'local',
      python: '...'
    };
    const { client, requests } = serving(json(answer));
    await expect(
      client.searchObservations({
        target: 'NGC 3132',
        radius: 0.05,
        instrument: undefined,
        filters: '',
        calib_level: '3',
        page: 2,
        page_size: 500,
        sort: '-t_min'
      })
    ).resolves.toEqual(answer);
    const url = new URL(requests[0].url);
    expect(requests[0].method).toBe('GET');
    expect(url.pathname).toBe('/jwst-lab/mast/observations');
    // the search route rejects unknown parameters, such as a bare timestamp
    expect(Array.from(url.searchParams.keys())).toEqual([
      'target',
      'radius',
      'calib_level',
      'page',
      'page_size',
      'sort'
    ]);
    expect(url.searchParams.get('target')).toBe('NGC 3132');
    expect(url.searchParams.get('sort')).toBe('-t_min');
  });

  it('lists the products of an observation with its filters', async () => {
    const { client, requests } = serving(
      json({ rows: [], total: 0, columns: [], python: '' })
    );
    await client.listProducts('87602 4', {
      product_type: 'SCIENCE',
      mrp_only: true
    });
    const url = new URL(requests[0].url);
    expect(url.pathname).toBe('/jwst-lab/mast/observations/87602%204/products');
    expect(url.search).toBe('?product_type=SCIENCE&mrp_only=true');
  });

  it('sends the token in a PUT body only, and forgets it with DELETE (204)', async () => {
    const { client, requests } = serving(
      json({ set: true, storage: 'memory', expires: null }),
      json({ set: true, storage: 'memory', expires: null }),
      () => new Response(null, { status: 204 })
    );
    await expect(client.setMastToken('s3cret-token')).resolves.toEqual({
      set: true,
      storage: 'memory',
      expires: null
    });
    expect(requests[0].method).toBe('PUT');
    expect(new URL(requests[0].url).pathname).toBe('/jwst-lab/mast/token');
    expect(await requests[0].text()).toBe('{"token":"s3cret-token"}');

    await expect(client.getMastToken()).resolves.toMatchObject({ set: true });
    expect(requests[1].url).toBe('http://localhost:8888/jwst-lab/mast/token');

    await expect(client.deleteMastToken()).resolves.toBeUndefined();
    expect(requests[2].method).toBe('DELETE');
  });

  it('starts a download and reports a refused one with its reason', async () => {
    const { client, requests } = serving(
      json({ id: 'j1', kind: 'download', status: 'queued' }, 201),
      json(
        {
          message: '1 of the products are exclusive-access data',
          reason: 'token_required'
        },
        403
      )
    );
    await expect(
      client.createDownload({
        products: ['mast:JWST/product/a.fits'],
        dest: 'd'
      })
    ).resolves.toMatchObject({ id: 'j1' });
    expect(requests[0].method).toBe('POST');
    expect(new URL(requests[0].url).pathname).toBe('/jwst-lab/downloads');
    expect(JSON.parse(await requests[0].text())).toEqual({
      products: ['mast:JWST/product/a.fits'],
      dest: 'd'
    });

    const error = await client
      .createDownload({ products: ['mast:JWST/product/b.fits'] })
      .catch(reason => reason);
    expect(error).toBeInstanceOf(JwstLabApiError);
    expect(error.status).toBe(403);
    expect(error.reason).toBe('token_required');
  });
});
