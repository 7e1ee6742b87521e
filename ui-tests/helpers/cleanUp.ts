import { expect, test } from '@jupyterlab/galata';
import type { APIRequestContext, ConsoleMessage, Page } from '@playwright/test';

/**
 * What the specs leave behind on the shared server, removed through the REST
 * API: all tests of a project share one server and its job database.
 */

/** Cancel (when it has not ended) and delete jobs. */
export async function deleteJobs(
  request: APIRequestContext,
  ids: readonly string[]
): Promise<void> {
  for (const id of ids) {
    await request.post(`/jwst-lab/jobs/${id}/cancel`);
    // A job being cancelled cannot be deleted until its runner has stopped.
    await expect
      .poll(
        async () => (await request.delete(`/jwst-lab/jobs/${id}`)).status(),
        { timeout: 60000 }
      )
      .toBe(204);
  }
}

/** Cancel a run that has not ended, delete it, then the jobs its deletion left. */
export async function deleteRun(
  request: APIRequestContext,
  runId: string
): Promise<void> {
  const answer = await request.get(`/jwst-lab/runs/${runId}`);
  if (answer.status() === 404) {
    return;
  }
  const record = await answer.json();
  await request.post(`/jwst-lab/runs/${runId}/cancel`);
  await expect
    .poll(
      async () => (await request.delete(`/jwst-lab/runs/${runId}`)).status(),
      { timeout: 60000 }
    )
    .toBe(204);
  for (const job of record.jobs as { id: string | null }[]) {
    if (job.id && (await request.get(`/jwst-lab/jobs/${job.id}`)).ok()) {
      await deleteJobs(request, [job.id]);
    }
  }
}

/** Collect the console errors and page errors of a page into `problems`. */
export function watchForErrors(
  page: Page,
  problems: string[],
  expected: (message: ConsoleMessage) => boolean = () => false
): void {
  page.on('console', message => {
    if (message.type() === 'error' && !expected(message)) {
      problems.push(`console: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', error => problems.push(`page: ${error.message}`));
}

/**
 * Register, for the spec file that calls it, a clean-up after each test:
 * the jobs and runs whose ids the test pushed are removed, and, when
 * `problems` is given, the test fails on any problem it collected.
 */
export function cleanUpAfterEach(
  options: { problems?: () => readonly string[] } = {}
): { jobs: string[]; runs: string[] } {
  const created = { jobs: [] as string[], runs: [] as string[] };
  test.afterEach(async ({ page }) => {
    for (const id of created.runs.splice(0)) {
      await deleteRun(page.request, id);
    }
    await deleteJobs(page.request, created.jobs.splice(0));
    if (options.problems) {
      expect(options.problems()).toEqual([]);
    }
  });
  return created;
}
