import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

/**
 * The paths of the files (not folders) selected in the current file browser
 * whose names match `pattern`; none without a file browser.
 */
export function selectedFiles(
  browsers: IFileBrowserFactory | null,
  pattern: RegExp
): string[] {
  const browser = browsers?.tracker.currentWidget;
  if (!browser) {
    return [];
  }
  return Array.from(browser.selectedItems())
    .filter(item => item.type !== 'directory' && pattern.test(item.name))
    .map(item => item.path);
}

/**
 * The files a command acts on: its `path` argument when it has one (a context
 * menu entry or a link), else the selected files whose names match `pattern`.
 */
export function commandPaths(
  args: ReadonlyPartialJSONObject,
  browsers: IFileBrowserFactory | null,
  pattern: RegExp
): string[] {
  return args.path ? [String(args.path)] : selectedFiles(browsers, pattern);
}

/** Every item (files and folders) selected in the current file browser. */
export function selectedItems(
  browsers: IFileBrowserFactory | null
): { path: string; isDirectory: boolean }[] {
  const browser = browsers?.tracker.currentWidget;
  if (!browser) {
    return [];
  }
  return Array.from(browser.selectedItems()).map(item => ({
    path: item.path,
    isDirectory: item.type === 'directory'
  }));
}
