import type {
  IRunJob,
  IRunPlan,
  IRunRecord,
  RunJobStatus
} from '../api/models';

const UNCAL = [1, 2, 3, 4].map(
  n => `uncal/jw09999001001_02101_0000${n}_mirimage_uncal.fits`
);

/**
 * The jobs of the demo's run to Level 3: detector1 × 4, image2 × 4 (each
 * reading its detector1's rate), image3 × 1 (reading every cal), all in
 * `status` unless `statuses` names a job's.
 */
export function demoJobs(
  status: RunJobStatus = 'planned',
  statuses: Record<string, RunJobStatus> = {},
  folder = 'uncal/run_r1'
): IRunJob[] {
  const jobs: IRunJob[] = [];
  // Listed out of order, as a server may: the layout orders them.
  for (const n of [3, 1, 4, 2]) {
    jobs.push({
      key: `1:calwebb_detector1:${n}`,
      id: `d${n}`,
      pipeline: 'calwebb_detector1',
      level: 1,
      input: UNCAL[n - 1],
      depends_on: [],
      status: statuses[`d${n}`] ?? status,
      reused: false,
      memory_estimate_bytes: 600e6
    });
  }
  for (const n of [4, 3, 2, 1]) {
    jobs.push({
      key: `2:calwebb_image2:${n}`,
      id: `i${n}`,
      pipeline: 'calwebb_image2',
      level: 2,
      input: `${folder}/stage1/jw09999001001_02101_0000${n}_mirimage_rate.fits`,
      depends_on: [`d${n}`],
      status: statuses[`i${n}`] ?? status,
      reused: false,
      memory_estimate_bytes: 400e6
    });
  }
  jobs.push({
    key: '3:calwebb_image3:m1',
    id: 'm1',
    pipeline: 'calwebb_image3',
    level: 3,
    input: `${folder}/stage2/jw09999-o001_image3_00001_asn.json`,
    depends_on: ['i1', 'i2', 'i3', 'i4'],
    status: statuses.m1 ?? status,
    reused: false,
    memory_estimate_bytes: 900e6
  });
  return jobs;
}

/** The stages of the demo's run to Level 3. */
export function demoStages(folder = 'uncal/run_r1'): IRunPlan['stages'] {
  return [
    {
      level: 1,
      pipeline: 'calwebb_detector1',
      folder: `${folder}/stage1`,
      jobs: 4
    },
    {
      level: 2,
      pipeline: 'calwebb_image2',
      folder: `${folder}/stage2`,
      jobs: 4
    },
    {
      level: 3,
      pipeline: 'calwebb_image3',
      folder: `${folder}/stage3`,
      jobs: 1
    }
  ];
}

/** A dry-run answer for the demo's `uncal` folder, with `overrides`. */
export function makePlan(overrides: Partial<IRunPlan> = {}): IRunPlan {
  return {
    inputs: ['uncal'],
    target_level: 3,
    output_dir: 'uncal/run_<id>',
    crds_context_requested: null,
    associations: [],
    stages: demoStages('uncal/run_<id>'),
    jobs: demoJobs('planned', {}, 'uncal/run_<id>'),
    memory: { limit_bytes: 8e9, peak_estimate_bytes: 900e6, in_use_bytes: 0 },
    warnings: [],
    ...overrides
  };
}

/** A run record like the server's, with `overrides`. */
export function makeRun(overrides: Partial<IRunRecord> = {}): IRunRecord {
  return {
    id: 'r1a2b3c4d5e6',
    status: 'running',
    created: '2026-12-07T00:00:00Z',
    started: '2026-12-07T00:00:01Z',
    finished: null,
    updated: '2026-12-07T00:00:10Z',
    inputs: ['uncal'],
    target_level: 3,
    output_dir: 'uncal/run_r1',
    steps: {},
    crds_context_requested: null,
    crds_context_used: 'jwst_0001.pmap',
    associations: [
      {
        path: 'uncal/run_r1/stage2/jw09999-o001_image3_00001_asn.json',
        asn_type: 'image3',
        asn_rule: 'Asn_Lv3Image',
        product: 'jw09999-o001_t001_miri_f770w',
        members: [],
        given: false
      }
    ],
    stages: demoStages(),
    jobs: demoJobs('queued'),
    progress: { jobs_done: 0, jobs_total: 9, eta_seconds: 300 },
    memory: { limit_bytes: 8e9, peak_estimate_bytes: 900e6, in_use_bytes: 0 },
    manifest: 'uncal/run_r1/run.json',
    error: null,
    warnings: [],
    ...overrides
  };
}
