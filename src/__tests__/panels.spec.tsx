import type { IServerInfo } from '../api/models';
import type { JobsFilter } from '../models/jobsModel';
import { CrdsPanel } from '../widgets/crds/panel';
import { JobsPanel } from '../widgets/jobs/panel';
import { IMastSearchRequest, MastPanel } from '../widgets/mast/panel';
import {
  attach,
  changeValue,
  click,
  deferred,
  FakeClient,
  FakeEvents,
  fill,
  makeClient,
  makeInfo,
  query,
  waitFor
} from './fixtures';
import { openPanel, searchReady } from './mastFixtures';

/** A client whose server provides MAST search (and nothing else of note). */
function mastOnly(): FakeClient {
  return makeClient({ features: ['info', 'mast'] });
}

describe('MastPanel', () => {
  it('has its id, title and empty state', async () => {
    const panel = attach(new MastPanel({ client: makeClient() }));

    expect(panel.id).toBe('jwst-lab-mast-panel');
    expect(panel.title.caption).toContain('MAST Search');
    expect(query(panel, 'h2.jp-JwstLab-panelTitle').textContent).toBe(
      'MAST Search'
    );
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-emptyState').textContent).toContain(
        'Search the MAST archive by target name or coordinates.'
      )
    );
  });

  it('says the server lacks MAST search and keeps the button disabled', async () => {
    const panel = attach(
      new MastPanel({ client: makeClient({ features: ['info', 'events'] }) })
    );
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-capabilityNote').textContent).toBe(
        'This jwst-lab server (v0.1.0) does not provide MAST search.'
      )
    );

    fill(panel, 'input.jp-JwstLab-mastQuery', 'NGC 3132');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-mastQueryHint').textContent).toBe(
        'Target name: NGC 3132'
      )
    );
    expect(
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-mastSearch').disabled
    ).toBe(true);
  });

  it('explains how it read the query as the user types', async () => {
    const panel = await openPanel({ client: mastOnly() });
    const input = query<HTMLInputElement>(panel, 'input.jp-JwstLab-mastQuery');
    const hint = () => query(panel, '.jp-JwstLab-mastQueryHint');
    const button = () =>
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-mastSearch');

    expect(input.getAttribute('aria-label')).toBe('Target name or coordinates');
    changeValue(input, '83.82 -5.39');
    await waitFor(() =>
      expect(hint().textContent).toBe(
        'Coordinates: RA 83.8200°, Dec \u22125.3900°'
      )
    );
    expect(button().disabled).toBe(false);

    changeValue(input, '83.82 95');
    await waitFor(() =>
      expect(hint().textContent).toMatch(/^Dec must be between/)
    );
    expect(hint().dataset.kind).toBe('invalid');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(button().disabled).toBe(true);
  });

  it('submits a search with the radius in degrees when the server provides MAST', async () => {
    const panel = attach(
      new MastPanel({ client: mastOnly(), defaultRadius: 0.05 })
    );
    const requests: IMastSearchRequest[] = [];
    panel.searchRequested.connect((_, request) => requests.push(request));
    await searchReady(panel);
    const radius = query<HTMLInputElement>(
      panel,
      'input.jp-JwstLab-mastRadius'
    );
    expect(radius.value).toBe('3');

    fill(panel, 'input.jp-JwstLab-mastQuery', 'NGC 3132');
    changeValue(radius, '6');
    await waitFor(() =>
      expect(
        query<HTMLButtonElement>(panel, 'button.jp-JwstLab-mastSearch').disabled
      ).toBe(false)
    );
    click(panel, 'button.jp-JwstLab-mastSearch');

    expect(requests).toEqual([
      { target: { kind: 'name', name: 'NGC 3132' }, radius: 0.1 }
    ]);
  });

  it('rejects a radius out of range', async () => {
    const panel = await openPanel({ client: mastOnly() });
    fill(panel, 'input.jp-JwstLab-mastQuery', 'M 16');
    fill(panel, 'input.jp-JwstLab-mastRadius', '0');

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-fieldError').textContent).toContain(
        'more than 0'
      )
    );
    expect(
      query<HTMLButtonElement>(panel, 'button.jp-JwstLab-mastSearch').disabled
    ).toBe(true);
  });

  it('starts the radius field from the defaultRadius setting', async () => {
    const panel = attach(new MastPanel({ client: makeClient() }));
    await waitFor(() =>
      expect(
        query<HTMLInputElement>(panel, 'input.jp-JwstLab-mastRadius').value
      ).toBe('3')
    );

    panel.defaultRadius = 0.2;
    await waitFor(() =>
      expect(
        query<HTMLInputElement>(panel, 'input.jp-JwstLab-mastRadius').value
      ).toBe('12')
    );
  });
});

describe('CrdsPanel', () => {
  it('says it is checking until /info answers, then shows mode, context and cache', async () => {
    const answer = deferred<IServerInfo>();
    const panel = attach(
      new CrdsPanel({ client: new FakeClient(() => answer.promise) })
    );
    expect(panel.id).toBe('jwst-lab-crds-panel');
    expect(query(panel, 'h2.jp-JwstLab-panelTitle').textContent).toBe(
      'CRDS References'
    );

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-crdsStatus').textContent).toBe(
        'Checking CRDS configuration…'
      )
    );
    expect(query(panel, '.jp-JwstLab-crdsStatus').getAttribute('role')).toBe(
      'status'
    );

    answer.resolve(makeInfo());
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('ok')
    );
    const status = query(panel, '.jp-JwstLab-crdsStatus').textContent;
    expect(status).toContain('serverless');
    expect(status).toContain(
      'jwst_0541.pmap (pinned in the server configuration)'
    );
    expect(status).toContain('/data/crds_cache');
    expect(query(panel, '.jp-JwstLab-emptyState').textContent).toContain(
      'Contexts appear here when the server provides the CRDS browser.'
    );
    expect(query(panel, '.jp-JwstLab-capabilityNote').textContent).toBe(
      'This jwst-lab server (v0.1.0) does not provide the CRDS browser.'
    );
  });

  it('is amber with the fix when serverless without a cache', async () => {
    const panel = attach(
      new CrdsPanel({
        client: makeClient({
          crds: {
            mode: 'serverless',
            path: null,
            server_url: null,
            context: null,
            context_source: 'operational'
          }
        })
      })
    );

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('warn')
    );
    const status = query(panel, '.jp-JwstLab-crdsStatus').textContent;
    expect(status).toContain('operational context');
    expect(status).toContain('no cache configured');
    expect(status).toContain(
      'set c.JwstLabApp.crds_path or the CRDS_PATH environment variable'
    );
  });

  it('is green without a cache when a CRDS server is configured', async () => {
    const panel = attach(
      new CrdsPanel({
        client: makeClient({
          crds: {
            mode: 'remote',
            path: null,
            server_url: 'https://jwst-crds.stsci.edu',
            context: 'jwst_1200.pmap',
            context_source: 'environment'
          }
        })
      })
    );

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('ok')
    );
    const status = query(panel, '.jp-JwstLab-crdsStatus').textContent;
    expect(status).toContain('jwst_1200.pmap (from CRDS_CONTEXT)');
    expect(status).toContain('https://jwst-crds.stsci.edu');
    expect(status).not.toContain('CRDS_PATH');
  });

  it('is red when /info fails, and retries on request', async () => {
    let fail = true;
    const client = new FakeClient(() =>
      fail
        ? Promise.reject(new Error('server is down'))
        : Promise.resolve(makeInfo())
    );
    const panel = attach(new CrdsPanel({ client }));

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('error')
    );
    expect(query(panel, '.jp-JwstLab-crdsStatus').textContent).toContain(
      'server is down'
    );

    fail = false;
    click(panel, 'button.jp-JwstLab-retry');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('ok')
    );
    expect(client.getInfoCalls).toBe(2);
  });
});

describe('JobsPanel', () => {
  it('filters by status and says so in the empty state', async () => {
    const events = new FakeEvents('idle');
    const panel = attach(new JobsPanel({ client: makeClient(), events }));
    const changes: JobsFilter[] = [];
    panel.statusFilterChanged.connect((_, value) => changes.push(value));
    expect(panel.id).toBe('jwst-lab-jobs-panel');
    expect(query(panel, 'h2.jp-JwstLab-panelTitle').textContent).toBe(
      'Pipeline Jobs'
    );

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-emptyState').textContent).toBe(
        'No jobs yet. Right-click a folder of exposures in the file browser and choose Reduce to Level 3…, or an association (*_asn.json) to run one pipeline.'
      )
    );
    const select = query<HTMLSelectElement>(
      panel,
      'select.jp-JwstLab-jobsStatusFilter'
    );
    expect(select.getAttribute('aria-label')).toBe('Filter jobs by status');
    expect(
      Array.from(select.options).map(option => option.textContent)
    ).toEqual([
      'All',
      'Queued',
      'Running',
      'Succeeded',
      'Failed',
      'Cancelled',
      'Interrupted'
    ]);

    changeValue(select, 'failed');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-emptyState').textContent).toBe(
        'No failed jobs.'
      )
    );
    expect(panel.statusFilter).toBe('failed');
    expect(changes).toEqual(['failed']);

    panel.statusFilter = 'interrupted';
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-emptyState').textContent).toBe(
        'No interrupted jobs.'
      )
    );
    expect(
      query<HTMLSelectElement>(panel, 'select.jp-JwstLab-jobsStatusFilter')
        .value
    ).toBe('interrupted');
  });

  it('starts from a restored filter', async () => {
    const panel = attach(
      new JobsPanel({
        client: makeClient(),
        events: new FakeEvents('idle'),
        statusFilter: 'running'
      })
    );
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-emptyState').textContent).toBe(
        'No running jobs.'
      )
    );
  });

  it('shows whether live updates flow', async () => {
    const events = new FakeEvents('idle');
    const panel = attach(new JobsPanel({ client: makeClient(), events }));
    const indicator = () => query(panel, '.jp-JwstLab-eventsState');

    await waitFor(() => expect(indicator().textContent).toBe('not connected'));
    events.set('connecting');
    await waitFor(() => expect(indicator().textContent).toBe('connecting…'));
    events.set('open');
    await waitFor(() => expect(indicator().textContent).toBe('live'));
    expect(indicator().dataset.state).toBe('open');
    events.set('reconnecting');
    await waitFor(() => expect(indicator().textContent).toBe('reconnecting…'));
  });

  it('says the server does not run pipeline jobs yet', async () => {
    const panel = attach(
      new JobsPanel({
        client: makeClient(),
        events: new FakeEvents('idle')
      })
    );
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-capabilityNote').textContent).toBe(
        'This jwst-lab server (v0.1.0) does not provide pipeline jobs.'
      )
    );
  });
});
