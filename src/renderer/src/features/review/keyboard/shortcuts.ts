/** The review grid's keys, in the order the help overlay lists them. */
export const SHORTCUTS: readonly [keys: string, what: string][] = [
  ['↑ ↓', 'move between rows'],
  ['Enter / Space', 'open the row in the detail pane'],
  ['c', 'confirm the suggested match'],
  ['x', 'reject the suggested match'],
  ['m', 'match by hand: find candidates for the record'],
  ['a', 'assign the item to someone'],
  ['n', 'write a comment on the item'],
  ['Esc', 'close this help, or leave the detail pane for the grid'],
  ['?', 'show or hide this help'],
];

/** Keys typed into a field are text, never shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
}

/** Waits (up to `ms`) for an element that a pane renders after loading, then returns it. */
export function whenPresent<T extends Element>(selector: string, ms = 3000): Promise<T | null> {
  const start = performance.now();
  return new Promise((done) => {
    const look = () => {
      const el = document.querySelector<T>(selector);
      if (el) return done(el);
      if (performance.now() - start > ms) return done(null);
      requestAnimationFrame(look);
    };
    look();
  });
}
