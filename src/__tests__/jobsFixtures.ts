import type {
  IAssociation,
  IParamSpec,
  IPipelineList,
  IPipelineSpec
} from '../api/models';
import type { Feature } from '../tokens';
import { FakeClient, makeClient, makeInfo } from './fixtures';

/** A parameter spec like the catalog's, with `overrides`. */
export function param(overrides: Partial<IParamSpec> = {}): IParamSpec {
  return {
    type: 'string',
    default: null,
    default_repr: 'None',
    min: null,
    max: null,
    choices: null,
    help: '',
    check: '',
    common: false,
    managed: false,
    path: null,
    ...overrides
  };
}

/** The common parameters every step has (hidden in the form). */
function commonParams(): Record<string, IParamSpec> {
  return {
    skip: param({
      type: 'boolean',
      default: false,
      default_repr: 'False',
      help: 'Skip this step',
      common: true
    }),
    output_dir: param({ help: 'Directory path', common: true, managed: true }),
    save_results: param({
      type: 'boolean',
      default: false,
      default_repr: 'False',
      common: true
    })
  };
}

/** A trimmed calwebb_image3 spec: resample and source_catalog with real parameter specs. */
export function image3Spec(): IPipelineSpec {
  return {
    alias: 'calwebb_image3',
    class_name: 'jwst.pipeline.Image3Pipeline',
    is_pipeline: true,
    level: 3,
    asn_types: ['image3'],
    suffixes: ['_cal.fits'],
    steps: ['resample', 'source_catalog'],
    doc: 'Image3Pipeline',
    params: commonParams(),
    step_specs: [
      {
        alias: 'resample',
        class_name: 'jwst.resample.ResampleStep',
        doc: 'Resample images into a mosaic.',
        params: {
          ...commonParams(),
          pixfrac: param({
            type: 'float',
            default: 1.0,
            default_repr: '1.0',
            min: 0,
            max: 1,
            help: 'Pixel shrinkage factor',
            check: 'float(min=0.0, max=1.0, default=1.0)'
          }),
          kernel: param({
            type: 'option',
            default: 'square',
            default_repr: 'square',
            choices: ['square', 'gaussian', 'point'],
            help: 'Flux distribution kernel'
          }),
          output_shape: param({
            type: 'int_list',
            min: 2,
            max: 2,
            help: '[x, y] order'
          }),
          in_memory: param({
            type: 'boolean',
            default: true,
            default_repr: 'True',
            help: 'Keep images in memory'
          })
        }
      },
      {
        alias: 'source_catalog',
        class_name: 'jwst.source_catalog.SourceCatalogStep',
        doc: 'Create a catalog of sources.',
        params: {
          ...commonParams(),
          snr_threshold: param({
            type: 'float',
            default: 3.0,
            default_repr: '3.0',
            help: 'SNR threshold above the background'
          }),
          npixels: param({
            type: 'integer',
            default: 25,
            default_repr: '25',
            min: 1,
            help: 'Minimum number of connected pixels'
          })
        }
      }
    ]
  };
}

/** `GET /pipelines` with image3, detector1, image2 and spec2. */
export function pipelineList(): IPipelineList {
  const entry = (
    alias: string,
    level: number,
    asn: string[],
    suffixes: string[]
  ) => ({
    alias,
    class_name: alias,
    is_pipeline: true,
    level,
    asn_types: asn,
    suffixes,
    steps: [],
    doc: ''
  });
  return {
    pipelines: [
      entry('calwebb_dark', 1, [], ['_uncal.fits']),
      entry('calwebb_detector1', 1, [], ['_uncal.fits']),
      entry('calwebb_image2', 2, ['image2'], ['_rate.fits']),
      entry('calwebb_spec2', 2, ['spec2'], ['_rate.fits']),
      entry('calwebb_image3', 3, ['image3'], ['_cal.fits']),
      {
        ...entry('resample', 0, [], []),
        is_pipeline: false,
        level: null
      }
    ],
    versions: { jwst: '3.0.0' }
  };
}

/** `GET /associations` for an image3 association at `path`. */
export function association(path: string): IAssociation {
  return {
    path,
    asn_type: 'image3',
    asn_rule: 'Asn_Lv3Image',
    asn_id: 'o001',
    asn_pool: 'jw09999_pool.csv',
    program: '09999',
    target: 't001',
    level: 3,
    pipelines: ['calwebb_image3'],
    products: [
      {
        name: 'jw09999-o001_t001_miri_f770w',
        members: [1, 2, 3, 4].map(n => ({
          expname: `jw09999001001_02101_0000${n}_mirimage_cal.fits`,
          exptype: 'science',
          exists: true
        }))
      }
    ],
    members_total: 4,
    members_missing: [],
    members_refused: []
  };
}

/** A client with the jobs feature and the pipeline routes faked. */
export function pipelineClient(): FakeClient {
  const features: Feature[] = ['info', 'events', 'pipelines', 'jobs'];
  const client = makeClient({ features });
  // Known at once, as after the handshake.
  client.info = makeInfo({ features });
  client.jobsApi = {
    listPipelines: async () => pipelineList(),
    readAssociation: async path => association(path),
    getPipelineSpec: async () => image3Spec()
  };
  return client;
}

/** Resolve after pending promises and React's scheduled renders. */
export function flush(ms = 0): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
