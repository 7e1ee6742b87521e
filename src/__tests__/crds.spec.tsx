import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';

import type {
  ICrdsBestrefs,
  ICrdsContextList,
  ICrdsDiff,
  ICrdsMapping,
  ICrdsStatus,
  ICrdsTree
} from '../api/models';
import { formatBytes } from '../components/format';
import { filterRows, VirtualTable } from '../components/VirtualTable';
import { CrdsBestrefsModel } from '../crds/bestrefsModel';
import { orderContexts } from '../crds/contextsModel';
import { CrdsDiffModel } from '../crds/diffModel';
import { CrdsTreeModel } from '../crds/treeModel';
import { CrdsBestrefsView } from '../widgets/crds/bestrefs';
import { CrdsDiffView } from '../widgets/crds/diff';
import { CrdsPanel } from '../widgets/crds/panel';
import { rowIndexKey, textColumns } from '../widgets/crds/textTable';
import { CrdsTreeView } from '../widgets/crds/tree';
import { JwstLabClient } from '../api/client';
import {
  query as $,
  attach,
  cleanUp,
  FakeClient,
  makeInfo,
  makeSettings,
  own,
  render,
  waitFor
} from './fixtures';

const trans = nullTranslator.load('jwst_lab');

function status(overrides: Partial<ICrdsStatus> = {}): ICrdsStatus {
  return {
    mode: 'serverless',
    cache: {
      path: '/data/crds_cache',
      usable: true,
      readonly: false,
      mappings: 2488,
      references: 0
    },
    server: { url: null, configured: false, reachable: null, error: null },
    context: 'jwst_0541.pmap',
    context_reason: 'operational',
    context_source: 'operational',
    operational_context: 'jwst_0541.pmap',
    ok: true,
    usable: true,
    problems: [],
    fix: null,
    ...overrides
  };
}

const CONTEXTS: ICrdsContextList = {
  source: 'cache',
  operational_context: 'jwst_0541.pmap',
  effective_context: 'jwst_0541.pmap',
  history_count: 2,
  contexts: [
    {
      context: 'jwst_0541.pmap',
      date: '2019-07-30 15:06:02',
      description:
        'As per Jira issues CRDS-287, REDCAT-52, and CRDS-153, the rmaps for the following NIRSpec reference types were updated. This rmaps submission includes changes to the following DARK, READNOISE, REFPIX and SUPERBIAS.',
      status: 'operational',
      cached: true,
      in_history: true,
      effective: true
    },
    {
      context: 'jwst_0540.pmap',
      date: '2019-07-23 09:14:32',
      description: 'New MRS REGIONS files.',
      status: 'archived',
      cached: true,
      in_history: true,
      effective: false
    },
    {
      context: 'jwst_0539.pmap',
      date: null,
      description: 'Hand edited',
      status: 'cached only',
      cached: true,
      in_history: false,
      effective: false
    }
  ]
};

const TREE: ICrdsTree = {
  context: 'jwst_0541.pmap',
  header: {
    name: 'jwst_0541.pmap',
    mapping: 'pipeline',
    instrument: null,
    filekind: null,
    parkeys: [['META.INSTRUMENT.NAME']],
    classes: [],
    derived_from: 'jwst_0540.pmap',
    description: 'hand edited',
    comment: null,
    sha1sum: null,
    extra: {}
  },
  counts: { imaps: 2, rmaps: 2, references: 3 },
  instruments: [
    {
      instrument: 'miri',
      imap: 'jwst_miri_0200.imap',
      types: [
        {
          reftype: 'flat',
          description: 'Flat',
          rmap: 'jwst_miri_flat_0100.rmap',
          status: 'rmap',
          rules: 1,
          references: 1
        }
      ]
    },
    {
      instrument: 'nirspec',
      imap: 'jwst_nirspec_0192.imap',
      types: [
        {
          reftype: 'dark',
          description: 'Dark Frame',
          rmap: 'jwst_nirspec_dark_0029.rmap',
          status: 'rmap',
          rules: 3,
          references: 3
        },
        {
          reftype: 'distortion',
          description: 'Distortion',
          rmap: null,
          status: 'N/A',
          rules: 0,
          references: 0
        }
      ]
    }
  ]
};

const DARK: ICrdsMapping = {
  name: 'jwst_nirspec_dark_0029.rmap',
  kind: 'reference',
  header: {
    ...TREE.header,
    name: 'jwst_nirspec_dark_0029.rmap',
    mapping: 'reference',
    parkeys: [
      ['META.INSTRUMENT.DETECTOR', 'META.EXPOSURE.READPATT'],
      ['META.OBSERVATION.DATE', 'META.OBSERVATION.TIME']
    ],
    classes: ['Match', 'UseAfter'],
    derived_from: 'jwst_nirspec_dark_0028.rmap'
  },
  columns: [
    'META.INSTRUMENT.DETECTOR',
    'META.EXPOSURE.READPATT',
    'USEAFTER',
    'REFERENCE'
  ],
  rows: [
    [
      'NRS1',
      'NRS|NRSRAPID',
      '2000-01-01 00:00:00',
      'jwst_nirspec_dark_0022.fits'
    ],
    [
      'NRS1',
      'NRSRAPIDD1',
      '2014-01-01 00:00:00',
      'jwst_nirspec_dark_0144.fits'
    ],
    ['NRS2', 'NRS', '2000-01-01 00:00:00', 'jwst_nirspec_dark_0030.fits']
  ],
  text_descr: 'Dark Frame'
};

/** Run `fn` (a click or an input); React flushes discrete events synchronously. */
function act(fn: () => void): void {
  fn();
}

afterEach(cleanUp);

function crdsClient(): FakeClient {
  const client = new FakeClient(() =>
    Promise.resolve(makeInfo({ features: ['info', 'events', 'crds'] }))
  );
  client.crdsApi = {
    getCrdsStatus: async () => status(),
    listCrdsContexts: async () => CONTEXTS,
    getCrdsTree: async () => TREE,
    getCrdsMapping: async () => DARK
  };
  return client;
}

describe('CRDS sidebar', () => {
  it('shows a green status, the history with dates, badges and folded descriptions', async () => {
    const client = crdsClient();
    const panel = attach(new CrdsPanel({ client }));

    await waitFor(() =>
      expect($(panel.node, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('ok')
    );
    expect($(panel.node, '.jp-JwstLab-crdsStatus').textContent).toContain(
      'jwst_0541.pmap (operational)'
    );
    await waitFor(() =>
      expect(
        panel.node.querySelectorAll('.jp-JwstLab-crdsContext').length
      ).toBe(3)
    );
    const first = $(panel.node, '[data-context="jwst_0541.pmap"]');
    expect($(first, '.jp-JwstLab-crdsBadge').textContent).toBe('operational');
    expect($(first, 'time').textContent).toBe('2019-07-30');
    const description = $(first, '.jp-JwstLab-crdsContextDescription');
    expect(description.textContent).not.toContain('SUPERBIAS');
    act(() => $(description, 'button.jp-JwstLab-crdsExpand').click());
    await waitFor(() =>
      expect(
        $(first, '.jp-JwstLab-crdsContextDescription').textContent
      ).toContain('DARK, READNOISE, REFPIX and SUPERBIAS')
    );
    expect(
      $(panel.node, '[data-context="jwst_0539.pmap"]').textContent
    ).toContain('not in history');
  });

  it('is red with the fix when the cache is unusable, and lists no contexts', async () => {
    const client = crdsClient();
    const fix =
      'The CRDS cache /nope does not exist. Set c.JwstLabApp.crds_path (or CRDS_PATH)';
    client.crdsApi.getCrdsStatus = async () =>
      status({ ok: false, usable: false, problems: [fix], fix });
    const panel = attach(new CrdsPanel({ client }));
    await waitFor(() =>
      expect($(panel.node, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('error')
    );
    expect($(panel.node, '.jp-JwstLab-crdsFix').textContent).toBe(fix);
    expect(panel.node.querySelector('.jp-JwstLab-crdsContexts')).toBeNull();
    expect(client.crdsCalls.map(call => call[0])).toEqual(['getCrdsStatus']);
  });

  it('opens a context and compares two ticked contexts, older first', async () => {
    const client = crdsClient();
    const opened: string[] = [];
    const diffs: string[][] = [];
    const panel = attach(
      new CrdsPanel({
        client,
        onOpenContext: context => opened.push(context),
        onOpenDiff: (a, b) => diffs.push([a, b])
      })
    );
    await waitFor(() =>
      expect(
        panel.node.querySelectorAll('.jp-JwstLab-crdsContext').length
      ).toBe(3)
    );
    act(() =>
      $(
        panel.node,
        '[data-context="jwst_0540.pmap"] .jp-JwstLab-crdsContextOpen'
      ).click()
    );
    expect(opened).toEqual(['jwst_0540.pmap']);

    const compare = $(
      panel.node,
      'button.jp-JwstLab-crdsCompare'
    ) as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    act(() =>
      $(
        panel.node,
        '[data-context="jwst_0541.pmap"] input[type="checkbox"]'
      ).click()
    );
    act(() =>
      $(
        panel.node,
        '[data-context="jwst_0540.pmap"] input[type="checkbox"]'
      ).click()
    );
    await waitFor(() => expect(compare.disabled).toBe(false));
    expect(compare.textContent).toBe(
      'Compare jwst_0540.pmap and jwst_0541.pmap'
    );
    act(() => compare.click());
    expect(diffs).toEqual([['jwst_0540.pmap', 'jwst_0541.pmap']]);
  });

  it('filters the contexts', async () => {
    const client = crdsClient();
    const panel = attach(new CrdsPanel({ client }));
    await waitFor(() =>
      expect(
        panel.node.querySelectorAll('.jp-JwstLab-crdsContext').length
      ).toBe(3)
    );
    const input = $(
      panel.node,
      'input.jp-JwstLab-crdsContextSearch'
    ) as HTMLInputElement;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!;
      setter.call(input, 'MRS regions');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await waitFor(() =>
      expect(
        Array.from(panel.node.querySelectorAll('.jp-JwstLab-crdsContext')).map(
          li => (li as HTMLElement).dataset.context
        )
      ).toEqual(['jwst_0540.pmap'])
    );
  });
});

describe('CRDS main-area views', () => {
  it('shows a tree: instruments, types (N/A disabled), then the rules of one type', async () => {
    const client = crdsClient();
    const model = own(new CrdsTreeModel({ client, context: 'jwst_0541.pmap' }));
    const host = render(<CrdsTreeView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsInstruments'));
    expect($(host, '.jp-JwstLab-crdsViewHeader').textContent).toContain(
      '2 instruments, 2 reference mappings, 3 reference files'
    );
    act(() => $(host, '[data-instrument="nirspec"]').click());
    await waitFor(() => $(host, '[data-reftype="distortion"]'));
    const distortion = $(
      host,
      '[data-reftype="distortion"]'
    ) as HTMLButtonElement;
    expect(distortion.disabled).toBe(true);
    expect(distortion.textContent).toContain('N/A');
    act(() => $(host, '[data-reftype="dark"]').click());
    await waitFor(() => $(host, '.jp-JwstLab-crdsRules'));
    expect(client.crdsCalls).toContainEqual([
      'getCrdsMapping',
      'jwst_nirspec_dark_0029.rmap'
    ]);
    expect($(host, '.jp-JwstLab-crdsHeader').textContent).toContain(
      'Match → UseAfter'
    );
    expect(
      host.querySelectorAll('.jp-JwstLab-crdsRulesTable tbody tr').length
    ).toBe(3);
    const search = $(
      host,
      'input.jp-JwstLab-crdsRulesSearch'
    ) as HTMLInputElement;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!;
      setter.call(search, 'nrsrapidd1');
      search.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await waitFor(() =>
      expect(
        host.querySelectorAll('.jp-JwstLab-crdsRulesTable tbody tr').length
      ).toBe(1)
    );
    expect($(host, '.jp-JwstLab-crdsCount').textContent).toBe('1 of 3 rules');
  });

  it('shows an error with retry when the tree cannot load', async () => {
    const client = crdsClient();
    let calls = 0;
    client.crdsApi.getCrdsTree = async () => {
      calls += 1;
      if (calls === 1) {
        throw new Error('jwst_0541.pmap is not in the CRDS cache');
      }
      return TREE;
    };
    const model = own(new CrdsTreeModel({ client, context: 'jwst_0541.pmap' }));
    const host = render(<CrdsTreeView model={model} trans={trans} />);
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-crdsError').textContent).toContain(
        'not in the CRDS cache'
      )
    );
    act(() => $(host, 'button.jp-JwstLab-retry').click());
    await waitFor(() => $(host, '.jp-JwstLab-crdsInstruments'));
  });

  it('shows a diff: affected types, replaced mappings, rule changes', async () => {
    const diff: ICrdsDiff = {
      old: 'jwst_0540.pmap',
      new: 'jwst_0541.pmap',
      added_references: [],
      deleted_references: [],
      replaced_references: [],
      added_mappings: [],
      deleted_mappings: [],
      replaced_mappings: [
        {
          old: 'jwst_nirspec_dark_0028.rmap',
          new: 'jwst_nirspec_dark_0029.rmap'
        }
      ],
      affected: [
        {
          instrument: 'nirspec',
          types: ['dark', 'readnoise', 'refpix', 'superbias']
        }
      ],
      changes: [
        {
          mappings: [
            'jwst_nirspec_dark_0028.rmap',
            'jwst_nirspec_dark_0029.rmap'
          ],
          rmap: 'jwst_nirspec_dark_0029.rmap',
          selector: ['NRS1, NRS|NRSRAPIDD1', '2000-01-01, 00:00:00'],
          change: "added Match rule for 'jwst_nirspec_dark_0022.fits'"
        }
      ]
    };
    const client = crdsClient();
    client.crdsApi.getCrdsDiff = async () => diff;
    const model = own(
      new CrdsDiffModel({
        client,
        oldContext: 'jwst_0540.pmap',
        newContext: 'jwst_0541.pmap'
      })
    );
    const host = render(<CrdsDiffView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsDiffAffected'));
    expect($(host, '.jp-JwstLab-crdsDiffAffected').textContent).toContain(
      'NIRSPEC: dark, readnoise, refpix, superbias'
    );
    expect($(host, '.jp-JwstLab-crdsDiffMappings').textContent).toContain(
      'jwst_nirspec_dark_0028.rmap → jwst_nirspec_dark_0029.rmap'
    );
    const row = $(host, '.jp-JwstLab-crdsDiffTable tbody tr');
    expect(row.classList.contains('jp-mod-added')).toBe(true);
    expect(row.classList.contains('jp-mod-deleted')).toBe(false);
    expect(client.crdsCalls).toEqual([
      ['getCrdsDiff', 'jwst_0540.pmap', 'jwst_0541.pmap']
    ]);
  });

  it('shows best references with reasons and the size still to fetch', async () => {
    const result: ICrdsBestrefs = {
      context: 'jwst_0541.pmap',
      context_reason: 'operational',
      instrument: 'nircam',
      mode: 'local',
      found: 1,
      cached: 0,
      missing: 1,
      bytes_to_fetch: null,
      source: { path: 'data/jw01234001001_02101_00001_nrcb1_uncal.fits' },
      cache_path: '/data/crds_cache',
      readonly: false,
      types: [
        {
          reftype: 'dark',
          description: 'Dark Frame',
          reference: 'jwst_nircam_dark_0031.fits',
          status: 'found',
          reason: null,
          cached: false,
          size: null
        },
        {
          reftype: 'msa',
          description: 'MSA',
          reference: null,
          status: 'n/a',
          reason: 'N/A',
          cached: null,
          size: null
        },
        {
          reftype: 'area',
          description: 'Pixel area',
          reference: null,
          status: 'missing_parkey',
          reason: 'the header lacks META.INSTRUMENT.FILTER',
          cached: null,
          size: null
        }
      ]
    };
    const client = crdsClient();
    client.crdsApi.getCrdsBestrefs = async () => result;
    const model = own(
      new CrdsBestrefsModel({ client, path: 'data/x_uncal.fits' })
    );
    const host = render(<CrdsBestrefsView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsBestrefsTable'));
    expect(client.crdsCalls).toEqual([
      ['getCrdsBestrefs', { path: 'data/x_uncal.fits' }]
    ]);
    expect($(host, '.jp-JwstLab-crdsBestrefsSummary').textContent).toContain(
      'still to fetch: unknown (offline)'
    );
    expect($(host, '[data-reftype="dark"]').textContent).toContain(
      'jwst_nircam_dark_0031.fits'
    );
    expect($(host, '[data-reftype="area"]').textContent).toContain(
      'missing keyword: the header lacks META.INSTRUMENT.FILTER'
    );
    act(() => ($(host, 'input[type="checkbox"]') as HTMLInputElement).click());
    await waitFor(() =>
      expect(host.querySelector('[data-reftype="msa"]')).toBeNull()
    );

    // A chosen context: Enter in the field asks again at that context.
    const input = $(
      host,
      'input.jp-JwstLab-crdsBestrefsContext'
    ) as HTMLInputElement;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!;
      setter.call(input, 'jwst_0540.pmap');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await waitFor(() => expect(input.value).toBe('jwst_0540.pmap'));
    act(() =>
      $(host, 'form.jp-JwstLab-crdsContextForm').dispatchEvent(
        new Event('submit', { bubbles: true, cancelable: true })
      )
    );
    await waitFor(() =>
      expect(client.crdsCalls).toContainEqual([
        'getCrdsBestrefs',
        { path: 'data/x_uncal.fits', context: 'jwst_0540.pmap' }
      ])
    );
  });
});

describe('helpers', () => {
  it('virtualises long tables: only a window of rows is rendered', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [`row ${i}`, `${i}`]);
    const host = render(
      <VirtualTable
        columns={textColumns(['name', 'n'])}
        rows={rows}
        rowKey={rowIndexKey}
        label="long"
      />
    );
    await waitFor(() => $(host, 'tbody tr[aria-rowindex]'));
    const rendered = host.querySelectorAll('tbody tr[aria-rowindex]');
    expect(rendered.length).toBeLessThan(200);
    expect($(host, '.jp-JwstLab-vtable').dataset.rows).toBe('5000');
    // a real table: header cells, data cells, and its accessible name
    expect($(host, 'table').getAttribute('aria-label')).toBe('long');
    expect(host.querySelectorAll('thead th[scope="col"]')).toHaveLength(2);
    expect(rendered[0].querySelectorAll('td')[0].textContent).toBe('row 0');
    const spacer = host.querySelector<HTMLElement>(
      'tbody tr[aria-hidden="true"]'
    );
    expect(spacer?.style.height).toBe(`${(5000 - rendered.length) * 24}px`);
  });

  it('filters rows by every word, orders contexts, formats sizes', () => {
    expect(
      filterRows(
        [
          ['NRS1', 'FULL'],
          ['NRS2', 'ALLSLITS']
        ],
        'nrs full'
      )
    ).toEqual([['NRS1', 'FULL']]);
    expect(orderContexts('jwst_0541.pmap', 'jwst_0099.pmap')).toEqual([
      'jwst_0099.pmap',
      'jwst_0541.pmap'
    ]);
    expect(formatBytes(1200000000)).toBe('1.2 GB');
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(16090)).toBe('16.1 kB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
  });
});

describe('JwstLabClient CRDS methods', () => {
  it('call the /crds routes with encoded names, the diff query and a POST body', async () => {
    const requests: Request[] = [];
    const fetch = jest.fn(async (request: Request) => {
      requests.push(request);
      const status = request.url.includes('jwst_9999') ? 404 : 200;
      const body =
        status === 404
          ? {
              message: 'jwst_9999.pmap is not in the CRDS cache',
              reason: 'not_found'
            }
          : { ok: true };
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' }
      });
    });
    const client = new JwstLabClient({
      serverSettings: makeSettings({ fetch: fetch as typeof window.fetch })
    });
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
  });
});
