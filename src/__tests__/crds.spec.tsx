import * as React from 'react';

import type {
  ICrdsContextList,
  ICrdsDiff,
  ICrdsMapping,
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
import { JwstLabApiError } from '../api/errors';
import { plural } from '../translation';
import {
  attach,
  changeValue,
  click,
  FakeClient,
  fill,
  own,
  query as $,
  queryAll,
  render,
  submit,
  trans,
  waitFor
} from './fixtures';
import {
  crdsClient,
  crdsStatus,
  makeBestref,
  makeBestrefs
} from './crdsFixtures';

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

/** Wait until the panel lists the three contexts of the history. */
async function contextsListed(panel: CrdsPanel): Promise<void> {
  await waitFor(() =>
    expect(queryAll(panel, '.jp-JwstLab-crdsContext')).toHaveLength(3)
  );
}

/** A client whose CRDS history, tree and dark rules are the ones above. */
function browserClient(): FakeClient {
  return crdsClient({
    getCrdsStatus: async () => crdsStatus(),
    listCrdsContexts: async () => CONTEXTS,
    getCrdsTree: async () => TREE,
    getCrdsMapping: async () => DARK
  });
}

describe('CRDS sidebar', () => {
  it('shows a green status, the history with dates, badges and folded descriptions', async () => {
    const client = browserClient();
    const panel = attach(new CrdsPanel({ client }));

    await waitFor(() =>
      expect($(panel.node, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('ok')
    );
    expect($(panel.node, '.jp-JwstLab-crdsStatus').textContent).toContain(
      'jwst_0541.pmap (operational)'
    );
    await contextsListed(panel);
    const first = $(panel.node, '[data-context="jwst_0541.pmap"]');
    expect($(first, '.jp-JwstLab-crdsBadge').textContent).toBe('operational');
    expect($(first, 'time').textContent).toBe('2019-07-30');
    const description = $(first, '.jp-JwstLab-crdsContextDescription');
    expect(description.textContent).not.toContain('SUPERBIAS');
    click(description, 'button.jp-JwstLab-crdsExpand');
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
    const client = browserClient();
    const fix =
      'The CRDS cache /nope does not exist. Set c.JwstLabApp.crds_path (or CRDS_PATH)';
    client.crdsApi.getCrdsStatus = async () =>
      crdsStatus({ ok: false, usable: false, problems: [fix], fix });
    const panel = attach(new CrdsPanel({ client }));
    await waitFor(() =>
      expect($(panel.node, '.jp-JwstLab-crdsStatus').dataset.tone).toBe('error')
    );
    expect($(panel.node, '.jp-JwstLab-crdsFix').textContent).toBe(fix);
    expect(panel.node.querySelector('.jp-JwstLab-crdsContexts')).toBeNull();
    expect(client.crdsCalls.map(call => call[0])).toEqual(['getCrdsStatus']);
  });

  it('opens a context and compares two ticked contexts, older first', async () => {
    const client = browserClient();
    const opened: string[] = [];
    const diffs: string[][] = [];
    const panel = attach(
      new CrdsPanel({
        client,
        onOpenContext: context => opened.push(context),
        onOpenDiff: (a, b) => diffs.push([a, b])
      })
    );
    await contextsListed(panel);
    click(
      panel.node,
      '[data-context="jwst_0540.pmap"] .jp-JwstLab-crdsContextOpen'
    );
    expect(opened).toEqual(['jwst_0540.pmap']);

    const compare = $(
      panel.node,
      'button.jp-JwstLab-crdsCompare'
    ) as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    click(panel.node, '[data-context="jwst_0541.pmap"] input[type="checkbox"]');
    click(panel.node, '[data-context="jwst_0540.pmap"] input[type="checkbox"]');
    await waitFor(() => expect(compare.disabled).toBe(false));
    expect(compare.textContent).toBe(
      'Compare jwst_0540.pmap and jwst_0541.pmap'
    );
    compare.click();
    expect(diffs).toEqual([['jwst_0540.pmap', 'jwst_0541.pmap']]);
  });

  it('filters the contexts', async () => {
    const client = browserClient();
    const panel = attach(new CrdsPanel({ client }));
    await contextsListed(panel);
    fill(panel.node, 'input.jp-JwstLab-crdsContextSearch', 'MRS regions');
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
    const client = browserClient();
    const model = own(new CrdsTreeModel({ client, context: 'jwst_0541.pmap' }));
    const host = render(<CrdsTreeView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsInstruments'));
    expect($(host, '.jp-JwstLab-crdsViewHeader').textContent).toContain(
      '2 instruments, 2 reference mappings, 3 reference files'
    );
    // The rules' key column (REFERENCE) comes first.
    click(host, '[data-instrument="nirspec"]');
    await waitFor(() => $(host, '[data-reftype="distortion"]'));
    const distortion = $(
      host,
      '[data-reftype="distortion"]'
    ) as HTMLButtonElement;
    expect(distortion.disabled).toBe(true);
    expect(distortion.textContent).toContain('N/A');
    click(host, '[data-reftype="dark"]');
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
    expect(
      Array.from(
        host.querySelectorAll('.jp-JwstLab-crdsRulesTable th'),
        th => th.textContent
      )
    ).toEqual([
      'REFERENCE',
      'INSTRUMENT.DETECTOR',
      'EXPOSURE.READPATT',
      'USEAFTER'
    ]);
    fill(host, 'input.jp-JwstLab-crdsRulesSearch', 'nrsrapidd1');
    await waitFor(() =>
      expect(
        host.querySelectorAll('.jp-JwstLab-crdsRulesTable tbody tr').length
      ).toBe(1)
    );
    expect($(host, '.jp-JwstLab-crdsCount').textContent).toBe('1 of 3 rules');
  });

  it('shows an error with retry when the tree cannot load', async () => {
    const client = browserClient();
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
    click(host, 'button.jp-JwstLab-retry');
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
    const client = browserClient();
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
    const result = makeBestrefs(
      'data/jw01234001001_02101_00001_nrcb1_uncal.fits',
      {
        types: [
          makeBestref(),
          makeBestref({
            reftype: 'msa',
            description: 'MSA',
            reference: null,
            status: 'n/a',
            reason: 'N/A',
            cached: null
          }),
          makeBestref({
            reftype: 'area',
            description: 'Pixel area',
            reference: null,
            status: 'missing_parkey',
            reason: 'the header lacks META.INSTRUMENT.FILTER',
            cached: null
          })
        ]
      }
    );
    const client = browserClient();
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
    // N/A types are hidden at first; the toggle says how many there are.
    expect(host.querySelector('[data-reftype="msa"]')).toBeNull();
    expect($(host, '.jp-JwstLab-crdsShowNa').textContent).toBe('Show N/A (1)');
    click(host, '.jp-JwstLab-crdsShowNa input');
    await waitFor(() => $(host, '[data-reftype="msa"]'));
    click(host, '.jp-JwstLab-crdsShowNa input');
    await waitFor(() =>
      expect(host.querySelector('[data-reftype="msa"]')).toBeNull()
    );

    // A chosen context: Enter in the field asks again at that context.
    fill(host, 'input.jp-JwstLab-crdsBestrefsContext', 'jwst_0540.pmap');
    await waitFor(() =>
      expect(
        $<HTMLInputElement>(host, 'input.jp-JwstLab-crdsBestrefsContext').value
      ).toBe('jwst_0540.pmap')
    );
    submit(host, 'form.jp-JwstLab-crdsContextForm');
    await waitFor(() =>
      expect(client.crdsCalls).toContainEqual([
        'getCrdsBestrefs',
        { path: 'data/x_uncal.fits', context: 'jwst_0540.pmap' }
      ])
    );
  });
});

describe('CRDS best references: sizes, N/A and a context that cannot be used', () => {
  it('shows every size it knows, and says when one is not known', async () => {
    const client = browserClient();
    client.crdsApi.getCrdsBestrefs = async () =>
      makeBestrefs('data/x_uncal.fits', {
        found: 2,
        cached: 1,
        types: [
          makeBestref({ cached: true, size: 3 * 2880 }),
          makeBestref({
            reftype: 'gain',
            reference: 'jwst_nircam_gain_0097.fits',
            cached: false,
            size: null
          })
        ]
      });
    const model = own(
      new CrdsBestrefsModel({ client, path: 'data/x_uncal.fits' })
    );
    const host = render(<CrdsBestrefsView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsBestrefsTable'));
    const size = (reftype: string) =>
      $(host, `[data-reftype="${reftype}"] td:last-child`);
    expect(size('dark').textContent).toBe(formatBytes(3 * 2880));
    expect(size('gain').textContent).toBe('?');
    expect(size('gain').title).toContain('no CRDS server');
    expect($(host, '.jp-JwstLab-crdsBestrefsSummary').textContent).toContain(
      '2 references selected'
    );
    // This server cannot fetch: the disabled button does not look primary.
    const fetch = $<HTMLButtonElement>(host, '.jp-JwstLab-crdsFetchButton');
    expect(fetch.disabled).toBe(true);
    expect(fetch.classList.contains('jp-mod-accept')).toBe(false);
  });

  it('says nothing is left to fetch when every reference is cached', async () => {
    const client = browserClient();
    client.crdsApi.getCrdsBestrefs = async () =>
      makeBestrefs('data/x_uncal.fits', {
        cached: 1,
        missing: 0,
        types: [makeBestref({ cached: true, size: 2880 })]
      });
    const model = own(
      new CrdsBestrefsModel({ client, path: 'data/x_uncal.fits' })
    );
    const host = render(<CrdsBestrefsView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsBestrefsTable'));
    expect($(host, '.jp-JwstLab-crdsBestrefsSummary').textContent).toContain(
      '1 reference selected, 1 already cached; still to fetch: nothing'
    );
    // No N/A type: no toggle.
    expect(host.querySelector('.jp-JwstLab-crdsShowNa')).toBeNull();
  });

  it('keeps the title, names a context CRDS cannot use and offers valid ones instead of Retry', async () => {
    const client = browserClient();
    const asked: (string | null | undefined)[] = [];
    client.crdsApi.getCrdsBestrefs = async request => {
      asked.push(request.context);
      if (request.context === 'jwst_9999.pmap') {
        throw new JwstLabApiError(
          'jwst_9999.pmap is not in the CRDS cache /data/crds_cache',
          { status: 404, reason: 'not_found', field: 'context' }
        );
      }
      return makeBestrefs('data/x_uncal.fits', {
        context: request.context ?? 'jwst_0541.pmap'
      });
    };
    const model = own(
      new CrdsBestrefsModel({ client, path: 'data/x_uncal.fits' })
    );
    const host = render(<CrdsBestrefsView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsBestrefsTable'));
    fill(host, 'input.jp-JwstLab-crdsBestrefsContext', 'jwst_9999.pmap');
    submit(host, 'form.jp-JwstLab-crdsContextForm');
    await waitFor(() => $(host, '.jp-JwstLab-crdsContextProblem'));
    expect($(host, 'h2').textContent).toBe('data/x_uncal.fits');
    expect($(host, '.jp-JwstLab-crdsContextProblem').textContent).toContain(
      'CRDS cannot give best references at context jwst_9999.pmap: jwst_9999.pmap is not in the CRDS cache'
    );
    expect(host.querySelector('button.jp-JwstLab-retry')).toBeNull();
    // The same failing context again is not asked again.
    submit(host, 'form.jp-JwstLab-crdsContextForm');
    expect(asked).toEqual([undefined, 'jwst_9999.pmap']);
    // The valid contexts (the cached ones) are offered.
    await waitFor(() =>
      expect(
        Array.from(
          host.querySelectorAll<HTMLOptionElement>(
            '.jp-JwstLab-crdsPickContext option:not([disabled])'
          ),
          option => option.value
        )
      ).toEqual(['jwst_0541.pmap', 'jwst_0540.pmap', 'jwst_0539.pmap'])
    );
    expect($(host, '.jp-JwstLab-crdsUseEffective').textContent).toBe(
      'Use the effective context (jwst_0541.pmap)'
    );
    changeValue(
      $<HTMLSelectElement>(host, '.jp-JwstLab-crdsPickContext'),
      'jwst_0540.pmap'
    );
    await waitFor(() =>
      expect(
        $(host, '.jp-JwstLab-crdsBestrefs').getAttribute('data-context')
      ).toBe('jwst_0540.pmap')
    );
    expect(asked).toEqual([undefined, 'jwst_9999.pmap', 'jwst_0540.pmap']);
    expect(
      $<HTMLInputElement>(host, 'input.jp-JwstLab-crdsBestrefsContext').value
    ).toBe('jwst_0540.pmap');
  });

  it('goes back to the effective context in one click', async () => {
    const client = browserClient();
    client.crdsApi.getCrdsBestrefs = async request => {
      if (request.context) {
        throw new JwstLabApiError("context 'x.pmap' is not a context", {
          status: 400,
          reason: 'bad_request',
          field: 'context'
        });
      }
      return makeBestrefs('data/x_uncal.fits');
    };
    const model = own(
      new CrdsBestrefsModel({ client, path: 'data/x_uncal.fits' })
    );
    const host = render(<CrdsBestrefsView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsBestrefsTable'));
    fill(host, 'input.jp-JwstLab-crdsBestrefsContext', 'x.pmap');
    submit(host, 'form.jp-JwstLab-crdsContextForm');
    await waitFor(() => $(host, '.jp-JwstLab-crdsUseEffective'));
    click(host, '.jp-JwstLab-crdsUseEffective');
    await waitFor(() => $(host, '.jp-JwstLab-crdsBestrefsTable'));
    expect(model.context).toBe('');
  });
});

describe('counts in words', () => {
  it('says "1 instrument", "1 rule", "1 reference file", never "1 instruments"', async () => {
    const client = browserClient();
    client.crdsApi.getCrdsTree = async () => ({
      ...TREE,
      counts: { imaps: 1, rmaps: 1, references: 1 },
      instruments: [TREE.instruments[0]]
    });
    const model = own(new CrdsTreeModel({ client, context: 'jwst_0541.pmap' }));
    const host = render(<CrdsTreeView model={model} trans={trans} />);
    await waitFor(() => $(host, '.jp-JwstLab-crdsInstruments'));
    expect($(host, '.jp-JwstLab-crdsViewHeader p').textContent).toContain(
      '1 instrument, 1 reference mapping, 1 reference file'
    );
    expect($(host, '[data-reftype="flat"]').textContent).toContain('1 rule');
    expect(plural(trans, 1, '%2 of %1 file', '%2 of %1 files', 0)).toBe(
      '0 of 1 file'
    );
    expect(plural(trans, 1794, '%2 file', '%2 files', '1,794')).toBe(
      '1,794 files'
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
