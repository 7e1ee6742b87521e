import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  Dialog,
  ICommandPalette,
  Notification,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import {
  imageIcon,
  jsonIcon,
  lineFormIcon,
  tableRowsIcon
} from '@jupyterlab/ui-components';

import type { IEventsConnection } from '../api/events';
import type { EventsStreamMessage } from '../api/models';
import { jobsIcon } from '../icons';
import {
  CommandIds,
  Features,
  IJwstLabClient,
  IJwstLabEvents,
  PluginIds
} from '../tokens';
import { loadTrans } from '../translation';
import { baseName } from '../components/format';
import { isFinal, jobOfEvent } from '../models/jobRecord';
import { isJobsFilter } from '../models/jobsModel';
import { associationLevel, RunInputKind } from '../run/validation';
import { RunCommandIds } from '../runs/commands';
import { runIdOfJob } from '../runs/runRecord';
import { IJobDetailActions, JobDetailWidget } from '../widgets/jobs/detail';
import { JobsPanel } from '../widgets/jobs/panel';
import {
  IQuickLookContext,
  openCatalogTable,
  openQuickLook
} from '../widgets/quicklook/widgets';
import { RunDialog } from '../widgets/run/runDialog';
import { SpectraWidget } from '../widgets/spectra/spectraTab';
import { notifyEnd, watchEnds } from './endNotice';
import { commandPaths, selectedFiles } from './fileBrowser';
import { addSidebarPanel } from './sidebar';
import { addTabCommand, jobsUsable } from './tabs';

/** State database key of the Jobs panel's status filter. */
const STATUS_FILTER_KEY = `${PluginIds.jobs}:status-filter`;

/** State database key of the job selected in the Jobs panel. */
const SELECTED_JOB_KEY = `${PluginIds.jobs}:selected-job`;

/** Commands of pipeline jobs (the file browser menu in schema/jobs.json names them). */
export const JobCommandIds = {
  runAssociation: 'jwst-lab:run-association',
  runDetector1: 'jwst-lab:run-detector1',
  runLevel2: 'jwst-lab:run-level2',
  openJob: 'jwst-lab:open-job',
  quickLook: 'jwst-lab:quick-look',
  openCatalog: 'jwst-lab:open-catalog'
} as const;

/**
 * JWST file types, recognised by their name pattern (JupyterLab otherwise
 * matches by extension only); the file browser marks items with
 * `data-file-type`, which the context menu selectors in schema/jobs.json use.
 */
export const JWST_FILE_TYPES = [
  {
    name: 'jwst-asn',
    pattern: '_asn\\.json$',
    displayName: 'JWST association',
    icon: jsonIcon,
    mimeTypes: ['application/json'],
    fileFormat: 'text'
  },
  {
    name: 'jwst-uncal',
    pattern: '_uncal\\.fits$',
    displayName: 'JWST uncalibrated exposure',
    icon: imageIcon,
    fileFormat: 'base64'
  },
  {
    name: 'jwst-rate',
    pattern: '_rate(ints)?\\.fits$',
    displayName: 'JWST count-rate image',
    icon: imageIcon,
    fileFormat: 'base64'
  },
  {
    name: 'jwst-cal',
    pattern: '_(cal|calints|crf|s2d)\\.fits$',
    displayName: 'JWST calibrated exposure',
    icon: imageIcon,
    fileFormat: 'base64'
  },
  {
    name: 'jwst-i2d',
    pattern: '_i2d\\.fits$',
    displayName: 'JWST resampled mosaic',
    icon: imageIcon,
    fileFormat: 'base64'
  },
  {
    name: 'jwst-spectrum',
    pattern: '_(x1d|x1dints|c1d|s3d)\\.fits$',
    displayName: 'JWST spectrum or cube',
    icon: lineFormIcon,
    fileFormat: 'base64'
  },
  {
    name: 'jwst-cat',
    pattern: '_cat\\.ecsv$',
    displayName: 'JWST source catalog',
    icon: tableRowsIcon,
    fileFormat: 'text'
  }
] as const;

/**
 * The Jobs panel in the left sidebar, the command that opens it, the JWST
 * file types with the file-browser commands that run pipelines on them, job
 * detail tabs, and a notification when a job ends.
 */
export const jobsPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIds.jobs,
  description:
    'Adds the pipeline jobs panel, the run dialog and the JWST file-browser commands.',
  autoStart: true,
  requires: [IJwstLabClient, IJwstLabEvents],
  optional: [
    ICommandPalette,
    ILayoutRestorer,
    IStateDB,
    ITranslator,
    IFileBrowserFactory
  ],
  activate: (
    app: JupyterFrontEnd,
    client: IJwstLabClient,
    events: IEventsConnection,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    state: IStateDB | null,
    translator: ITranslator | null,
    browsers: IFileBrowserFactory | null
  ): void => {
    const trans = loadTrans(translator);
    const { commands } = app;

    for (const fileType of JWST_FILE_TYPES) {
      app.docRegistry.addFileType({
        ...fileType,
        displayName: trans.__(fileType.displayName),
        extensions: [],
        contentType: 'file'
      });
    }

    const panel = new JobsPanel({
      client,
      events,
      translator: translator ?? undefined,
      onOpenJob: id => void commands.execute(JobCommandIds.openJob, { id }),
      onOpenRun: id => void commands.execute(RunCommandIds.openRun, { id })
    });
    addSidebarPanel(app, panel, {
      rank: 720,
      command: CommandIds.openJobs,
      label: trans.__('Open Pipeline Jobs'),
      icon: jobsIcon,
      palette,
      restorer
    });

    const actions: IJobDetailActions = {
      openFile: path => void commands.execute('docmanager:open', { path }),
      showInFileBrowser: path =>
        void commands.execute('filebrowser:go-to-path', { path }),
      openSpectrum: path =>
        void commands.execute(JobCommandIds.quickLook, { path }),
      copy: text => Clipboard.copyToSystem(text),
      confirm: async (title, message) => {
        const result = await showDialog({
          title,
          body: message,
          buttons: [
            Dialog.cancelButton(),
            Dialog.warnButton({ label: trans.__('Delete') })
          ]
        });
        return result.button.accept;
      },
      openJob: id => {
        panel.selectedJob = id;
        void commands.execute(JobCommandIds.openJob, { id });
      },
      openRun: id => void commands.execute(RunCommandIds.openRun, { id })
    };

    // Job detail tabs, reopened after a page reload.
    const tracker = new WidgetTracker<JobDetailWidget>({
      namespace: 'jwst-lab-job'
    });
    addTabCommand(app, {
      command: JobCommandIds.openJob,
      tracker,
      restorer,
      label: id => (id ? trans.__('Open Job %1', id) : trans.__('Open Job')),
      idOf: widget => widget.jobId,
      willOpen: id => {
        panel.selectedJob = id;
      },
      create: id => {
        const widget = new JobDetailWidget({
          client,
          events,
          jobId: id,
          actions,
          translator: translator ?? undefined
        });
        widget.deleted.connect(sender => sender.dispose());
        return widget;
      }
    });

    // Run dialogs from the file browser.
    const selectedPaths = (pattern: RegExp): string[] =>
      selectedFiles(browsers, pattern);
    const runOn = async (
      inputs: string[],
      kind: RunInputKind,
      level?: number,
      preferred?: string
    ) => {
      if (inputs.length === 0) {
        return;
      }
      const dialog = new RunDialog({
        client,
        inputs,
        kind,
        level,
        preferred,
        translator: translator ?? undefined
      });
      const jobs = await dialog.open();
      if (jobs.length === 0) {
        return;
      }
      app.shell.activateById(panel.id);
      if (jobs.length === 1) {
        await commands.execute(JobCommandIds.openJob, { id: jobs[0].id });
      }
      Notification.info(
        trans._n(
          '%1 job queued.',
          '%1 jobs queued, one per input.',
          jobs.length
        ),
        { autoClose: 4000 }
      );
    };
    // No run commands while the server's job database is unusable (they would answer 503).
    const jobsEnabled = () => jobsUsable(client);
    const ASN = /_asn\.json$/;
    const UNCAL = /_uncal\.fits$/;
    const RATE = /_rate(ints)?\.fits$/;
    commands.addCommand(JobCommandIds.runAssociation, {
      label: () => {
        const levels = new Set(selectedPaths(ASN).map(associationLevel));
        if (levels.size === 1 && levels.has(3)) {
          return trans.__('Run Level 3 pipeline…');
        }
        if (levels.size === 1 && levels.has(2)) {
          return trans.__('Run Level 2 pipeline…');
        }
        return trans.__('Run Level 2/3 pipeline…');
      },
      caption: trans.__(
        'Run the calwebb pipeline of the association type, one job per selected association'
      ),
      icon: jobsIcon,
      isEnabled: jobsEnabled,
      execute: () => runOn(selectedPaths(ASN), 'association')
    });
    commands.addCommand(JobCommandIds.runDetector1, {
      label: trans.__('Run Detector1…'),
      caption: trans.__(
        'Run calwebb_detector1 (uncal → rate), one job per selected exposure'
      ),
      icon: jobsIcon,
      isEnabled: jobsEnabled,
      execute: () =>
        runOn(selectedPaths(UNCAL), 'uncal', 1, 'calwebb_detector1')
    });
    commands.addCommand(JobCommandIds.runLevel2, {
      label: trans.__('Run Image2/Spec2…'),
      caption: trans.__(
        'Run calwebb_image2 or calwebb_spec2 (rate → cal), one job per selected exposure'
      ),
      icon: jobsIcon,
      isEnabled: jobsEnabled,
      execute: () => runOn(selectedPaths(RATE), 'rate', 2, 'calwebb_image2')
    });
    // Quick looks by file name: the first pattern a path matches opens it.
    const quickLooks: IQuickLookContext = { app, client, trans };
    const quickLookOpeners: {
      pattern: RegExp;
      open: (path: string) => void;
    }[] = [
      {
        // Spectra first: an s2d is a 2-D spectrum with a wavelength axis.
        pattern: /_(x1d|x1dints|c1d|s2d|s3d)\.fits$/,
        open: path =>
          void app.shell.add(new SpectraWidget({ client, path, trans }), 'main')
      },
      {
        pattern: /_(i2d|cal|crf|s2d|rate)\.fits$/,
        open: path => void openQuickLook(quickLooks, path)
      }
    ];
    const quickLookOf = (path: string) =>
      quickLookOpeners.find(opener => opener.pattern.test(path));
    commands.addCommand(JobCommandIds.quickLook, {
      label: trans.__('Quick Look'),
      caption: trans.__(
        'Pan, zoom and read pixels (with RA/Dec) of the image, with its source catalog'
      ),
      icon: imageIcon,
      isEnabled: () => client.hasFeature(Features.pipelines),
      execute: args => {
        for (const path of commandPaths(args, browsers, /./)) {
          quickLookOf(path)?.open(path);
        }
      }
    });
    commands.addCommand(JobCommandIds.openCatalog, {
      label: trans.__('Open Catalog Table'),
      caption: trans.__(
        'The source catalog as a sortable table; a row click centres its image'
      ),
      icon: tableRowsIcon,
      isEnabled: () => client.hasFeature(Features.pipelines),
      execute: args => {
        for (const path of commandPaths(args, browsers, /\.ecsv$/)) {
          openCatalogTable(quickLooks, path);
        }
      }
    });

    // A notification when a job ends.
    watchJobEnds(events, trans, id =>
      commands.execute(JobCommandIds.openJob, { id })
    );

    if (state) {
      panel.statusFilterChanged.connect((_, value) => {
        state
          .save(STATUS_FILTER_KEY, value)
          .catch(reason =>
            console.warn('jwst-lab: cannot save the jobs filter', reason)
          );
      });
      panel.selectedJobChanged.connect((_, value) => {
        state
          .save(SELECTED_JOB_KEY, value)
          .catch(reason =>
            console.warn('jwst-lab: cannot save the selected job', reason)
          );
      });
      Promise.all([
        state.fetch(STATUS_FILTER_KEY),
        state.fetch(SELECTED_JOB_KEY)
      ])
        .then(([filter, selected]) => {
          if (isJobsFilter(filter)) {
            panel.statusFilter = filter;
          }
          if (typeof selected === 'string' && panel.selectedJob === null) {
            panel.selectedJob = selected;
          }
        })
        .catch(reason =>
          console.warn('jwst-lab: cannot restore the jobs panel', reason)
        );
    }
  }
};

/**
 * Show a notification for each job that ends (succeeded, failed, cancelled,
 * interrupted) while the page is open, with an action that opens it. Jobs of
 * a run are left out: their run says when it ends.
 */
export function watchJobEnds(
  events: IEventsConnection,
  trans: TranslationBundle,
  open: (id: string) => unknown
): void {
  const endedJob = (message: EventsStreamMessage) => {
    if (message.type !== 'job.updated') {
      return null;
    }
    const job = jobOfEvent(message);
    return job && isFinal(job.status) && runIdOfJob(job) === null ? job : null;
  };
  watchEnds(
    events,
    endedJob,
    job => job.id,
    job => {
      const what = `${job.pipeline ?? trans.__('Download')}${
        job.input ? ` · ${baseName(job.input)}` : ''
      }`;
      notifyEnd(
        job.status,
        job.status === 'succeeded'
          ? trans.__('Job succeeded: %1', what)
          : job.status === 'failed'
            ? trans.__('Job failed: %1', what)
            : job.status === 'cancelled'
              ? trans.__('Job cancelled: %1', what)
              : trans.__('Job interrupted: %1', what),
        {
          label: trans.__('Open job'),
          caption: trans.__('Open the job’s log, outputs and provenance'),
          callback: () => void open(job.id)
        }
      );
    }
  );
}
