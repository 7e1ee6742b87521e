import { ITranslator } from '@jupyterlab/translation';
import { LabIcon, ReactWidget, SidePanel } from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

/**
 * A jwst-lab sidebar panel: an `<h2>` title in the header and a React body.
 *
 * Subclasses render the body in `renderBody()` and call `updateBody()` when
 * the state it reads changes.
 */
export abstract class JwstLabSidePanel extends SidePanel {
  /** Create the panel with its id, title and sidebar icon. */
  constructor(options: JwstLabSidePanel.IOptions) {
    super({
      content: new Panel(),
      header: new Panel(),
      translator: options.translator
    });
    this.id = options.id;
    this.addClass('jp-JwstLab-panel');
    this.title.icon = options.icon;
    this.title.caption = options.caption;

    const heading = document.createElement('h2');
    heading.className = 'jp-JwstLab-panelTitle';
    heading.textContent = options.label;
    this.header.addWidget(new Widget({ node: heading }));

    this._body = new Private.BodyWidget(() => this.renderBody());
    this.content.addWidget(this._body);
  }

  /** The React element of the panel's body. */
  protected abstract renderBody(): React.ReactElement;

  /** Render the body again. */
  protected updateBody(): void {
    this._body.update();
  }

  private _body: Private.BodyWidget;
}

/** The namespace for `JwstLabSidePanel` statics. */
export namespace JwstLabSidePanel {
  /** Options shared by every jwst-lab panel. */
  export interface IOptions {
    /** Widget id; also the `data-id` of the sidebar tab. */
    id: string;
    /** Text of the panel's `<h2>`. */
    label: string;
    /** Tooltip of the sidebar tab. */
    caption: string;
    /** Icon of the sidebar tab. */
    icon: LabIcon;
    translator?: ITranslator;
  }
}

namespace Private {
  /** A React widget whose element comes from a callback. */
  export class BodyWidget extends ReactWidget {
    constructor(private readonly _render: () => React.ReactElement) {
      super();
      this.addClass('jp-JwstLab-panelBody');
    }

    protected render(): React.ReactElement {
      return this._render();
    }
  }
}
