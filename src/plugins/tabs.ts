import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { WidgetTracker } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { Features, IJwstLabClient } from '../tokens';

/** How to add a command that opens a record's tab by its id. */
export interface ITabCommandOptions<T extends Widget> {
  /** Id of the command; its argument is `{ id }`. */
  command: string;
  /** The open tabs, also what the layout restorer reopens. */
  tracker: WidgetTracker<T>;
  restorer: ILayoutRestorer | null;
  /** The command's label, for a record's id or for none. */
  label: (id: string | null) => string;
  /** The id of the record a tab shows. */
  idOf: (widget: T) => string;
  /** A new tab for the record `id`. */
  create: (id: string) => T;
  /** Called with the id each time the command runs, before the tab is found. */
  willOpen?: (id: string) => void;
}

/**
 * Add a command that activates the tab of a record (opening one in the main
 * area when none shows it yet), and let the layout restorer reopen the tabs
 * after a page reload.
 */
export function addTabCommand<T extends Widget>(
  app: JupyterFrontEnd,
  options: ITabCommandOptions<T>
): void {
  const { command, tracker, idOf } = options;
  app.commands.addCommand(command, {
    label: args => options.label(args.id ? String(args.id) : null),
    describedBy: {
      args: {
        type: 'object',
        properties: { id: { type: 'string' } },
        required: ['id']
      }
    },
    execute: args => {
      const id = String(args.id ?? '');
      if (!id) {
        return;
      }
      options.willOpen?.(id);
      let widget = tracker.find(w => idOf(w) === id);
      if (!widget) {
        widget = options.create(id);
        void tracker.add(widget);
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
      return widget;
    }
  });
  if (options.restorer) {
    void options.restorer.restore(tracker, {
      command,
      args: widget => ({ id: idOf(widget) }),
      name: widget => idOf(widget)
    });
  }
}

/**
 * Whether the server runs jobs now: the jobs feature is on and its job
 * database is usable (otherwise job and run commands would answer 503).
 */
export function jobsUsable(client: IJwstLabClient): boolean {
  return (
    client.hasFeature(Features.jobs) &&
    client.info?.job_store?.state !== 'unusable'
  );
}
