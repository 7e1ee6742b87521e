import packageJson from '../../package.json';
import { JwstLabApiError, JwstLabClient } from '../api/client';
import type { IServerInfo } from '../api/models';
import { FRONTEND_VERSION } from '../version';
import {
  fakeFetch,
  httpClient,
  json,
  makeInfo,
  makeJob,
  makeSettings
} from './fixtures';

/** The error `promise` rejects with (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<JwstLabApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JwstLabApiError);
    return error as JwstLabApiError;
  }
  throw new Error('expected the promise to reject');
}

describe('JwstLabClient.getInfo', () => {
  it('asks GET /jwst-lab/info and returns the parsed answer', async () => {
    const info = makeInfo();
    const { fetch, requests } = fakeFetch(json(info));
    const client = httpClient(fetch, { token: 'secret' });

    await expect(client.getInfo()).resolves.toEqual(info);

    expect(requests).toHaveLength(1);
    const url = new URL(requests[0].url);
    expect(url.origin).toBe('http://localhost:8888');
    expect(url.pathname).toBe('/jwst-lab/info');
    expect(requests[0].method).toBe('GET');
    expect(requests[0].headers.get('Authorization')).toBe('token secret');
  });

  it('remembers the answer, announces it and answers hasFeature from it', async () => {
    const info = makeInfo({ features: ['info', 'events', 'mast'] });
    const { fetch } = fakeFetch(json(info));
    const client = httpClient(fetch);
    const announced: IServerInfo[] = [];
    client.infoChanged.connect((_, value) => announced.push(value));

    expect(client.info).toBeNull();
    expect(client.hasFeature('mast')).toBe(false);
    await client.getInfo();

    expect(client.info).toEqual(info);
    expect(announced).toEqual([info]);
    expect(client.hasFeature('mast')).toBe(true);
    expect(client.hasFeature('events')).toBe(true);
    expect(client.hasFeature('jobs')).toBe(false);
  });

  it('shares one request between concurrent calls, and asks again afterwards', async () => {
    const { fetch } = fakeFetch(
      json(makeInfo()),
      json(makeInfo({ version: '0.2.0' }))
    );
    const client = httpClient(fetch);

    const [first, second] = await Promise.all([
      client.getInfo(),
      client.getInfo()
    ]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);

    await expect(client.getInfo()).resolves.toMatchObject({ version: '0.2.0' });
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

describe('JwstLabClient errors', () => {
  it('turns a JSON 404 into a JwstLabApiError with status, message and reason', async () => {
    const { fetch } = fakeFetch(
      json(
        {
          message: 'no such jwst-lab route: GET /jwst-lab/nope',
          reason: 'not_found'
        },
        404
      )
    );
    const error = await rejection(httpClient(fetch).getInfo());

    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(404);
    expect(error.reason).toBe('not_found');
    expect(error.message).toBe('no such jwst-lab route: GET /jwst-lab/nope');
  });

  it('keeps a null reason from a JSON 400', async () => {
    const { fetch } = fakeFetch(
      json(
        { message: "query parameter 'q' is given 2 times", reason: null },
        400
      )
    );
    const error = await rejection(httpClient(fetch).getInfo());

    expect(error.status).toBe(400);
    expect(error.reason).toBeNull();
    expect(error.message).toBe("query parameter 'q' is given 2 times");
  });

  it('carries the field a 400 names, and null when it names none', async () => {
    const { fetch } = fakeFetch(
      json(
        {
          message: 'pixfrac must be at most 1.0, not 2',
          reason: 'bad_request',
          field: 'steps.resample.pixfrac'
        },
        400
      ),
      json({ message: 'job store busy', reason: 'conflict' }, 409),
      json({ message: 'odd', reason: null, field: 42 }, 400)
    );
    const client = httpClient(fetch);
    const error = await rejection(
      client.createJob({ pipeline: 'calwebb_image3', input: 'x_asn.json' })
    );
    expect(error.status).toBe(400);
    expect(error.field).toBe('steps.resample.pixfrac');
    expect(error.message).toBe('pixfrac must be at most 1.0, not 2');
    expect((await rejection(client.getInfo())).field).toBeNull();
    // A field that is not a dotted path string is not one.
    expect((await rejection(client.getInfo())).field).toBeNull();
  });

  it('falls back to the status text when a 500 body is not JSON', async () => {
    const { fetch } = fakeFetch(
      () =>
        new Response('<html>Internal Server Error</html>', {
          status: 500,
          statusText: 'Internal Server Error'
        })
    );
    const error = await rejection(httpClient(fetch).getInfo());

    expect(error.status).toBe(500);
    expect(error.reason).toBeNull();
    expect(error.message).toBe('Internal Server Error');
  });

  it('names the status when there is no status text either', async () => {
    const { fetch } = fakeFetch(() => new Response('', { status: 502 }));
    const error = await rejection(httpClient(fetch).getInfo());

    expect(error.status).toBe(502);
    expect(error.message).toBe('HTTP error 502');
  });

  it('reports an unreachable server as status 0, reason network_error', async () => {
    const { fetch } = fakeFetch(() => {
      throw new TypeError('Failed to fetch');
    });
    const error = await rejection(httpClient(fetch).getInfo());

    expect(error.status).toBe(0);
    expect(error.reason).toBe('network_error');
    expect(error.message).toContain('Failed to fetch');
  });

  it('rejects a 200 answer that is not JSON', async () => {
    const { fetch } = fakeFetch(
      () => new Response('<html>login</html>', { status: 200 })
    );
    const error = await rejection(httpClient(fetch).getInfo());

    expect(error.status).toBe(200);
    expect(error.reason).toBe('invalid_response');
  });

  it('asks again after a failure instead of repeating it', async () => {
    const { fetch } = fakeFetch(
      json({ message: 'down', reason: null }, 503),
      json(makeInfo())
    );
    const client = httpClient(fetch);

    await rejection(client.getInfo());
    expect(client.info).toBeNull();
    await expect(client.getInfo()).resolves.toMatchObject({ version: '0.1.0' });
  });
});

describe('JwstLabClient.checkVersion', () => {
  it('is compatible when the server version equals the front end version', async () => {
    const { fetch } = fakeFetch(json(makeInfo({ version: '0.1.0' })));
    const check = await httpClient(fetch, {
      frontendVersion: '0.1.0'
    }).checkVersion();

    expect(check).toMatchObject({
      compatible: true,
      frontend: '0.1.0',
      server: '0.1.0'
    });
    expect(check.info.version).toBe('0.1.0');
  });

  it('is incompatible when the versions differ, even by a patch level', async () => {
    const { fetch } = fakeFetch(json(makeInfo({ version: '0.1.1' })));
    const check = await httpClient(fetch, {
      frontendVersion: '0.1.0'
    }).checkVersion();

    expect(check).toMatchObject({
      compatible: false,
      frontend: '0.1.0',
      server: '0.1.1'
    });
  });

  it('compares against package.json by default', () => {
    const packageVersion = packageJson.version;
    expect(FRONTEND_VERSION).toBe(packageVersion);
    expect(
      new JwstLabClient({ serverSettings: makeSettings() }).frontendVersion
    ).toBe(packageVersion);
  });

  it('passes errors through', async () => {
    const { fetch } = fakeFetch(
      json({ message: 'Forbidden', reason: 'forbidden' }, 403)
    );
    const error = await rejection(httpClient(fetch).checkVersion());

    expect(error.status).toBe(403);
    expect(error.reason).toBe('forbidden');
  });
});

describe('JwstLabClient.listJobs', () => {
  it('asks GET /jwst-lab/jobs without a query by default', async () => {
    const answer = { jobs: [], total: 0, page: 1, page_size: 100 };
    const { fetch, requests } = fakeFetch(json(answer));

    await expect(httpClient(fetch).listJobs()).resolves.toEqual(answer);

    const url = new URL(requests[0].url);
    expect(url.pathname).toBe('/jwst-lab/jobs');
    // ServerConnection may append a cache-busting timestamp, nothing else.
    expect(url.searchParams.has('status')).toBe(false);
    expect(url.searchParams.has('page')).toBe(false);
    expect(url.searchParams.has('page_size')).toBe(false);
    expect(requests[0].method).toBe('GET');
  });

  it('sends status (comma-separated), page and page_size', async () => {
    const { fetch, requests } = fakeFetch(
      json({ jobs: [], total: 0, page: 2, page_size: 10 }),
      json({ jobs: [], total: 0, page: 1, page_size: 100 })
    );
    const client = httpClient(fetch);

    await client.listJobs({
      status: ['failed', 'interrupted'],
      page: 2,
      pageSize: 10
    });
    await client.listJobs({ status: 'running' });

    const first = new URL(requests[0].url);
    expect(first.pathname).toBe('/jwst-lab/jobs');
    expect(first.searchParams.get('status')).toBe('failed,interrupted');
    expect(first.searchParams.get('page')).toBe('2');
    expect(first.searchParams.get('page_size')).toBe('10');
    const second = new URL(requests[1].url);
    expect(second.searchParams.get('status')).toBe('running');
    expect(second.searchParams.has('page')).toBe(false);
  });

  it('turns an error answer into a JwstLabApiError', async () => {
    const { fetch } = fakeFetch(
      json({ message: "unknown job status 'nope'", reason: 'invalid' }, 400)
    );
    const error = await rejection(httpClient(fetch).listJobs());

    expect(error.status).toBe(400);
    expect(error.reason).toBe('invalid');
    expect(error.message).toBe("unknown job status 'nope'");
  });
});

describe('JwstLabClient CRDS methods', () => {
  it('call the /crds routes with encoded names, the diff query and a POST body', async () => {
    const { fetch, requests } = fakeFetch(
      ...Array.from({ length: 6 }, () => json({ ok: true })),
      json(
        {
          message: 'jwst_9999.pmap is not in the CRDS cache',
          reason: 'not_found'
        },
        404
      )
    );
    const client = httpClient(fetch);
    await client.getCrdsStatus();
    await client.listCrdsContexts();
    await client.getCrdsTree('jwst_0541.pmap');
    await client.getCrdsMapping('../secret');
    await client.getCrdsDiff('jwst_0540.pmap', 'jwst_0541.pmap');
    await client.getCrdsBestrefs({
      path: 'uncal/a.fits',
      context: 'jwst_0540.pmap'
    });
    const urls = requests.map(r => new URL(r.url));
    expect(urls.map(u => u.pathname)).toEqual([
      '/jwst-lab/crds/status',
      '/jwst-lab/crds/contexts',
      '/jwst-lab/crds/contexts/jwst_0541.pmap',
      '/jwst-lab/crds/mappings/..%2Fsecret',
      '/jwst-lab/crds/diff',
      '/jwst-lab/crds/bestrefs'
    ]);
    expect(urls[4].searchParams.get('old')).toBe('jwst_0540.pmap');
    expect(urls[4].searchParams.get('new')).toBe('jwst_0541.pmap');
    expect(requests[5].method).toBe('POST');
    expect(JSON.parse(await requests[5].text())).toEqual({
      path: 'uncal/a.fits',
      context: 'jwst_0540.pmap'
    });
    await expect(client.getCrdsTree('jwst_9999.pmap')).rejects.toMatchObject({
      status: 404,
      reason: 'not_found'
    });
    expect(new URL(requests[6].url).pathname).toBe(
      '/jwst-lab/crds/contexts/jwst_9999.pmap'
    );
  });

  it('POSTs the path and context to /crds/fetch and returns the job', async () => {
    const { fetch, requests } = fakeFetch(
      json(makeJob({ id: 'fetch-1', kind: 'crds_fetch' }), 201)
    );
    const api = httpClient(fetch);
    const job = await api.fetchCrdsReferences({
      path: 'data/x_uncal.fits',
      context: 'jwst_0540.pmap'
    });
    expect(job.kind).toBe('crds_fetch');
    expect(new URL(requests[0].url).pathname).toBe('/jwst-lab/crds/fetch');
    expect(requests[0].method).toBe('POST');
    expect(JSON.parse(await requests[0].text())).toEqual({
      path: 'data/x_uncal.fits',
      context: 'jwst_0540.pmap'
    });
  });
});
