import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IJobRecord } from '../api/models';
import { formatBytes } from './format';
import { plural } from '../translation';

/** What a job's progress bar shows: a fraction (null: indeterminate) and its text. */
export function progressOf(
  job: Pick<IJobRecord, 'kind' | 'status' | 'progress'>,
  trans: TranslationBundle
): {
  fraction: number | null;
  now: number | undefined;
  max: number | undefined;
  text: string;
  label: string;
} {
  const progress = job.progress;
  if (job.kind === 'download' || typeof progress.bytes_done === 'number') {
    const done = progress.bytes_done ?? 0;
    const total = progress.bytes_total ?? null;
    const files =
      typeof progress.files_total === 'number'
        ? plural(
            trans,
            progress.files_total,
            '%2 of %1 file',
            '%2 of %1 files',
            progress.files_done ?? 0
          )
        : '';
    const bytes = total
      ? trans.__('%1 of %2', formatBytes(done), formatBytes(total))
      : formatBytes(done);
    const fraction = total ? Math.min(1, done / total) : null;
    return {
      fraction,
      now: fraction === null ? undefined : Math.round(100 * fraction),
      max: fraction === null ? undefined : 100,
      text: [bytes, files].filter(Boolean).join(' · '),
      label: trans.__('Bytes downloaded')
    };
  }
  // No step count yet (0, or left out) reads as "not known yet".
  const total = progress.steps_total ? progress.steps_total : null;
  const done =
    total === null ? progress.steps_done : Math.min(progress.steps_done, total);
  const step = progress.current_step;
  let text: string;
  if (step) {
    text = total !== null ? trans.__('%1 (%2/%3)', step, done, total) : step;
  } else if (total !== null) {
    text = plural(trans, total, '%2/%1 step', '%2/%1 steps', done);
  } else {
    text =
      job.status === 'queued'
        ? trans.__('Waiting to start')
        : trans.__('Starting…');
  }
  return {
    fraction: total ? done / total : null,
    now: total === null ? undefined : done,
    max: total === null ? undefined : total,
    text,
    label: trans.__('Pipeline steps done')
  };
}

/** Props of {@link ProgressBar}. */
export interface IProgressBarProps {
  /** A further class of the bar's box. */
  className?: string;
  /** What the bar measures, for assistive technologies. */
  label: string;
  /** How far, of `max` (undefined when not known). */
  now?: number;
  max?: number;
  /** Shown beside the bar; also its value text. */
  text: string;
  /** The part done, from 0 to 1, or null when not known. */
  fraction: number | null;
  /** Whether the bar moves without a measure of how far it is. */
  indeterminate: boolean;
}

/** A progress bar with its text. */
export function ProgressBar(props: IProgressBarProps): JSX.Element {
  const { className, label, now, max, text, fraction, indeterminate } = props;
  return (
    <div
      className={
        className
          ? `jp-JwstLab-jobProgress ${className}`
          : 'jp-JwstLab-jobProgress'
      }
    >
      <div
        className="jp-JwstLab-jobProgressBar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={text}
      >
        <div
          className="jp-JwstLab-jobProgressFill"
          data-indeterminate={indeterminate}
          style={fraction ? { width: `${100 * fraction}%` } : undefined}
        />
      </div>
      <span className="jp-JwstLab-jobStep">{text}</span>
    </div>
  );
}

/** A job's progress bar with its text (steps for pipelines, bytes and files for downloads). */
export function JobProgress({
  job,
  trans
}: {
  job: Pick<IJobRecord, 'kind' | 'status' | 'progress'>;
  trans: TranslationBundle;
}): JSX.Element {
  const { fraction, now, max, text, label } = progressOf(job, trans);
  return (
    <ProgressBar
      label={label}
      now={now}
      max={max}
      text={text}
      fraction={fraction}
      indeterminate={fraction === null || fraction === 0}
    />
  );
}
