import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IJobRecord, JobStatus } from '../api/models';
import { formatElapsed } from './format';
import { StatusBadge, StatusTone } from './StatusBadge';

/** The colour of a job status. */
export function jobStatusTone(status: JobStatus): StatusTone {
  switch (status) {
    case 'succeeded':
      return 'ok';
    case 'failed':
      return 'error';
    case 'cancelled':
    case 'interrupted':
      return 'warn';
    default:
      return 'pending';
  }
}

/** Each job status as the user reads it. */
export function jobStatusLabels(
  trans: TranslationBundle
): Record<JobStatus, string> {
  return {
    queued: trans.__('Queued'),
    running: trans.__('Running'),
    succeeded: trans.__('Succeeded'),
    failed: trans.__('Failed'),
    cancelled: trans.__('Cancelled'),
    interrupted: trans.__('Interrupted')
  };
}

/** A job status as the user reads it (an unknown one as it is). */
export function jobStatusLabel(
  status: JobStatus,
  trans: TranslationBundle
): string {
  return jobStatusLabels(trans)[status] ?? status;
}

/** A job's status as a coloured badge. */
export function JobStatusBadge({
  status,
  trans
}: {
  status: JobStatus;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <StatusBadge tone={jobStatusTone(status)} className="jp-JwstLab-jobStatus">
      {jobStatusLabel(status, trans)}
    </StatusBadge>
  );
}

/** How long a job ran, or has run until `now`; nothing before it started. */
export function JobElapsed({
  job,
  now,
  trans
}: {
  job: Pick<IJobRecord, 'started' | 'finished'>;
  now: number;
  trans: TranslationBundle;
}): JSX.Element | null {
  const elapsed = formatElapsed(job, now);
  return elapsed ? (
    <span className="jp-JwstLab-jobElapsed" title={trans.__('Elapsed time')}>
      {elapsed}
    </span>
  ) : null;
}

/** The current time, refreshed every `interval` ms (never when 0). */
export function useNow(interval: number): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    if (interval <= 0) {
      return;
    }
    const tick = () => setNow(Date.now());
    // Now at once (the time kept since the last render may be old), then every `interval`.
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, interval);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [interval]);
  return now;
}
