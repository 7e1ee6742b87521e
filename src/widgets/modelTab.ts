import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import type { LabIcon } from '@jupyterlab/ui-components';
import type { IDisposable } from '@lumino/disposable';
import type * as React from 'react';

/**
 * A main-area tab showing a React view of a model the tab owns: closing the
 * tab disposes the model.
 */
export class ModelTab<
  M extends IDisposable
> extends MainAreaWidget<ReactWidget> {
  /** Create the closable tab. */
  constructor(options: ModelTab.IOptions<M>) {
    const content = ReactWidget.create(options.element);
    content.addClass(options.contentClass);
    super({ content });
    this.model = options.model;
    this.title.label = options.label;
    this.title.icon = options.icon;
    this.title.closable = true;
  }

  /** What the view shows, disposed with the tab. */
  readonly model: M;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }
}

/** The namespace for `ModelTab` statics. */
export namespace ModelTab {
  /** Options to create a tab. */
  export interface IOptions<M> {
    /** The tab's state. */
    model: M;
    /** The view, reading `model`. */
    element: React.ReactElement;
    /** The class of the view's widget. */
    contentClass: string;
    label: string;
    icon: LabIcon;
  }
}
