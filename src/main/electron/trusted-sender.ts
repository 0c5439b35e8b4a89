/** Just enough of Electron's WebFrameMain to decide whether an IPC message came from our page. */
export interface FrameLike {
  url: string;
  parent: unknown | null;
}

/**
 * Our page is the top frame showing the bundled index.html (file://) or, in development,
 * the electron-vite dev server's origin. Anything else (an iframe, a navigated page) is refused.
 */
export function makeTrustedSender(pageUrl: string): (frame: FrameLike | null | undefined) => boolean {
  const own = new URL(pageUrl);
  return (frame) => {
    if (!frame || frame.parent !== null) return false;
    let url: URL;
    try {
      url = new URL(frame.url);
    } catch {
      return false;
    }
    if (own.protocol === 'file:') return url.protocol === 'file:' && url.pathname === own.pathname;
    return url.origin === own.origin;
  };
}
