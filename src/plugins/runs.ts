import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, showDialog, WidgetTracker } from '@jupyterlab/apputils';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';

import type { IEventsConnection } from '../api/events';
import type { EventsStreamMessage, IRunRecord } from '../api/models';
import { jobsIcon } from '../icons';
import { RunCommandIds } from '../runs/commands';
import { canReduceTo, runInputs } from '../runs/reduceTargets';
import { isRunFinal, runOfEvent, runTitle } from '../runs/runRecord';
import type { TargetLevel } from '../runs/planModel';
import { IJwstLabClient, IJwstLabEvents, PluginIds } from '../tokens';
import { loadTrans } from '../translation';
import { PlanDialog } from '../widgets/runs/planDialog';
import { IRunTabActions, RunTab } from '../widgets/runs/runTab';
import { notifyEnd, watchEnds } from './endNotice';
import { selectedItems } from './fileBrowser';
import { JobCommandIds } from './jobs';
import { addTabCommand, jobsUsable } from './tabs';
import { plural } from '../translation';

export { RunCommandIds };

/**
 * Runs: "Reduce to Level N…" on folders, exposures and associations in the
 * file browser (a plan dialog, then the run), run tabs restored after a page
 * reload, and a notification when a run ends.
 */
export const runsPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIds.runs,
  description:
    'Adds the Reduce to Level N commands, the plan dialog and run tabs.',
  autoStart: true,
  requires: [IJwstLabClient, IJwstLabEvents],
  optional: [ILayoutRestorer, ITranslator, IFileBrowserFactory],
  activate: (
    app: JupyterFrontEnd,
    client: IJwstLabClient,
    events: IEventsConnection,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    browsers: IFileBrowserFactory | null
  ): void => {
    const trans = loadTrans(translator);
    const { commands } = app;

    const actions: IRunTabActions = {
      openJob: id => void commands.execute(JobCommandIds.openJob, { id }),
      openFolder: path =>
        void commands.execute('filebrowser:go-to-path', { path: `/${path}` }),
      confirm: async (title, message, accept) => {
        const result = await showDialog({
          title,
          body: message,
          buttons: [
            Dialog.cancelButton({ label: trans.__('Keep running') }),
            Dialog.warnButton({ label: accept })
          ]
        });
        return result.button.accept;
      }
    };
    const tracker = new WidgetTracker<RunTab>({ namespace: 'jwst-lab-run' });
    addTabCommand(app, {
      command: RunCommandIds.openRun,
      tracker,
      restorer,
      label: id => (id ? trans.__('Open Run %1', id) : trans.__('Open Run')),
      idOf: widget => widget.runId,
      create: id =>
        new RunTab({
          client,
          events,
          runId: id,
          actions,
          translator: translator ?? undefined
        })
    });

    const plan = async (inputs: string[], level: TargetLevel) => {
      if (inputs.length === 0) {
        return;
      }
      const dialog = new PlanDialog({
        client,
        inputs,
        targetLevel: level,
        translator: translator ?? undefined
      });
      const run = await dialog.open();
      if (run) {
        await commands.execute(RunCommandIds.openRun, { id: run.id });
      }
    };
    const enabled = () => jobsUsable(client);
    const selection = () => selectedItems(browsers);
    const levels: [string, TargetLevel][] = [
      [RunCommandIds.reduceLevel1, 1],
      [RunCommandIds.reduceLevel2, 2],
      [RunCommandIds.reduceLevel3, 3]
    ];
    for (const [id, level] of levels) {
      commands.addCommand(id, {
        label: trans.__('Reduce to Level %1…', level),
        caption: trans.__(
          'Plan and run the pipelines that take the selected folders, exposures or associations to Level %1',
          level
        ),
        icon: jobsIcon,
        isEnabled: enabled,
        isVisible: () => canReduceTo(selection(), level),
        execute: () => plan(runInputs(selection()), level)
      });
    }
    commands.addCommand(RunCommandIds.reduce, {
      label: args => trans.__('Reduce to Level %1…', Number(args.level ?? 3)),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            inputs: { type: 'array', items: { type: 'string' } },
            level: { type: 'integer', enum: [1, 2, 3] }
          },
          required: ['inputs']
        }
      },
      isEnabled: enabled,
      execute: args => {
        const inputs = Array.isArray(args.inputs)
          ? args.inputs.filter(
              (item): item is string => typeof item === 'string'
            )
          : [];
        const level = Number(args.level ?? 3);
        return plan(
          inputs,
          (level === 1 || level === 2 ? level : 3) as TargetLevel
        );
      }
    });

    watchRunEnds(events, trans, id =>
      commands.execute(RunCommandIds.openRun, { id })
    );
  }
};

/**
 * Show a notification for each run that ends while the page is open (again
 * after a resume), with an action that opens it.
 */
export function watchRunEnds(
  events: IEventsConnection,
  trans: TranslationBundle,
  open: (id: string) => unknown
): void {
  const endedRun = (message: EventsStreamMessage) => {
    const run: IRunRecord | null = runOfEvent(message);
    return run && isRunFinal(run.status) ? run : null;
  };
  watchEnds(
    events,
    endedRun,
    run => `${run.id}:${run.finished ?? ''}:${run.status}`,
    run => {
      const what = runTitle(run);
      const done = plural(
        trans,
        run.progress.jobs_total,
        '%2 of %1 job',
        '%2 of %1 jobs',
        run.progress.jobs_done
      );
      notifyEnd(
        run.status,
        run.status === 'succeeded'
          ? trans.__('Run succeeded: %1 (%2)', what, done)
          : run.status === 'failed'
            ? trans.__('Run failed: %1 (%2)', what, done)
            : trans.__('Run cancelled: %1 (%2)', what, done),
        {
          label: trans.__('Open run'),
          caption: trans.__('Open the run’s graph and progress'),
          callback: () => void open(run.id)
        }
      );
    }
  );
}
