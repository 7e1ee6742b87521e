import * as React from 'react';

/**
 * The laid-out height of the element `ref` holds, followed as it resizes; 0
 * until it is known (hidden panels, jsdom). A measure of the DOM, not state
 * of the application: views of scrolling lists use it to know what is in view.
 */
export function useElementHeight(
  ref: React.RefObject<HTMLElement | null>
): number {
  const [height, setHeight] = React.useState(0);
  React.useEffect(() => {
    const node = ref.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() => setHeight(node.clientHeight));
    observer.observe(node);
    return () => observer.disconnect();
  }, [ref]);
  return height;
}
