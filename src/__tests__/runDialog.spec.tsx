import * as React from 'react';

import { JwstLabApiError } from '../api/client';
import type {
  IJobCreate,
  IJobRecord,
  IPipelineParameters
} from '../api/models';
import { RunFormModel } from '../run/runFormModel';
import {
  associationLevel,
  buildRequest,
  defaultDraft,
  formFieldOf,
  initialDraft,
  parseParam
} from '../run/validation';
import { RunDialog } from '../widgets/run/runDialog';
import { RunForm, submitsOnEnter } from '../widgets/run/runForm';
import {
  changeValue,
  cleanUp,
  click,
  failing,
  FakeClient,
  fill,
  makeJob,
  own,
  query as $,
  render,
  trans,
  waitFor
} from './fixtures';
import { image3Spec, param, pipelineClient } from './jobsFixtures';

const ASN_1 = 'cal/jw09999-o001_20250401t130000_image3_00001_asn.json';
const ASN_2 = 'cal/jw09999-o002_20250401t130000_image3_00001_asn.json';

interface IRendered {
  host: HTMLElement;
  model: RunFormModel;
  submitted: IJobRecord[][];
  cancelled: number;
}

function renderForm(
  client: FakeClient,
  inputs: string[],
  kind: 'association' | 'uncal' | 'rate' = 'association',
  level?: number,
  preferred?: string
): IRendered {
  const model = own(
    new RunFormModel({ client, trans, inputs, kind, level, preferred })
  );
  const result: IRendered = {
    host: null as unknown as HTMLElement,
    model,
    submitted: [],
    cancelled: 0
  };
  result.host = render(
    <RunForm
      model={model}
      trans={trans}
      onSubmitted={jobs => result.submitted.push(jobs)}
      onCancel={() => (result.cancelled += 1)}
    />
  );
  return result;
}

/** Wait for the form, then show the parameters of `step`. */
async function expand(host: HTMLElement, step: string): Promise<HTMLElement> {
  const toggle = await waitForElement<HTMLButtonElement>(
    host,
    `[data-step="${step}"] .jp-JwstLab-runStepToggle`
  );
  if (toggle.getAttribute('aria-expanded') !== 'true') {
    toggle.click();
  }
  return waitForElement(host, `[data-step="${step}"] .jp-JwstLab-runParams`);
}

async function waitForElement<T extends HTMLElement>(
  root: ParentNode,
  selector: string
): Promise<T> {
  let found: T | null = null;
  await waitFor(() => {
    found = $<T>(root, selector);
  });
  return found as unknown as T;
}

function input(
  host: HTMLElement,
  step: string,
  name: string
): HTMLInputElement {
  return $(host, `#jp-JwstLab-run-steps-${step}-${name}`);
}

function submit(host: HTMLElement): void {
  $<HTMLFormElement>(host, 'form').dispatchEvent(
    new Event('submit', { bubbles: true, cancelable: true })
  );
}

/** The pipelines the rendered dialog's pipeline menu offers, in order. */
function pipelineOptions(host: HTMLElement): string[] {
  return Array.from(
    $<HTMLSelectElement>(host, '#jp-JwstLab-run-pipeline').options
  ).map(option => option.value);
}

describe('run form logic', () => {
  it('parses and validates values against the spec', () => {
    const pixfrac = image3Spec().step_specs[0].params.pixfrac;
    expect(parseParam(pixfrac, '0.8')).toEqual({ value: 0.8 });
    expect(parseParam(pixfrac, '1.5')).toEqual({ error: 'must be at most 1' });
    expect(parseParam(pixfrac, 'abc')).toEqual({
      error: 'must be a number, not “abc”'
    });
    const npixels = param({ type: 'integer', default: 25, min: 1 });
    expect(parseParam(npixels, '2.5')).toEqual({
      error: 'must be an integer, not “2.5”'
    });
    expect(parseParam(npixels, '0')).toEqual({ error: 'must be at least 1' });
    const shape = image3Spec().step_specs[0].params.output_shape;
    expect(parseParam(shape, '1000, 800')).toEqual({ value: [1000, 800] });
    expect(parseParam(shape, '')).toEqual({ value: null });
    expect('error' in parseParam(shape, '1, 2, 3')).toBe(true);
    expect('error' in parseParam(shape, '1, x')).toBe(true);
    const kernel = image3Spec().step_specs[0].params.kernel;
    expect(parseParam(kernel, 'gaussian')).toEqual({ value: 'gaussian' });
    expect(parseParam(kernel, 'cubic')).toEqual({
      error: 'must be one of square, gaussian, point'
    });
    expect(defaultDraft(image3Spec().step_specs[0].params.pixfrac)).toBe('1.0');
  });

  it('sends what the user set (a default too), and names bad fields', () => {
    const spec = image3Spec();
    const draft = initialDraft(spec);
    expect(buildRequest(spec, draft)).toEqual({
      steps: {},
      crds_context: null,
      output_dir: null
    });
    // A value shown (e.g. from CRDS) but not set by the user is not sent.
    draft.params.resample.pixfrac = '0.5';
    expect(buildRequest(spec, draft)).toEqual({
      steps: {},
      crds_context: null,
      output_dir: null
    });
    // Set back to the code default by the user: sent all the same.
    draft.params.resample.in_memory = true;
    draft.touched['steps.resample.in_memory'] = true;
    draft.touched['steps.resample.pixfrac'] = true;
    expect(buildRequest(spec, draft)).toEqual({
      steps: { resample: { pixfrac: 0.5, in_memory: true } },
      crds_context: null,
      output_dir: null
    });
    delete draft.touched['steps.resample.in_memory'];
    draft.touched['steps.source_catalog.npixels'] = true;
    draft.skip.source_catalog = true;
    draft.params.source_catalog.npixels = 'many';
    draft.crdsContext = 'jwst_1234.pmap';
    expect(buildRequest(spec, draft)).toEqual({
      // A skipped step's parameters are not checked or sent.
      steps: { resample: { pixfrac: 0.5 }, source_catalog: { skip: true } },
      crds_context: 'jwst_1234.pmap',
      output_dir: null
    });
    draft.skip.source_catalog = false;
    draft.crdsContext = 'latest';
    draft.outputDir = '../elsewhere';
    const result = buildRequest(spec, draft);
    expect('errors' in result && Object.keys(result.errors).sort()).toEqual([
      'crds_context',
      'output_dir',
      'steps.source_catalog.npixels'
    ]);
  });

  it('finds the form field a server error names, and the association level', () => {
    const spec = image3Spec();
    expect(formFieldOf('steps.resample.pixfrac', spec)).toBe(
      'steps.resample.pixfrac'
    );
    // A list item is the list's field.
    expect(formFieldOf('steps.resample.output_shape[1]', spec)).toBe(
      'steps.resample.output_shape'
    );
    expect(formFieldOf('crds_context', spec)).toBe('crds_context');
    expect(formFieldOf('output_dir', spec)).toBe('output_dir');
    // Fields the form does not show: a whole step, a parameter it hides, an unknown one.
    expect(formFieldOf('steps.resample', spec)).toBeNull();
    expect(formFieldOf('steps.resample.output_dir', spec)).toBeNull();
    expect(formFieldOf('steps.resample.foo', spec)).toBeNull();
    expect(formFieldOf('steps.nosuchstep.pixfrac', spec)).toBeNull();
    expect(formFieldOf('pipeline', spec)).toBeNull();
    expect(formFieldOf(null, spec)).toBeNull();
    expect(associationLevel(ASN_1)).toBe(3);
    expect(
      associationLevel('x/jw01-o001_20250101t000000_spec2_00001_asn.json')
    ).toBe(2);
    expect(associationLevel('x/whatever_asn.json')).toBeNull();
  });
});

describe('RunForm', () => {
  it('renders the pipeline, steps and parameters from the spec with defaults and help', async () => {
    const client = pipelineClient();
    const { host } = renderForm(client, [ASN_1]);
    const pipeline = await waitForElement<HTMLSelectElement>(
      host,
      '#jp-JwstLab-run-pipeline'
    );
    expect(pipeline.value).toBe('calwebb_image3');
    expect(Array.from(pipeline.options).map(o => o.value)).toEqual([
      'calwebb_image3'
    ]);
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-runInputMeta').textContent).toBe(
        'image3 association, 4 members'
      )
    );
    await waitFor(() =>
      expect(
        Array.from(host.querySelectorAll('.jp-JwstLab-runStep')).map(
          node => (node as HTMLElement).dataset.step
        )
      ).toEqual(['resample', 'source_catalog'])
    );

    expect(client.jobsCalls.map(call => call[0])).toEqual(
      expect.arrayContaining([
        'listPipelines',
        'readAssociation',
        'getPipelineSpec'
      ])
    );
    const params = await expand(host, 'resample');
    const names = Array.from(
      params.querySelectorAll('.jp-JwstLab-runParam')
    ).map(node => (node as HTMLElement).dataset.param);
    // stpipe's common parameters (skip, output_dir, ...) are not shown as fields.
    expect(names).toEqual(['pixfrac', 'kernel', 'output_shape', 'in_memory']);
    const pixfrac = input(host, 'resample', 'pixfrac');
    expect(pixfrac.value).toBe('1.0');
    expect(pixfrac.title).toContain('Pixel shrinkage factor');
    const help = $(host, `#${pixfrac.getAttribute('aria-describedby')}`);
    expect(help.textContent).toBe('Pixel shrinkage factor');
    // Every input has a label.
    expect(
      $(host, 'label[for="jp-JwstLab-run-steps-resample-pixfrac"]').textContent
    ).toContain('pixfrac');
    const kernel = $<HTMLSelectElement>(
      host,
      '#jp-JwstLab-run-steps-resample-kernel'
    );
    expect(kernel.value).toBe('square');
    expect(Array.from(kernel.options).map(o => o.value)).toEqual([
      'square',
      'gaussian',
      'point'
    ]);
    expect(input(host, 'resample', 'in_memory').checked).toBe(true);
    expect(input(host, 'resample', 'output_shape').value).toBe('');
    // The first field has the focus.
    expect(document.activeElement).toBe(pipeline);
  });

  it('validates before submitting and sends nothing while a field is wrong', async () => {
    const client = pipelineClient();
    client.jobsApi.createJob = async () => makeJob();
    const { host, submitted } = renderForm(client, [ASN_1]);
    await expand(host, 'resample');
    changeValue(input(host, 'resample', 'pixfrac'), '1.5');
    await waitFor(() =>
      expect(
        $(host, '[data-param="pixfrac"] .jp-JwstLab-fieldError').textContent
      ).toBe('pixfrac must be at most 1')
    );
    changeValue(input(host, 'resample', 'output_shape'), '10, 20, 30');
    fill(host, '#jp-JwstLab-run-crds_context', 'operational');
    submit(host);
    await waitFor(() =>
      expect(
        $(host, '#jp-JwstLab-run-crds_context-error').textContent
      ).toContain('is not a CRDS context name')
    );
    expect(
      input(host, 'resample', 'pixfrac').getAttribute('aria-invalid')
    ).toBe('true');
    expect(
      $(host, '[data-param="output_shape"] .jp-JwstLab-fieldError').textContent
    ).toContain('at most 2');
    expect(client.jobsCalls.filter(call => call[0] === 'createJob')).toEqual(
      []
    );
    expect(submitted).toEqual([]);
  });

  it('runs one job per selected input with the changed values and skips', async () => {
    const client = pipelineClient();
    const requests: IJobCreate[] = [];
    client.jobsApi.createJob = async request => {
      requests.push(request);
      return makeJob({ id: `job-${requests.length}`, input: request.input });
    };
    const { host, submitted } = renderForm(client, [ASN_1, ASN_2]);
    await expand(host, 'resample');
    changeValue(input(host, 'resample', 'pixfrac'), '0.8');
    click(host, 'input[aria-label="Skip source_catalog"]');
    fill(host, '#jp-JwstLab-run-output_dir', 'mosaics/');
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-runSubmit').textContent).toBe('Run 2 jobs')
    );
    submit(host);
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0].map(job => job.id)).toEqual(['job-1', 'job-2']);
    expect(requests).toEqual([
      {
        pipeline: 'calwebb_image3',
        input: ASN_1,
        steps: { resample: { pixfrac: 0.8 }, source_catalog: { skip: true } },
        crds_context: null,
        output_dir: 'mosaics/jw09999-o001_20250401t130000_image3_00001'
      },
      {
        pipeline: 'calwebb_image3',
        input: ASN_2,
        steps: { resample: { pixfrac: 0.8 }, source_catalog: { skip: true } },
        crds_context: null,
        output_dir: 'mosaics/jw09999-o002_20250401t130000_image3_00001'
      }
    ]);
  });

  it('shows a server 400 next to the field it names and stays open', async () => {
    const client = pipelineClient();
    client.jobsApi.createJob =
      // The message names no field the way the form could parse: `field` does.
      failing('0.95 is above its maximum 0.9', {
        status: 400,
        reason: 'bad_request',
        field: 'steps.resample.pixfrac'
      });
    const { host, submitted } = renderForm(client, [ASN_1]);
    await expand(host, 'source_catalog');
    changeValue(input(host, 'source_catalog', 'npixels'), '30');
    submit(host);
    await waitFor(() =>
      expect(
        $(host, '[data-param="pixfrac"] .jp-JwstLab-fieldError').textContent
      ).toBe('0.95 is above its maximum 0.9')
    );
    // The step with the problem opened by itself, and its field has the focus.
    await waitFor(() =>
      expect(document.activeElement).toBe(input(host, 'resample', 'pixfrac'))
    );
    expect(submitted).toEqual([]);
  });

  it('keeps the inputs that failed in a batch, with their error, and can retry them', async () => {
    const client = pipelineClient();
    let calls = 0;
    client.jobsApi.createJob = async request => {
      calls += 1;
      if (request.input === ASN_2 && calls === 2) {
        throw new JwstLabApiError('association members missing: x_cal.fits', {
          status: 400,
          reason: 'bad_request',
          field: 'input'
        });
      }
      return makeJob({ id: `job-${calls}`, input: request.input });
    };
    const { host, submitted } = renderForm(client, [ASN_1, ASN_2]);
    await waitForElement(host, '.jp-JwstLab-runSubmit:not([disabled])');
    submit(host);
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-runCreated').textContent).toContain(
        '1 job was created'
      )
    );
    const inputs = Array.from(host.querySelectorAll('.jp-JwstLab-runInput'));
    expect(inputs).toHaveLength(1);
    expect(inputs[0].textContent).toContain('association members missing');
    expect(submitted).toEqual([]);
    // Retrying runs only the input that failed; both jobs are handed back.
    submit(host);
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0].map(job => job.id)).toEqual(['job-1', 'job-3']);
  });

  it('shows a server 400 that names no field of the form as the general error', async () => {
    const client = pipelineClient();
    const answers = [
      // No field at all.
      new JwstLabApiError('the job store is busy, try again', {
        status: 400,
        reason: 'bad_request'
      }),
      // A field the form does not show, whose message mentions one it does.
      new JwstLabApiError('steps.resample.pixfrac cannot be set with kind', {
        status: 400,
        reason: 'bad_request',
        field: 'kind'
      })
    ];
    client.jobsApi.createJob = async () => {
      throw answers.shift()!;
    };
    const { host, submitted } = renderForm(client, [ASN_1]);
    await waitForElement(host, '.jp-JwstLab-runSubmit:not([disabled])');
    submit(host);
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-runGeneralError').textContent).toBe(
        'the job store is busy, try again'
      )
    );
    expect(
      host.querySelector('.jp-JwstLab-runParam .jp-JwstLab-fieldError')
    ).toBeNull();
    expect($(host, '.jp-JwstLab-runGeneralError').getAttribute('role')).toBe(
      'alert'
    );
    submit(host);
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-runGeneralError').textContent).toBe(
        'steps.resample.pixfrac cannot be set with kind'
      )
    );
    // Not placed at pixfrac, although the message names it.
    await expand(host, 'resample');
    expect(
      host.querySelector('[data-param="pixfrac"] .jp-JwstLab-fieldError')
    ).toBeNull();
    expect(submitted).toEqual([]);
  });

  it('keeps Tab inside the dialog', async () => {
    const client = pipelineClient();
    const { host } = renderForm(client, [ASN_1]);
    const submitButton = await waitForElement<HTMLButtonElement>(
      host,
      '.jp-JwstLab-runSubmit:not([disabled])'
    );
    const pipeline = $<HTMLSelectElement>(host, '#jp-JwstLab-run-pipeline');
    submitButton.focus();
    submitButton.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Tab', bubbles: true })
    );
    expect(document.activeElement).toBe(pipeline);
    pipeline.dispatchEvent(
      new KeyboardEvent('keydown', {
        key: 'Tab',
        shiftKey: true,
        bubbles: true
      })
    );
    expect(document.activeElement).toBe(submitButton);
  });

  it('cancels with Escape', async () => {
    const client = pipelineClient();
    const rendered = renderForm(client, [ASN_1]);
    const form = await waitForElement(rendered.host, 'form');
    form.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })
    );
    await waitFor(() => expect(rendered.cancelled).toBe(1));
  });

  it('offers Detector1 for uncal exposures and Image2/Spec2 for rate files', async () => {
    const client = pipelineClient();
    const uncal = renderForm(
      client,
      ['uncal/jw09999001001_02101_00001_mirimage_uncal.fits'],
      'uncal',
      1,
      'calwebb_detector1'
    );
    // calwebb_dark takes uncal files too; Detector1 is the one preferred.
    await waitFor(() =>
      expect(pipelineOptions(uncal.host)).toEqual([
        'calwebb_detector1',
        'calwebb_dark'
      ])
    );
    expect(
      $<HTMLSelectElement>(uncal.host, '#jp-JwstLab-run-pipeline').value
    ).toBe('calwebb_detector1');
    cleanUp();
    const rate = renderForm(
      client,
      ['rate/jw09999001001_02101_00001_mirimage_rate.fits'],
      'rate',
      2
    );
    await waitFor(() =>
      expect(pipelineOptions(rate.host)).toEqual([
        'calwebb_image2',
        'calwebb_spec2'
      ])
    );
  });

  it('shows the values CRDS sets with their source, and sends one set back to the default', async () => {
    const client = pipelineClient();
    const reference = 'jwst_miri_pars-resamplestep_0001.asdf';
    const contexts: (string | null | undefined)[] = [];
    client.jobsApi.getPipelineParameters = async (alias, input, context) => {
      contexts.push(context);
      return effectiveAnswer(alias, input, reference);
    };
    const requests: IJobCreate[] = [];
    client.jobsApi.createJob = async request => {
      requests.push(request);
      return makeJob({ input: request.input });
    };
    const { host, submitted } = renderForm(client, [ASN_1]);
    const params = await expand(host, 'resample');
    await waitFor(() =>
      expect(input(host, 'resample', 'pixfrac').value).toBe('0.8')
    );
    const field = $(params, '[data-param="pixfrac"]');
    expect(field.dataset.source).toBe('crds');
    expect(field.textContent).toContain(reference);
    expect($(params, '[data-param="kernel"]').dataset.source).toBe('default');
    expect($(host, '[data-step="resample"]').textContent).toContain(reference);
    expect($(host, '.jp-JwstLab-runEffective').textContent).toContain(
      'jwst_9001.pmap'
    );
    // The user sets the code default back: it is sent, and marked as theirs.
    changeValue(input(host, 'resample', 'pixfrac'), '1.0');
    await waitFor(() =>
      expect($(params, '[data-param="pixfrac"]').dataset.source).toBe('user')
    );
    submit(host);
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(requests[0].steps).toEqual({ resample: { pixfrac: 1 } });
    // A pinned context asks for its references again.
    expect(contexts).toEqual([null]);
  });

  it('asks for the CRDS values again when a context is pinned', async () => {
    const client = pipelineClient();
    const contexts: (string | null | undefined)[] = [];
    client.jobsApi.getPipelineParameters = async (alias, input, context) => {
      contexts.push(context);
      return effectiveAnswer(alias, input, 'x.asdf');
    };
    const { host } = renderForm(client, [ASN_1]);
    await expand(host, 'resample');
    await waitFor(() => expect(contexts).toEqual([null]));
    fill(host, '#jp-JwstLab-run-crds_context', 'jwst_9000.pm');
    fill(host, '#jp-JwstLab-run-crds_context', 'jwst_9000.pmap');
    await waitFor(() => expect(contexts).toEqual([null, 'jwst_9000.pmap']));
  });

  it('shows code defaults and says why when CRDS cannot be asked', async () => {
    const client = pipelineClient();
    client.jobsApi.getPipelineParameters = failing('no context is cached', {
      status: 503,
      reason: 'crds_unusable'
    });
    const { host } = renderForm(client, [ASN_1]);
    await expand(host, 'resample');
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-runEffective').textContent).toContain(
        'no context is cached'
      )
    );
    expect(input(host, 'resample', 'pixfrac').value).toBe('1.0');
  });

  it('submits with Enter from the first field (the pipeline menu)', async () => {
    const client = pipelineClient();
    client.jobsApi.createJob = async request =>
      makeJob({ input: request.input });
    const { host, submitted } = renderForm(client, [ASN_1]);
    await expand(host, 'resample');
    const pipeline = $<HTMLSelectElement>(host, '#jp-JwstLab-run-pipeline');
    await waitFor(() => expect(document.activeElement).toBe(pipeline));
    pipeline.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    await waitFor(() => expect(submitted).toHaveLength(1));
    // A checkbox too; never on a button, nor with a modifier.
    const key = (target: HTMLElement, extra = {}) =>
      submitsOnEnter({
        key: 'Enter',
        target,
        nativeEvent: { isComposing: false },
        ...extra
      } as unknown as React.KeyboardEvent);
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    expect(key(checkbox)).toBe(true);
    expect(key(document.createElement('button'))).toBe(false);
    expect(key(pipeline, { shiftKey: true })).toBe(false);
  });

  it('offers only the pipelines that apply to the EXP_TYPE of the exposures', async () => {
    const client = pipelineClient();
    client.jobsApi.getApplicablePipelines = async input => ({
      input,
      exp_type: 'MIR_IMAGE',
      pipelines: input.endsWith('_uncal.fits')
        ? ['calwebb_detector1']
        : ['calwebb_image2'],
      reason: 'MIR_IMAGE: calwebb_detector1, calwebb_image2',
      table: 'jwst_system_crdscfg_b7.8.yaml'
    });
    const uncal = renderForm(
      client,
      ['uncal/jw09999001001_02101_00001_mirimage_uncal.fits'],
      'uncal',
      1,
      'calwebb_detector1'
    );
    await waitFor(() =>
      expect(pipelineOptions(uncal.host)).toEqual(['calwebb_detector1'])
    );
    cleanUp();
    const rate = renderForm(
      client,
      ['rate/jw09999001001_02101_00001_mirimage_rate.fits'],
      'rate',
      2
    );
    await waitFor(() =>
      expect(pipelineOptions(rate.host)).toEqual(['calwebb_image2'])
    );
  });

  it('loads and saves a parameter file, and copies the values as strun', async () => {
    const client = pipelineClient();
    client.jobsApi.readParameterFile = async path => ({
      path,
      class_name: 'jwst.pipeline.Image3Pipeline',
      alias: 'calwebb_image3',
      steps: { resample: { pixfrac: 0.6 }, source_catalog: { skip: true } },
      ignored: ['resample.gone']
    });
    const written: unknown[] = [];
    client.jobsApi.writeParameterFile = async request => {
      written.push(request);
      return {
        path: request.path,
        class_name: 'jwst.pipeline.Image3Pipeline',
        alias: 'calwebb_image3',
        steps: request.steps ?? {},
        ignored: []
      };
    };
    const strun: unknown[] = [];
    client.jobsApi.getStrunCommand = async (alias, request) => {
      strun.push([alias, request]);
      return {
        command: 'CRDS_PATH=/c strun calwebb_image3 /root/a_asn.json',
        argv: ['strun', 'calwebb_image3', '/root/a_asn.json'],
        env: { CRDS_PATH: '/c' },
        cwd: null
      };
    };
    const { host } = renderForm(client, [ASN_1]);
    await expand(host, 'resample');
    fill(host, '#jp-JwstLab-run-parameter_file', 'p/mine.asdf');
    click(host, '.jp-JwstLab-runLoadParams');
    await waitFor(() =>
      expect(input(host, 'resample', 'pixfrac').value).toBe('0.6')
    );
    expect($(host, '[data-param="pixfrac"]').dataset.source).toBe('file');
    expect($(host, '.jp-JwstLab-runFileNotice').textContent).toContain(
      'resample.gone'
    );
    click(host, '.jp-JwstLab-runSaveParams');
    await waitFor(() => expect(written).toHaveLength(1));
    expect(written[0]).toMatchObject({
      path: 'p/mine.asdf',
      pipeline: 'calwebb_image3',
      overwrite: false,
      steps: {
        resample: { pixfrac: 0.6, kernel: 'square', in_memory: true },
        source_catalog: { skip: true }
      }
    });
    await waitFor(() =>
      expect(
        $<HTMLButtonElement>(host, '.jp-JwstLab-runCopyStrun').disabled
      ).toBe(false)
    );
    click(host, '.jp-JwstLab-runCopyStrun');
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-runStrun').textContent).toContain(
        'strun calwebb_image3'
      )
    );
    expect(strun[0]).toEqual([
      'calwebb_image3',
      {
        input: ASN_1,
        steps: { resample: { pixfrac: 0.6 }, source_catalog: { skip: true } },
        crds_context: null,
        output_dir: null
      }
    ]);
  });

  it('says why when the association cannot be read', async () => {
    const client = pipelineClient();
    client.jobsApi.readAssociation = failing(
      'x_asn.json is not valid JSON: at line 1',
      {
        status: 400,
        reason: 'bad_request'
      }
    );
    const { host } = renderForm(client, [ASN_1]);
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-runError').textContent).toContain(
        'is not valid JSON'
      )
    );
    expect($<HTMLButtonElement>(host, '.jp-JwstLab-runSubmit').disabled).toBe(
      true
    );
  });
});

describe('RunDialog', () => {
  it('is a labelled modal that resolves with the created jobs', async () => {
    const client = pipelineClient();
    client.jobsApi.createJob = async request =>
      makeJob({ id: 'new', input: request.input });
    const dialog = new RunDialog({
      client,
      inputs: [ASN_1],
      kind: 'association'
    });
    const done = dialog.open();
    expect(dialog.node.getAttribute('role')).toBe('dialog');
    expect(dialog.node.getAttribute('aria-modal')).toBe('true');
    const button = await waitForElement<HTMLButtonElement>(
      dialog.node,
      '.jp-JwstLab-runSubmit:not([disabled])'
    );
    button.click();
    const jobs = await done;
    expect(jobs.map(job => job.id)).toEqual(['new']);
    expect(dialog.isDisposed).toBe(true);
  });
});

/** A `GET /pipelines/{alias}/parameters` answer: CRDS sets resample's pixfrac. */
function effectiveAnswer(
  alias: string,
  input: string,
  reference: string
): IPipelineParameters {
  const spec = image3Spec();
  const steps: IPipelineParameters['steps'] = {};
  for (const step of spec.step_specs) {
    const values: IPipelineParameters['steps'][string]['values'] = {};
    for (const [name, paramSpec] of Object.entries(step.params)) {
      values[name] = {
        value: paramSpec.default,
        source: 'default',
        reference: null
      };
    }
    steps[step.alias] = { reftype: null, reference: null, values };
  }
  steps.resample.reference = reference;
  steps.resample.values.pixfrac = { value: 0.8, source: 'crds', reference };
  return {
    alias,
    input,
    context: 'jwst_9001.pmap',
    context_reason: 'operational',
    disabled: false,
    exp_type: 'MIR_IMAGE',
    pipeline_reference: null,
    steps
  };
}
