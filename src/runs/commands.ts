/** Commands of runs (the file browser menu in schema/runs.json names the reduce ones). */
export const RunCommandIds = {
  reduceLevel1: 'jwst-lab:reduce-level-1',
  reduceLevel2: 'jwst-lab:reduce-level-2',
  reduceLevel3: 'jwst-lab:reduce-level-3',
  /** Plan a run on given inputs: `{inputs: string[], level: 1 | 2 | 3}`. */
  reduce: 'jwst-lab:reduce',
  /** Open a run's tab: `{id}`. */
  openRun: 'jwst-lab:open-run'
} as const;
