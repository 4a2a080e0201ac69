/**
 * A tiny History API router: `navigate()` changes the URL and announces it;
 * `interceptLinks()` turns clicks on same-origin `<a href>` (including inside
 * shadow roots and SVG) into `navigate()` so every link is a real, copyable URL.
 */

export class TlRouteChangeEvent extends Event {
  static readonly eventName = 'tl-route-change';
  constructor() {
    super(TlRouteChangeEvent.eventName);
  }
}

declare global {
  interface WindowEventMap {
    'tl-route-change': TlRouteChangeEvent;
  }
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const current = `${location.pathname}${location.search}`;
  if (path === current) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new TlRouteChangeEvent());
}

function hrefOf(element: Element): string | null {
  if (element instanceof HTMLAnchorElement) return element.href;
  if (element instanceof SVGAElement) return new URL(element.href.baseVal, location.href).href;
  return null;
}

function anchorIn(event: MouseEvent): Element | undefined {
  for (const target of event.composedPath()) {
    if (target instanceof HTMLAnchorElement || target instanceof SVGAElement) return target;
  }
  return undefined;
}

/** Returns a function that removes the listener. */
export function interceptLinks(root: Window): () => void {
  const onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = anchorIn(event);
    if (!anchor || anchor.hasAttribute('download') || (anchor.getAttribute('target') ?? '_self') !== '_self') return;
    const href = hrefOf(anchor);
    if (!href) return;
    const url = new URL(href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(`${url.pathname}${url.search}`);
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
