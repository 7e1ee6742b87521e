import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ITranslator } from '@jupyterlab/translation';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import * as React from 'react';

import type { IEventsConnection } from '../api/events';
import { CrdsBestrefsModel } from '../crds/bestrefsModel';
import { CrdsDiffModel } from '../crds/diffModel';
import { CrdsTreeModel } from '../crds/treeModel';
import { crdsIcon } from '../icons';
import {
  CommandIds,
  Features,
  IJwstLabClient,
  IJwstLabEvents,
  PluginIds
} from '../tokens';
import { loadTrans } from '../translation';
import { CrdsBestrefsView } from '../widgets/crds/bestrefs';
import { CrdsDiffView } from '../widgets/crds/diff';
import { CrdsPanel } from '../widgets/crds/panel';
import { CrdsTreeView } from '../widgets/crds/tree';
import { CrdsViewWidget } from '../widgets/crds/viewWidget';
import { commandPaths, selectedFiles } from './fileBrowser';
import { addSidebarPanel } from './sidebar';

/** Commands of the CRDS browser. */
export const CrdsCommandIds = {
  openContext: 'jwst-lab:crds-open-context',
  diff: 'jwst-lab:crds-diff',
  bestrefs: 'jwst-lab:crds-bestrefs'
} as const;

/** Files CRDS can compute best references for. */
const DATA_FILE = /\.(fits|fit|fts|asdf)$/i;

/**
 * The CRDS panel in the left sidebar; context trees, diffs and best-reference
 * tables in the main area; "Best references…" on FITS/ASDF files in the file browser.
 */
export const crdsPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIds.crds,
  description:
    'Adds the CRDS references panel, context and diff views, and best references for files.',
  autoStart: true,
  requires: [IJwstLabClient],
  optional: [
    IJwstLabEvents,
    ICommandPalette,
    ILayoutRestorer,
    ITranslator,
    IFileBrowserFactory
  ],
  activate: (
    app: JupyterFrontEnd,
    client: IJwstLabClient,
    events: IEventsConnection | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    browsers: IFileBrowserFactory | null
  ): void => {
    const trans = loadTrans(translator);
    const { commands } = app;
    type CrdsCommand = (typeof CrdsCommandIds)[keyof typeof CrdsCommandIds];
    // One tracker per kind of view, so each is reopened by its own command after a reload.
    const trackers = new Map<CrdsCommand, WidgetTracker<CrdsViewWidget>>(
      Object.values(CrdsCommandIds).map(command => [
        command,
        new WidgetTracker<CrdsViewWidget>({
          namespace: `jwst-lab-${command.split(':')[1]}`
        })
      ])
    );

    const show = (
      command: CrdsCommand,
      view: {
        key: string;
        label: string;
        className: string;
        args: ReadonlyJSONObject;
      },
      create: () => { model: IDisposable; element: React.ReactElement }
    ) => {
      const tracker = trackers.get(command)!;
      const existing = tracker.find(widget => widget.key === view.key);
      if (existing) {
        app.shell.activateById(existing.id);
        return existing;
      }
      const widget = new CrdsViewWidget({ ...view, ...create() });
      void tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    };

    commands.addCommand(CrdsCommandIds.openContext, {
      label: args =>
        args.context
          ? trans.__('CRDS context %1', String(args.context))
          : trans.__('Open CRDS Context'),
      icon: crdsIcon,
      isEnabled: () => client.hasFeature(Features.crds),
      execute: args => {
        const context = String(args.context ?? '');
        if (!context) {
          return;
        }
        return show(
          CrdsCommandIds.openContext,
          {
            key: `tree:${context}`,
            label: context,
            className: 'jp-JwstLab-crdsTreeWidget',
            args: { context }
          },
          () => {
            const model = new CrdsTreeModel({
              client,
              context,
              initial: {
                instrument: args.instrument
                  ? String(args.instrument)
                  : undefined,
                reftype: args.reftype ? String(args.reftype) : undefined
              }
            });
            return {
              model,
              element: React.createElement(CrdsTreeView, { model, trans })
            };
          }
        );
      }
    });

    commands.addCommand(CrdsCommandIds.diff, {
      label: args =>
        args.old && args.new
          ? trans.__('CRDS diff %1 → %2', String(args.old), String(args.new))
          : trans.__('Compare CRDS Contexts'),
      icon: crdsIcon,
      isEnabled: () => client.hasFeature(Features.crds),
      execute: args => {
        const oldContext = String(args.old ?? '');
        const newContext = String(args.new ?? '');
        if (!oldContext || !newContext) {
          return;
        }
        return show(
          CrdsCommandIds.diff,
          {
            key: `diff:${oldContext}:${newContext}`,
            label: trans.__('%1 → %2', oldContext, newContext),
            className: 'jp-JwstLab-crdsDiffWidget',
            args: { old: oldContext, new: newContext }
          },
          () => {
            const model = new CrdsDiffModel({ client, oldContext, newContext });
            return {
              model,
              element: React.createElement(CrdsDiffView, { model, trans })
            };
          }
        );
      }
    });

    commands.addCommand(CrdsCommandIds.bestrefs, {
      label: trans.__('Best References…'),
      caption: trans.__(
        'The calibration reference files CRDS selects for this file'
      ),
      icon: crdsIcon,
      isVisible: args =>
        args.path
          ? DATA_FILE.test(String(args.path))
          : selectedFiles(browsers, DATA_FILE).length > 0,
      isEnabled: () => client.hasFeature(Features.crds),
      execute: args => {
        for (const path of commandPaths(args, browsers, DATA_FILE)) {
          show(
            CrdsCommandIds.bestrefs,
            {
              key: `bestrefs:${path}`,
              label: trans.__(
                'Best references: %1',
                path.split('/').pop() ?? path
              ),
              className: 'jp-JwstLab-crdsBestrefsWidget',
              args: { path }
            },
            () => {
              const model = new CrdsBestrefsModel({ client, events, path });
              return {
                model,
                element: React.createElement(CrdsBestrefsView, {
                  model,
                  trans,
                  onJob: () => void commands.execute(CommandIds.openJobs)
                })
              };
            }
          );
        }
      }
    });

    const panel = new CrdsPanel({
      client,
      translator: translator ?? undefined,
      onOpenContext: context =>
        void commands.execute(CrdsCommandIds.openContext, { context }),
      onOpenDiff: (oldContext, newContext) =>
        void commands.execute(CrdsCommandIds.diff, {
          old: oldContext,
          new: newContext
        })
    });
    addSidebarPanel(app, panel, {
      rank: 710,
      command: CommandIds.openCrds,
      label: trans.__('Open CRDS References'),
      icon: crdsIcon,
      palette,
      restorer
    });

    if (restorer) {
      for (const [command, tracker] of trackers) {
        void restorer.restore(tracker, {
          command,
          args: widget => widget.args,
          name: widget => widget.key
        });
      }
    }
  }
};
