/**
 * How the Jobs panel groups jobs: the children of a run under one row of
 * their run, every other job on its own, newest first.
 */
import type { IJobRecord, IRunRecord } from '../api/models';
import { isFinal } from '../models/jobRecord';
import { runIdOfJob } from './runRecord';

/** A row of the Jobs panel: a run with its children, or a job of no run. */
export type JobsPanelEntry =
  | {
      kind: 'run';
      runId: string;
      /** The run's record, or null when it is not known (yet). */
      run: IRunRecord | null;
      /** Its jobs in the list, in the list's order. */
      children: IJobRecord[];
      /**
       * Jobs of earlier attempts (before a resume) the run no longer counts:
       * in the list, but not among the run's jobs. Empty while the run is
       * not known.
       */
      earlier: IJobRecord[];
    }
  | { kind: 'job'; job: IJobRecord };

function time(value: string | null | undefined): number {
  const parsed = value ? Date.parse(value) : NaN;
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

/**
 * Group `jobs` (newest first) by run: each run takes the place of its newest
 * job (or of its creation time, for a run none of whose jobs is listed yet).
 * Runs in `runs` with no job in the list are shown when `includeEmpty`
 * (a run just created, its children not listed yet). A resumed run's
 * children of earlier attempts are kept apart (`earlier`).
 */
export function groupJobsByRun(
  jobs: readonly IJobRecord[],
  runs: ReadonlyMap<string, IRunRecord>,
  includeEmpty = true
): JobsPanelEntry[] {
  const entries: { entry: JobsPanelEntry; time: number; index: number }[] = [];
  const groups = new Map<string, Extract<JobsPanelEntry, { kind: 'run' }>>();
  jobs.forEach((job, index) => {
    const runId = runIdOfJob(job);
    if (runId === null) {
      entries.push({
        entry: { kind: 'job', job },
        time: time(job.created),
        index
      });
      return;
    }
    let group = groups.get(runId);
    if (!group) {
      group = {
        kind: 'run',
        runId,
        run: runs.get(runId) ?? null,
        children: [],
        earlier: []
      };
      groups.set(runId, group);
      const run = runs.get(runId);
      entries.push({
        entry: group,
        time: Math.max(time(job.created), time(run?.created)),
        index
      });
    }
    // A job just submitted may be listed before the run's record names it: only
    // ended jobs the run does not name are of an earlier attempt.
    const earlier =
      group.run !== null &&
      isFinal(job.status) &&
      !group.run.jobs.some(item => item.id === job.id);
    (earlier ? group.earlier : group.children).push(job);
  });
  if (includeEmpty) {
    for (const [runId, run] of runs) {
      if (!groups.has(runId)) {
        entries.push({
          entry: { kind: 'run', runId, run, children: [], earlier: [] },
          time: time(run.created),
          index: -1
        });
      }
    }
  }
  return entries
    .sort((a, b) => b.time - a.time || a.index - b.index)
    .map(item => item.entry);
}
