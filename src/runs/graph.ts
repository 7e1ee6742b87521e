/**
 * The layout of a run's graph, free of React: one column per stage
 * (detector1 → image2 → image3), one node per job, edges from each job to
 * those that read its outputs.
 */
import type { IRunAssociation, IRunJob, IRunStage } from '../api/models';
import { baseName } from '../components/format';

/** Sizes of the drawing, in SVG user units (pixels at zoom 1). */
export const GRAPH_METRICS = {
  nodeWidth: 236,
  nodeHeight: 34,
  columnGap: 44,
  rowGap: 8,
  headerHeight: 28,
  padding: 8
} as const;

/** A node of the graph: a job and where it is drawn. */
export interface IGraphNode {
  job: IRunJob;
  /** Index of its column. */
  column: number;
  /** Index in its column, top to bottom. */
  row: number;
  x: number;
  y: number;
  /** What the node reads: the input's file name. */
  label: string;
}

/** An edge: the job `from` produces what `to` reads. */
export interface IGraphEdge {
  from: string;
  to: string;
  /** An SVG path from the right side of `from` to the left side of `to`. */
  path: string;
}

/** A column of the graph: a stage with its jobs. */
export interface IGraphColumn {
  level: number;
  pipeline: string;
  x: number;
  /** Jobs in the column, as the plan counts them (or as drawn when unknown). */
  jobs: number;
}

/** A laid out graph. */
export interface IGraphLayout {
  columns: IGraphColumn[];
  nodes: IGraphNode[];
  edges: IGraphEdge[];
  width: number;
  height: number;
}

/**
 * What a job reads, for people: the product of the association it runs
 * (`jw09999-o001_t001_miri_f770w`), else its exposure's name without the
 * suffix (`jw09999001001_02101_00001_mirimage`).
 */
export function jobLabel(
  job: Pick<IRunJob, 'input' | 'id'>,
  associations: readonly Pick<IRunAssociation, 'path' | 'product'>[] = []
): string {
  const asn = associations.find(item => item.path === job.input);
  if (asn?.product) {
    return asn.product;
  }
  const name = baseName(job.input);
  return (
    name.replace(/_(uncal|rate|rateints|cal|calints)\.fits$/i, '') || job.id
  );
}

/** A label cut in the middle to at most `max` characters. */
export function shorten(label: string, max = 36): string {
  if (label.length <= max) {
    return label;
  }
  const head = Math.ceil((max - 1) / 2);
  return `${label.slice(0, head)}…${label.slice(label.length - (max - 1 - head))}`;
}

/** The stage key of a job or stage: its level and pipeline. */
function stageKey(item: { level: number; pipeline: string }): string {
  return `${item.level}:${item.pipeline}`;
}

/**
 * Lay out a run's graph: the stages in the run's order (else by level), each
 * job in its stage's column, ordered so that a job sits level with the jobs
 * it reads (the mean row of its dependencies; then by input name), columns
 * centred on the tallest one.
 */
export function layoutRunGraph(
  stages: readonly IRunStage[],
  jobs: readonly IRunJob[],
  associations: readonly Pick<IRunAssociation, 'path' | 'product'>[] = []
): IGraphLayout {
  const m = GRAPH_METRICS;
  // Columns: the stages as given, then stages only the jobs name, by level.
  const order: { level: number; pipeline: string; jobs: number | null }[] =
    stages.map(stage => ({ ...stage, jobs: stage.jobs }));
  const known = new Set(order.map(stageKey));
  for (const job of [...jobs].sort((a, b) => a.level - b.level)) {
    if (!known.has(stageKey(job))) {
      known.add(stageKey(job));
      order.push({ level: job.level, pipeline: job.pipeline, jobs: null });
    }
  }
  order.sort((a, b) => a.level - b.level);
  const columnOf = new Map(order.map((stage, i) => [stageKey(stage), i]));

  const byColumn: IRunJob[][] = order.map(() => []);
  for (const job of jobs) {
    byColumn[columnOf.get(stageKey(job)) ?? 0].push(job);
  }

  const rowOf = new Map<string, number>();
  const columnIndex = new Map<string, number>();
  byColumn.forEach((column, index) => {
    const weight = (job: IRunJob): number => {
      const rows = job.depends_on
        .filter(id => (columnIndex.get(id) ?? index) < index)
        .map(id => rowOf.get(id))
        .filter((row): row is number => row !== undefined);
      return rows.length > 0
        ? rows.reduce((sum, row) => sum + row, 0) / rows.length
        : Number.POSITIVE_INFINITY;
    };
    const sorted = column
      .map(job => ({
        job,
        weight: weight(job),
        name: jobLabel(job, associations)
      }))
      .sort(
        (a, b) =>
          (a.weight === b.weight ? 0 : a.weight < b.weight ? -1 : 1) ||
          a.name.localeCompare(b.name) ||
          a.job.id.localeCompare(b.job.id)
      )
      .map(entry => entry.job);
    byColumn[index] = sorted;
    sorted.forEach((job, row) => {
      rowOf.set(job.id, row);
      columnIndex.set(job.id, index);
    });
  });

  const tallest = Math.max(1, ...byColumn.map(column => column.length));
  const step = m.nodeHeight + m.rowGap;
  const columns: IGraphColumn[] = order.map((stage, index) => ({
    level: stage.level,
    pipeline: stage.pipeline,
    x: m.padding + index * (m.nodeWidth + m.columnGap),
    jobs: stage.jobs ?? byColumn[index].length
  }));
  const nodes: IGraphNode[] = [];
  byColumn.forEach((column, index) => {
    const offset = ((tallest - column.length) * step) / 2;
    column.forEach((job, row) => {
      nodes.push({
        job,
        column: index,
        row,
        x: columns[index].x,
        y: m.padding + m.headerHeight + offset + row * step,
        label: jobLabel(job, associations)
      });
    });
  });

  const at = new Map(nodes.map(node => [node.job.id, node]));
  const edges: IGraphEdge[] = [];
  for (const node of nodes) {
    for (const id of node.job.depends_on) {
      const from = at.get(id);
      if (!from) {
        continue;
      }
      const x1 = from.x + m.nodeWidth;
      const y1 = from.y + m.nodeHeight / 2;
      const x2 = node.x;
      const y2 = node.y + m.nodeHeight / 2;
      const bend = (x2 - x1) / 2;
      edges.push({
        from: id,
        to: node.job.id,
        path: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`
      });
    }
  }
  const width =
    2 * m.padding +
    Math.max(1, columns.length) * m.nodeWidth +
    Math.max(0, columns.length - 1) * m.columnGap;
  const height = 2 * m.padding + m.headerHeight + tallest * step - m.rowGap;
  return { columns, nodes, edges, width, height };
}
