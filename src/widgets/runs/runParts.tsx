import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type {
  IRunJob,
  IRunRecord,
  RunJobStatus,
  RunStatus
} from '../../api/models';
import {
  formatBytes,
  formatEta,
  remainingSeconds
} from '../../components/format';
import { ProgressBar } from '../../components/JobProgress';
import { jobStatusLabel, jobStatusTone } from '../../components/jobStatus';
import { StatusBadge } from '../../components/StatusBadge';
import type { IMemorySample } from '../../models/runTracker';
import { GRAPH_METRICS, layoutRunGraph, shorten } from '../../runs/graph';
import { plural } from '../../translation';

/** A run's status as a coloured badge. */
export function RunStatusBadge({
  status,
  trans
}: {
  status: RunStatus;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <StatusBadge tone={jobStatusTone(status)} className="jp-JwstLab-runStatus">
      {jobStatusLabel(status, trans)}
    </StatusBadge>
  );
}

/** What a run job's status reads (`planned` included). */
export function runJobStatusLabel(
  status: RunJobStatus,
  trans: TranslationBundle
): string {
  return status === 'planned'
    ? trans.__('Planned')
    : jobStatusLabel(status, trans);
}

/** The text of a run's progress: jobs done of all, and the time still expected. */
export function runProgressText(
  run: Pick<IRunRecord, 'progress' | 'updated' | 'status'>,
  now: number,
  trans: TranslationBundle
): string {
  const { jobs_done, jobs_total, eta_seconds } = run.progress;
  const jobs = plural(
    trans,
    jobs_total,
    '%2 of %1 job',
    '%2 of %1 jobs',
    jobs_done
  );
  if (run.status !== 'running' && run.status !== 'queued') {
    return jobs;
  }
  const eta = formatEta(remainingSeconds(eta_seconds, run.updated, now));
  return eta ? trans.__('%1 · %2 left', jobs, eta) : jobs;
}

/** A run's progress bar: jobs done of all, with the time still expected. */
export function RunProgressBar({
  run,
  now,
  trans
}: {
  run: Pick<IRunRecord, 'progress' | 'updated' | 'status'>;
  now: number;
  trans: TranslationBundle;
}): JSX.Element {
  const { jobs_done, jobs_total } = run.progress;
  const fraction = jobs_total > 0 ? Math.min(1, jobs_done / jobs_total) : 0;
  const text = runProgressText(run, now, trans);
  return (
    <ProgressBar
      className="jp-JwstLab-runProgress"
      label={trans.__('Jobs done')}
      now={jobs_done}
      max={jobs_total}
      text={text}
      fraction={fraction}
      indeterminate={fraction === 0 && run.status === 'running'}
    />
  );
}

/**
 * A run's graph: one column per stage, one node per job coloured by its
 * status (a reused job is marked), edges from each job to those reading its
 * outputs. A node opens its job (click, Enter or Space).
 */
export function RunGraph({
  run,
  trans,
  onOpenJob
}: {
  run: Pick<IRunRecord, 'stages' | 'jobs' | 'associations'>;
  trans: TranslationBundle;
  onOpenJob: (id: string) => void;
}): JSX.Element {
  const layout = React.useMemo(
    () => layoutRunGraph(run.stages, run.jobs, run.associations),
    [run.stages, run.jobs, run.associations]
  );
  const m = GRAPH_METRICS;
  if (layout.nodes.length === 0) {
    return (
      <p className="jp-JwstLab-emptyState">
        {trans.__('This run has no jobs.')}
      </p>
    );
  }
  const label = (job: IRunJob, name: string) =>
    trans.__(
      '%1 on %2: %3%4',
      job.pipeline,
      name,
      runJobStatusLabel(job.status, trans),
      job.reused ? trans.__(' (reused)') : ''
    );
  return (
    <div className="jp-JwstLab-runGraph">
      <svg
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        // Narrower tabs scale the drawing down (to 60 %), then scroll.
        style={{ maxWidth: layout.width, minWidth: 0.6 * layout.width }}
        role="group"
        aria-label={trans.__('Jobs of the run, by stage')}
      >
        {layout.columns.map(column => (
          <text
            key={`${column.level}:${column.pipeline}`}
            className="jp-JwstLab-runGraphStage"
            x={column.x + m.nodeWidth / 2}
            y={m.padding + 14}
            textAnchor="middle"
          >
            {`${column.pipeline.replace(/^calwebb_/, '')} · ${column.jobs}`}
          </text>
        ))}
        <g className="jp-JwstLab-runGraphEdges" aria-hidden="true">
          {layout.edges.map(edge => (
            <path key={`${edge.from}>${edge.to}`} d={edge.path} />
          ))}
        </g>
        {layout.nodes.map(node => {
          const { job } = node;
          const name = node.label;
          // A reused job's ↺ takes the end of the box: its label is cut shorter.
          const shown = shorten(name, job.reused ? 30 : 34);
          const open = () => onOpenJob(job.id);
          return (
            <g
              key={job.key}
              className="jp-JwstLab-runNode"
              data-job-id={job.id}
              data-status={job.status}
              data-reused={job.reused === true}
              data-pipeline={job.pipeline}
              transform={`translate(${node.x},${node.y})`}
              role="button"
              tabIndex={0}
              aria-label={label(job, name)}
              onClick={open}
              onKeyDown={event => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  open();
                }
              }}
            >
              <title>
                {typeof job.memory_estimate_bytes === 'number'
                  ? trans.__(
                      '%1 · memory estimate %2',
                      label(job, job.input),
                      formatBytes(job.memory_estimate_bytes)
                    )
                  : label(job, job.input)}
              </title>
              <rect
                className="jp-JwstLab-runNodeBox"
                width={m.nodeWidth}
                height={m.nodeHeight}
                rx={4}
              />
              <rect
                className="jp-JwstLab-runNodeStatus"
                width={6}
                height={m.nodeHeight}
                rx={2}
              />
              <text
                className="jp-JwstLab-runNodeLabel"
                x={14}
                y={m.nodeHeight / 2 + 4}
              >
                {shown}
              </text>
              {job.reused && (
                <text
                  className="jp-JwstLab-runNodeReused"
                  x={m.nodeWidth - 8}
                  y={m.nodeHeight / 2 + 4}
                  textAnchor="end"
                >
                  ↺
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/**
 * Where the memory chart draws its line, from the samples (client-side, no
 * library). The scale reaches the limit unless the limit is more than four
 * times the peak: then it reaches 1.25 × the peak (the line would be flat on
 * the axis) and the limit is off the chart (`limitY` null).
 */
export function memoryChartPoints(
  samples: readonly IMemorySample[],
  end: number,
  width: number,
  height: number
): { points: string; top: number; limitY: number | null } {
  if (samples.length === 0) {
    return { points: '', top: 0, limitY: null };
  }
  const limit = samples[samples.length - 1].limit;
  const peak = Math.max(...samples.map(sample => sample.inUse));
  const limitShown = limit > 0 && !(peak > 0 && limit > 4 * peak);
  const top = limitShown ? Math.max(limit, peak) : Math.max(1.25 * peak, 1);
  const start = samples[0].time;
  const span = Math.max(
    1,
    Math.max(end, samples[samples.length - 1].time) - start
  );
  const x = (time: number) => ((time - start) / span) * width;
  const y = (bytes: number) => height - (bytes / top) * height;
  // A step line: the memory in use holds until the next sample.
  const coords: string[] = [];
  samples.forEach((sample, index) => {
    if (index > 0) {
      coords.push(
        `${x(sample.time).toFixed(1)},${y(samples[index - 1].inUse).toFixed(1)}`
      );
    }
    coords.push(`${x(sample.time).toFixed(1)},${y(sample.inUse).toFixed(1)}`);
  });
  const last = samples[samples.length - 1];
  coords.push(
    `${x(Math.max(end, last.time)).toFixed(1)},${y(last.inUse).toFixed(1)}`
  );
  return {
    points: coords.join(' '),
    top,
    limitY: limitShown ? y(limit) : null
  };
}

/** Memory in use by the run's running jobs (their estimates) over time, against the limit. */
export function MemoryChart({
  samples,
  end,
  trans
}: {
  samples: readonly IMemorySample[];
  end: number;
  trans: TranslationBundle;
}): JSX.Element {
  const width = 360;
  const height = 96;
  const { points, top, limitY } = memoryChartPoints(
    samples,
    end,
    width,
    height
  );
  const last = samples[samples.length - 1];
  const peak = samples.reduce((max, sample) => Math.max(max, sample.inUse), 0);
  if (!last) {
    return (
      <p className="jp-JwstLab-emptyState">
        {trans.__('No memory figures yet.')}
      </p>
    );
  }
  const summary = trans.__(
    'In use %1 of %2 (peak %3)',
    formatBytes(last.inUse),
    formatBytes(last.limit),
    formatBytes(peak)
  );
  return (
    <figure className="jp-JwstLab-memoryChart">
      <svg
        width={width}
        height={height + 16}
        viewBox={`0 -8 ${width} ${height + 16}`}
        role="img"
        aria-label={summary}
      >
        <line
          className="jp-JwstLab-memoryChartAxis"
          x1={0}
          y1={height}
          x2={width}
          y2={height}
        />
        {limitY !== null && (
          <>
            <line
              className="jp-JwstLab-memoryChartLimit"
              x1={0}
              y1={limitY}
              x2={width}
              y2={limitY}
            />
            <text
              className="jp-JwstLab-memoryChartLabel"
              x={width - 4}
              y={limitY - 3}
              textAnchor="end"
            >
              {trans.__('limit %1', formatBytes(last.limit))}
            </text>
          </>
        )}
        {limitY === null && (
          <text
            className="jp-JwstLab-memoryChartLabel"
            x={width - 4}
            y={2}
            textAnchor="end"
          >
            {trans.__('limit %1, above the chart', formatBytes(last.limit))}
          </text>
        )}
        <text className="jp-JwstLab-memoryChartLabel" x={2} y={2}>
          {formatBytes(top)}
        </text>
        <polyline className="jp-JwstLab-memoryChartLine" points={points} />
      </svg>
      <figcaption className="jp-JwstLab-memoryChartCaption">
        {summary}
      </figcaption>
    </figure>
  );
}
